"""Stages, transition requests, aliases, and "as of" history answered from the event log."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import plain, queues_writers
from modelreg.db.models import (
    Event,
    ModelAlias,
    ModelVersion,
    RegisteredModel,
    TransitionRequest,
    VersionTag,
)
from modelreg.db.types import utcnow
from modelreg.domain import policy
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.lifecycle import (
    RequestStatus,
    Stage,
    check_target_stage,
    validate_alias,
    validate_comment,
)
from modelreg.domain.policy import Ability
from modelreg.errors import Conflict, InvalidArgument, NotFound, PermissionDenied
from modelreg.services import access
from modelreg.services.compatibility import enforce_production_release
from modelreg.services.events import record_event
from modelreg.services.models import lock_model

_VERSION_NUMBER = re.compile(r"v([0-9]+)", re.IGNORECASE)


async def _locked_version(
    session: AsyncSession,
    version_id: int,
    *,
    actor: Actor,
    hidden: NotFound | None = None,
) -> tuple[ModelVersion, RegisteredModel]:
    """The version and its model, with the model row locked and the version read after the lock.

    Every lifecycle change of a model's versions takes this lock first, so concurrent changes
    run one after another and each sees what the previous one committed. The actor must be able
    to read the project; callers then check the ability, which depends on the version's stage.
    """
    hidden = hidden or NotFound(f"No model version has the id {version_id}.", field="versionId")
    if queues_writers(session):
        # Nobody else writes until this transaction ends: rows as read are current.
        found = await session.get(ModelVersion, version_id)
        if found is None:
            raise hidden
        locked = await session.get(RegisteredModel, found.model_id)
        assert locked is not None
        await access.require(session, actor, locked.project_id, Ability.READ, hidden=hidden)
        return found, locked
    model_id = (
        await session.exec(select(ModelVersion.model_id).where(ModelVersion.id == version_id))
    ).first()
    if model_id is None:
        raise hidden
    model = (
        await session.exec(
            select(RegisteredModel)
            .where(RegisteredModel.id == model_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()
    await access.require(session, actor, model.project_id, Ability.READ, hidden=hidden)
    version = (
        await session.exec(
            select(ModelVersion)
            .where(ModelVersion.id == version_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    return version, model


def _version_ref(version: ModelVersion) -> dict[str, Any]:
    return {"version_id": version.id, "version": version.version, "number": version.number}


_SET_STAGE = (
    sa.update(ModelVersion)
    .where(col(ModelVersion.id) == sa.bindparam("version_id"))
    .values(stage=sa.bindparam("stage"), updated_at=sa.bindparam("now"))
)
_TOUCH_MODEL = (
    sa.update(RegisteredModel)
    .where(col(RegisteredModel.id) == sa.bindparam("model_id"))
    .values(updated_at=sa.bindparam("now"))
)


async def _apply_transition(
    session: AsyncSession,
    *,
    actor: Actor,
    model: RegisteredModel,
    version: ModelVersion,
    stage: Stage,
    comment: str,
    archive_existing: bool,
    request_id: int | None = None,
) -> None:
    check_target_stage(version.stage, stage)
    await enforce_production_release(session, version=version, model=model, stage=stage)
    now = utcnow()
    archived: list[ModelVersion] = []
    if archive_existing and stage != Stage.ARCHIVED:
        others = await session.exec(
            select(ModelVersion)
            .where(
                ModelVersion.model_id == model.id,
                ModelVersion.stage == stage,
                ModelVersion.id != version.id,
            )
            .order_by(col(ModelVersion.id))
            .execution_options(populate_existing=True)
        )
        archived = list(others)
    previous = version.stage
    # Plain statements instead of the unit of work (a transition is a hot write); the session
    # then holds the rows as they now are in the database.
    changes = [(version, stage), *((other, Stage.ARCHIVED) for other in archived)]
    connection = await plain(session)
    await connection.execute(
        _SET_STAGE, [{"version_id": v.id, "stage": s, "now": now} for v, s in changes]
    )
    await connection.execute(_TOUCH_MODEL, {"model_id": model.id, "now": now})
    for changed, new_stage in changes:
        set_committed_value(changed, "stage", new_stage)
        set_committed_value(changed, "updated_at", now)
    set_committed_value(model, "updated_at", now)
    await record_event(
        session,
        actor=actor,
        type=EventType.VERSION_STAGE_CHANGED,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={
            **_version_ref(version),
            "from": previous.value,
            "to": stage.value,
            "comment": comment,
            "archive_existing": archive_existing,
            "archived": [_version_ref(v) for v in archived],
            "request_id": request_id,
        },
    )
    for other in archived:
        await record_event(
            session,
            actor=actor,
            type=EventType.VERSION_STAGE_CHANGED,
            project_id=model.project_id,
            model_id=model.id,
            version_id=other.id,
            payload={
                **_version_ref(other),
                "from": stage.value,
                "to": Stage.ARCHIVED.value,
                "comment": f"Archived when version {version.version} moved to {stage.label}.",
                "archive_existing": False,
                "archived": [],
                "archived_by_version_id": version.id,
                "request_id": request_id,
            },
        )


async def transition_stage(
    session: AsyncSession,
    *,
    actor: Actor,
    version_id: int,
    stage: Stage,
    comment: str = "",
    archive_existing: bool = False,
) -> ModelVersion:
    """Move a version to `stage`; `archive_existing` archives the model's other versions there."""
    comment = validate_comment(comment)
    version, model = await _locked_version(session, version_id, actor=actor)
    await access.require(
        session, actor, model.project_id, Ability.TRANSITION_STAGE, stages=[version.stage, stage]
    )
    await _apply_transition(
        session,
        actor=actor,
        model=model,
        version=version,
        stage=stage,
        comment=comment,
        archive_existing=archive_existing,
    )
    return version


