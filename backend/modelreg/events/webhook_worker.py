"""The webhook delivery worker: one per server process, started and stopped by the app.

It loops: take `db.outbox.waiter()`, claim as many due deliveries as it has free sending slots
(`services/webhook_delivery.claim_due`), send each in its own task (at most
`webhook_concurrency` at once, `events/webhook_sender.py`), and sleep until this process commits
outbox rows, a send finishes, or the poll interval passes (rows written by other processes,
retries coming due). Every hour it prunes the delivery log.

Database work is batched, because on SQLite's one writer a transaction per delivery is what
limits deliveries per second: a recorder task records every attempt that finished meanwhile in
one transaction, and while a backlog lasts the worker claims only once half its slots are free.
A lone new event is still claimed at once.

Stopping lets sends in flight finish for a short grace, then cancels them; a cancelled send's
claim lapses and the delivery is sent again later (at least once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from typing import Any

from modelreg.db import Database
from modelreg.events.webhook_sender import Resolver, WebhookSender, resolve
from modelreg.services.webhook_delivery import (
    Claimed,
    Outcome,
    Schedule,
    claim_due,
    default_schedule,
    prune,
    record_attempt,
    record_attempts,
)
from modelreg.settings import Settings

logger = logging.getLogger("modelreg.webhooks")

POLL_SECONDS = 1.0
PRUNE_EVERY_SECONDS = 3600.0
STOP_GRACE_SECONDS = 5.0


def lease_for(timeout_seconds: float) -> timedelta:
    """How long a claim holds: the send's deadline twice over plus room to record it."""
    return timedelta(seconds=2 * timeout_seconds + 10)


class WebhookWorker:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        poll_seconds: float = POLL_SECONDS,
        schedule: Schedule = default_schedule,
        lease: timedelta | None = None,
        resolver: Resolver = resolve,
    ) -> None:
        self._db = db
        self._settings = settings
        self._poll = poll_seconds
        self._schedule = schedule
        self._lease = lease if lease is not None else lease_for(settings.webhook_timeout_seconds)
        self._slots = max(1, settings.webhook_concurrency)
        # While a backlog lasts, claim once this many slots are free (one claim, several rows).
        self._batch = max(1, self._slots // 2)
        self._sender = WebhookSender(
            timeout_seconds=settings.webhook_timeout_seconds,
            allow_private=settings.webhook_allow_private_addresses,
            max_connections=self._slots,
            resolver=resolver,
        )
        self._inflight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        # Attempts sent and not yet recorded, and the recorder that records them together.
        self._finished: list[tuple[Claimed, Outcome]] = []
        self._has_finished = asyncio.Event()
        self._recorder: asyncio.Task[None] | None = None
        self._closing = False
        self._pruned_at = 0.0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="webhook-worker")
            self._recorder = asyncio.create_task(self._record_loop(), name="webhook-recorder")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._inflight:
            _, pending = await asyncio.wait(self._inflight, timeout=STOP_GRACE_SECONDS)
            for leftover in pending:
                leftover.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        # The recorder finishes the batch it holds and what the last sends came to, then ends;
        # cancelling it mid-transaction would lose those records.
        recorder, self._recorder = self._recorder, None
        self._closing = True
        self._has_finished.set()
        if recorder is not None:
            await recorder
        await self._record_finished()
        await self._sender.close()

    async def _run(self) -> None:
        more = True  # the last claim filled every free slot: there may be more due
        while True:
            waiter = self._db.outbox.waiter()
            free = self._slots - len(self._inflight)
            if free > 0 and (not more or free >= self._batch or not self._inflight):
                claimed: list[Claimed] = []
                try:
                    claimed = await claim_due(self._db, limit=free, lease=self._lease)
                except Exception:
                    logger.warning("claiming webhook deliveries failed", exc_info=True)
                for item in claimed:
                    task = asyncio.create_task(self._deliver(item))
                    self._inflight.add(task)
                    task.add_done_callback(self._inflight.discard)
                more = len(claimed) == free
            await self._maybe_prune()
            if more and self._slots - len(self._inflight) >= self._batch:
                continue
            await self._wait(waiter, wake_on_send=more)

    async def _wait(self, waiter: asyncio.Event, *, wake_on_send: bool) -> None:
        """Until this process writes outbox rows, the poll interval passes, or (when there may
        be more due) a send frees its slot."""
        woken = asyncio.ensure_future(waiter.wait())
        waits: set[asyncio.Future[Any]] = {woken}
        if wake_on_send:
            waits.update(self._inflight)
        try:
            await asyncio.wait(waits, timeout=self._poll, return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()

    async def _deliver(self, claimed: Claimed) -> None:
        try:
            outcome = await self._sender.send(claimed)
        except Exception:
            logger.warning(
                "webhook delivery %s: the send failed unexpectedly; it is tried again when its "
                "claim lapses",
                claimed.delivery_id,
                exc_info=True,
            )
            return
        if outcome.error:
            logger.info(
                "webhook %s delivery %s attempt %s failed: %s",
                claimed.webhook_id,
                claimed.delivery_id,
                claimed.attempt,
                outcome.error[:200],
            )
        self._finished.append((claimed, outcome))
        self._has_finished.set()

    async def _record_loop(self) -> None:
        while not (self._closing and not self._finished):
            await self._has_finished.wait()
            await self._record_finished()

    async def _record_finished(self) -> None:
        """Record every attempt that finished since the last time, in one transaction; if that
        fails, one by one, so one bad record does not hold back the others."""
        self._has_finished.clear()
        batch, self._finished = self._finished, []
        if not batch:
            return
        try:
            await record_attempts(self._db, batch, schedule=self._schedule)
            return
        except Exception:
            if len(batch) == 1:
                self._record_failed(batch[0][0])
                return
        for claimed, outcome in batch:
            try:
                await record_attempt(self._db, claimed, outcome, schedule=self._schedule)
            except Exception:
                self._record_failed(claimed)

    @staticmethod
    def _record_failed(claimed: Claimed) -> None:
        logger.warning(
            "webhook delivery %s: recording the attempt failed; it is tried again when its "
            "claim lapses",
            claimed.delivery_id,
            exc_info=True,
        )

    async def _maybe_prune(self) -> None:
        now = time.monotonic()
        if now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        try:
            removed = await prune(
                self._db, older_than=timedelta(days=self._settings.webhook_log_days)
            )
            if removed:
                logger.info("pruned %s finished webhook deliveries", removed)
        except Exception:
            logger.warning("pruning the webhook delivery log failed", exc_info=True)
