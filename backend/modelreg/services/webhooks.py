"""Managing a project's webhooks: create, change, delete, rotate the secret, list.

MAINTAINERs of the project (and instance admins) manage its webhooks; a caller who may not read
the project gets the same NOT_FOUND a missing webhook gives. The secret is made here, shown to
the caller once (creation, rotation) and never again: reads give a `secret_hint`, events and
errors never carry it. Sending (test events, redeliveries, replays) and the delivery log are in
`services/webhook_sends.py`; the delivery itself is the outbox worker's (`events/`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Final

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Project, RegisteredModel
from modelreg.db.notification_models import Webhook
from modelreg.db.types import utcnow
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.policy import Ability
from modelreg.domain.webhooks import (
    WebhookStatus,
    format_secret,
    parse_url,
    url_origin,
    validate_topics,
)
from modelreg.errors import Conflict, InvalidArgument, NotFound
from modelreg.services import access
from modelreg.services.events import record_event

MAX_WEBHOOKS_PER_PROJECT = 100
MAX_DESCRIPTION_LENGTH = 2000
SECRET_BYTES = 32
# How long the previous secret keeps signing after a rotation, so receivers can switch.
DEFAULT_PREVIOUS_SECRET_VALIDITY = timedelta(hours=24)
MAX_PREVIOUS_SECRET_VALIDITY = timedelta(days=7)


class Keep(Enum):
    KEEP = "keep"


KEEP: Final = Keep.KEEP
"""For `update_webhook`: leave this field as it is (None means 'no model filter')."""


@dataclass(frozen=True, slots=True)
class WebhookWithSecret:
    """A webhook just created or rotated, with its new secret: the one time it is shown."""

    webhook: Webhook
    secret: str


def new_secret() -> str:
    return format_secret(secrets.token_bytes(SECRET_BYTES))


def secret_hint(secret: str) -> str:
    """Enough to tell secrets apart (the last 4 characters), never enough to use one."""
    return "…" + secret[-4:]


def _no_webhook(webhook_id: int) -> NotFound:
    return NotFound(f"No webhook has the id {webhook_id}.", field="id")


def _no_project(project_id: int) -> NotFound:
    return NotFound(f"No project has the id {project_id}.", field="projectId")


async def get_webhook(
    session: AsyncSession, *, actor: Actor, webhook_id: int, hidden: NotFound | None = None
) -> tuple[Webhook, Project]:
    """The webhook and its project, when `actor` may manage the project's webhooks; else
    `hidden` (what a missing webhook answers) to those who may not read the project."""
    webhook = await session.get(Webhook, webhook_id)
    hidden = hidden or _no_webhook(webhook_id)
    if webhook is None:
        raise hidden
    project = await access.require(
        session, actor, webhook.project_id, Ability.MANAGE_WEBHOOKS, hidden=hidden
    )
    return webhook, project


async def list_webhooks(session: AsyncSession, *, actor: Actor, project_id: int) -> list[Webhook]:
    """The project's webhooks, oldest first (MAINTAINERs only)."""
    await access.require(
        session, actor, project_id, Ability.MANAGE_WEBHOOKS, hidden=_no_project(project_id)
    )
    rows = await session.exec(
        select(Webhook).where(Webhook.project_id == project_id).order_by(col(Webhook.id))
    )
    return list(rows.all())


def _url(url: str) -> str:
    return parse_url(url, field="url").url


def _description(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_DESCRIPTION_LENGTH:
        raise InvalidArgument(
            f"A description is at most {MAX_DESCRIPTION_LENGTH} characters.", field="description"
        )
    return text


async def _model_filter(session: AsyncSession, *, project: Project, model_id: int | None) -> None:
    if model_id is None:
        return
    model = await session.get(RegisteredModel, model_id)
    if model is None or model.project_id != project.id:
        raise NotFound(
            f"Project '{project.path}' has no model with the id {model_id}; choose one of its "
            "models, or none for every model.",
            field="modelId",
        )


def _event_payload(webhook: Webhook, **extra: Any) -> dict[str, Any]:
    """What a webhook event records, which every reader of the project sees: never the secret,
    and of the URL only its origin (a path or query may hold a receiver's credential)."""
    return {
        "webhook_id": webhook.id,
        "url": url_origin(webhook.url),
        "events": list(webhook.events),
        "model_id": webhook.model_id,
        "status": webhook.status.value,
        **extra,
    }


async def create_webhook(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    url: str,
    events: list[str],
    description: str = "",
    model_id: int | None = None,
    status: WebhookStatus = WebhookStatus.ACTIVE,
) -> WebhookWithSecret:
    project = await access.require(
        session, actor, project_id, Ability.MANAGE_WEBHOOKS, hidden=_no_project(project_id)
    )
    clean_url = _url(url)
    topics = validate_topics(events, field="events")
    text = _description(description)
    await _model_filter(session, project=project, model_id=model_id)
    count = (
        await session.exec(
            select(sa.func.count()).select_from(Webhook).where(Webhook.project_id == project_id)
        )
    ).one()
    if count >= MAX_WEBHOOKS_PER_PROJECT:
        raise Conflict(
            f"Project '{project.path}' already has {MAX_WEBHOOKS_PER_PROJECT} webhooks, the "
            "most it may have; delete one first.",
            field="projectId",
        )
    secret = new_secret()
    webhook = Webhook(
        project_id=project_id,
        model_id=model_id,
        url=clean_url,
        description=text,
        events=topics,
        status=status,
        secret=secret,
        created_by=actor.name,
    )
    session.add(webhook)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.WEBHOOK_CREATED,
        project_id=project_id,
        model_id=model_id,
        payload=_event_payload(webhook),
    )
    return WebhookWithSecret(webhook=webhook, secret=secret)


