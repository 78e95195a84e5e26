"""The SQLite driver that runs `sqlite3` on the event loop thread (modelreg.db.sqlite_inline)."""

from __future__ import annotations

import asyncio
import inspect
import re
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import exc, pool
from sqlalchemy.ext.asyncio import engine as async_engine
from sqlalchemy.ext.asyncio import result as async_result
from sqlalchemy.ext.asyncio import session as async_session

from modelreg.db import Database
from modelreg.db.models import Project
from modelreg.db.sqlite_inline import _Cursor
from modelreg.errors import ConcurrentChange


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    async with database.begin() as session:
        await session.exec(sa.text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))  # type: ignore[call-overload]
    return database


async def test_the_public_url_is_served_without_worker_threads(sqlite_db: Database) -> None:
    assert sqlite_db.engine.dialect.driver == "modelreg_inline"
    before = {t.ident for t in threading.enumerate()}
    for i in range(20):
        async with sqlite_db.begin() as session:
            await session.exec(sa.text("INSERT INTO item (name) VALUES (:n)").bindparams(n=f"x{i}"))  # type: ignore[call-overload]
        async with sqlite_db.read() as session:
            rows = (await session.exec(sa.text("SELECT count(*) FROM item"))).one()  # type: ignore[call-overload]
    assert rows[0] == 20
    # aiosqlite starts one thread per pooled connection; this driver starts none.
    assert {t.ident for t in threading.enumerate()} <= before
    await sqlite_db.dispose()


async def test_constraint_errors_are_sqlalchemy_errors_and_roll_back(sqlite_db: Database) -> None:
    async with sqlite_db.begin() as session:
        await session.exec(sa.text("INSERT INTO item (name) VALUES ('a')"))  # type: ignore[call-overload]
    # `Database.begin` translates the driver's constraint error, which must be SQLAlchemy's.
    with pytest.raises(ConcurrentChange) as raised:
        async with sqlite_db.begin() as session:
            await session.exec(sa.text("INSERT INTO item (name) VALUES ('b')"))  # type: ignore[call-overload]
            await session.exec(sa.text("INSERT INTO item (name) VALUES ('a')"))  # type: ignore[call-overload]
    assert isinstance(raised.value.__context__, exc.IntegrityError)
    async with sqlite_db.read() as session:
        names = (await session.exec(sa.text("SELECT name FROM item ORDER BY name"))).all()  # type: ignore[call-overload]
    assert [n for (n,) in names] == ["a"]  # 'b' went with the failed transaction
    await sqlite_db.dispose()


async def test_a_reader_is_not_blocked_by_a_writer_and_sees_its_commit(sqlite_db: Database) -> None:
    """Reads run outside an explicit BEGIN (pysqlite's default), as with aiosqlite: a write
    committed while a read session is open is visible to its next statement."""
    async with sqlite_db.begin() as session:
        await session.exec(sa.text("INSERT INTO item (name) VALUES ('old')"))  # type: ignore[call-overload]
    async with sqlite_db.read() as reader:
        first = (await reader.exec(sa.text("SELECT count(*) FROM item"))).one()[0]  # type: ignore[call-overload]
        async with sqlite_db.begin() as writer:
            await writer.exec(sa.text("INSERT INTO item (name) VALUES ('new')"))  # type: ignore[call-overload]
        again = (await reader.exec(sa.text("SELECT count(*) FROM item"))).one()[0]  # type: ignore[call-overload]
    async with sqlite_db.read() as later:
        after = (await later.exec(sa.text("SELECT count(*) FROM item"))).one()[0]  # type: ignore[call-overload]
    assert (first, again, after) == (1, 2, 2)
    await sqlite_db.dispose()


async def test_concurrent_writers_queue_instead_of_failing(sqlite_db: Database) -> None:
    async def write(i: int) -> None:
        async with sqlite_db.begin() as session:
            await session.exec(sa.text("INSERT INTO item (name) VALUES (:n)").bindparams(n=f"w{i}"))  # type: ignore[call-overload]
            await asyncio.sleep(0)  # another writer gets the loop mid-transaction
            await session.exec(
                sa.text("UPDATE item SET name = name || '!' WHERE name = :n").bindparams(n=f"w{i}")
            )  # type: ignore[call-overload]

    await asyncio.gather(*(write(i) for i in range(25)))
    async with sqlite_db.read() as session:
        names = {n for (n,) in (await session.exec(sa.text("SELECT name FROM item"))).all()}  # type: ignore[call-overload]
    assert names == {f"w{i}!" for i in range(25)}
    await sqlite_db.dispose()


async def test_orm_rows_round_trip(sqlite_db: Database, tmp_path: Path) -> None:
    """The registry's own tables work through it (the whole suite runs on it too)."""
    from modelreg.db.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'registry.db'}"
    await asyncio.to_thread(upgrade, url)
    database = Database(url)
    async with database.begin() as session:
        session.add(Project(path="p", name="P", created_by="me"))
    async with database.read() as session:
        found = (await session.exec(sa.select(Project.path))).all()  # type: ignore[call-overload]
    assert [p for (p,) in found] == ["p"]
    await database.dispose()
    await sqlite_db.dispose()


UPGRADE_HINT = (
    "SQLAlchemy's asyncio extension changed what it asks of an async driver beyond PEP 249; "
    "update modelreg.db.sqlite_inline._Cursor (the one place that meets it) to match."
)


def test_the_asyncio_extension_asks_of_a_cursor_only_what_the_inline_cursor_has() -> None:
    """The undocumented part of SQLAlchemy's contract with an async driver, read from its
    source: an upgrade that calls another private cursor method fails here, by name."""
    source = "".join(inspect.getsource(m) for m in (async_engine, async_result, async_session))
    asked = set(re.findall(r"cursor\.(_\w+)\(", source))
    assert asked == {"_async_soft_close"}, f"{UPGRADE_HINT} It now calls: {sorted(asked)}"
    assert all(inspect.iscoroutinefunction(getattr(_Cursor, name)) for name in asked)


async def test_core_statements_meet_the_asyncio_extensions_checks(sqlite_db: Database) -> None:
    """`AsyncConnection` refuses a driver whose statements await nothing (`AwaitRequired`) and
    soft-closes cursors before results are read; both paths, and `executemany`, work."""
    assert sqlite_db.engine.dialect.is_async
    assert isinstance(sqlite_db.engine.pool, pool.AsyncAdaptedQueuePool)
    try:
        async with sqlite_db.engine.begin() as conn:
            await conn.execute(
                sa.text("INSERT INTO item (name) VALUES (:n)"), [{"n": "a"}, {"n": "b"}]
            )
            await conn.exec_driver_sql("INSERT INTO item (name) VALUES ('c')")
            result = await conn.execute(sa.text("SELECT name FROM item ORDER BY name"))
            names = [name for (name,) in result]
            driver = (await conn.get_raw_connection()).driver_connection
    except (exc.AwaitRequired, exc.MissingGreenlet, AttributeError) as error:
        pytest.fail(f"{UPGRADE_HINT} ({type(error).__name__}: {error})")
    assert names == ["a", "b", "c"]
    assert isinstance(driver, sqlite3.Connection)
    await sqlite_db.dispose()
