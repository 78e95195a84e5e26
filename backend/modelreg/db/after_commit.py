"""Work after commit: one mechanism and one failure policy for every interface.

Some work may only happen once a change is durable: collecting file contents nothing refers to
any more, waking this process's event followers, and later delivering webhooks and mail. (Other
server processes on the same PostgreSQL database are woken by a NOTIFY sent at the commit
itself: `db/wakeup.py`.) The
service that makes the change registers that work on the transaction making it:

    after_commit(session, "collect-garbage", lambda db: collect_garbage(db=db, storage=storage))

`Database.begin` runs what was registered after the commit, once the transaction and SQLite's
writer queue are released, in the order of first registration, each key once however often it
was registered. A transaction that rolls back runs nothing.

The policy: the change is committed and the caller's answer stands, so a failing callback is
logged as a WARNING with its trace and never reaches the caller. Each kind of work makes up for a
missed run on its next occasion (the next collection finds the same unreferenced contents; an
event follower also polls).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from modelreg.db.engine import Database

logger = logging.getLogger("modelreg.db")

Callback = Callable[["Database"], Awaitable[Any] | None]

_INFO_KEY = "modelreg.after_commit"
WAKE_FOLLOWERS = "wake-followers"
# Registered by services/outbox.py when a transaction writes outbox rows (wakes `Database.outbox`).
WAKE_OUTBOX = "wake-outbox"
COLLECT_GARBAGE = "collect-garbage"


class EventNotifier:
    """Wakes event followers in this process when a commit may have recorded events.

    A follower takes `waiter()` *before* it polls and waits on it after: a notification that
    arrives during the poll is therefore never slept through.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def waiter(self) -> asyncio.Event:
        return self._event

    def notify(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()


def after_commit(session: AsyncSession, key: str, callback: Callback) -> None:
    """Run `callback(db)` after this session's transaction commits (once per `key`)."""
    pending: dict[str, Callback] = session.info.setdefault(_INFO_KEY, {})
    pending.setdefault(key, callback)


def wake_followers_after_commit(session: AsyncSession) -> None:
    """The transaction records events: wake this process's followers once it commits."""
    after_commit(session, WAKE_FOLLOWERS, _wake)


def _wake(db: Database) -> None:
    db.notifier.notify()


def pending_keys(session: AsyncSession) -> set[str]:
    """The keys of the work the session's open transaction registered so far."""
    pending: dict[str, Callback] = session.info.get(_INFO_KEY, {})
    return set(pending)


def take_pending(session: AsyncSession) -> list[tuple[str, Callback]]:
    """What the session's committed transaction registered; forgets it."""
    pending: dict[str, Callback] = session.info.pop(_INFO_KEY, {})
    return list(pending.items())


def discard_pending(session: AsyncSession) -> None:
    session.info.pop(_INFO_KEY, None)


async def run_pending(db: Database, pending: list[tuple[str, Callback]]) -> None:
    """Run each callback; a failure is logged and does not stop the ones after it."""
    for key, callback in pending:
        try:
            outcome = callback(db)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:
            logger.warning("work after commit (%s) failed; the change stands", key, exc_info=True)
