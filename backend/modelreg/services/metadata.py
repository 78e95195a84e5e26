"""What a version's files say about the model (MLmodel, requirements.txt, conda.yaml,
python_env.yaml), read when its files change and stored as one JSON document per version.

Reading never fails a change of files: the domain turns malformed files into warnings. Only the
few files `metadata_paths` chooses are read, and none larger than MAX_METADATA_FILE_BYTES; they
are parsed in a worker thread (`read_metadata_off_loop`), so the event loop keeps serving other
requests meanwhile.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

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


# Parses running now with the cyclic garbage collector paused, and whether it ran before the
# first of them began (see `_collector_paused`).
_pauses = 0
_collector_was_enabled = True
_pauses_lock = threading.Lock()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection in the process while a parse runs. A parse allocates up to
    millions of objects, and the collection they trigger runs in the parsing thread holding the
    GIL: a full one over the process's objects blocked the event loop for 0.7 s of a 1.4 s
    parse. Parses may overlap: the collector is restored when the last one ends (to what it was
    before the first began). Objects in reference cycles made meanwhile wait for the next
    collection; the parse's own are freed by reference counting as it goes."""
    global _pauses, _collector_was_enabled
    with _pauses_lock:
        if _pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses -= 1
            if _pauses == 0 and _collector_was_enabled:
                gc.enable()


def _read_with_collector_paused(files: Mapping[str, bytes | None]) -> ModelMetadata | None:
    with _collector_paused():
        return read_metadata(files)


async def read_metadata_off_loop(files: Mapping[str, bytes | None]) -> ModelMetadata | None:
    """`read_metadata(files)` in a worker thread, with the garbage collector paused meanwhile
    so that the event loop keeps running (every parse of uploaded metadata goes through here)."""
    return await asyncio.to_thread(_read_with_collector_paused, files)


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
    found = await read_metadata_off_loop(contents) if contents else None
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
