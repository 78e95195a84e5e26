"""The import: plan (refuse on conflicts), then files, then records, resumably.

1. Plan (plan.py): every record read and checked; conflicts refuse the import, nothing written.
2. Files: each blob the target lacks is copied into the store under a fresh key, its SHA-256
   and size checked on the way; a mismatch removes every file this run added and refuses.
3. Records: one transaction per chunk of the archive. Each row written (created, or updated
   when the origin map or its natural key names it) records its origin in the same
   transaction, so a run interrupted anywhere resumes where it stopped and an incremental
   archive updates the rows an earlier import made. Events are appended in the archive's
   order with the target's ids (they do not reach webhooks: they are history); the last
   transaction adds one `project.imported` event per project saying what was imported.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from modelreg.db import Database, plain
from modelreg.db.models import metadata
from modelreg.domain.actor import SYSTEM
from modelreg.domain.events import EventType
from modelreg.domain.transfer import SCOPES, ArchiveError, Header, Manifest, Present
from modelreg.errors import DomainError
from modelreg.services.blobs import collect_garbage
from modelreg.services.events import record_event
from modelreg.services.transfer.plan import (
    Plan,
    Record,
    Resolver,
    make_plan,
    origin_table,
    split_present,
    stale,
)
from modelreg.services.transfer.writer import ChunkWriter
from modelreg.storage import Storage


class RecordSource(Protocol):
    """Where an import reads from: an archive file (ArchiveReader) or any other source of
    records and files (an MLflow server, a web upload) that gives the same."""

    def scan(self) -> tuple[Header, Manifest]: ...

    def records(self) -> Iterator[list[Record]]: ...

    def blob_chunks(self, sha256: str) -> Iterator[bytes]: ...


@dataclass(frozen=True, slots=True)
class ImportResult:
    plan: Plan
    applied: bool


async def _project_id(db: Database, path: str | None) -> int | None:
    if path is None:
        return None
    project = metadata.tables["project"]
    async with db.read() as session:
        conn = await plain(session)
        found = (await conn.execute(sa.select(project.c.id).where(project.c.path == path))).scalar()
    if found is None:
        raise ArchiveError(
            "import.project_not_found",
            f"there is no project '{path}' to import into; create it first (modelreg project "
            "create) or import without --into.",
        )
    return int(found)


async def plan_import(db: Database, source: RecordSource, *, into: str | None = None) -> Plan:
    """Check the archive whole and plan the import; writes nothing."""
    into_project = await _project_id(db, into)
    header, manifest = await asyncio.to_thread(source.scan)
    async with db.read() as session:
        conn = await plain(session)
        plan, _ = await make_plan(
            conn, header, source.records(), manifest.blobs, into_project=into_project
        )
    return plan


async def import_archive(
    db: Database,
    storage: Storage,
    source: RecordSource,
    *,
    into: str | None = None,
    dry_run: bool = False,
    on_record: Callable[[int], None] | None = None,
) -> ImportResult:
    """Plan, and unless `dry_run` or a conflict, apply. `on_record(n)` is called after the
    n-th record is written (tests use it to interrupt an import)."""
    plan = await plan_import(db, source, into=into)
    if plan.conflicts:
        raise ArchiveError(
            "import.conflict",
            f"{len(plan.conflicts)} conflict(s), nothing was imported:\n  "
            + "\n  ".join(plan.conflicts)
            + "\nImport into another project (--into) or remove what conflicts.",
        )
    if dry_run:
        return ImportResult(plan, applied=False)
    _, manifest = await asyncio.to_thread(source.scan)
    await _copy_blobs(db, storage, source, manifest.blobs)
    deleted = await _apply_records(db, source, plan, await _project_id(db, into), on_record)
    if deleted:  # the deleted files' bytes, once nothing refers to them
        await collect_garbage(db=db, storage=storage)
    return ImportResult(plan, applied=True)


async def _chunks_of(source: RecordSource, sha256: str) -> AsyncIterator[bytes]:
    pieces = source.blob_chunks(sha256)
    while True:
        piece = await asyncio.to_thread(next, pieces, None)
        if piece is None:
            return
        yield piece


async def _copy_blobs(
    db: Database, storage: Storage, source: RecordSource, blobs: dict[str, int]
) -> None:
    """Store every file the target lacks; all or nothing for this run's new files."""
    blob = metadata.tables["blob"]
    added: list[tuple[int, str]] = []
    try:
        for sha, size in blobs.items():
            async with db.read() as session:
                conn = await plain(session)
                if (await conn.execute(sa.select(blob.c.id).where(blob.c.sha256 == sha))).first():
                    continue
            key = f"blobs/{uuid.uuid4().hex}"
            stored = await storage.put(key, _chunks_of(source, sha), max_size=size + 1)
            if stored.sha256 != sha or stored.size != size:
                await storage.delete(key)
                raise ArchiveError(
                    "archive.checksum",
                    f"the file {sha} in the archive does not match its SHA-256 (or size); the "
                    "archive is damaged, export it again. Nothing was imported.",
                )
            async with db.begin() as session:
                conn = await plain(session)
                result = await conn.execute(
                    blob.insert().values(sha256=sha, size=size, storage_key=key)
                )
                added.append((_inserted_id(result), key))
    except BaseException:
        await asyncio.shield(_remove_blobs(db, storage, added))
        raise


