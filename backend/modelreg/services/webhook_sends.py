"""Deliveries a person asks for, and the delivery log.

- `send_test`: a `webhook.test` delivery with no event, to check that a receiver answers.
- `redeliver`: the same event again, as a new delivery with a fresh `webhook-id`.
- `replay_events`: every event of a range of the project's event log that the webhook wants
  (its topics and model filter), at most `REPLAY_CAP` per call: the result says where to go on.
- `list_deliveries`, `attempts_of`, `last_deliveries`: the log, newest first.

Each inserts outbox rows (`webhook_delivery`) in the caller's transaction and wakes this
process's delivery workers after the commit (`services/outbox.py`); the worker sends them.
Only MAINTAINERs of the project may (`services/webhooks.get_webhook`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import plain
from modelreg.db.models import Event
from modelreg.db.notification_models import Webhook, WebhookAttempt, WebhookDelivery
from modelreg.db.types import utcnow
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.webhooks import (
    PUBLISHED_TYPES,
    STAGE_TOPICS,
    TEST_TOPIC,
    DeliveryStatus,
    WebhookStatus,
    event_topics,
    matches,
)
from modelreg.errors import Conflict, InvalidArgument, NotFound
from modelreg.services import outbox
from modelreg.services.pagination import Page, SortKey, keyset_page
from modelreg.services.webhooks import get_webhook

# Deliveries one `replay_events` call writes at most; and events it reads at most looking for
# them (so a call's cost is bounded whatever the log holds).
REPLAY_CAP = 1000
REPLAY_SCAN_LIMIT = 20_000
_SCAN_BATCH = 1000

_INSERT_DELIVERY = sa.insert(WebhookDelivery)


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """What a replay wrote: `count` deliveries for events `from_event_id`..`last_event_id`
    (the last event read). When `complete` is False more of the range is left: call again from
    `last_event_id + 1`."""

    count: int
    from_event_id: int
    last_event_id: int | None
    complete: bool


def _refuse_disabled(webhook: Webhook, doing: str) -> None:
    if webhook.status == WebhookStatus.DISABLED:
        raise Conflict(
            f"The webhook is disabled, so it cannot {doing}; set its status to ACTIVE or "
            "TEST_MODE first.",
            field="id",
        )


def _delivery_row(
    webhook_id: int, *, event_id: int | None, topic: str, actor: Actor
) -> dict[str, Any]:
    now = utcnow()
    return {
        "webhook_id": webhook_id,
        "event_id": event_id,
        "topic": topic,
        "message_id": outbox.message_id(),
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "requested_by": actor.name,
        "created_at": now,
    }


async def _insert_one(session: AsyncSession, row: dict[str, Any]) -> WebhookDelivery:
    session.add(delivery := WebhookDelivery(**row))
    await session.flush()
    outbox.wake_outbox_after_commit(session)
    return delivery


async def send_test(session: AsyncSession, *, actor: Actor, webhook_id: int) -> WebhookDelivery:
    """A test delivery (topic `webhook.test`, no event), for an ACTIVE or TEST_MODE webhook."""
    webhook, _ = await get_webhook(session, actor=actor, webhook_id=webhook_id)
    _refuse_disabled(webhook, "send a test event")
    assert webhook.id is not None
    return await _insert_one(
        session, _delivery_row(webhook.id, event_id=None, topic=TEST_TOPIC, actor=actor)
    )


async def get_delivery(
    session: AsyncSession, *, actor: Actor, delivery_id: int
) -> tuple[WebhookDelivery, Webhook]:
    delivery = await session.get(WebhookDelivery, delivery_id)
    hidden = NotFound(f"No webhook delivery has the id {delivery_id}.", field="id")
    if delivery is None:
        raise hidden
    webhook, _ = await get_webhook(
        session, actor=actor, webhook_id=delivery.webhook_id, hidden=hidden
    )
    return delivery, webhook


async def redeliver(session: AsyncSession, *, actor: Actor, delivery_id: int) -> WebhookDelivery:
    """The delivery's event (or test) once more, as a new delivery with a fresh message id:
    the receiver sees a new `webhook-id`, the log keeps both."""
    delivery, webhook = await get_delivery(session, actor=actor, delivery_id=delivery_id)
    _refuse_disabled(webhook, "redeliver")
    assert webhook.id is not None
    return await _insert_one(
        session,
        _delivery_row(webhook.id, event_id=delivery.event_id, topic=delivery.topic, actor=actor),
    )


def _candidate_types(patterns: Sequence[str]) -> list[str]:
    """Event types the patterns can match (a stage change through its per-stage topic too)."""
    found = []
    for type_ in PUBLISHED_TYPES:
        topics = [type_]
        if type_ == EventType.VERSION_STAGE_CHANGED.value:
            topics.extend(STAGE_TOPICS)
        if matches(patterns, topics):
            found.append(type_)
    return found


async def replay_events(
    session: AsyncSession,
    *,
    actor: Actor,
    webhook_id: int,
    from_event_id: int,
    to_event_id: int | None = None,
) -> ReplayResult:
    """Deliveries for the project's events `from_event_id`..`to_event_id` (inclusive; to the
    newest when None) that the webhook's topics and model filter match, oldest first."""
    if from_event_id < 1:
        raise InvalidArgument("Event ids start at 1.", field="fromEventId")
    if to_event_id is not None and to_event_id < from_event_id:
        raise InvalidArgument(
            "`toEventId` must not be lower than `fromEventId`.", field="toEventId"
        )
    webhook, _ = await get_webhook(
        session,
        actor=actor,
        webhook_id=webhook_id,
        hidden=NotFound(f"No webhook has the id {webhook_id}.", field="webhookId"),
    )
    _refuse_disabled(webhook, "replay events")
    assert webhook.id is not None
    patterns = list(webhook.events)
    types = _candidate_types(patterns)
    statement = select(Event).where(
        Event.project_id == webhook.project_id, col(Event.type).in_(types)
    )
    if webhook.model_id is not None:
        statement = statement.where(Event.model_id == webhook.model_id)
    if to_event_id is not None:
        statement = statement.where(col(Event.id) <= to_event_id)
    rows: list[dict[str, Any]] = []
    cursor = from_event_id - 1
    last: int | None = None
    scanned = 0
    complete = True
    while types:
        batch = list(
            (
                await session.exec(
                    statement.where(col(Event.id) > cursor)
                    .order_by(col(Event.id))
                    .limit(_SCAN_BATCH)
                )
            ).all()
        )
        for event in batch:
            assert event.id is not None
            if len(rows) == REPLAY_CAP or scanned == REPLAY_SCAN_LIMIT:
                complete = False
                break
            scanned += 1
            last = event.id
            if matches(patterns, event_topics(event.type, event.payload or {})):
                rows.append(
                    _delivery_row(webhook.id, event_id=event.id, topic=event.type, actor=actor)
                )
        if not complete or len(batch) < _SCAN_BATCH:
            break
        cursor = last if last is not None else cursor
    if rows:
        await (await plain(session)).execute(_INSERT_DELIVERY, rows)
        outbox.wake_outbox_after_commit(session)
    return ReplayResult(
        count=len(rows), from_event_id=from_event_id, last_event_id=last, complete=complete
    )


