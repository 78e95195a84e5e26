from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from modelreg.db import plain, queues_writers
from modelreg.db.models import ModelTag, ModelVersion, RegisteredModel
from modelreg.db.types import utcnow
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.filters import parse_filter
from modelreg.domain.lifecycle import ACTIVE_STAGES, Stage, blocking_message
from modelreg.domain.names import validate_description, validate_model_name, validate_tags
from modelreg.domain.policy import Ability
from modelreg.errors import AlreadyExists, Conflict, NotFound
from modelreg.services import access, filters
from modelreg.services import tags as tag_store
from modelreg.services.blobs import collect_garbage_after_commit
from modelreg.services.events import record_event
from modelreg.services.pagination import Page, SortKey, keyset_page
from modelreg.services.text import icontains
from modelreg.storage import Storage


class ModelOrderField(StrEnum):
    NAME = "NAME"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@dataclass(frozen=True, slots=True)
class TagFilter:
    key: str
    value: str | None = None


_MODEL_SORT = {
    ModelOrderField.NAME: SortKey[RegisteredModel](col(RegisteredModel.name), lambda m: m.name),
    ModelOrderField.CREATED_AT: SortKey[RegisteredModel](
        col(RegisteredModel.created_at), lambda m: m.created_at
    ),
    ModelOrderField.UPDATED_AT: SortKey[RegisteredModel](
        col(RegisteredModel.updated_at), lambda m: m.updated_at
    ),
}
_BY_ID = SortKey[RegisteredModel](col(RegisteredModel.id), lambda m: m.id)


async def get_model(
    session: AsyncSession,
    *,
    model_id: int,
    actor: Actor,
    ability: Ability = Ability.READ,
    stages: Iterable[Stage] = (),
    field: str = "id",
) -> RegisteredModel:
    """The model, when `actor` may exercise `ability` in its project (NOT_FOUND if not readable)."""
    model = await session.get(RegisteredModel, model_id)
    hidden = NotFound(f"No model has the id {model_id}.", field=field)
    if model is None:
        raise hidden
    await access.require(session, actor, model.project_id, ability, stages=stages, hidden=hidden)
    return model


_LOCK_MODEL = (
    select(RegisteredModel).where(RegisteredModel.id == sa.bindparam("model_id")).with_for_update()
)
# Read again after taking the lock: the row may have changed while this transaction waited.
_REREAD = {"populate_existing": True}


async def lock_model(
    session: AsyncSession,
    *,
    model_id: int,
    actor: Actor,
    ability: Ability = Ability.EDIT,
    stages: Iterable[Stage] = (),
    field: str = "modelId",
) -> RegisteredModel:
    """The model, its row locked on PostgreSQL until the transaction ends (SQLite queues writers).

    Changes to a model's versions that must not interleave (numbering, stages, aliases) take it.
    The actor must be allowed `ability` in the model's project.
    """
    model: RegisteredModel | None
    if queues_writers(session):
        # Nobody else writes until this transaction ends: the row as read is current.
        model = await session.get(RegisteredModel, model_id)
    else:
        model = (
            await session.exec(
                _LOCK_MODEL, params={"model_id": model_id}, execution_options=_REREAD
            )
        ).first()
    hidden = NotFound(f"No model has the id {model_id}.", field=field)
    if model is None:
        raise hidden
    await access.require(session, actor, model.project_id, ability, stages=stages, hidden=hidden)
    return model


async def first_version_in(
    session: AsyncSession, *, model_id: int, stages: frozenset[Stage]
) -> ModelVersion | None:
    """The highest version of the model whose stage is one of `stages`, if any."""
    statement = (
        select(ModelVersion)
        .where(ModelVersion.model_id == model_id, col(ModelVersion.stage).in_(list(stages)))
        .order_by(col(ModelVersion.sort_key).desc())
        .limit(1)
    )
    return (await session.exec(statement)).first()


# Built once, with bound parameters: the MLflow endpoint looks models up by name every call.
_MODEL_BY_NAME = select(RegisteredModel).where(
    RegisteredModel.project_id == sa.bindparam("project_id"),
    RegisteredModel.name == sa.bindparam("name"),
)


async def find_model_by_name(
    session: AsyncSession, *, project_id: int, name: str
) -> RegisteredModel | None:
    found = await session.exec(_MODEL_BY_NAME, params={"project_id": project_id, "name": name})
    return found.first()


async def models_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, RegisteredModel]:
    rows = await session.exec(select(RegisteredModel).where(col(RegisteredModel.id).in_(ids)))
    return {m.id: m for m in rows if m.id is not None}


