"""SQLite for the async engine without a worker thread per connection.

SQLAlchemy's `aiosqlite` driver sends every call (cursor, execute, fetch, commit) to a worker
thread and waits for the answer through the event loop, about 0.5 ms per statement on this
project's hardware; `sqlite3` itself answers a primary-key read in well under 0.1 ms. This
module registers a dialect that is SQLAlchemy's own `pysqlite` dialect, on `sqlite3` itself,
declared fit for asyncio: `AsyncEngine` runs SQLAlchemy's synchronous core in a greenlet on the
event loop thread, and every `sqlite3` call simply runs there and returns at once.

It is built on SQLAlchemy's documented dialect interface: `registry.register`, the `Dialect`
attributes `is_async` and `has_terminate`, the overridable `get_pool_class`,
`create_connect_args` and `do_terminate`, and the public `AsyncAdaptedQueuePool`; the driver is
`sqlite3` with its documented `factory` hooks. No adapter class of SQLAlchemy's `aiosqlite`
driver is involved. What SQLAlchemy's asyncio extension asks of an async driver beyond PEP 249
is not public, and lives in one place, `_Cursor` (see there); tests/integration/
test_sqlite_inline.py fails with a message naming it if an upgrade of SQLAlchemy changes it.

That is safe for SQLite because a SQLite transaction never waits on the network: in WAL mode
readers never wait for the writer, and writers inside one process are queued by `Database`'s
write lock before they touch the database. What still blocks the loop is the statement itself
(the same CPU the worker thread spent) and, rarely, waiting for another process's write, bounded
by `busy_timeout`.

The public URL stays `sqlite+aiosqlite://`; `Database` swaps the driver.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.engine.interfaces import ConnectArgsType, DBAPIConnection
from sqlalchemy.util import await_

DRIVER = "modelreg_inline"


async def _run(method: Any, cursor: sqlite3.Cursor, *args: Any) -> Any:
    """A `sqlite3` call as a coroutine that finishes without suspending."""
    return method(cursor, *args)


class _Cursor(sqlite3.Cursor):
    """A `sqlite3` cursor meeting what SQLAlchemy's asyncio extension asks of an async driver's
    cursor beyond PEP 249. These are the only undocumented SQLAlchemy names this module uses
    (SQLAlchemy 2.1):

    - `AsyncConnection.execute` insists that a statement awaited something in its greenlet
      (`AwaitRequired` otherwise): a statement runs as a coroutine handed to the loop's side
      with `sqlalchemy.util.await_`; it finishes at once, the loop does not run in between.
    - Results call `_async_soft_close()` on the cursor before they are read synchronously.
    """

    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        return await_(_run(sqlite3.Cursor.execute, self, sql, parameters))  # type: ignore[no-any-return]

    def executemany(self, sql: str, parameters: Any, /) -> _Cursor:
        return await_(_run(sqlite3.Cursor.executemany, self, sql, parameters))  # type: ignore[no-any-return]

    async def _async_soft_close(self) -> None:
        """Lets an adapter release a driver's cursor early. A `sqlite3` cursor is read
        synchronously and SQLAlchemy closes it once its result is consumed: nothing to do."""


class _Connection(sqlite3.Connection):
    """A `sqlite3` connection whose cursors are `_Cursor`s."""

    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)


def _in_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


class SQLiteDialectInline(SQLiteDialect_pysqlite):
    """`sqlite3` on the event loop thread, for `create_async_engine`."""

    driver = DRIVER
    supports_statement_cache = True
    # Statements run inside the engine's greenlet and never block on I/O the loop could use.
    is_async = True
    # Closing a `sqlite3` connection neither blocks nor needs awaiting, so the pool may close
    # one it finds unreturned (garbage-collected) instead of leaking it.
    has_terminate = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        # The pool waits for a free connection on the event loop, not on a thread lock.
        return pool.StaticPool if _in_memory(url) else pool.AsyncAdaptedQueuePool

    def create_connect_args(self, url: URL) -> ConnectArgsType:
        args, options = super().create_connect_args(url)
        options["factory"] = _Connection
        # A connection is used on the loop thread only, but may be closed from another (the
        # pool's garbage collection, `asyncio.to_thread` in tests).
        options["check_same_thread"] = False
        return args, options

    def do_terminate(self, dbapi_connection: DBAPIConnection) -> None:
        dbapi_connection.close()


registry.register(f"sqlite.{DRIVER}", __name__, "SQLiteDialectInline")


def inline_url(url: URL) -> URL:
    """The same SQLite database through this module."""
    return url.set(drivername=f"sqlite+{DRIVER}")