_BY_ID = SortKey[WebhookDelivery](col(WebhookDelivery.id), lambda d: d.id)


async def list_deliveries(
    session: AsyncSession,
    *,
    actor: Actor,
    webhook_id: int,
    first: int,
    after: str | None = None,
    status: DeliveryStatus | None = None,
) -> Page[WebhookDelivery]:
    """The webhook's deliveries, newest first."""
    await get_webhook(session, actor=actor, webhook_id=webhook_id)
    statement = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    return await keyset_page(
        session, statement, keys=[_BY_ID], descending=True, first=first, after=after
    )


async def attempts_of(
    session: AsyncSession, delivery_ids: Sequence[int]
) -> dict[int, list[WebhookAttempt]]:
    """Each delivery's attempts, first attempt first (one statement)."""
    found: dict[int, list[WebhookAttempt]] = {d: [] for d in delivery_ids}
    if not delivery_ids:
        return found
    rows = await session.exec(
        select(WebhookAttempt)
        .where(col(WebhookAttempt.delivery_id).in_(list(delivery_ids)))
        .order_by(col(WebhookAttempt.delivery_id), col(WebhookAttempt.id))
    )
    for attempt in rows.all():
        found[attempt.delivery_id].append(attempt)
    return found


async def last_deliveries(
    session: AsyncSession, webhook_ids: Sequence[int]
) -> dict[int, WebhookDelivery]:
    """Each webhook's newest delivery (one statement), for the list's "last outcome"."""
    if not webhook_ids:
        return {}
    newest = (
        sa.select(sa.func.max(col(WebhookDelivery.id)))
        .where(col(WebhookDelivery.webhook_id).in_(list(webhook_ids)))
        .group_by(col(WebhookDelivery.webhook_id))
    )
    rows = await session.exec(select(WebhookDelivery).where(col(WebhookDelivery.id).in_(newest)))
    return {d.webhook_id: d for d in rows.all()}
