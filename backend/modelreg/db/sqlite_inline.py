"""SQLite for the async engine without a worker thread per connection.

SQLAlchemy's `aiosqlite` driver sends every call (cursor, execute, fetch, commit) to a worker
thread and waits for the answer through the event loop, about 0.5 ms per statement on this
project's hardware; `sqlite3` itself answers a primary-key read in well under 0.1 ms. This module
is a stand-in for the `aiosqlite` package with the same async interface whose coroutines call
`sqlite3` directly and finish at once, so SQLAlchemy's own aiosqlite dialect runs unchanged on
top of it, on the event loop thread.

That is safe for SQLite because a SQLite transaction never waits on the network: in WAL mode
readers never wait for the writer, and writers inside one process are queued by `Database`'s
write lock before they touch the database. What still blocks the loop is the statement itself
(the same CPU the worker thread spent) and, rarely, waiting for another process's write, bounded
by `busy_timeout`.

The public URL stays `sqlite+aiosqlite://`; `Database` swaps the driver.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Sequence
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.engine import URL

DRIVER = "modelreg_inline"

__version__ = "1.0"

# What SQLAlchemy's adapter reads from the `aiosqlite` module.
DatabaseError = sqlite3.DatabaseError
Error = sqlite3.Error
IntegrityError = sqlite3.IntegrityError
NotSupportedError = sqlite3.NotSupportedError
OperationalError = sqlite3.OperationalError
ProgrammingError = sqlite3.ProgrammingError
sqlite_version = sqlite3.sqlite_version
sqlite_version_info = sqlite3.sqlite_version_info


class Cursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Any) -> Cursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> Sequence[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _Thread:
    """SQLAlchemy marks aiosqlite's worker thread as a daemon; there is none here."""

    daemon = False


class _Queue:
    """SQLAlchemy sets `isolation_level` by queueing a function for aiosqlite's thread."""

    def put_nowait(self, item: tuple[Any, Callable[[], None]]) -> None:
        future, function = item
        try:
            function()
        except Exception as error:  # handed to the waiting caller, as aiosqlite does
            future.set_exception(error)
        else:
            future.set_result(None)


class Connection:
    def __init__(self, database: str, **options: Any) -> None:
        self._database = database
        self._options = options
        self._conn: sqlite3.Connection | None = None
        self._thread = _Thread()
        self._tx = _Queue()

    def __await__(self) -> Generator[Any, None, Connection]:
        self._conn = sqlite3.connect(self._database, check_same_thread=False, **self._options)
        return self
        yield  # makes this a generator; never reached

    @property
    def _connection(self) -> sqlite3.Connection | None:
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("no active connection")
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level

    def cursor(self) -> Cursor:
        return Cursor(self._open().cursor())

    async def execute(self, sql: str, parameters: Any = ()) -> Cursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._open().commit()

    async def rollback(self) -> None:
        self._open().rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open().create_function(*args, **kwargs)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def connect(database: str, **options: Any) -> Connection:
    options.pop("check_same_thread", None)
    return Connection(database, **options)


class SQLiteDialectInline(SQLiteDialect_aiosqlite):
    driver = DRIVER
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> AsyncAdapt_aiosqlite_dbapi:
        return AsyncAdapt_aiosqlite_dbapi(__import__(__name__, fromlist=["connect"]), sqlite3)


registry.register(f"sqlite.{DRIVER}", __name__, "SQLiteDialectInline")


def inline_url(url: URL) -> URL:
    """The same SQLite database through this module."""
    return url.set(drivername=f"sqlite+{DRIVER}")
