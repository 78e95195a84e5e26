"""The mail outbox's state changes: claiming jobs, the daily cap, digests, finishing a job.

The mail worker (`events/mail_worker.py`) drives these in short transactions and does the SMTP
I/O between them:

1. `claim_jobs` leases due jobs by moving `next_attempt_at` past the lease (FOR UPDATE SKIP
   LOCKED on PostgreSQL, so two processes never take the same job; SQLite has one writer).
2. `plan_job` decides the recipients now (`notifications.recipients`), leaves out those the job
   already dealt with, and reserves a place under each one's daily cap: within the cap a mail,
   the first one past it a "limit reached" mail, later ones a digest item (stored at once).
3. `finish_job` records what was sent, gives back the reservations of mails that failed, and
   deletes the job, or schedules a retry with backoff when some mail could not be sent.

Nothing is dropped: a mail that was not sent stays owed, and an event past the cap goes into
the next day's digest (`due_digests`, `finish_digest`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import plain, queues_writers
from modelreg.db.mail_models import MailCounter, MailDigestItem, MailJobSent
from modelreg.db.models import Event, ModelVersion, Project, RegisteredModel, UserAccount
from modelreg.db.notification_models import MailJob
from modelreg.domain import policy
from modelreg.domain.actor import Actor
from modelreg.services import access, notifications
from modelreg.services.mail import Subject

Clock = Callable[[], datetime]

LEASE = timedelta(minutes=5)
# Retries of a job some mail of which could not be sent: 1, 2, 4 … minutes, then hourly,
# for about two days; then the job is given up (and logged).
MAX_ATTEMPTS = 55
BATCH = 20


def retry_delay(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


async def has_jobs(session: AsyncSession, *, due_by: datetime | None = None) -> bool:
    """Whether any job is queued (due by `due_by`, when given): a cheap read, so an idle worker
    never takes SQLite's writer queue."""
    statement = select(MailJob.id).limit(1)
    if due_by is not None:
        statement = statement.where(col(MailJob.next_attempt_at) <= due_by)
    return (await session.exec(statement)).first() is not None


async def claim_jobs(session: AsyncSession, *, now: datetime, limit: int = BATCH) -> list[int]:
    """Lease up to `limit` due jobs for this worker; their ids, oldest due first."""
    due = (
        select(MailJob.id)
        .where(col(MailJob.next_attempt_at) <= now)
        .order_by(col(MailJob.next_attempt_at), col(MailJob.id))
        .limit(limit)
    )
    if not queues_writers(session):
        due = due.with_for_update(skip_locked=True)
    ids = [i for i in (await session.exec(due)).all() if i is not None]
    if ids:
        await session.exec(
            sa.update(MailJob)
            .where(col(MailJob.id).in_(ids))
            .values(next_attempt_at=now + LEASE, attempts=MailJob.attempts + 1)
        )
    return ids


async def purge_jobs(session: AsyncSession, *, limit: int = 500) -> int:
    """Mail is off: drop queued jobs so they do not pile up. How many went."""
    ids = (await session.exec(select(MailJob.id).limit(limit))).all()
    if ids:
        await session.exec(sa.delete(MailJob).where(col(MailJob.id).in_(ids)))
    return len(ids)


async def load_subject(session: AsyncSession, event: Event) -> Subject | None:
    """What the event is about, as it reads now; None when its project is gone."""
    project = await session.get(Project, event.project_id) if event.project_id else None
    if project is None:
        return None
    model = await session.get(RegisteredModel, event.model_id) if event.model_id else None
    version = await session.get(ModelVersion, event.version_id) if event.version_id else None
    payload = event.payload or {}
    label = version.version if version else str(payload.get("version") or "")
    return Subject(
        event_id=event.id or 0,
        type=event.type,
        actor=event.actor,
        payload=payload,
        project_path=project.path,
        project_name=project.name,
        model_id=model.id if model else None,
        model_name=model.name if model else str(payload.get("model") or ""),
        version=label if event.version_id else "",
    )


class Kind(Enum):
    MAIL = "mail"
    LIMIT = "limit"  # the first past the cap: a "limit reached" mail; the event goes to the digest


@dataclass(frozen=True, slots=True)
class Outgoing:
    recipient: notifications.Recipient
    kind: Kind


@dataclass
class Plan:
    job_id: int
    attempts: int
    subject: Subject | None = None
    outgoing: list[Outgoing] = field(default_factory=list)


async def _reserve(session: AsyncSession, *, user_id: int, day: date) -> int:
    """Count one more mail for the user today; the count including it."""
    conn = await plain(session)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    table = MailCounter.__table__  # type: ignore[attr-defined]
    insert = dialect.insert(table).values(user_id=user_id, day=day, sent=1)
    upsert = insert.on_conflict_do_update(
        index_elements=["user_id", "day"], set_={"sent": table.c.sent + 1}
    ).returning(table.c.sent)
    return int((await conn.execute(upsert)).scalar_one())


async def _give_back(session: AsyncSession, *, user_id: int, day: date) -> None:
    await session.exec(
        sa.update(MailCounter)
        .where(col(MailCounter.user_id) == user_id, col(MailCounter.day) == day)
        .values(sent=MailCounter.sent - 1)
    )


