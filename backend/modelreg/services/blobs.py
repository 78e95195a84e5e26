"""Content-addressed file contents (blobs): stored once by SHA-256, collected when unreferenced.

A blob row names the storage object holding the bytes. Version files (`Artifact`) and files of
the MLflow artifact proxy (`TrackedFile`) refer to blobs. Both come in through `store_blob`, the
one file-store algorithm; a change that drops the last reference to a blob registers
`collect_garbage_after_commit`, and the blob is removed once the change is committed
(`db/after_commit.py`: one mechanism and one failure policy for work after commit).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg import metrics
from modelreg.db import Database, queues_writers
from modelreg.db.after_commit import COLLECT_GARBAGE, after_commit
from modelreg.db.models import Artifact, Blob, TrackedFile
from modelreg.errors import DomainError, FileTooLarge
from modelreg.services.transactions import write
from modelreg.storage import ObjectTooLarge, Storage

logger = logging.getLogger("modelreg.files")

GC_BATCH = 500

T = TypeVar("T")


async def store_blob(
    *,
    db: Database,
    storage: Storage,
    chunks: AsyncIterable[bytes],
    max_size: int,
    path: str,
    record: Callable[[AsyncSession, Blob], Awaitable[T]],
) -> T:
    """Stream `chunks` into a blob and let `record` refer to it, all or nothing.

    Uploads cannot hold a transaction open while gigabytes stream in (SQLite has one writer), so
    the bytes go first, hashed on the way, to a fresh storage key (over `max_size`: FileTooLarge,
    nothing kept). Then one short transaction finds the blob with that SHA-256 or records the
    fresh object as a new one (`find_or_add_blob`) and calls `record(session, blob)`, which checks
    the caller's permission again and writes the row that refers to the blob. A transaction that
    lost a race on a unique key (two uploads at the same path at once) runs once more and
    replaces the winner's file (`transactions.write`).

    The fresh object is kept only if a committed blob names it: it is deleted when the bytes
    were already stored, when anything fails (a failed `put` leaves nothing, but one cancelled
    as it returns may), and when the task is cancelled before the commit.
    When the outcome is in doubt (cancelled or failed at or after the commit), the database is
    asked. A failed deletion leaves a harmless orphan object: logged, never raised.
    """
    key = f"blobs/{uuid.uuid4().hex}"
    in_block = False

    async def action(session: AsyncSession) -> tuple[T, bool]:
        nonlocal in_block
        in_block = True
        blob, fresh = await find_or_add_blob(
            session, sha256=stored.sha256, size=stored.size, storage_key=key
        )
        result = await record(session, blob)
        in_block = False
        return result, fresh

    keep: bool | None = False  # whether a committed blob names `key`; None: not known
    try:
        try:
            # Cancelled as it returns, a put may leave its object in place: deleted below.
            stored = await storage.put(key, chunks, max_size=max_size)
        except ObjectTooLarge as exc:
            raise FileTooLarge(
                f"'{path}' is larger than the limit of {exc.limit} bytes "
                "(MODELREG_MAX_FILE_SIZE); nothing was stored.",
                field="file",
            ) from None
        try:
            result, keep = await write(db, action)
            metrics.count_upload(stored.size)  # committed: a file stored, counted once
        except DomainError:
            raise  # refused in the transaction or at its commit: rolled back
        except BaseException:
            # Raised inside the transaction: rolled back; else at or after the commit: ask.
            keep = False if in_block else None
            raise
    finally:
        # Shielded: a second cancellation does not stop it half-way.
        await asyncio.shield(_settle_fresh_object(db, storage, key, keep))
    return result


async def _settle_fresh_object(db: Database, storage: Storage, key: str, keep: bool | None) -> None:
    """Delete the fresh object unless a committed blob names it (`keep`; None: ask)."""
    if keep is None:
        try:
            async with db.read() as session:
                found = await session.exec(select(Blob.id).where(Blob.storage_key == key))
                keep = found.first() is not None
        except Exception:
            logger.warning(
                "could not tell whether upload object %s is in use; it stays in storage",
                key,
                exc_info=True,
            )
            return
    if keep:
        return
    try:
        await storage.delete(key)
    except Exception:
        logger.warning(
            "could not delete upload object %s, which no file uses; it stays in storage",
            key,
            exc_info=True,
        )


async def find_or_add_blob(
    session: AsyncSession, *, sha256: str, size: int, storage_key: str
) -> tuple[Blob, bool]:
    """The blob with these contents, recorded now if it is new (then True).

    Two uploads of the same new bytes may race to record them (PostgreSQL runs writers side by
    side): the loser's insert is rolled back to a savepoint and it uses the winner's blob.
    """
    found = (await session.exec(select(Blob).where(Blob.sha256 == sha256))).first()
    if found is not None:
        return found, False
    blob = Blob(sha256=sha256, size=size, storage_key=storage_key)
    if queues_writers(session):  # no race
        session.add(blob)
        await session.flush()
        return blob, True
    try:
        async with session.begin_nested():
            session.add(blob)
            await session.flush()
    except IntegrityError:
        winner = (await session.exec(select(Blob).where(Blob.sha256 == sha256))).one()
        return winner, False
    return blob, True


async def collect_garbage(*, db: Database, storage: Storage) -> int:
    """Delete blobs no file (of a version or of the MLflow artifact proxy) refers to any more:
    rows first (in a transaction), then the bytes.

    An upload that reuses a blob at the same moment holds a reference the foreign key protects,
    so a blob in use is never removed. Returns how many blobs were removed.
    """
    removed = 0
    while True:
        async with db.begin() as session:
            unreferenced = (
                await session.exec(
                    select(Blob)
                    .where(
                        ~sa.exists().where(col(Artifact.blob_id) == col(Blob.id)),
                        # Files of the MLflow artifact proxy (services/tracking/artifacts.py).
                        ~sa.exists().where(col(TrackedFile.blob_id) == col(Blob.id)),
                    )
                    .limit(GC_BATCH)
                )
            ).all()
            keys = [b.storage_key for b in unreferenced]
            if keys:
                await session.exec(
                    sa.delete(Blob).where(col(Blob.id).in_([b.id for b in unreferenced]))
                )
        for key in keys:
            try:
                await storage.delete(key)
            except Exception:
                # The row is gone; an orphan object is harmless and is reported, not raised.
                logger.warning("could not delete blob object %s", key, exc_info=True)
        removed += len(keys)
        if len(keys) < GC_BATCH:
            return removed


def collect_garbage_after_commit(session: AsyncSession, storage: Storage) -> None:
    """The transaction may drop the last reference to some blobs: collect them once it commits."""
    after_commit(session, COLLECT_GARBAGE, lambda db: collect_garbage(db=db, storage=storage))
