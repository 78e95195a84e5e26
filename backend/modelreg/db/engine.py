from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg import errors
from modelreg.db.after_commit import (
    EventNotifier,
    discard_pending,
    pending_keys,
    run_pending,
    take_pending,
)
from modelreg.db.sqlite_inline import inline_url
from modelreg.db.wakeup import Wakeup, WakeupListener

logger = logging.getLogger("modelreg.db")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def queues_writers(session: AsyncSession) -> bool:
    """Whether the session's database runs one writer at a time (SQLite, whose writers
    `Database.begin` queues): then a row read earlier in a write transaction is still current,
    and need not be locked and read again, and two writers never race on a unique key."""
    bind = session.bind
    return bind is not None and bind.dialect.name == "sqlite"


async def plain(session: AsyncSession) -> AsyncConnection:
    """The session's connection, for Core statements that need nothing of the ORM (reading
    columns, inserting rows no one reads back as objects): they skip the ORM's execution path,
    about 0.2 ms a statement. Pending ORM changes are flushed first, so a statement sees them as
    it would through the session's own autoflush."""
    await session.flush()
    return await session.connection()


class Database:
    """The engine and one way to open a transaction: `async with db.begin() as session`."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = make_url(url)
        kwargs: dict[str, Any] = {"echo": echo}
        engine_url = self.url
        if self.url.get_backend_name() == "sqlite":
            engine_url = inline_url(self.url)
            database = self.url.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(engine_url, **kwargs)
        if self.is_sqlite:
            sa.event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        # SQLite has one writer at a time; queueing writers here avoids "database is locked".
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        # Wakes this process's event followers after a commit that recorded events.
        self.notifier = EventNotifier()
        # Wakes this process's webhook and mail workers after a commit that wrote outbox rows.
        self.outbox = EventNotifier()
        # On PostgreSQL, other processes' event followers are woken too (LISTEN/NOTIFY,
        # db/wakeup.py).
        self.wakeup = None if self.is_sqlite else Wakeup(self.url, events=self.notifier)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        """One read-write transaction: committed when the block ends, rolled back if it raises.

        After the commit (and outside SQLite's writer queue) it runs the work the transaction
        registered with `after_commit`; on PostgreSQL the transaction's last statement notifies
        other processes of the wake-ups it registered (`db/wakeup.py`). A unique or foreign-key
        violation, raised in the block or at commit, becomes `errors.ConcurrentChange`: two
        writers raced for the same data.
        This is the one place a persistence error is translated into the domain's vocabulary.
        """
        session = self._sessions()
        try:
            async with self._writer(), session.begin():
                yield session
                if self.wakeup is not None:
                    await self.wakeup.announce(session, pending_keys(session))
            pending = take_pending(session)
        except IntegrityError as error:
            discard_pending(session)
            raise _conflict(error) from None
        except BaseException:
            discard_pending(session)
            raise
        finally:
            await session.close()
        if pending:
            await run_pending(self, pending)

    def listener(self) -> WakeupListener | None:
        """This process's listener for other processes' commits (None on SQLite); one per
        process, started and stopped by the application's lifespan."""
        return WakeupListener(self.wakeup) if self.wakeup is not None else None

    def _writer(self) -> contextlib.AbstractAsyncContextManager[object]:
        return self._write_lock if self._write_lock is not None else contextlib.nullcontext()

    def read_session(self) -> AsyncSession:
        """A session for reads whose transaction the caller begins and closes."""
        return self._sessions()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only transaction (never takes SQLite's writer queue)."""
        async with self._sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()


def _conflict(error: IntegrityError) -> errors.ConcurrentChange:
    """The one translation of a constraint violation. One log line, no statement parameters (a
    password hash, say) and no trace: it is an expected outcome of two writers racing."""
    reason = str(error.orig).splitlines()[0] if error.orig is not None else "integrity error"
    logger.info("write refused as a conflict: %s", reason[:200])
    return errors.ConcurrentChange()