def _no_request(request_id: int) -> NotFound:
    return NotFound(f"No transition request has the id {request_id}.", field="id")


async def _get_request(session: AsyncSession, *, request_id: int) -> TransitionRequest:
    found = await session.get(TransitionRequest, request_id)
    if found is None:
        raise _no_request(request_id)
    return found


async def request_transition(
    session: AsyncSession,
    *,
    actor: Actor,
    version_id: int,
    stage: Stage,
    comment: str = "",
    archive_existing: bool = False,
) -> TransitionRequest:
    comment = validate_comment(comment)
    version, model = await _locked_version(session, version_id, actor=actor)
    await access.require(session, actor, model.project_id, Ability.REQUEST_TRANSITION)
    check_target_stage(version.stage, stage)
    # A request no one could approve is refused up front.
    await enforce_production_release(session, version=version, model=model, stage=stage)
    row = TransitionRequest(
        version_id=version_id,
        target_stage=stage,
        requester=actor.name,
        comment=comment,
        archive_existing=archive_existing,
    )
    session.add(row)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.TRANSITION_REQUESTED,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={
            **_version_ref(version),
            "request_id": row.id,
            "from": version.stage.value,
            "to": stage.value,
            "comment": comment,
            "archive_existing": archive_existing,
        },
    )
    return row


