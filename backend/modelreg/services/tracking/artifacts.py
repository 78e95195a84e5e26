"""Files of the MLflow artifact proxy (`TrackedFile`): storing, listing, reading and deleting the
files under a project's artifact root, and the files of model versions seen through it
(`_registry/<version id>/`)."""

from __future__ import annotations

from collections.abc import AsyncIterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import Database
from modelreg.db.models import (
    Blob,
    TrackedFile,
)
from modelreg.db.types import utcnow
from modelreg.domain import tracking as rules
from modelreg.domain.actor import Actor
from modelreg.domain.paths import validate_file_path
from modelreg.domain.policy import Ability
from modelreg.domain.tracking import (
    ListedFile,
)
from modelreg.errors import InvalidArgument, NotFound
from modelreg.services.blobs import collect_garbage_after_commit, store_blob
from modelreg.services.files import list_files
from modelreg.services.tracking.common import _project
from modelreg.services.versions import get_version
from modelreg.storage import Storage


@dataclass(frozen=True, slots=True)
class StoredFile:
    path: str
    size: int
    sha256: str
    storage_key: str
    content_type: str


def _stored(path: str, blob: Blob) -> StoredFile:
    return StoredFile(
        path=path,
        size=blob.size,
        sha256=blob.sha256,
        storage_key=blob.storage_key,
        content_type=rules.guess_content_type(path),
    )


def _file_path(path: str) -> str:
    path = rules.normalize_artifact_path(path)
    validate_file_path(path)
    if path.split("/", 1)[0] == rules.REGISTRY_ROOT:
        raise InvalidArgument(
            f"'{rules.REGISTRY_ROOT}/' holds the files of model versions, which are changed "
            "through the registry, not the artifact proxy.",
            field="path",
        )
    return path


async def store_tracked_file(
    *,
    db: Database,
    storage: Storage,
    actor: Actor,
    project_id: int,
    path: str,
    chunks: AsyncIterable[bytes],
    max_size: int,
) -> StoredFile:
    """Stream a file into the project's artifact root at `path` (replacing what was there),
    as `services.files.store_file` does for versions, through the same `blobs.store_blob`:
    bytes first, then one short transaction that records them, reusing a blob with the same
    SHA-256."""
    path = _file_path(path)
    async with db.read() as session:
        await _project(session, actor, project_id, Ability.EDIT)

    async def record(session: AsyncSession, blob: Blob) -> StoredFile:
        await _project(session, actor, project_id, Ability.EDIT)
        assert blob.id is not None
        existing = (
            await session.exec(
                select(TrackedFile).where(
                    TrackedFile.project_id == project_id, TrackedFile.path == path
                )
            )
        ).first()
        row = existing or TrackedFile(
            project_id=project_id, path=path, blob_id=blob.id, created_by=actor.name
        )
        if existing is not None and existing.blob_id != blob.id:
            collect_garbage_after_commit(session, storage)
        row.blob_id = blob.id
        row.created_by = actor.name
        row.created_at = utcnow()
        session.add(row)
        return _stored(path, blob)

    return await store_blob(
        db=db, storage=storage, chunks=chunks, max_size=max_size, path=path, record=record
    )


def _at_or_below(path: str) -> sa.ColumnElement[bool]:
    """The file `path` or the files in folder `path`. A range, not LIKE: SQLite's LIKE ignores
    case, and paths compare in binary order on both engines ('0' follows '/')."""
    column = col(TrackedFile.path)
    return sa.or_(column == path, sa.and_(column > f"{path}/", column < f"{path}0"))


async def _tracked_under(
    session: AsyncSession, project_id: int, path: str
) -> list[tuple[TrackedFile, Blob]]:
    """The file at `path`, or every file below the folder `path` (all for the root)."""
    statement = (
        select(TrackedFile, Blob)
        .join(Blob, col(Blob.id) == col(TrackedFile.blob_id))
        .where(TrackedFile.project_id == project_id)
    )
    if path:
        statement = statement.where(_at_or_below(path))
    return list(await session.exec(statement.order_by(col(TrackedFile.path))))


async def list_tracked(
    session: AsyncSession, *, actor: Actor, project_id: int, path: str
) -> list[ListedFile]:
    """What is directly in the folder `path` of the artifact root."""
    await _project(session, actor, project_id, Ability.READ)
    path = rules.normalize_artifact_path(path)
    found = await _tracked_under(session, project_id, path)
    return rules.children({f.path: b.size for f, b in found}, path)


async def get_tracked_file(
    session: AsyncSession, *, actor: Actor, project_id: int, path: str
) -> StoredFile:
    await _project(session, actor, project_id, Ability.READ)
    path = rules.normalize_artifact_path(path)
    row = (
        await session.exec(
            select(TrackedFile, Blob)
            .join(Blob, col(Blob.id) == col(TrackedFile.blob_id))
            .where(TrackedFile.project_id == project_id, TrackedFile.path == path)
        )
    ).first()
    if row is None:
        raise NotFound(f"No such artifact: '{path}'.", field="path")
    return _stored(path, row[1])


async def delete_tracked(
    session: AsyncSession, *, actor: Actor, storage: Storage, project_id: int, path: str
) -> int:
    """Delete the file at `path` or the folder `path` with everything in it (nothing there is
    not an error, as in MLflow); their contents are collected after the commit."""
    await _project(session, actor, project_id, Ability.EDIT)
    path = rules.normalize_artifact_path(path)
    if path.split("/", 1)[0] == rules.REGISTRY_ROOT:
        _file_path(path)  # raises: version files are not the proxy's to delete
    condition = col(TrackedFile.project_id) == project_id
    if path:
        condition = sa.and_(condition, _at_or_below(path))
    result = await session.exec(sa.delete(TrackedFile).where(condition))
    if result.rowcount:
        collect_garbage_after_commit(session, storage)
    return int(result.rowcount)


async def version_files(
    session: AsyncSession, *, actor: Actor, project_id: int, version_id: int
) -> dict[str, StoredFile]:
    """The files of a model version of this project, by path (`_registry/<id>/` of the proxy)."""
    _, model = await get_version(session, version_id=version_id, actor=actor, field="path")
    if model.project_id != project_id:
        raise NotFound(f"No model version has the id {version_id}.", field="path")
    return {
        f.path: StoredFile(
            path=f.path,
            size=f.size,
            sha256=f.sha256,
            storage_key=f.storage_key,
            content_type=f.content_type,
        )
        for f in await list_files(session, version_id=version_id)
    }
