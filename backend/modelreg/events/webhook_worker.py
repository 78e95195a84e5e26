"""The webhook delivery worker: one per server process, started and stopped by the app.

It loops: take `db.outbox.waiter()`, claim as many due deliveries as it has free sending slots
(`services/webhook_delivery.claim_due`), send each in its own task (at most
`webhook_concurrency` at once, `events/webhook_sender.py`), record each outcome, and sleep until
this process commits outbox rows, a send finishes, or the poll interval passes (rows written by
other processes, retries coming due). Every hour it prunes the delivery log.

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
    Schedule,
    claim_due,
    default_schedule,
    prune,
    record_attempt,
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
        self._sender = WebhookSender(
            timeout_seconds=settings.webhook_timeout_seconds,
            allow_private=settings.webhook_allow_private_addresses,
            max_connections=self._slots,
            resolver=resolver,
        )
        self._inflight: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._pruned_at = 0.0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="webhook-worker")

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
        await self._sender.close()

    async def _run(self) -> None:
        more = True  # the last claim filled every free slot: there may be more due
        while True:
            waiter = self._db.outbox.waiter()
            free = self._slots - len(self._inflight)
            claimed: list[Claimed] = []
            if free > 0:
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
            if more and len(self._inflight) < self._slots:
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
            if outcome.error:
                logger.info(
                    "webhook %s delivery %s attempt %s failed: %s",
                    claimed.webhook_id,
                    claimed.delivery_id,
                    claimed.attempt,
                    outcome.error[:200],
                )
            await record_attempt(self._db, claimed, outcome, schedule=self._schedule)
        except Exception:
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
