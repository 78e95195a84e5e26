"""History: which versions were in a stage, or behind an alias, at a past time, answered by
replaying the model's event log."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Event, ModelVersion
from modelreg.domain.events import EventType
from modelreg.domain.lifecycle import Stage
from modelreg.errors import InvalidArgument

_HISTORY_TYPES = (
    EventType.VERSION_CREATED,
    EventType.VERSION_DELETED,
    EventType.VERSION_STAGE_CHANGED,
    EventType.ALIAS_SET,
    EventType.ALIAS_DELETED,
)


async def versions_at(
    session: AsyncSession,
    *,
    model_id: int,
    at: datetime,
    stage: Stage | None = None,
    alias: str | None = None,
) -> list[ModelVersion]:
    """The versions that were in `stage`, or that `alias` pointed at, at time `at`.

    Answered by replaying the model's event log up to `at`, so it covers every change ever made.
    Versions deleted since are left out (there is nothing left to show).
    """
    if (stage is None) == (alias is None):
        raise InvalidArgument("Give exactly one of `stage` and `alias`.", field="stage")
    if at.tzinfo is None:
        raise InvalidArgument(
            "`at` needs a time zone, for example 2026-01-31T12:00:00Z.", field="at"
        )
    events = await session.exec(
        select(Event)
        .where(
            Event.model_id == model_id,
            col(Event.type).in_([t.value for t in _HISTORY_TYPES]),
            col(Event.created_at) <= at,
        )
        .order_by(col(Event.id))
    )
    stages: dict[int, str] = {}
    aliases: dict[str, int] = {}
    for event in events:
        version_id = event.version_id
        if version_id is None:
            continue
        if event.type == EventType.VERSION_CREATED:
            stages[version_id] = Stage.NONE.value
        elif event.type == EventType.VERSION_DELETED:
            stages.pop(version_id, None)
            aliases = {a: v for a, v in aliases.items() if v != version_id}
        elif event.type == EventType.VERSION_STAGE_CHANGED:
            stages[version_id] = str(event.payload.get("to"))
        elif event.type == EventType.ALIAS_SET:
            aliases[str(event.payload.get("alias"))] = version_id
        elif event.type == EventType.ALIAS_DELETED:
            aliases.pop(str(event.payload.get("alias")), None)
    if stage is not None:
        ids = [v for v, s in stages.items() if s == stage.value]
    else:
        ids = [aliases[alias]] if alias in aliases else []
    if not ids:
        return []
    rows = await session.exec(
        select(ModelVersion)
        .where(col(ModelVersion.id).in_(ids), ModelVersion.model_id == model_id)
        .order_by(col(ModelVersion.sort_key).desc())
    )
    return list(rows)
