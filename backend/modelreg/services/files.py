"""Files of model versions: streamed into content-addressed blobs (`blobs`), listed, deleted.

Uploads cannot hold a database transaction open while gigabytes stream in (SQLite has one writer),
so `store_file` opens its own short transactions, through `blobs.store_blob` (the one file-store
algorithm, shared with the MLflow artifact proxy): the bytes go to storage first, then one
transaction records them. A blob with the same SHA-256 already stored is reused and the fresh copy
deleted, so identical files are kept once.
"""

from __future__ import annotations

import mimetypes
from collections import defaultdict
from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import Database
from modelreg.db.models import Artifact, Blob
from modelreg.db.types import utcnow
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.paths import validate_file_path, validate_prefix
from modelreg.domain.policy import Ability
from modelreg.errors import InvalidArgument, NotFound
from modelreg.services.blobs import collect_garbage_after_commit, store_blob
from modelreg.services.compatibility import refresh_and_guard
from modelreg.services.events import record_event
from modelreg.services.metadata import affects_metadata
from modelreg.services.text import like_escape
from modelreg.services.versions import get_version
from modelreg.storage import Storage


@dataclass(frozen=True, slots=True)
class VersionFile:
    path: str
    size: int
    sha256: str
    content_type: str
    storage_key: str
    created_by: str
    created_at: datetime


def _content_type(path: str, given: str | None) -> str:
    if given and given.split(";")[0].strip() not in ("", "application/octet-stream"):
        return given
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


# Statements are immutable: every query below starts from this one.
_FILES = select(Artifact, Blob).join(Blob, col(Blob.id) == col(Artifact.blob_id))


def _to_file(artifact: Artifact, blob: Blob) -> VersionFile:
    return VersionFile(
        path=artifact.path,
        size=blob.size,
        sha256=blob.sha256,
        content_type=artifact.content_type,
        storage_key=blob.storage_key,
        created_by=artifact.created_by,
        created_at=artifact.created_at,
    )


async def list_files(
    session: AsyncSession, *, version_id: int, prefix: str = ""
) -> list[VersionFile]:
    prefix = validate_prefix(prefix)
    statement = _FILES.where(col(Artifact.version_id) == version_id)
    if prefix:
        statement = statement.where(col(Artifact.path).like(like_escape(prefix) + "%", escape="\\"))
    rows = await session.exec(statement.order_by(col(Artifact.path)))
    return [_to_file(a, b) for a, b in rows]


async def files_by_versions(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, list[VersionFile]]:
    statement = _FILES.where(col(Artifact.version_id).in_(version_ids)).order_by(col(Artifact.path))
    found: dict[int, list[VersionFile]] = defaultdict(list)
    for artifact, blob in await session.exec(statement):
        found[artifact.version_id].append(_to_file(artifact, blob))
    return found


async def get_file(session: AsyncSession, *, version_id: int, path: str) -> VersionFile:
    validate_file_path(path)
    statement = _FILES.where(col(Artifact.version_id) == version_id, col(Artifact.path) == path)
    row = (await session.exec(statement)).first()
    if row is None:
        raise NotFound(f"This version has no file '{path}'.", field="path")
    return _to_file(*row)


async def store_file(
    *,
    db: Database,
    storage: Storage,
    actor: Actor,
    version_id: int,
    path: str,
    chunks: AsyncIterable[bytes],
    max_size: int,
    content_type: str | None = None,
) -> VersionFile:
    """Stream a file into a version; replaces a file at the same path. All or nothing.

    Permission is checked before the first byte is read, and again when the file is recorded.
    """
    validate_file_path(path)
    async with db.read() as session:
        await get_version(
            session, version_id=version_id, actor=actor, ability=Ability.EDIT, field="version"
        )

    async def record(session: AsyncSession, blob: Blob) -> VersionFile:
        version, model = await get_version(
            session, version_id=version_id, actor=actor, ability=Ability.EDIT, field="version"
        )
        assert blob.id is not None
        existing = (
            await session.exec(
                select(Artifact).where(Artifact.version_id == version_id, Artifact.path == path)
            )
        ).first()
        now = utcnow()
        artifact = existing or Artifact(
            version_id=version_id,
            path=path,
            blob_id=blob.id,
            content_type="",
            created_by=actor.name,
        )
        if existing is not None and existing.blob_id != blob.id:
            collect_garbage_after_commit(session, storage)
        artifact.blob_id = blob.id
        artifact.content_type = _content_type(path, content_type)
        artifact.created_by = actor.name
        artifact.created_at = now
        session.add(artifact)
        version.updated_at = now
        session.add(version)
        if affects_metadata([path]):
            # Read from storage before the commit: under the SemVer guard's ENFORCE, a file
            # that makes the version's number too small is refused with nothing recorded.
            await refresh_and_guard(session, storage, version=version, field="file")
        await record_event(
            session,
            actor=actor,
            type=EventType.VERSION_FILE_UPLOADED,
            project_id=model.project_id,
            model_id=model.id,
            version_id=version_id,
            payload={
                "version": version.version,
                "path": path,
                "size": blob.size,
                "sha256": blob.sha256,
                "replaced": existing is not None,
            },
        )
        return _to_file(artifact, blob)

    return await store_blob(
        db=db, storage=storage, chunks=chunks, max_size=max_size, path=path, record=record
    )


async def delete_files(
    session: AsyncSession,
    *,
    actor: Actor,
    storage: Storage,
    version_id: int,
    paths: Sequence[str],
) -> list[str]:
    """Delete the given files, all or none; their contents are collected after the commit."""
    if not paths:
        raise InvalidArgument("Give at least one file path to delete.", field="paths")
    unique = list(dict.fromkeys(paths))
    for path in unique:
        validate_file_path(path, field="paths")
    version, model = await get_version(
        session, version_id=version_id, actor=actor, ability=Ability.EDIT, field="versionId"
    )
    present = set(
        (
            await session.exec(
                select(Artifact.path).where(
                    Artifact.version_id == version_id, col(Artifact.path).in_(unique)
                )
            )
        ).all()
    )
    missing = [p for p in unique if p not in present]
    if missing:
        raise NotFound(
            f"Version {version.version} has no file {', '.join(repr(p) for p in missing)}; "
            "nothing was deleted.",
            field="paths",
        )
    await session.exec(
        sa.delete(Artifact).where(
            col(Artifact.version_id) == version_id, col(Artifact.path).in_(unique)
        )
    )
    version.updated_at = utcnow()
    session.add(version)
    collect_garbage_after_commit(session, storage)
    if affects_metadata(unique):
        await refresh_and_guard(session, storage, version=version, field="paths")
    await record_event(
        session,
        actor=actor,
        type=EventType.VERSION_FILES_DELETED,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version_id,
        payload={"version": version.version, "paths": unique},
    )
    return unique


async def file_stats(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """Per version: (number of files, total bytes)."""
    statement = (
        select(
            col(Artifact.version_id), sa.func.count(), sa.func.coalesce(sa.func.sum(Blob.size), 0)
        )
        .join(Blob, col(Blob.id) == col(Artifact.blob_id))
        .where(col(Artifact.version_id).in_(version_ids))
        .group_by(col(Artifact.version_id))
    )
    return {vid: (int(n), int(total)) for vid, n, total in await session.exec(statement)}
