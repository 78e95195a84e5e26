from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Event
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType


def record_event(
    session: AsyncSession,
    *,
    actor: Actor,
    type: EventType,
    project_id: int | None,
    model_id: int | None = None,
    version_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Append an event in the caller's transaction, so it exists exactly when the change does."""
    session.add(
        Event(
            type=type.value,
            actor=actor.name,
            project_id=project_id,
            model_id=model_id,
            version_id=version_id,
            payload=payload or {},
        )
    )
