"""Content-addressed file contents (blobs): recorded once by SHA-256, collected when unreferenced.

A blob row names the storage object holding the bytes. Version files (`Artifact`) and files of
the MLflow artifact proxy (`TrackedFile`) refer to blobs; a change that drops the last reference
registers `collect_garbage_after_commit`, and the blob is removed once the change is committed
(`db/after_commit.py`: one mechanism and one failure policy for work after commit).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import Database, queues_writers
from modelreg.db.after_commit import COLLECT_GARBAGE, after_commit
from modelreg.db.models import Artifact, Blob, TrackedFile
from modelreg.storage import Storage

logger = logging.getLogger("modelreg.files")

GC_BATCH = 500


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
                        # Files of the MLflow artifact proxy (services/tracking.py).
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
