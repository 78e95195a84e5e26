"""The JSON body of a webhook delivery: built once, at the delivery's first attempt, from the
event row and the registry as it is then, and stored with the delivery so every retry sends the
same bytes (and the same signature input).

A body (snake_case, documented in README "Webhooks"):

    {"id": "msg_…", "type": "version.stage_changed", "timestamp": "2026-…Z",
     "event": {"id", "type", "time", "actor"}, "project": {"id", "path", "name"},
     "model": {"id", "name"}, "version": {"id", "number", "semver", "stage"},
     "from_stage", "to_stage", "aliases": [...], "semver_guard": {...} (a new version, or one
     headed for Production),
     "request": {"id", "comment", "status"}, "comment", "data": {raw event payload}}

Keys that do not apply to an event are left out. What no longer exists (a deleted model or
version) is described from the event's own payload. A test event (`webhook.test`, no event row)
gets `id`, `type`, `timestamp`, `webhook`, `project` and a `data.message`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import (
    Event,
    ModelAlias,
    ModelVersion,
    Project,
    RegisteredModel,
    TransitionRequest,
)
from modelreg.db.types import utcnow
from modelreg.domain.events import EventType
from modelreg.domain.lifecycle import Stage
from modelreg.domain.webhooks import TEST_TOPIC
from modelreg.services.compatibility import GuardedCompatibility, compatibility_by_versions

# Events whose `from`/`to` are stages (a stage change, a transition request's life).
_STAGE_EVENTS = frozenset(
    {
        EventType.VERSION_STAGE_CHANGED.value,
        EventType.TRANSITION_REQUESTED.value,
        EventType.TRANSITION_APPROVED.value,
        EventType.TRANSITION_REJECTED.value,
        EventType.TRANSITION_CANCELLED.value,
    }
)
_COMMENT_EVENTS = frozenset(
    {
        EventType.COMMENT_ADDED.value,
        EventType.COMMENT_EDITED.value,
    }
)
TEST_MESSAGE = "A test event from modelreg: this webhook can reach you and its signature verifies."


@dataclass(frozen=True, slots=True)
class BodyRequest:
    """One delivery that needs a body."""

    message_id: str
    topic: str
    event_id: int | None
    webhook_id: int
    project_id: int


def _guard_applies(event_type: str, payload: dict[str, Any]) -> bool:
    if event_type == EventType.VERSION_CREATED.value:
        return True
    return event_type in _STAGE_EVENTS and payload.get("to") == Stage.PRODUCTION.value


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def encode(body: dict[str, Any]) -> str:
    """The stored and sent text: compact JSON, non-ASCII kept as UTF-8."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def _project(project: Project | None, project_id: int) -> dict[str, Any]:
    if project is None:
        return {"id": project_id, "path": None, "name": None}
    return {"id": project.id, "path": project.path, "name": project.name}


def _guard(found: GuardedCompatibility) -> dict[str, Any]:
    verdict = found.compatibility
    return {
        "guard": found.guard.value,
        "verdict": verdict.verdict.value,
        "previous_version": verdict.previous_version,
        "declared_bump": verdict.declared_bump.value if verdict.declared_bump else None,
        "required_bump": verdict.required_bump.value if verdict.required_bump else None,
        "suggested_version": verdict.suggested_version,
        "warning": found.warning,
    }


@dataclass
class _State:
    """What the registry holds now for a batch of events (a fixed number of statements)."""

    events: dict[int, Event]
    projects: dict[int, Project]
    models: dict[int, RegisteredModel]
    versions: dict[int, ModelVersion]
    aliases: dict[int, list[str]]
    requests: dict[int, TransitionRequest]
    guards: dict[int, GuardedCompatibility]


