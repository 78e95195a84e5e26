"""State changes of webhook deliveries: claiming due ones, recording each attempt's outcome,
disabling a webhook that keeps failing, and pruning the delivery log.

A **claim** is one short write transaction: due PENDING rows (`next_attempt_at <= now`, oldest
first) are selected `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite's writers are queued by
`Database.begin`) and their `next_attempt_at` moves to now + lease. Another worker, in this
process or another, therefore skips them until the lease lapses, which happens only when the
claimer died mid-send: then the delivery is due again (at least once across a crash). The
claimed deadline is the claim's fence: `record_attempt` changes the delivery only while its
`next_attempt_at` still equals it, so a claimer that outlived its lease cannot overwrite the
outcome of the worker that took over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import Database, plain
from modelreg.db.notification_models import Webhook, WebhookAttempt, WebhookDelivery
from modelreg.db.types import utcnow
from modelreg.domain.actor import SYSTEM
from modelreg.domain.events import EventType
from modelreg.domain.webhooks import (
    DISABLE_AFTER_FAILURES,
    MAX_ATTEMPTS,
    TEST_TOPIC,
    DeliveryStatus,
    WebhookStatus,
    is_retryable,
    is_success,
    next_attempt_at,
    url_origin,
)
from modelreg.services.events import record_event
from modelreg.services.webhook_payloads import BodyRequest, build_bodies

logger = logging.getLogger("modelreg.webhooks")

EXCERPT_BYTES = 1024
DISABLED_ERROR = "Not sent: the webhook is disabled. Enable it and redeliver to send it."

# When to try again after failed attempt n (1-based); None: no more attempts.
Schedule = Callable[[int, datetime, timedelta | None], datetime | None]


def default_schedule(attempt: int, now: datetime, retry_after: timedelta | None) -> datetime | None:
    return next_attempt_at(attempt, now=now, retry_after=retry_after)


@dataclass(frozen=True, slots=True)
class Claimed:
    """What the sender needs for one attempt of a claimed delivery."""

    delivery_id: int
    webhook_id: int
    url: str
    # Valid now: the current secret and, until it expires, the previous one.
    secrets: tuple[str, ...]
    body: str
    message_id: str
    topic: str
    attempt: int  # this attempt's number, 1-based
    claimed_until: datetime


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to."""

    started_at: datetime
    duration_ms: int
    status_code: int | None = None  # None: no HTTP answer
    error: str = ""
    excerpt: str = ""
    retry_after: timedelta | None = None
    # True when trying again cannot help (a refused address, a URL that cannot be sent to).
    final: bool = False


_DUE = (
    select(WebhookDelivery, Webhook)
    .join(Webhook, col(Webhook.id) == col(WebhookDelivery.webhook_id))
    .where(
        col(WebhookDelivery.status) == DeliveryStatus.PENDING,
        col(WebhookDelivery.next_attempt_at) <= sa.bindparam("now"),
    )
    .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
    .limit(sa.bindparam("limit"))
)


def _valid_secrets(hook: Webhook, now: datetime) -> tuple[str, ...]:
    secrets = [hook.secret]
    expires = hook.previous_secret_expires_at
    if hook.previous_secret and (expires is None or expires > now):
        secrets.append(hook.previous_secret)
    return tuple(secrets)


async def claim_due(db: Database, *, limit: int, lease: timedelta) -> list[Claimed]:
    """Claim up to `limit` due deliveries for `lease` (see the module's docstring); build the
    bodies of first attempts. Deliveries of a disabled webhook fail here instead of being sent."""
    if limit <= 0:
        return []
    async with db.begin() as session:
        now = utcnow()
        statement = _DUE
        if not db.is_sqlite:
            statement = statement.with_for_update(skip_locked=True, of=WebhookDelivery)
        rows = (await session.exec(statement, params={"now": now, "limit": limit})).all()
        if not rows:
            return []
        until = now + lease
        sendable: list[tuple[WebhookDelivery, Webhook]] = []
        for delivery, hook in rows:
            if hook.status is WebhookStatus.DISABLED and delivery.topic != TEST_TOPIC:
                delivery.status = DeliveryStatus.FAILED
                delivery.last_error = DISABLED_ERROR
                delivery.finished_at = now
            else:
                delivery.next_attempt_at = until
                sendable.append((delivery, hook))
            session.add(delivery)
        missing = [
            BodyRequest(
                message_id=d.message_id,
                topic=d.topic,
                event_id=d.event_id,
                webhook_id=h.id or 0,
                project_id=h.project_id,
            )
            for d, h in sendable
            if d.body is None
        ]
        bodies = await build_bodies(session, missing)
        claimed: list[Claimed] = []
        for delivery, hook in sendable:
            if delivery.body is None:
                delivery.body = bodies[delivery.message_id]
            assert delivery.id is not None and hook.id is not None
            claimed.append(
                Claimed(
                    delivery_id=delivery.id,
                    webhook_id=hook.id,
                    url=hook.url,
                    secrets=_valid_secrets(hook, now),
                    body=delivery.body,
                    message_id=delivery.message_id,
                    topic=delivery.topic,
                    attempt=delivery.attempts + 1,
                    claimed_until=until,
                )
            )
    return claimed


async def record_attempt(
    db: Database,
    claimed: Claimed,
    outcome: Outcome,
    *,
    schedule: Schedule = default_schedule,
) -> DeliveryStatus | None:
    """Record one attempt and what follows from it (see `record_attempts`)."""
    return (await record_attempts(db, [(claimed, outcome)], schedule=schedule))[0]