# A Core row of `registered_model`'s columns, read by attribute as a RegisteredModel would be.
ModelRow = Any


async def list_models(
    session: AsyncSession,
    *,
    project_id: int,
    search: str | None = None,
    tags: Sequence[TagFilter] = (),
    filter: str | None = None,
    order_by: ModelOrderField = ModelOrderField.UPDATED_AT,
    descending: bool = True,
    first: int,
    after: str | None = None,
    offset: int = 0,
    order: Sequence[tuple[ModelOrderField, bool]] = (),
    core_rows: bool = False,
) -> Page[RegisteredModel]:
    """A page of the project's models: after a cursor, or `offset` models in (page numbers).

    `order` ((field, descending) pairs), when given, replaces `order_by` and `descending`;
    equal keys then go by name ascending, as MLflow's `search_registered_models` does.
    `core_rows`: the items are Core rows of the model's columns, read by attribute, for callers
    that only render them (no ORM object each: an MLflow search page has up to 1,000)."""
    statement = _models_matching(session, project_id, search, tags, filter)
    if core_rows:
        columns = RegisteredModel.__table__.c  # type: ignore[attr-defined]
        where = statement.whereclause
        assert where is not None  # the project's models, at least
        statement = sa.select(*columns).where(where)  # type: ignore[assignment]
    keys = [_MODEL_SORT[order_by], _BY_ID]
    if order:
        descending = order[0][1]
        pairs = list(order)
        if ModelOrderField.NAME not in {field for field, _ in pairs}:
            pairs.append((ModelOrderField.NAME, False))
        keys = [
            SortKey(_MODEL_SORT[f].column, _MODEL_SORT[f].value, reverse=down != descending)
            for f, down in pairs
        ] + [_BY_ID]
    return await keyset_page(
        session,
        statement,
        keys=keys,
        descending=descending,
        first=first,
        after=after,
        offset=offset,
        core=core_rows,
    )


async def count_models(
    session: AsyncSession,
    *,
    project_id: int,
    search: str | None = None,
    tags: Sequence[TagFilter] = (),
    filter: str | None = None,
) -> int:
    matching = _models_matching(session, project_id, search, tags, filter).subquery()
    return (await session.exec(select(sa.func.count()).select_from(matching))).one()


# Fields a model filter may name besides `tags.<key>`.
MODEL_FILTER_FIELDS = frozenset({"name"})


def _model_tag(key: str, value: Callable[[Any], sa.ColumnElement[bool]]) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        col(ModelTag.model_id) == col(RegisteredModel.id),
        col(ModelTag.key) == key,
        value(col(ModelTag.value)),
    )


def _models_matching(
    session: AsyncSession,
    project_id: int,
    search: str | None,
    tags: Sequence[TagFilter],
    filter: str | None = None,
) -> SelectOfScalar[RegisteredModel]:
    statement = select(RegisteredModel).where(RegisteredModel.project_id == project_id)
    parsed = parse_filter(filter or "", fields=MODEL_FILTER_FIELDS)
    if parsed is not None:
        statement = statement.where(
            filters.where(
                parsed,
                columns={"name": col(RegisteredModel.name)},
                tag_clause=_model_tag,
                dialect=session.bind.dialect.name if session.bind else "sqlite",
            )
        )
    if search:
        statement = statement.where(icontains(col(RegisteredModel.name), search))
    for tag in tags:
        condition = sa.and_(
            col(ModelTag.model_id) == col(RegisteredModel.id), col(ModelTag.key) == tag.key
        )
        if tag.value is not None:
            condition = sa.and_(condition, col(ModelTag.value) == tag.value)
        statement = statement.where(sa.exists().where(condition))
    return statement


# Built once, run as Core: every page of models shows its rows' version counts.
_VERSION_COUNTS = (
    select(col(ModelVersion.model_id), sa.func.count())
    .where(col(ModelVersion.model_id).in_(sa.bindparam("model_ids", expanding=True)))
    .group_by(col(ModelVersion.model_id))
)


async def version_counts(session: AsyncSession, model_ids: Sequence[int]) -> dict[int, int]:
    rows = await (await plain(session)).execute(_VERSION_COUNTS, {"model_ids": list(model_ids)})
    return {model_id: count for model_id, count in rows}


async def _ensure_name_free(session: AsyncSession, project_id: int, name: str) -> None:
    if await find_model_by_name(session, project_id=project_id, name=name) is not None:
        raise AlreadyExists(
            f"A model named '{name}' already exists in this project; choose another name.",
            field="name",
        )