async def _defer(
    session: AsyncSession, *, user_id: int, event_id: int, day: date, reason: str, now: datetime
) -> None:
    conn = await plain(session)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    table = MailDigestItem.__table__  # type: ignore[attr-defined]
    await conn.execute(
        dialect.insert(table)
        .values(user_id=user_id, event_id=event_id, day=day, reason=reason, created_at=now)
        .on_conflict_do_nothing()
    )


def _done(session: AsyncSession, job_id: int, user_id: int) -> None:
    session.add(MailJobSent(job_id=job_id, user_id=user_id))


async def plan_job(session: AsyncSession, *, job_id: int, cap: int, now: datetime) -> Plan | None:
    """Decide who gets the job's event now; None when the job is gone (another worker)."""
    job = await session.get(MailJob, job_id)
    if job is None:
        return None
    plan = Plan(job_id=job_id, attempts=job.attempts)
    event = await session.get(Event, job.event_id)
    if event is None:
        return plan
    plan.subject = await load_subject(session, event)
    if plan.subject is None:
        return plan
    already = set(
        (await session.exec(select(MailJobSent.user_id).where(MailJobSent.job_id == job_id))).all()
    )
    day = now.date()
    for recipient in await notifications.recipients(session, event):
        if recipient.user_id in already:
            continue
        count = await _reserve(session, user_id=recipient.user_id, day=day)
        if count <= cap:
            plan.outgoing.append(Outgoing(recipient, Kind.MAIL))
        elif count == cap + 1:
            plan.outgoing.append(Outgoing(recipient, Kind.LIMIT))
        else:
            await _defer(
                session,
                user_id=recipient.user_id,
                event_id=event.id or 0,
                day=day,
                reason=recipient.reason,
                now=now,
            )
            _done(session, job_id, recipient.user_id)
    return plan


async def finish_job(
    session: AsyncSession,
    *,
    plan: Plan,
    sent: Sequence[Outgoing],
    failed: Sequence[Outgoing],
    now: datetime,
) -> bool:
    """Record the outcome of sending a plan. True when the job is finished (and deleted)."""
    day = now.date()
    for out in sent:
        _done(session, plan.job_id, out.recipient.user_id)
        if out.kind is Kind.LIMIT and plan.subject is not None:
            await _defer(
                session,
                user_id=out.recipient.user_id,
                event_id=plan.subject.event_id,
                day=day,
                reason=out.recipient.reason,
                now=now,
            )
    for out in failed:
        await _give_back(session, user_id=out.recipient.user_id, day=day)
    await session.flush()
    if failed and plan.attempts < MAX_ATTEMPTS:
        await session.exec(
            sa.update(MailJob)
            .where(col(MailJob.id) == plan.job_id)
            .values(next_attempt_at=now + retry_delay(plan.attempts))
        )
        return False
    await session.exec(sa.delete(MailJob).where(col(MailJob.id) == plan.job_id))
    return True


# ----------------------------------------------------------------------------------- digests


async def due_digests(session: AsyncSession, *, today: date, limit: int = BATCH) -> list[int]:
    """Users with items deferred on a day before `today`."""
    rows = await session.exec(
        select(MailDigestItem.user_id)
        .where(col(MailDigestItem.day) < today)
        .group_by(col(MailDigestItem.user_id))
        .order_by(col(MailDigestItem.user_id))
        .limit(limit)
    )
    return list(rows.all())


@dataclass
class Digest:
    user_id: int
    email: str
    day: str
    item_ids: list[int]
    # What each item is about and why the user gets it; only what they may still read.
    entries: list[tuple[Subject, str]]


async def load_digest(session: AsyncSession, *, user_id: int, today: date) -> Digest | None:
    user = await session.get(UserAccount, user_id)
    items = (
        await session.exec(
            select(MailDigestItem)
            .where(MailDigestItem.user_id == user_id, col(MailDigestItem.day) < today)
            .order_by(col(MailDigestItem.id))
        )
    ).all()
    if not items:
        return None
    digest = Digest(
        user_id=user_id,
        email=user.email if user else "",
        day=min(i.day for i in items).isoformat(),
        item_ids=[i.id for i in items if i.id is not None],
        entries=[],
    )
    if user is None or not user.email:
        return digest  # nowhere to send: the items are dropped with the address
    person = Actor(name=user.username, user_id=user.id, is_admin=user.is_admin)
    for item in items:
        event = await session.get(Event, item.event_id)
        subject = await load_subject(session, event) if event else None
        if event is None or subject is None or event.project_id is None:
            continue
        project = await session.get(Project, event.project_id)
        role = await access.role_in(session, person, event.project_id)
        if project and policy.can_read(person, visibility=project.visibility, role=role):
            digest.entries.append((subject, item.reason))
    return digest


async def finish_digest(session: AsyncSession, *, item_ids: Sequence[int]) -> None:
    await session.exec(sa.delete(MailDigestItem).where(col(MailDigestItem.id).in_(list(item_ids))))
