"""Follow the event table by id: correct across server processes and on both databases.

A follower polls `event` for rows with a greater id than it has delivered, each poll in one short
read transaction that is never held open between polls. Polling alone is correct; to make
delivery immediate for changes made by *this* process, every transaction that records an event
signals the database's `EventNotifier` once it commits (`db/after_commit.py`), whichever
interface made it, which wakes all waiting followers at once. On PostgreSQL, other processes'
commits wake it the same way through LISTEN/NOTIFY (`db/wakeup.py`); on SQLite (or when a
notification is lost) they arrive within one poll interval.

A follower may carry a `guard`: a check that the one it delivers to may still read what it
follows (a token can be revoked, a member removed, a project made private while a subscription
stays open). The guard runs in the read transaction of every poll that found events, after they
were read, so nothing committed after access ended is delivered; and at least every
`GUARD_SECONDS` while nothing happens, so a closed door is noticed without waiting for news. It
stops the follower by raising.

Ids come from a sequence, so on PostgreSQL a transaction may take id 10, another id 11, and the
second commit first. Advancing a plain "last id" past 11 would lose 10 forever. The follower
therefore re-reads a trailing window: it keeps querying from the highest id it delivered
`SETTLE_SECONDS` ago and skips the ids it has already delivered, so a late commit is still
delivered (after the higher ids it lost the race to). On SQLite writers are serialised and the
window simply finds nothing new.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import Database
from modelreg.db.after_commit import EventNotifier
from modelreg.db.models import Event

POLL_SECONDS = 0.5
SETTLE_SECONDS = 30.0
GUARD_SECONDS = 5.0
BATCH = 200

Guard = Callable[[AsyncSession], Awaitable[None]]


async def latest_event_id(session: AsyncSession) -> int:
    """The newest event id, 0 when the log is empty."""
    found = (await session.exec(select(sa.func.max(col(Event.id))))).one()
    return int(found or 0)


async def _events_after(
    session: AsyncSession, *, project_id: int, model_id: int | None, after: int
) -> list[Event]:
    statement = select(Event).where(Event.project_id == project_id, col(Event.id) > after)
    if model_id is not None:
        statement = statement.where(Event.model_id == model_id)
    statement = statement.order_by(col(Event.id)).limit(BATCH)
    return list((await session.exec(statement)).all())


class EventFollower:
    """Every event of a project (or of one model of it) with an id above `after`, in id order."""

    def __init__(
        self,
        db: Database,
        notifier: EventNotifier | None,
        *,
        project_id: int,
        model_id: int | None,
        after: int,
        poll_seconds: float = POLL_SECONDS,
        settle_seconds: float = SETTLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        guard: Guard | None = None,
        guard_seconds: float = GUARD_SECONDS,
    ) -> None:
        self._db = db
        self._notifier = notifier
        self._project_id = project_id
        self._model_id = model_id
        self._poll_seconds = poll_seconds
        self._settle_seconds = settle_seconds
        self._clock = clock
        # Everything at or below `_floor` is settled and delivered; above it, `_delivered`.
        self._floor = after
        self._delivered: set[int] = set()
        # (time, highest id delivered then): where the floor may move once settled.
        self._marks: list[tuple[float, int]] = []
        self._guard = guard
        self._guard_seconds = guard_seconds
        self._guarded_at = clock()

    async def poll(self) -> list[Event]:
        """New events since the last poll, in one short read transaction."""
        self._advance_floor()
        fresh: list[Event] = []
        cursor = self._floor
        while True:
            async with self._db.read() as session:
                rows = await _events_after(
                    session, project_id=self._project_id, model_id=self._model_id, after=cursor
                )
                fresh.extend(row for row in rows if row.id not in self._delivered)
                if len(rows) < BATCH:
                    await self._check(session, found=bool(fresh))
                    break
            last_id = rows[-1].id
            assert last_id is not None
            cursor = last_id
        for row in fresh:
            assert row.id is not None
            self._delivered.add(row.id)
        if fresh:
            self._marks.append((self._clock(), max(self._delivered)))
        return fresh

    async def _check(self, session: AsyncSession, *, found: bool) -> None:
        """Run the guard when there is something to deliver, or when it is due."""
        if self._guard is None:
            return
        now = self._clock()
        if found or now - self._guarded_at >= self._guard_seconds:
            await self._guard(session)
            self._guarded_at = now

    def _advance_floor(self) -> None:
        horizon = self._clock() - self._settle_seconds
        while self._marks and self._marks[0][0] <= horizon:
            _, mark = self._marks.pop(0)
            self._floor = max(self._floor, mark)
        self._delivered = {i for i in self._delivered if i > self._floor}

    async def wait(self, waiter: asyncio.Event | None) -> None:
        """Sleep one poll interval, or less when this process commits an event."""
        if waiter is None:
            await asyncio.sleep(self._poll_seconds)
            return
        with suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), self._poll_seconds)

    async def follow(self) -> AsyncIterator[Event]:
        """Poll forever; the consumer stops by closing the iterator."""
        while True:
            waiter = self._notifier.waiter() if self._notifier else None
            for row in await self.poll():
                yield row
            await self.wait(waiter)