async def _pending_request(
    session: AsyncSession, request_id: int, verb: str, *, actor: Actor
) -> tuple[TransitionRequest, ModelVersion, RegisteredModel]:
    request = await _get_request(session, request_id=request_id)
    version, model = await _locked_version(
        session, request.version_id, actor=actor, hidden=_no_request(request_id)
    )
    # Read again after the lock: a concurrent resolution has committed by now.
    request = (
        await session.exec(
            select(TransitionRequest)
            .where(TransitionRequest.id == request_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    if request.status != RequestStatus.PENDING:
        by = f" by {request.resolver}" if request.resolver else ""
        raise Conflict(
            f"This request to move version {version.version} to {request.target_stage.label} "
            f"was already {request.status.value.lower()}{by}, so it cannot be {verb}; "
            "make a new request if the transition is still wanted.",
            field="id",
        )
    return request, version, model


async def _resolve(
    session: AsyncSession,
    *,
    actor: Actor,
    request: TransitionRequest,
    version: ModelVersion,
    model: RegisteredModel,
    status: RequestStatus,
    comment: str,
    event: EventType,
) -> None:
    request.status = status
    request.resolver = actor.name
    request.resolution_comment = comment
    request.resolved_at = utcnow()
    session.add(request)
    await record_event(
        session,
        actor=actor,
        type=event,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={
            **_version_ref(version),
            "request_id": request.id,
            "to": request.target_stage.value,
            "requester": request.requester,
            "comment": comment,
            "archive_existing": request.archive_existing,
        },
    )


async def _require_approver(
    session: AsyncSession,
    actor: Actor,
    request: TransitionRequest,
    version: ModelVersion,
    model: RegisteredModel,
) -> None:
    await access.require(
        session,
        actor,
        model.project_id,
        Ability.APPROVE_TRANSITION,
        stages=[version.stage, request.target_stage],
    )


async def approve_request(
    session: AsyncSession,
    *,
    actor: Actor,
    request_id: int,
    comment: str = "",
    archive_existing: bool | None = None,
) -> TransitionRequest:
    """Approve and perform the transition; `archive_existing` None keeps the requester's choice."""
    comment = validate_comment(comment)
    request, version, model = await _pending_request(session, request_id, "approved", actor=actor)
    await _require_approver(session, actor, request, version, model)
    if archive_existing is not None:
        request.archive_existing = archive_existing
    await _resolve(
        session,
        actor=actor,
        request=request,
        version=version,
        model=model,
        status=RequestStatus.APPROVED,
        comment=comment,
        event=EventType.TRANSITION_APPROVED,
    )
    await _apply_transition(
        session,
        actor=actor,
        model=model,
        version=version,
        stage=request.target_stage,
        comment=comment,
        archive_existing=request.archive_existing,
        request_id=request.id,
    )
    return request


async def reject_request(
    session: AsyncSession, *, actor: Actor, request_id: int, comment: str = ""
) -> TransitionRequest:
    comment = validate_comment(comment)
    request, version, model = await _pending_request(session, request_id, "rejected", actor=actor)
    await _require_approver(session, actor, request, version, model)
    await _resolve(
        session,
        actor=actor,
        request=request,
        version=version,
        model=model,
        status=RequestStatus.REJECTED,
        comment=comment,
        event=EventType.TRANSITION_REJECTED,
    )
    await session.flush()
    return request


async def cancel_request(
    session: AsyncSession, *, actor: Actor, request_id: int, comment: str = ""
) -> TransitionRequest:
    comment = validate_comment(comment)
    request, version, model = await _pending_request(session, request_id, "cancelled", actor=actor)
    await access.require(session, actor, model.project_id, Ability.REQUEST_TRANSITION)
    if not policy.is_author(actor, author=request.requester):
        raise PermissionDenied(
            f"Only {request.requester}, who made this request, can cancel it; "
            "reject it instead if you may approve transitions.",
            field="id",
        )
    await _resolve(
        session,
        actor=actor,
        request=request,
        version=version,
        model=model,
        status=RequestStatus.CANCELLED,
        comment=comment,
        event=EventType.TRANSITION_CANCELLED,
    )
    await session.flush()
    return request


async def requests_by_versions(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, list[TransitionRequest]]:
    """Every request of each version, newest first."""
    rows = await session.exec(
        select(TransitionRequest)
        .where(col(TransitionRequest.version_id).in_(version_ids))
        .order_by(col(TransitionRequest.id).desc())
    )
    found: dict[int, list[TransitionRequest]] = {}
    for row in rows:
        found.setdefault(row.version_id, []).append(row)
    return found


# Aliases


async def set_alias(
    session: AsyncSession, *, actor: Actor, version_id: int, alias: str
) -> ModelAlias:
    """Point `alias` at the version; if it points at another version of the model, move it."""
    alias = validate_alias(alias)
    version, model = await _locked_version(session, version_id, actor=actor)
    await access.require(session, actor, model.project_id, Ability.MANAGE_ALIASES)
    row = (
        await session.exec(
            select(ModelAlias).where(ModelAlias.model_id == model.id, ModelAlias.alias == alias)
        )
    ).first()
    previous: ModelVersion | None = None
    if row is not None:
        if row.version_id == version.id:
            return row
        previous = await session.get(ModelVersion, row.version_id)
        row.version_id = version_id
        row.created_by = actor.name
        row.updated_at = utcnow()
    else:
        assert model.id is not None
        row = ModelAlias(
            model_id=model.id, alias=alias, version_id=version_id, created_by=actor.name
        )
    session.add(row)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.ALIAS_SET,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={
            **_version_ref(version),
            "alias": alias,
            "from_version_id": previous.id if previous else None,
            "from_version": previous.version if previous else None,
        },
    )
    return row


async def delete_alias(
    session: AsyncSession, *, actor: Actor, model_id: int, alias: str
) -> ModelAlias:
    model = await lock_model(
        session, model_id=model_id, actor=actor, ability=Ability.MANAGE_ALIASES
    )
    row = (
        await session.exec(
            select(ModelAlias).where(ModelAlias.model_id == model_id, ModelAlias.alias == alias)
        )
    ).first()
    if row is None:
        raise NotFound(f"Model '{model.name}' has no alias '{alias}'.", field="alias")
    version = await session.get(ModelVersion, row.version_id)
    assert version is not None
    await session.delete(row)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.ALIAS_DELETED,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={**_version_ref(version), "alias": alias},
    )
    return row


async def resolve_alias(session: AsyncSession, *, model_id: int, alias: str) -> ModelVersion:
    """`model@alias`: an alias, `latest`, `v<number>` or a SemVer string (`model@1.2.0`);
    NotFound when it names nothing."""
    if alias.lower() == "latest":
        from modelreg.services.versions import latest_versions

        latest = (await latest_versions(session, [model_id])).get(model_id)
        if latest is None:
            raise NotFound("The model has no versions yet, so 'latest' names none.", field="alias")
        return latest
    numbered = _VERSION_NUMBER.fullmatch(alias)
    if "." in alias:  # not an alias (they have no dots): the version's SemVer string
        statement = select(ModelVersion).where(
            ModelVersion.model_id == model_id, ModelVersion.version == alias
        )
    elif numbered:
        statement = select(ModelVersion).where(
            ModelVersion.model_id == model_id, ModelVersion.number == int(numbered.group(1))
        )
    else:
        statement = (
            select(ModelVersion)
            .join(ModelAlias, col(ModelAlias.version_id) == col(ModelVersion.id))
            .where(ModelAlias.model_id == model_id, ModelAlias.alias == alias)
        )
    found = (await session.exec(statement)).first()
    if found is None:
        raise NotFound(f"No version of the model has the alias '{alias}'.", field="alias")
    return found


# Built once, with bound parameters: every version and model shown reads its aliases.
_ALIASES_OF_VERSIONS = (
    select(ModelAlias.version_id, ModelAlias.alias)
    .where(col(ModelAlias.version_id).in_(sa.bindparam("version_ids", expanding=True)))
    .order_by(col(ModelAlias.alias))
)
_ALIASES_OF_MODELS = (
    select(ModelAlias)
    .where(col(ModelAlias.model_id).in_(sa.bindparam("model_ids", expanding=True)))
    .order_by(col(ModelAlias.alias))
)


def _labels_statement() -> Any:
    ids: Any = sa.bindparam("version_ids", expanding=True)
    tags: Any = sa.select(
        col(VersionTag.version_id).label("version_id"),
        sa.literal(0).label("kind"),
        col(VersionTag.key).label("name"),
        col(VersionTag.value).label("value"),
    ).where(col(VersionTag.version_id).in_(ids))
    aliases = sa.select(
        col(ModelAlias.version_id), sa.literal(1), col(ModelAlias.alias), sa.literal("")
    ).where(col(ModelAlias.version_id).in_(ids))
    union = sa.union_all(tags, aliases).subquery()
    return sa.select(union).order_by(union.c.version_id, union.c.kind, union.c.name)


# Tags and aliases of versions in one statement: what a version shown through MLflow needs.
_LABELS_OF_VERSIONS = _labels_statement()


async def labels_by_versions(
    session: AsyncSession, version_ids: Sequence[int]
) -> tuple[dict[int, dict[str, str]], dict[int, list[str]]]:
    """Each version's tags (by key) and aliases (sorted), read together."""
    tags: dict[int, dict[str, str]] = {}
    aliases: dict[int, list[str]] = {}
    connection = await plain(session)
    rows = await connection.execute(_LABELS_OF_VERSIONS, {"version_ids": list(version_ids)})
    for version_id, kind, name, value in rows:
        if kind == 0:
            tags.setdefault(version_id, {})[name] = value
        else:
            aliases.setdefault(version_id, []).append(name)
    return tags, aliases


async def aliases_by_versions(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, list[str]]:
    connection = await plain(session)
    rows = await connection.execute(_ALIASES_OF_VERSIONS, {"version_ids": list(version_ids)})
    found: dict[int, list[str]] = {}
    for version_id, alias in rows:
        found.setdefault(version_id, []).append(alias)
    return found


@dataclass(frozen=True, slots=True)
class AliasTarget:
    """An alias of a model and the version it points at."""

    alias: str
    version_id: int
    number: int


_ALIAS_TARGETS = (
    sa.select(
        col(ModelAlias.model_id),
        col(ModelAlias.alias),
        col(ModelAlias.version_id),
        col(ModelVersion.number),
    )
    .join(ModelVersion, col(ModelVersion.id) == col(ModelAlias.version_id))
    .where(col(ModelAlias.model_id).in_(sa.bindparam("model_ids", expanding=True)))
    .order_by(col(ModelAlias.alias))
)


async def alias_targets_by_models(
    session: AsyncSession, model_ids: Sequence[int]
) -> dict[int, list[AliasTarget]]:
    """Each model's aliases (sorted) with their versions' numbers, in one plain statement."""
    connection = await plain(session)
    rows = await connection.execute(_ALIAS_TARGETS, {"model_ids": list(model_ids)})
    found: dict[int, list[AliasTarget]] = {}
    for model_id, alias, version_id, number in rows:
        found.setdefault(model_id, []).append(AliasTarget(alias, version_id, number))
    return found


async def aliases_by_models(
    session: AsyncSession, model_ids: Sequence[int]
) -> dict[int, list[ModelAlias]]:
    rows = await session.exec(_ALIASES_OF_MODELS, params={"model_ids": list(model_ids)})
    found: dict[int, list[ModelAlias]] = {}
    for row in rows:
        found.setdefault(row.model_id, []).append(row)
    return found


# History


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
