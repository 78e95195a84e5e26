"""LISTEN/NOTIFY wake-ups between processes sharing one PostgreSQL database (`db/wakeup.py`),
with two `Database` objects standing for two processes: a commit that recorded events wakes the
other's event followers at once, one that wrote outbox rows does not wake the other's workers
(its own process's workers claim them), nothing is sent for a rollback, and the listener comes
back after its connection is killed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from modelreg.db import Database
from modelreg.db.after_commit import WAKE_FOLLOWERS, WAKE_OUTBOX, after_commit
from modelreg.db.wakeup import APPLICATION_NAME, WakeupListener
from modelreg.services import outbox


@pytest.fixture
async def other(db: Database, database_url: str) -> AsyncIterator[Database]:
    """A second process's database object, listening for the first one's commits."""
    if db.is_sqlite:
        pytest.skip("SQLite has no LISTEN/NOTIFY: other processes' changes arrive by polling")
    second = Database(database_url)
    try:
        yield second
    finally:
        await second.dispose()


async def listening(database: Database) -> WakeupListener:
    listener = database.listener()
    assert listener is not None
    listener.start()
    await asyncio.wait_for(listener.listening.wait(), 10)
    await asyncio.sleep(0.05)  # its wake-up for what it may have missed, seen and gone
    return listener


async def commit_with(db: Database, *keys: str) -> None:
    async with db.begin() as session:
        await session.exec(sa.select(1))  # type: ignore[call-overload]
        for key in keys:
            after_commit(session, key, lambda _db: None)


async def woken(event: asyncio.Event, within: float) -> bool:
    try:
        await asyncio.wait_for(event.wait(), within)
    except TimeoutError:
        return False
    return True


def test_the_outbox_registers_the_wake_up_this_module_knows() -> None:
    assert outbox.WAKE_OUTBOX == WAKE_OUTBOX


async def test_a_commit_wakes_the_followers_of_another_process_not_its_workers(
    db: Database, other: Database
) -> None:
    listener = await listening(other)
    try:
        followers, workers = other.notifier.waiter(), other.outbox.waiter()
        loop = asyncio.get_running_loop()
        started = loop.time()
        await commit_with(db, WAKE_FOLLOWERS)
        assert await woken(followers, 2)
        assert loop.time() - started < 1.0
        assert not workers.is_set()
        # Outbox rows are for the committing process's own workers: others are not woken for a
        # claim that would find nothing (they still poll).
        followers = other.notifier.waiter()
        await commit_with(db, WAKE_OUTBOX)
        assert not await woken(workers, 1.0)
        assert not followers.is_set()
    finally:
        await listener.stop()


async def test_nothing_is_sent_for_a_rollback_or_a_transaction_without_wake_ups(
    db: Database, other: Database
) -> None:
    listener = await listening(other)
    try:
        followers = other.notifier.waiter()
        with pytest.raises(RuntimeError):
            async with db.begin() as session:
                after_commit(session, WAKE_FOLLOWERS, lambda _db: None)
                raise RuntimeError("rolled back")
        await commit_with(db, "collect-garbage")
        assert not await woken(followers, 1.0)
    finally:
        await listener.stop()


async def test_a_process_does_not_wake_itself_twice(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite has no LISTEN/NOTIFY")
    listener = await listening(db)
    try:
        await commit_with(db, WAKE_FOLLOWERS)
        await asyncio.sleep(0.05)  # the after-commit wake-up above ran already
        again = db.notifier.waiter()
        assert not await woken(again, 1.0)  # its own NOTIFY is skipped
    finally:
        await listener.stop()


async def test_the_listener_reconnects_after_its_connection_is_killed(
    db: Database, other: Database
) -> None:
    listener = await listening(other)
    try:
        async with db.begin() as session:
            killed = await session.exec(  # type: ignore[call-overload]
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name"
                ),
                params={"name": APPLICATION_NAME},
            )
            assert list(killed) == [(True,)]
        deadline = asyncio.get_running_loop().time() + 10
        while listener.listening.is_set():  # it notices ...
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.01)
        await asyncio.wait_for(listener.listening.wait(), 10)  # ... and listens again
        await asyncio.sleep(0.05)
        followers = other.notifier.waiter()
        await commit_with(db, WAKE_FOLLOWERS)
        assert await woken(followers, 2)
    finally:
        await listener.stop()
