"""The transactional outbox: what an event owes the world outside, written in its transaction.

`record_event` asks `outbox_targets` which active webhooks of the project want the event; when
any do, or the event may send mail, it inserts the event returning its id and `enqueue` writes
one `webhook_delivery` per webhook and one `mail_job`, in the same transaction. So a delivery
exists exactly when its event does: nothing is lost when the server stops between the commit and
the send, or the receiver is down. After the commit, this process's workers are woken
(`Database.outbox`); workers of other processes find the rows on their next poll.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.after_commit import after_commit
from modelreg.db.notification_models import MailJob, Webhook, WebhookDelivery
from modelreg.db.types import utcnow
from modelreg.domain.notifications import MAIL_TYPES
from modelreg.domain.webhooks import PUBLISHED_TYPES, WebhookStatus, event_topics, matches

WAKE_OUTBOX = "wake-outbox"

_PUBLISHED = frozenset(PUBLISHED_TYPES)
_ACTIVE_WEBHOOKS = sa.select(col(Webhook.id), col(Webhook.events), col(Webhook.model_id)).where(
    col(Webhook.project_id) == sa.bindparam("project_id"),
    col(Webhook.status) == WebhookStatus.ACTIVE,
)
_INSERT_DELIVERY = sa.insert(WebhookDelivery)
_INSERT_MAIL_JOB = sa.insert(MailJob)


def message_id() -> str:
    """A fresh `webhook-id`: unique per delivery, kept across its retries."""
    return "msg_" + secrets.token_urlsafe(18)


async def outbox_targets(
    conn: AsyncConnection,
    *,
    type: str,
    project_id: int | None,
    model_id: int | None,
    payload: Mapping[str, Any],
) -> list[int]:
    """Ids of the project's active webhooks that want this event (one indexed read)."""
    if project_id is None or type not in _PUBLISHED:
        return []
    topics = event_topics(type, payload)
    rows = (await conn.execute(_ACTIVE_WEBHOOKS, {"project_id": project_id})).all()
    return [
        hook_id
        for hook_id, patterns, only_model in rows
        if hook_id is not None
        and (only_model is None or only_model == model_id)
        and matches(patterns or [], topics)
    ]


def sends_mail(type: str) -> bool:
    return type in MAIL_TYPES


async def enqueue(
    session: AsyncSession,
    conn: AsyncConnection,
    *,
    event_id: int,
    type: str,
    webhook_ids: list[int],
) -> None:
    """Write the event's deliveries and mail job in the caller's transaction."""
    now = utcnow()
    if webhook_ids:
        await conn.execute(
            _INSERT_DELIVERY,
            [
                {
                    "webhook_id": hook_id,
                    "event_id": event_id,
                    "topic": type,
                    "message_id": message_id(),
                    "status": "PENDING",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "last_error": "",
                    "created_at": now,
                }
                for hook_id in webhook_ids
            ],
        )
    if sends_mail(type):
        await conn.execute(
            _INSERT_MAIL_JOB,
            {"event_id": event_id, "attempts": 0, "next_attempt_at": now, "created_at": now},
        )
    wake_outbox_after_commit(session)


def wake_outbox_after_commit(session: AsyncSession) -> None:
    """The transaction wrote outbox rows: wake this process's delivery workers once it commits."""
    after_commit(session, WAKE_OUTBOX, _wake)


def _wake(db: Any) -> None:
    db.outbox.notify()