async def update_webhook(
    session: AsyncSession,
    *,
    actor: Actor,
    webhook_id: int,
    url: str | None = None,
    description: str | None = None,
    events: list[str] | None = None,
    model_id: int | Keep | None = KEEP,
    status: WebhookStatus | None = None,
) -> Webhook:
    """Change what is given. Enabling a webhook (to ACTIVE or TEST_MODE) forgets the failures
    that disabled it."""
    webhook, project = await get_webhook(session, actor=actor, webhook_id=webhook_id)
    changed: list[str] = []
    if url is not None and (clean := _url(url)) != webhook.url:
        webhook.url = clean
        changed.append("url")
    if description is not None and (text := _description(description)) != webhook.description:
        webhook.description = text
        changed.append("description")
    if events is not None and (topics := validate_topics(events, field="events")) != list(
        webhook.events
    ):
        webhook.events = topics
        changed.append("events")
    if model_id is not KEEP and model_id != webhook.model_id:
        await _model_filter(session, project=project, model_id=model_id)
        webhook.model_id = model_id
        changed.append("model_id")
    if status is not None and status != webhook.status:
        webhook.status = status
        changed.append("status")
        if status != WebhookStatus.DISABLED:
            webhook.consecutive_failures = 0
        webhook.disabled_reason = ""
    if not changed:
        return webhook
    webhook.updated_at = utcnow()
    session.add(webhook)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.WEBHOOK_UPDATED,
        project_id=webhook.project_id,
        model_id=webhook.model_id,
        payload=_event_payload(webhook, changed=changed),
    )
    return webhook


async def delete_webhook(session: AsyncSession, *, actor: Actor, webhook_id: int) -> Webhook:
    """Delete the webhook with its delivery log; pending deliveries are dropped."""
    webhook, _ = await get_webhook(session, actor=actor, webhook_id=webhook_id)
    payload = _event_payload(webhook)
    await session.delete(webhook)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.WEBHOOK_DELETED,
        project_id=webhook.project_id,
        model_id=webhook.model_id,
        payload=payload,
    )
    return webhook


def _validity(previous_valid_for: timedelta) -> timedelta:
    if previous_valid_for < timedelta(0) or previous_valid_for > MAX_PREVIOUS_SECRET_VALIDITY:
        raise InvalidArgument(
            "The previous secret can stay valid for 0 to 168 hours (7 days).",
            field="overlapHours",
        )
    return previous_valid_for


async def rotate_secret(
    session: AsyncSession,
    *,
    actor: Actor,
    webhook_id: int,
    previous_valid_for: timedelta = DEFAULT_PREVIOUS_SECRET_VALIDITY,
) -> WebhookWithSecret:
    """A new secret; the current one keeps signing (a second signature) for
    `previous_valid_for`, so receivers can switch without losing deliveries. 0 ends it now."""
    validity = _validity(previous_valid_for)
    webhook, _ = await get_webhook(session, actor=actor, webhook_id=webhook_id)
    now = utcnow()
    secret = new_secret()
    if validity > timedelta(0):
        webhook.previous_secret = webhook.secret
        webhook.previous_secret_expires_at = now + validity
    else:
        webhook.previous_secret = None
        webhook.previous_secret_expires_at = None
    webhook.secret = secret
    webhook.updated_at = now
    session.add(webhook)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.WEBHOOK_UPDATED,
        project_id=webhook.project_id,
        model_id=webhook.model_id,
        payload=_event_payload(
            webhook,
            changed=["secret"],
            previous_secret_valid_until=(
                webhook.previous_secret_expires_at.isoformat()
                if webhook.previous_secret_expires_at
                else None
            ),
        ),
    )
    return WebhookWithSecret(webhook=webhook, secret=secret)


def previous_secret_valid_until(webhook: Webhook) -> datetime | None:
    """When the previous secret stops signing, or None when there is none (or it lapsed)."""
    expires = webhook.previous_secret_expires_at
    if webhook.previous_secret is None or expires is None or expires <= utcnow():
        return None
    return expires