async def create_model(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    name: str,
    description: str = "",
    tags: Sequence[tuple[str, str]] = (),
) -> RegisteredModel:
    project = await access.require(
        session,
        actor,
        project_id,
        Ability.EDIT,
        hidden=NotFound(f"No project has the id {project_id}.", field="projectId"),
    )
    name = validate_model_name(name)
    description = validate_description(description)
    tag_map = validate_tags(list(tags))
    await _ensure_name_free(session, project_id, name)
    model = RegisteredModel(
        project_id=project_id, name=name, description=description, created_by=actor.name
    )
    session.add(model)
    await session.flush()
    assert model.id is not None
    if tag_map:
        await tag_store.set_tags(session, ModelTag, model.id, tag_map)
    await record_event(
        session,
        actor=actor,
        type=EventType.MODEL_CREATED,
        project_id=project.id,
        model_id=model.id,
        payload={"name": name, "tags": tag_map},
    )
    return model


async def update_model(
    session: AsyncSession,
    *,
    actor: Actor,
    model_id: int,
    name: str | None = None,
    description: str | None = None,
) -> RegisteredModel:
    model = await get_model(session, model_id=model_id, actor=actor, ability=Ability.EDIT)
    changes: dict[str, dict[str, str]] = {}
    if name is not None and name != model.name:
        name = validate_model_name(name)
        model = await lock_model(session, model_id=model_id, actor=actor, field="id")
        serving = await first_version_in(session, model_id=model_id, stages=ACTIVE_STAGES)
        if serving is not None:
            raise Conflict(
                f"Model '{model.name}' can be renamed only when all its versions are in None "
                f"or Archived, and version {serving.version} is in {serving.stage.label}; "
                "transition it to None or Archived first.",
                field="name",
            )
        await _ensure_name_free(session, model.project_id, name)
        changes["name"] = {"from": model.name, "to": name}
        model.name = name
    if description is not None and description != model.description:
        model.description = validate_description(description)
        changes["description"] = {}
    if changes:
        model.updated_at = utcnow()
        session.add(model)
        await record_event(
            session,
            actor=actor,
            type=EventType.MODEL_UPDATED,
            project_id=model.project_id,
            model_id=model.id,
            payload={"changes": changes},
        )
    return model


async def delete_model(
    session: AsyncSession, *, actor: Actor, storage: Storage, model_id: int
) -> RegisteredModel:
    """Delete a model none of whose versions serves a stage, with its versions and their files."""
    model = await lock_model(session, model_id=model_id, actor=actor, field="id")
    serving = await first_version_in(session, model_id=model_id, stages=ACTIVE_STAGES)
    if serving is not None:
        raise Conflict(
            blocking_message(serving.version, serving.stage, "delete the model"), field="id"
        )
    count = (await version_counts(session, [model_id])).get(model_id, 0)
    await session.delete(model)
    await session.flush()
    collect_garbage_after_commit(session, storage)
    await record_event(
        session,
        actor=actor,
        type=EventType.MODEL_DELETED,
        project_id=model.project_id,
        model_id=model.id,
        payload={"name": model.name, "versions_deleted": count},
    )
    return model


async def set_model_tags(
    session: AsyncSession,
    *,
    actor: Actor,
    model_id: int,
    tags: Sequence[tuple[str, str]],
) -> RegisteredModel:
    model = await get_model(session, model_id=model_id, actor=actor, ability=Ability.EDIT)
    changed = await tag_store.set_tags(session, ModelTag, model_id, validate_tags(list(tags)))
    if changed:
        model.updated_at = utcnow()
        session.add(model)
        await record_event(
            session,
            actor=actor,
            type=EventType.MODEL_TAGS_SET,
            project_id=model.project_id,
            model_id=model.id,
            payload={"tags": changed},
        )
    return model


async def delete_model_tags(
    session: AsyncSession, *, actor: Actor, model_id: int, keys: Sequence[str]
) -> RegisteredModel:
    model = await get_model(session, model_id=model_id, actor=actor, ability=Ability.EDIT)
    deleted = await tag_store.delete_tags(
        session, ModelTag, model_id, keys, owner=f"Model '{model.name}'"
    )
    if deleted:
        model.updated_at = utcnow()
        session.add(model)
        await record_event(
            session,
            actor=actor,
            type=EventType.MODEL_TAGS_DELETED,
            project_id=model.project_id,
            model_id=model.id,
            payload={"keys": deleted},
        )
    return model