async def _load(session: AsyncSession, wanted: Sequence[BodyRequest]) -> _State:
    event_ids = sorted({w.event_id for w in wanted if w.event_id is not None})
    events = {
        e.id: e
        for e in (await session.exec(select(Event).where(col(Event.id).in_(event_ids)))).all()
        if e.id is not None
    }
    project_ids = sorted({w.project_id for w in wanted})
    projects = {
        p.id: p
        for p in (await session.exec(select(Project).where(col(Project.id).in_(project_ids))))
        if p.id is not None
    }
    model_ids = sorted({e.model_id for e in events.values() if e.model_id is not None})
    models = {
        m.id: m
        for m in (
            await session.exec(
                select(RegisteredModel).where(col(RegisteredModel.id).in_(model_ids))
            )
        )
        if m.id is not None
    }
    version_ids = sorted({e.version_id for e in events.values() if e.version_id is not None})
    versions = {
        v.id: v
        for v in (
            await session.exec(select(ModelVersion).where(col(ModelVersion.id).in_(version_ids)))
        )
        if v.id is not None
    }
    aliases: dict[int, list[str]] = defaultdict(list)
    for alias in await session.exec(
        select(ModelAlias).where(col(ModelAlias.version_id).in_(sorted(versions)))
    ):
        aliases[alias.version_id].append(alias.alias)
    request_ids = sorted(
        {
            int(e.payload["request_id"])
            for e in events.values()
            if isinstance(e.payload.get("request_id"), int)
        }
    )
    requests = {
        r.id: r
        for r in (
            await session.exec(
                select(TransitionRequest).where(col(TransitionRequest.id).in_(request_ids))
            )
        )
        if r.id is not None
    }
    # The guard's verdict where it applies: a new version, and a version headed for Production.
    # (It reads every version of the model, so it is not worked out for other events.)
    judged = sorted(
        {
            e.version_id
            for e in events.values()
            if e.version_id in versions and _guard_applies(e.type, e.payload or {})
        }
    )
    guards = await compatibility_by_versions(session, judged) if judged else {}
    return _State(events, projects, models, versions, aliases, requests, guards)


def _event_body(state: _State, wanted: BodyRequest, event: Event) -> dict[str, Any]:
    data: dict[str, Any] = dict(event.payload or {})
    body: dict[str, Any] = {
        "id": wanted.message_id,
        "type": wanted.topic,
        "timestamp": _iso(event.created_at),
        "event": {
            "id": event.id,
            "type": event.type,
            "time": _iso(event.created_at),
            "actor": event.actor,
        },
        "project": _project(state.projects.get(wanted.project_id), wanted.project_id),
    }
    if event.model_id is not None:
        model = state.models.get(event.model_id)
        name = model.name if model is not None else data.get("model") or data.get("name")
        body["model"] = {"id": event.model_id, "name": name}
    if event.version_id is not None:
        version = state.versions.get(event.version_id)
        if version is not None:
            body["version"] = {
                "id": version.id,
                "number": version.number,
                "semver": version.version,
                "stage": version.stage.value,
            }
            body["aliases"] = sorted(state.aliases.get(event.version_id, []))
            if event.version_id in state.guards:
                body["semver_guard"] = _guard(state.guards[event.version_id])
        else:  # deleted since: what the event said of it
            body["version"] = {
                "id": event.version_id,
                "number": data.get("number"),
                "semver": data.get("version"),
                "stage": None,
            }
            body["aliases"] = []
    if event.type in _STAGE_EVENTS:
        body["from_stage"] = data.get("from")
        body["to_stage"] = data.get("to")
    request_id = data.get("request_id")
    if isinstance(request_id, int):
        request = state.requests.get(request_id)
        body["request"] = {
            "id": request_id,
            "comment": request.comment if request is not None else None,
            "status": request.status.value if request is not None else None,
        }
    if event.type in _COMMENT_EVENTS and isinstance(data.get("body"), str):
        body["comment"] = data["body"]
    elif isinstance(data.get("comment"), str):
        body["comment"] = data["comment"]
    body["data"] = data
    return body


def _test_body(state: _State, wanted: BodyRequest, now: datetime) -> dict[str, Any]:
    return {
        "id": wanted.message_id,
        "type": TEST_TOPIC,
        "timestamp": _iso(now),
        "webhook": {"id": wanted.webhook_id},
        "project": _project(state.projects.get(wanted.project_id), wanted.project_id),
        "data": {"message": TEST_MESSAGE},
    }


async def build_bodies(session: AsyncSession, wanted: Sequence[BodyRequest]) -> dict[str, str]:
    """The encoded body of each delivery, by message id (a fixed number of statements for the
    whole batch)."""
    if not wanted:
        return {}
    state = await _load(session, wanted)
    now = utcnow()
    bodies: dict[str, str] = {}
    for item in wanted:
        event = state.events.get(item.event_id) if item.event_id is not None else None
        if event is None:  # a test event (or an event row gone: say what we know)
            body = _test_body(state, item, now)
            if item.topic != TEST_TOPIC:
                body["type"] = item.topic
                body["data"] = {"event_id": item.event_id}
        else:
            body = _event_body(state, item, event)
        bodies[item.message_id] = encode(body)
    return bodies
