"""The outbox backlog, for monitoring: what the webhook and mail workers still owe.

Counts only (never a project, receiver or recipient): one aggregate query per outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.notification_models import MailJob, WebhookDelivery
from modelreg.db.types import utcnow
from modelreg.domain.webhooks import DeliveryStatus


@dataclass(frozen=True, slots=True)
class Queue:
    """`pending`: rows not done yet; `due`: those whose next attempt time has come (a backlog of
    due rows that grows means the workers do not keep up); `oldest_seconds`: the age of the
    oldest pending row (0 when none)."""

    pending: int
    due: int
    oldest_seconds: float


@dataclass(frozen=True, slots=True)
class Backlog:
    webhook_deliveries: Queue
    mail_jobs: Queue


# Rows pending, rows due, the oldest row's creation time.
_Counts = sa.Select[int, Any, datetime | None]


def _aggregate(created: Mapped[datetime], next_attempt: Mapped[datetime], now: datetime) -> _Counts:
    return sa.select(
        sa.func.count(),
        sa.func.sum(sa.case((next_attempt <= now, 1), else_=0)),
        sa.func.min(created),
    )


async def _queue(session: AsyncSession, query: _Counts, now: datetime) -> Queue:
    connection = await session.connection()
    pending, due, oldest = (await connection.execute(query)).one()
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Queue(pending=int(pending), due=int(due or 0), oldest_seconds=age)


async def outbox_backlog(session: AsyncSession) -> Backlog:
    now = utcnow()
    deliveries = _aggregate(
        col(WebhookDelivery.created_at), col(WebhookDelivery.next_attempt_at), now
    ).where(col(WebhookDelivery.status) == DeliveryStatus.PENDING)
    mail = _aggregate(col(MailJob.created_at), col(MailJob.next_attempt_at), now).select_from(
        MailJob
    )
    return Backlog(
        webhook_deliveries=await _queue(session, deliveries, now),
        mail_jobs=await _queue(session, mail, now),
    )