async def record_attempts(
    db: Database,
    finished: Sequence[tuple[Claimed, Outcome]],
    *,
    schedule: Schedule = default_schedule,
) -> list[DeliveryStatus | None]:
    """Record attempts and what follows from each, in one transaction: DELIVERED, PENDING again
    (the next attempt's time) or FAILED. For each, the delivery's new status, or None when the
    claim had lapsed and another worker owns the delivery (the attempt is still logged).

    One transaction for all the attempts that finished together: on SQLite's one writer, a
    transaction per attempt is what limits deliveries per second."""
    async with db.begin() as session:
        conn = await plain(session)
        now = utcnow()
        await conn.execute(
            sa.insert(WebhookAttempt),
            [
                {
                    "delivery_id": claimed.delivery_id,
                    "attempt": claimed.attempt,
                    "started_at": outcome.started_at,
                    "duration_ms": outcome.duration_ms,
                    "status_code": outcome.status_code,
                    "error": outcome.error,
                    "response_excerpt": outcome.excerpt,
                }
                for claimed, outcome in finished
            ],
        )
        return [
            await _settle(session, conn, claimed, outcome, now, schedule)
            for claimed, outcome in finished
        ]


async def _settle(
    session: AsyncSession,
    conn: AsyncConnection,
    claimed: Claimed,
    outcome: Outcome,
    now: datetime,
    schedule: Schedule,
) -> DeliveryStatus | None:
    """The delivery's state after one recorded attempt, and its webhook's failure count."""
    retry_at: datetime | None = None
    if is_success(outcome.status_code):
        status = DeliveryStatus.DELIVERED
    elif outcome.final or not is_retryable(outcome.status_code):
        status = DeliveryStatus.FAILED
    else:
        retry_at = schedule(claimed.attempt, now, outcome.retry_after)
        if claimed.attempt >= MAX_ATTEMPTS:
            retry_at = None
        status = DeliveryStatus.PENDING if retry_at is not None else DeliveryStatus.FAILED
    changed = await conn.execute(
        sa.update(WebhookDelivery)
        .where(
            col(WebhookDelivery.id) == claimed.delivery_id,
            col(WebhookDelivery.status) == DeliveryStatus.PENDING,
            col(WebhookDelivery.next_attempt_at) == claimed.claimed_until,
        )
        .values(
            status=status,
            attempts=claimed.attempt,
            next_attempt_at=retry_at if retry_at is not None else now,
            last_status_code=outcome.status_code,
            last_error=outcome.error,
            finished_at=None if status is DeliveryStatus.PENDING else now,
        )
    )
    if changed.rowcount != 1:
        logger.info("delivery %s: the claim lapsed; its new owner records it", claimed.delivery_id)
        return None
    if claimed.topic != TEST_TOPIC:
        if status is DeliveryStatus.DELIVERED:
            await conn.execute(
                sa.update(Webhook)
                .where(
                    col(Webhook.id) == claimed.webhook_id,
                    col(Webhook.consecutive_failures) != 0,
                )
                .values(consecutive_failures=0)
            )
        elif status is DeliveryStatus.FAILED:
            await _count_failure(session, conn, claimed, outcome, now)
    return status


async def _count_failure(
    session: AsyncSession,
    conn: AsyncConnection,
    claimed: Claimed,
    outcome: Outcome,
    now: datetime,
) -> None:
    """One more failed delivery in a row; at DISABLE_AFTER_FAILURES the webhook is disabled and
    `webhook.disabled` recorded (the owner is mailed from it)."""
    failures = (
        await conn.execute(
            sa.update(Webhook)
            .where(col(Webhook.id) == claimed.webhook_id)
            .values(consecutive_failures=col(Webhook.consecutive_failures) + 1)
            .returning(col(Webhook.consecutive_failures))
        )
    ).scalar_one_or_none()
    if failures is None or failures < DISABLE_AFTER_FAILURES:
        return
    last = outcome.error or (f"HTTP {outcome.status_code}" if outcome.status_code else "no answer")
    reason = f"{failures} deliveries in a row failed; the last: {last}"[:1000]
    disabled = (
        await conn.execute(
            sa.update(Webhook)
            .where(
                col(Webhook.id) == claimed.webhook_id, col(Webhook.status) != WebhookStatus.DISABLED
            )
            .values(status=WebhookStatus.DISABLED, disabled_reason=reason, updated_at=now)
            .returning(col(Webhook.project_id), col(Webhook.url), col(Webhook.created_by))
        )
    ).one_or_none()
    if disabled is None:
        return  # disabled already, by a person or another worker
    project_id, url, owner = disabled
    logger.info("webhook %s disabled after %s failed deliveries", claimed.webhook_id, failures)
    await record_event(
        session,
        actor=SYSTEM,
        type=EventType.WEBHOOK_DISABLED,
        project_id=project_id,
        payload={
            "webhook_id": claimed.webhook_id,
            "url": url_origin(url),
            "reason": reason,
            "owner": owner,
        },
    )


async def prune(db: Database, *, older_than: timedelta) -> int:
    """Delete finished deliveries (and their attempts) that finished before now - older_than."""
    cutoff = utcnow() - older_than
    async with db.begin() as session:
        conn = await plain(session)
        attempts_of_old = sa.select(col(WebhookDelivery.id)).where(
            col(WebhookDelivery.status).in_([DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]),
            col(WebhookDelivery.finished_at) < cutoff,
        )
        await conn.execute(
            sa.delete(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(attempts_of_old))
        )
        result = await conn.execute(
            sa.delete(WebhookDelivery).where(col(WebhookDelivery.id).in_(attempts_of_old))
        )
        return int(result.rowcount or 0)
