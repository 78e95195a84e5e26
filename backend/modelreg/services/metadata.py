"""What a version's files say about the model (MLmodel, requirements.txt, conda.yaml,
python_env.yaml), read when its files change and stored as one JSON document per version.

Reading never fails a change of files: the domain turns malformed files into warnings. Only the
few files `metadata_paths` chooses are read, and none larger than MAX_METADATA_FILE_BYTES; they
are parsed in a worker thread, so the event loop keeps serving other requests meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Artifact, Blob, VersionMetadata
from modelreg.db.types import utcnow
from modelreg.domain.model_metadata import (
    MAX_METADATA_FILE_BYTES,
    METADATA_FILES,
    ModelMetadata,
    metadata_paths,
    read_metadata,
)
from modelreg.services.text import like_escape
from modelreg.storage import Storage

logger = logging.getLogger("modelreg.metadata")


def _file_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def affects_metadata(paths: Iterable[str]) -> bool:
    """Whether adding or removing these files can change what the version's metadata says."""
    return any(_file_name(p) in METADATA_FILES for p in paths)


def _named_like_metadata() -> sa.ColumnElement[bool]:
    path = col(Artifact.path)
    clauses: list[sa.ColumnElement[bool]] = []
    for name in METADATA_FILES:
        clauses.append(path == name)
        clauses.append(path.like("%/" + like_escape(name), escape="\\"))
    return sa.or_(*clauses)


async def read_blob(storage: Storage, storage_key: str) -> bytes:
    parts: list[bytes] = []
    async for chunk in storage.open(storage_key):
        parts.append(chunk)
    return b"".join(parts)


async def refresh_metadata(
    session: AsyncSession, storage: Storage, version_id: int
) -> ModelMetadata | None:
    """Read the version's metadata files as they are in `session` now and store what they say
    (no row when the version has neither an MLmodel nor a dependency file). Flushes first, so
    files added or deleted in this transaction count."""
    await session.flush()
    rows = (
        await session.exec(
            select(Artifact.path, Blob.storage_key, Blob.size)
            .join(Blob, col(Blob.id) == col(Artifact.blob_id))
            .where(Artifact.version_id == version_id, _named_like_metadata())
        )
    ).all()
    by_path = {path: (key, size) for path, key, size in rows}
    chosen = metadata_paths(by_path)
    contents: dict[str, bytes | None] = {}
    for path in chosen.values():
        key, size = by_path[path]
        contents[path] = await read_blob(storage, key) if size <= MAX_METADATA_FILE_BYTES else None
    # Parsing is CPU work (up to a second for a hostile 1 MiB file): off the event loop.
    found = await asyncio.to_thread(read_metadata, contents) if contents else None
    existing = await session.get(VersionMetadata, version_id)
    if found is None:
        if existing is not None:
            await session.delete(existing)
            await session.flush()
        return None
    row = existing or VersionMetadata(version_id=version_id, document={})
    row.document = found.to_json()
    row.updated_at = utcnow()
    session.add(row)
    await session.flush()
    return found


def _parse(version_id: int, document: dict[str, object]) -> ModelMetadata | None:
    try:
        return ModelMetadata.from_json(document)
    except (KeyError, TypeError, ValueError):
        # A document from an older release: re-uploading a file refreshes it.
        logger.warning("unreadable metadata document of version %s", version_id, exc_info=True)
        return None


async def metadata_by_versions(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, ModelMetadata]:
    """The stored metadata of each version that has some; one statement."""
    if not version_ids:
        return {}
    rows = await session.exec(
        select(VersionMetadata).where(col(VersionMetadata.version_id).in_(list(version_ids)))
    )
    found: dict[int, ModelMetadata] = {}
    for row in rows:
        parsed = _parse(row.version_id, row.document)
        if parsed is not None:
            found[row.version_id] = parsed
    return found
