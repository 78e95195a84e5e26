from __future__ import annotations

from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import plain
from modelreg.db.after_commit import wake_followers_after_commit
from modelreg.db.models import Event
from modelreg.db.types import utcnow
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.services import outbox
from modelreg.services.pagination import Page, SortKey, keyset_page


async def record_event(
    session: AsyncSession,
    *,
    actor: Actor,
    type: EventType,
    project_id: int | None,
    model_id: int | None = None,
    version_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Append an event in the caller's transaction, so it exists exactly when the change does.

    Written at once with a plain insert: events are never read back as objects in the
    transaction that records them, and skipping the unit of work keeps every change cheaper.
    Once the transaction commits, this process's event followers wake (`db/after_commit.py`).
    The event and what it owes webhooks and mail are written together (`services/outbox.py`)."""
    wake_followers_after_commit(session)
    conn = await plain(session)
    body = payload or {}
    values: dict[str, Any] = {
        "type": type.value,
        "actor": actor.name,
        "project_id": project_id,
        "model_id": model_id,
        "version_id": version_id,
        "payload": body,
        "created_at": utcnow(),
    }
    await outbox.record(session, conn, values, payload=body)


async def list_events(
    session: AsyncSession,
    *,
    project_id: int | None = None,
    model_id: int | None = None,
    version_id: int | None = None,
    first: int,
    after: str | None = None,
) -> Page[Event]:
    """The activity of a project, a model or a version: newest first, keyset-paginated."""
    statement = select(Event)
    if project_id is not None:
        statement = statement.where(Event.project_id == project_id)
    if model_id is not None:
        statement = statement.where(Event.model_id == model_id)
    if version_id is not None:
        statement = statement.where(Event.version_id == version_id)
    return await keyset_page(
        session, statement, keys=[_BY_ID], descending=True, first=first, after=after
    )


_BY_ID = SortKey[Event](col(Event.id), lambda e: e.id)