async def _remove_blobs(db: Database, storage: Storage, added: list[tuple[int, str]]) -> None:
    if not added:
        return
    blob = metadata.tables["blob"]
    async with db.begin() as session:
        conn = await plain(session)
        await conn.execute(blob.delete().where(blob.c.id.in_([i for i, _ in added])))
    for _, key in added:
        await storage.delete(key)


async def _apply_records(
    db: Database,
    source: RecordSource,
    plan: Plan,
    into_project: int | None,
    on_record: Callable[[int], None] | None,
) -> bool:
    """Write the records chunk by chunk; whether rows the source no longer has were deleted."""
    header = plan.header
    known: dict[tuple[str, str], int] = {}
    fresh: set[tuple[str, int]] = set()
    projects: list[int] = []
    written = 0
    number = 0
    deleted = False
    chunks = source.records()
    while True:
        chunk = await asyncio.to_thread(next, chunks, None)
        if chunk is None:
            break
        chunk, presents = split_present(chunk)
        number += 1
        try:
            async with db.begin() as session:
                conn = await plain(session)
                resolver = Resolver(conn, header.source_instance, into_project)
                resolver.known = known
                by_kind: dict[str, list[str]] = {}
                for kind, source_id, _ in chunk:
                    by_kind.setdefault(kind, []).append(source_id)
                origins = {k: await resolver.origins(k, ids) for k, ids in by_kind.items()}
                resolver.fresh = fresh
                writer = ChunkWriter(resolver, fresh, projects)
                for kind, source_id, data in chunk:
                    await writer.write(kind, source_id, data, origins[kind].get(source_id))
                    written += 1
                    if on_record is not None:
                        on_record(written)
                await writer.finish()
                if presents:
                    deleted = await _delete_stale(resolver, presents) or deleted
        except (DomainError, SQLAlchemyError) as exc:
            reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
            raise ArchiveError(
                "import.stopped",
                f"the target refused a record of chunk {number} ({reason}). The chunks before it "
                "are imported and kept; run the same import again once the cause is fixed and it "
                "continues from there.",
            ) from None
    async with db.begin() as session:
        if deleted:
            await _forget_cascaded(await plain(session), header.source_instance)
        for project_id in projects:
            await record_event(
                session,
                actor=SYSTEM,
                type=EventType.PROJECT_IMPORTED,
                project_id=project_id,
                payload={
                    "source_instance": header.source_instance,
                    "archive_created_at": header.created_at,
                    "since_event": header.since_event,
                    "created": dict(plan.create),
                    "updated": dict(plan.update),
                    "deleted": dict(plan.delete),
                },
            )
    return deleted


async def _delete_stale(resolver: Resolver, presents: list[Present]) -> bool:
    """Delete the rows of this source the present records no longer name (their children go
    with them: foreign keys cascade) and drop their origin entries; whether any row went."""
    gone = await stale(resolver, presents)
    origin = origin_table()
    for kind, source_ids in gone.origins.items():
        for start in range(0, len(source_ids), 500):
            await resolver.conn.execute(
                origin.delete().where(
                    origin.c.source_instance == resolver.source,
                    origin.c.kind == kind,
                    origin.c.source_id.in_(source_ids[start : start + 500]),
                )
            )
    for kind, targets in gone.rows.items():
        table = metadata.tables[kind]
        for start in range(0, len(targets), 500):
            await resolver.conn.execute(
                table.delete().where(table.c.id.in_(targets[start : start + 500]))
            )
    return bool(gone.rows)


async def _forget_cascaded(conn: AsyncConnection, source_instance: str) -> None:
    """Origin entries of rows a deletion cascaded to (a deleted version's tags...) go too."""
    origin = origin_table()
    kinds = {kind for scoped in SCOPES.values() for kind, _ in scoped} | {"version_metadata"}
    for kind in sorted(kinds):
        table = metadata.tables[kind]
        key = table.c.version_id if kind == "version_metadata" else table.c.id
        await conn.execute(
            origin.delete().where(
                origin.c.source_instance == source_instance,
                origin.c.kind == kind,
                origin.c.target_id.not_in(sa.select(key)),
            )
        )


def _inserted_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])
