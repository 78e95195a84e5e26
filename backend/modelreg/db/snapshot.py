"""A read transaction whose statements all see one snapshot of the database.

`Database.read` is a read transaction as each engine gives it by default: on SQLite (through
`sqlite3`, which begins a transaction only before a write) every SELECT is its own snapshot, on
PostgreSQL (READ COMMITTED) too. A reader that reads many pages which refer to each other (an
export: versions, then their tags, then their files) needs one snapshot, or a write landing
between two pages leaves a tag whose version it never read.

- SQLite: an explicit BEGIN; the first SELECT fixes the snapshot until the end. In WAL mode
  writers never wait for it; the WAL only cannot be checkpointed past the snapshot while it is
  open (it grows for as long as the reader reads).
- PostgreSQL: REPEATABLE READ, which takes no lock a write waits for; VACUUM keeps the row
  versions the snapshot can still see until it ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.engine import Database


@asynccontextmanager
async def read_snapshot(db: Database) -> AsyncIterator[AsyncSession]:
    """`db.read()`, all of whose statements see the database as it was at the first one."""
    async with db.read() as session:
        if db.is_sqlite:
            connection = await session.connection()
            await connection.exec_driver_sql("BEGIN")
        else:
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session
