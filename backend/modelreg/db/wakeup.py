"""Wake-up across server processes sharing one PostgreSQL database: LISTEN/NOTIFY.

Within a process, a commit that recorded events wakes that process's event followers, and one
that wrote outbox rows its webhook and mail workers (`db/after_commit.py`). Other processes need
to hear of events only: a subscription may be open on any process, while outbox rows are claimed
by the committing process's own workers, woken at once after its commit. (Waking every other
process's workers too cost each of them a claim query per write for nothing to claim, since the
rows had been taken already: 8.5 -> 14.3 ms of server CPU per write on 4 processes.) Another
process's workers still take outbox rows on their poll, when the committing one is busy or
stopped. Processes learn of each other's events like this:

- **Sending.** `Database.begin` calls `announce` as the last statement of a transaction that
  registered an event wake-up: one `SELECT pg_notify(...)`. A
  notification sent inside the transaction is delivered by PostgreSQL exactly when it commits,
  and never when it rolls back; there is no window in which the commit is durable but the
  notification not yet sent (a NOTIFY after the commit could be lost by a crash in between, and
  needs a second connection from the pool). Identical notifications of one transaction are
  folded into one by PostgreSQL.
- **Listening.** One `WakeupListener` per process (started and stopped by the application's
  lifespan) holds its own asyncpg connection, outside SQLAlchemy's pool, that LISTENs on
  `CHANNEL` and sets `Database.notifier` for each notification from another process (a
  payload carries the sender's token; a process's own notifications are skipped, it woke itself
  after the commit already). When the connection drops it reconnects with exponential backoff,
  and wakes its followers once reconnected, for what they may have missed.

Correctness never depends on this: followers and workers also poll (MODELREG_EVENT_POLL_SECONDS
for subscriptions), so a lost notification only delays delivery to the next poll. On SQLite
there is no NOTIFY and a separate process's changes arrive by polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import TYPE_CHECKING, Any

import asyncpg  # type: ignore[import-untyped]  # no type information shipped
import sqlalchemy as sa
from sqlalchemy.engine import URL

from modelreg.db.after_commit import WAKE_FOLLOWERS, EventNotifier

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

logger = logging.getLogger("modelreg.db")

CHANNEL = "modelreg_wakeup"
APPLICATION_NAME = "modelreg-wakeup"
# After-commit wake-ups other processes hear of, and the kind of notification each becomes.
KINDS = {WAKE_FOLLOWERS: "events"}
# Reconnection backoff of the listener, and how often it checks a quiet connection.
BACKOFF_FIRST = 0.1
BACKOFF_MAX = 30.0
CHECK_SECONDS = 15.0


class Wakeup:
    """The notifications of one `Database` (one per process): sending, and routing received
    ones to its notifiers."""

    def __init__(self, url: URL, *, events: EventNotifier) -> None:
        self._url = url
        self._wakes = {"events": events}
        # Tells this process's own notifications apart from others'.
        self.token = secrets.token_hex(8)

    async def announce(self, session: AsyncSession, keys: set[str]) -> None:
        """As the transaction's last statement: a notification for each wake-up it registered,
        delivered by PostgreSQL when (and only if) it commits."""
        kinds = sorted({KINDS[key] for key in keys if key in KINDS})
        if not kinds:
            return
        calls = [sa.func.pg_notify(CHANNEL, f"{kind} {self.token}") for kind in kinds]
        connection = await session.connection()
        await connection.execute(sa.select(*calls))

    def received(self, payload: str) -> None:
        """A notification arrived: wake what it names, unless this process sent it."""
        kind, _, token = payload.partition(" ")
        notifier = self._wakes.get(kind)
        if notifier is not None and token != self.token:
            notifier.notify()

    def wake_all(self) -> None:
        for notifier in self._wakes.values():
            notifier.notify()

    def dsn(self) -> str:
        """The database's address for asyncpg itself (without SQLAlchemy's driver name)."""
        plain = self._url.set(drivername="postgresql")
        return plain.render_as_string(hide_password=False)


class WakeupListener:
    """The one LISTEN connection of a process; `start` it once the event loop runs."""

    def __init__(self, wakeup: Wakeup) -> None:
        self._wakeup = wakeup
        self._task: asyncio.Task[None] | None = None
        # Set while a connection listens: tests (and the lifespan) may wait for it.
        self.listening = asyncio.Event()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="modelreg-wakeup-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        delay = BACKOFF_FIRST
        while True:
            try:
                connection = await asyncpg.connect(
                    self._wakeup.dsn(),
                    timeout=10,
                    server_settings={"application_name": APPLICATION_NAME},
                )
            except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
                logger.warning("cannot LISTEN for other processes' changes (%s); retrying", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)
                continue
            try:
                await self._listen(connection)
                delay = BACKOFF_FIRST  # it worked for a while: the next drop retries at once
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                logger.warning("the LISTEN connection dropped (%s); reconnecting", exc)
            finally:
                self.listening.clear()
                connection.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)

    async def _listen(self, connection: Any) -> None:
        """Listen until the connection is lost (found by asyncpg, or by a periodic check)."""
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(
            CHANNEL, lambda _c, _pid, _channel, payload: self._wakeup.received(payload)
        )
        self.listening.set()
        self._wakeup.wake_all()  # whatever was committed while no one listened
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), CHECK_SECONDS)
            if lost.is_set() or connection.is_closed():
                raise ConnectionError("connection closed")
            await connection.fetchval("SELECT 1", timeout=10)
