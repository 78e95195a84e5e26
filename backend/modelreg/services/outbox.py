"""The transactional outbox: what an event owes the world outside, written in its transaction.

`record` writes the event together with one `webhook_delivery` per active webhook of the
project that wants it (chosen in SQL by an INSERT ... SELECT over `webhook`: no round trip to
read the webhooks first) and, for events that may send mail, one `mail_job`. On PostgreSQL that
is one statement (the event's INSERT in a WITH clause); on SQLite, which has no INSERT in WITH,
the event's INSERT and then the outbox's. So a delivery exists exactly when its event does:
nothing is lost when the server stops between the commit and the send, or the receiver is
down. When outbox rows were written, this process's workers are woken after the commit
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
from modelreg.db.models import Event
from modelreg.db.notification_models import MailJob, Webhook, WebhookDelivery
from modelreg.db.types import utcnow
from modelreg.domain.notifications import MAIL_TYPES
from modelreg.domain.webhooks import (
    PUBLISHED_TYPES,
    DeliveryStatus,
    WebhookStatus,
    event_topics,
)

WAKE_OUTBOX = "wake-outbox"

_PUBLISHED = frozenset(PUBLISHED_TYPES)
# The random part of the deliveries' `webhook-id`s of one event: fixed length, so that with the
# webhook's id appended every id is unique (`message_id` makes the ids of redeliveries).
_NONCE_BYTES = 15


def message_id() -> str:
    """A fresh `webhook-id`: unique per delivery, kept across its retries."""
    return "msg_" + secrets.token_urlsafe(18)


def sends_mail(type: str) -> bool:
    return type in MAIL_TYPES


_EVENT_VALUES = {
    name: sa.bindparam(name, type_=Event.__table__.c[name].type)  # type: ignore[attr-defined]
    for name in ("type", "actor", "project_id", "model_id", "version_id", "payload", "created_at")
}
_INSERT_EVENT = sa.insert(Event)


def _covers(pattern: Any, topic: Any) -> sa.ColumnElement[bool]:
    """A webhook's pattern (text) covers `topic`: equal, or a prefix of it followed by `*`, as
    `domain.webhooks.matches` decides in Python."""
    stem_length = sa.func.length(pattern) - 1
    return sa.or_(
        pattern == topic,
        sa.and_(
            sa.func.substr(pattern, sa.func.length(pattern)) == "*",
            sa.func.substr(topic, 1, stem_length) == sa.func.substr(pattern, 1, stem_length),
        ),
    )


def _deliveries(dialect: str, event_id: Any) -> sa.Select[Any]:
    """The delivery rows of an event: one per active webhook of the project, of every model or
    of the event's, one of whose patterns covers one of the event's (at most two) topics."""
    elements = (
        sa.func.json_each(col(Webhook.events)).table_valued("value")
        if dialect == "sqlite"
        else sa.func.json_array_elements_text(col(Webhook.events)).table_valued("value")
    )
    pattern = elements.c.value
    wanted = sa.exists(
        sa.select(sa.literal(1))
        .select_from(elements)
        .where(
            sa.or_(
                _covers(pattern, sa.bindparam("topic", type_=sa.String)),
                _covers(pattern, sa.bindparam("subtopic", type_=sa.String)),
            )
        )
    )
    now = sa.bindparam("now", type_=WebhookDelivery.__table__.c.created_at.type)  # type: ignore[attr-defined]
    nonce = sa.bindparam("nonce", type_=sa.String)
    return sa.select(
        col(Webhook.id),
        event_id,
        sa.bindparam("topic", type_=sa.String),
        sa.literal("msg_", sa.String) + nonce + sa.cast(col(Webhook.id), sa.String),
        sa.literal(DeliveryStatus.PENDING.value, sa.String),
        sa.literal(0, sa.Integer),
        now,
        sa.literal("", sa.String),
        now,
    ).where(
        col(Webhook.project_id) == sa.bindparam("hook_project"),
        col(Webhook.status) == WebhookStatus.ACTIVE,
        sa.or_(
            col(Webhook.model_id).is_(None), col(Webhook.model_id) == sa.bindparam("hook_model")
        ),
        wanted,
    )


_DELIVERY_COLUMNS = [
    "webhook_id",
    "event_id",
    "topic",
    "message_id",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "created_at",
]
_MAIL_COLUMNS = ["event_id", "attempts", "next_attempt_at", "created_at"]


def _mail_job(event_id: Any) -> sa.Select[Any]:
    now = sa.bindparam("now", type_=MailJob.__table__.c.created_at.type)  # type: ignore[attr-defined]
    return sa.select(event_id, sa.literal(0, sa.Integer), now, now)


def _postgresql_statements() -> dict[bool, Any]:
    """One statement: the event's INSERT in a WITH clause, its deliveries (returning one row
    each) and, when `mail` is True, its mail job."""
    built: dict[bool, Any] = {}
    for mail in (False, True):
        event = _INSERT_EVENT.values(_EVENT_VALUES).returning(col(Event.id)).cte("new_event")
        event_id = sa.select(event.c.id).scalar_subquery()
        statement = (
            sa.insert(WebhookDelivery)
            .from_select(_DELIVERY_COLUMNS, _deliveries("postgresql", event_id))
            .returning(col(WebhookDelivery.id))
        )
        if mail:
            statement = statement.add_cte(
                sa.insert(MailJob).from_select(_MAIL_COLUMNS, _mail_job(event_id)).cte("new_mail")
            )
        built[mail] = statement.add_cte(event)
    return built


_POSTGRESQL = _postgresql_statements()
_SQLITE_DELIVERIES = sa.insert(WebhookDelivery).from_select(
    _DELIVERY_COLUMNS, _deliveries("sqlite", sa.bindparam("event_id", type_=sa.Integer))
)
_SQLITE_MAIL_JOB = sa.insert(MailJob).from_select(
    _MAIL_COLUMNS, _mail_job(sa.bindparam("event_id", type_=sa.Integer))
)


async def record(
    session: AsyncSession,
    conn: AsyncConnection,
    values: Mapping[str, Any],
    *,
    payload: Mapping[str, Any],
) -> None:
    """Insert the event (`values`, the event table's columns) and what it owes the outbox."""
    type, project_id = values["type"], values["project_id"]
    published = project_id is not None and type in _PUBLISHED
    mail = sends_mail(type)
    if not published and not mail:
        await conn.execute(_INSERT_EVENT, values)
        return
    topics = event_topics(type, payload) if published else [type]
    params: dict[str, Any] = {
        "topic": type,
        "subtopic": topics[-1],
        # No webhook matches when the event is not published to them.
        "hook_project": project_id if published else -1,
        "hook_model": values["model_id"],
        "now": utcnow(),
        "nonce": secrets.token_urlsafe(_NONCE_BYTES),
    }
    if conn.dialect.name == "sqlite":
        event_id = (await conn.execute(_INSERT_EVENT, values)).lastrowid
        written = (await conn.execute(_SQLITE_DELIVERIES, params | {"event_id": event_id})).rowcount
        if mail:
            await conn.execute(_SQLITE_MAIL_JOB, params | {"event_id": event_id})
    else:
        result = await conn.execute(_POSTGRESQL[mail], params | dict(values))
        written = len(result.all())
    if written or mail:
        wake_outbox_after_commit(session)


def wake_outbox_after_commit(session: AsyncSession) -> None:
    """The transaction wrote outbox rows: wake this process's delivery workers once it commits."""
    after_commit(session, WAKE_OUTBOX, _wake)


def _wake(db: Any) -> None:
    db.outbox.notify()
