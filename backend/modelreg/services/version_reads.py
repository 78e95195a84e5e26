"""Reading versions: lists in SemVer or other order, the latest per model and per stage, and
MLflow's `search_model_versions`. Writes are `versions.py`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import plain
from modelreg.db.models import ModelVersion, RegisteredModel, VersionTag
from modelreg.domain.actor import Actor
from modelreg.domain.filters import parse_filter
from modelreg.domain.lifecycle import Stage
from modelreg.domain.policy import Ability
from modelreg.services import access, filters
from modelreg.services.pagination import Page, SortKey, keyset_page


class VersionOrderField(StrEnum):
    VERSION = "VERSION"
    NUMBER = "NUMBER"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    # The model's name: only `search_versions` (across models) orders by it.
    NAME = "NAME"


_VERSION_SORT = {
    VersionOrderField.VERSION: SortKey[ModelVersion](
        col(ModelVersion.sort_key), lambda v: v.sort_key
    ),
    VersionOrderField.NUMBER: SortKey[ModelVersion](col(ModelVersion.number), lambda v: v.number),
    VersionOrderField.CREATED_AT: SortKey[ModelVersion](
        col(ModelVersion.created_at), lambda v: v.created_at
    ),
    VersionOrderField.UPDATED_AT: SortKey[ModelVersion](
        col(ModelVersion.updated_at), lambda v: v.updated_at
    ),
}
_BY_ID = SortKey[ModelVersion](col(ModelVersion.id), lambda v: v.id)


async def versions_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, ModelVersion]:
    rows = await session.exec(select(ModelVersion).where(col(ModelVersion.id).in_(ids)))
    return {v.id: v for v in rows if v.id is not None}


async def list_versions(
    session: AsyncSession,
    *,
    model_id: int,
    order_by: VersionOrderField = VersionOrderField.VERSION,
    descending: bool = True,
    first: int,
    after: str | None = None,
) -> Page[ModelVersion]:
    statement = select(ModelVersion).where(ModelVersion.model_id == model_id)
    return await keyset_page(
        session,
        statement,
        keys=[_VERSION_SORT[order_by], _BY_ID],
        descending=descending,
        first=first,
        after=after,
    )


# A Core row of `model_version`'s columns, read by attribute as a ModelVersion would be.
VersionRow = Any


def _latest_versions_statement(*, core: bool) -> Any:
    rank = (
        sa.func.row_number()
        .over(
            partition_by=col(ModelVersion.model_id),
            order_by=(col(ModelVersion.is_prerelease).asc(), col(ModelVersion.sort_key).desc()),
        )
        .label("rank")
    )
    ranked = (
        select(col(ModelVersion.id).label("id"), rank)
        .where(col(ModelVersion.model_id).in_(sa.bindparam("model_ids", expanding=True)))
        .subquery()
    )
    chosen = sa.select(ModelVersion.__table__) if core else select(ModelVersion)  # type: ignore[attr-defined]
    return chosen.join(ranked, ranked.c.id == ModelVersion.id).where(ranked.c.rank == 1)


_LATEST_VERSIONS = _latest_versions_statement(core=False)
_LATEST_VERSION_ROWS = _latest_versions_statement(core=True)


async def latest_versions(
    session: AsyncSession, model_ids: Sequence[int]
) -> dict[int, ModelVersion]:
    """Per model: the highest release by SemVer precedence, else the highest prerelease."""
    rows = await session.exec(_LATEST_VERSIONS, params={"model_ids": list(model_ids)})
    return {v.model_id: v for v in rows}


async def latest_version_rows(
    session: AsyncSession, model_ids: Sequence[int]
) -> dict[int, VersionRow]:
    """`latest_versions` as Core rows (read by attribute as a ModelVersion would be), for pages
    that only render them: a list page of 50 models spent more on building 50 ORM objects
    than on the statement."""
    rows = await (await plain(session)).execute(
        _LATEST_VERSION_ROWS, {"model_ids": list(model_ids)}
    )
    return {row.model_id: row for row in rows.all()}


_MODEL_AND_VERSION = (
    select(RegisteredModel, ModelVersion)
    .outerjoin(
        ModelVersion,
        sa.and_(
            col(ModelVersion.model_id) == col(RegisteredModel.id),
            col(ModelVersion.number) == sa.bindparam("number"),
        ),
    )
    .where(
        RegisteredModel.project_id == sa.bindparam("project_id"),
        RegisteredModel.name == sa.bindparam("name"),
    )
)


async def find_model_and_version(
    session: AsyncSession, *, project_id: int, name: str, number: int
) -> tuple[RegisteredModel | None, ModelVersion | None]:
    """The project's model by name and its version by number, in one statement; either may be
    missing (the version is when the model is)."""
    row = (
        await session.exec(
            _MODEL_AND_VERSION, params={"project_id": project_id, "name": name, "number": number}
        )
    ).first()
    if row is None:
        return None, None
    model, version = row
    return model, version


def _latest_by_stage_statement(by_stage: bool, *, tagged: bool = False) -> Any:
    """Each model's highest number per stage (numbers are unique within a model), joined back
    to its version. A grouped maximum rather than `row_number()` over (model, stage): SQLite
    runs the window through a sorter over every version of the page's models, about twice the
    time of the grouped maximum, which reads only the (model, stage) index."""
    highest: Any = (
        sa.select(
            col(ModelVersion.model_id).label("model_id"),
            sa.func.max(col(ModelVersion.number)).label("number"),
        )
        .where(col(ModelVersion.model_id).in_(sa.bindparam("model_ids", expanding=True)))
        .group_by(col(ModelVersion.model_id), col(ModelVersion.stage))
    )
    if by_stage:
        highest = highest.where(col(ModelVersion.stage).in_(sa.bindparam("stages", expanding=True)))
    sub = highest.subquery()
    statement = (
        sa.select(ModelVersion.__table__)  # type: ignore[attr-defined]
        .join(
            sub,
            sa.and_(sub.c.model_id == ModelVersion.model_id, sub.c.number == ModelVersion.number),
        )
        .order_by(col(ModelVersion.number))
    )
    if tagged:
        # One row per tag (one without a tag), in key order within a version.
        statement = (
            statement.add_columns(
                col(VersionTag.key).label("tag_key"), col(VersionTag.value).label("tag_value")
            )
            .outerjoin(VersionTag, col(VersionTag.version_id) == col(ModelVersion.id))
            .order_by(col(ModelVersion.id), col(VersionTag.key))
        )
    return statement


_LATEST_BY_STAGE = _latest_by_stage_statement(False)
_LATEST_IN_STAGES = _latest_by_stage_statement(True)
_LATEST_BY_STAGE_TAGGED = _latest_by_stage_statement(False, tagged=True)


async def latest_by_stage(
    session: AsyncSession, model_ids: Sequence[int], stages: Sequence[Stage] = ()
) -> dict[int, list[VersionRow]]:
    """Per model, the highest-numbered version in each stage (MLflow's "latest versions"), as
    Core rows: only rendered, never changed, so not worth an ORM object each (a search page of
    100 models reads 100 to 500 of them)."""
    rows = await (await plain(session)).execute(
        _LATEST_IN_STAGES if stages else _LATEST_BY_STAGE,
        {"model_ids": list(model_ids), **({"stages": list(stages)} if stages else {})},
    )
    found: dict[int, list[VersionRow]] = {}
    for row in rows.all():
        found.setdefault(row.model_id, []).append(row)
    return found


async def latest_by_stage_with_tags(
    session: AsyncSession, model_ids: Sequence[int]
) -> tuple[dict[int, list[VersionRow]], dict[int, dict[str, str]]]:
    """`latest_by_stage` (every stage) and those versions' tags (by version id, in key order)
    in one statement: a search page of MLflow models passes its ids once, not twice."""
    rows = await (await plain(session)).execute(
        _LATEST_BY_STAGE_TAGGED, {"model_ids": list(model_ids)}
    )
    found: dict[int, list[VersionRow]] = {}
    tags: dict[int, dict[str, str]] = {}
    last_id = None
    for row in rows.all():
        if row.id != last_id:
            found.setdefault(row.model_id, []).append(row)
            last_id = row.id
        if row.tag_key is not None:
            tags.setdefault(row.id, {})[row.tag_key] = row.tag_value
    return found, tags


_SHOWN_STAGES = (Stage.PRODUCTION, Stage.STAGING)


async def versions_in_stages(
    session: AsyncSession, model_ids: Sequence[int]
) -> dict[int, list[ModelVersion]]:
    """Per model, every version in Production or Staging (one statement for a page of models):
    Production first, then Staging, highest SemVer precedence first within a stage."""
    production_first = sa.case((col(ModelVersion.stage) == Stage.PRODUCTION, 0), else_=1)
    rows = await session.exec(
        select(ModelVersion)
        .where(
            col(ModelVersion.model_id).in_(model_ids),
            col(ModelVersion.stage).in_(_SHOWN_STAGES),
        )
        .order_by(production_first, col(ModelVersion.sort_key).desc(), col(ModelVersion.id))
    )
    found: dict[int, list[ModelVersion]] = {}
    for row in rows:
        found.setdefault(row.model_id, []).append(row)
    return found


# Fields a version filter may name besides `tags.<key>`: the model's name, the run, the source.
VERSION_FILTER_FIELDS = frozenset({"name", "run_id", "source_path"})
VERSION_FILTER_NUMBERS = frozenset({"version_number"})


def _version_tag(
    key: str, value: Callable[[Any], sa.ColumnElement[bool]]
) -> sa.ColumnElement[bool]:
    return sa.exists().where(
        col(VersionTag.version_id) == col(ModelVersion.id),
        col(VersionTag.key) == key,
        value(col(VersionTag.value)),
    )


# MLflow's order when a search names none: last updated first, then by name and number.
SEARCH_ORDER: tuple[tuple[VersionOrderField, bool], ...] = (
    (VersionOrderField.UPDATED_AT, True),
    (VersionOrderField.NAME, False),
    (VersionOrderField.NUMBER, True),
)


def _search_keys(
    order: Sequence[tuple[VersionOrderField, bool]], names: dict[int, str]
) -> tuple[list[SortKey[ModelVersion]], bool]:
    """The sort keys of `order` ((field, descending) pairs, the first one the page's direction),
    then MLflow's tie-breaks: the model's name ascending and the number descending unless
    ordered by already. `names` (model id -> name) is filled once the page is read: a cursor
    reads the name of its version's model from it."""
    order = list(order) or list(SEARCH_ORDER)
    descending = order[0][1]
    fields = {field for field, _ in order}
    if VersionOrderField.NAME not in fields:
        order.append((VersionOrderField.NAME, False))
    if VersionOrderField.NUMBER not in fields:
        order.append((VersionOrderField.NUMBER, True))
    keys: list[SortKey[ModelVersion]] = []
    for field, down in order:
        if field == VersionOrderField.NAME:
            key = SortKey[ModelVersion](col(RegisteredModel.name), lambda v: names[v.model_id])
        else:
            key = _VERSION_SORT[field]
        keys.append(SortKey(key.column, key.value, reverse=down != descending))
    # A model's name and a version's number already tell versions apart; the id is for safety.
    keys.append(SortKey(_BY_ID.column, _BY_ID.value, reverse=descending))
    return keys, descending


async def search_versions(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    filter: str | None,
    order: Sequence[tuple[VersionOrderField, bool]] = (),
    first: int,
    after: str | None = None,
) -> Page[tuple[ModelVersion, RegisteredModel]]:
    """Versions of the project's models matching an MLflow filter (`name`, `version_number`,
    `run_id`, `source_path`, `tags.<key>`), with their models, in `order` ((field, descending)
    pairs; none: MLflow's `SEARCH_ORDER`), equal keys ordered as MLflow does (`_search_keys`)."""
    await access.require(session, actor, project_id, Ability.READ)
    parsed = parse_filter(
        filter or "", fields=VERSION_FILTER_FIELDS, numeric=VERSION_FILTER_NUMBERS
    )
    statement = (
        select(ModelVersion)
        .join(RegisteredModel, col(RegisteredModel.id) == col(ModelVersion.model_id))
        .where(RegisteredModel.project_id == project_id)
    )
    if parsed is not None:
        statement = statement.where(
            filters.where(
                parsed,
                columns={
                    "name": col(RegisteredModel.name),
                    "run_id": col(ModelVersion.run_uuid),
                    "source_path": col(ModelVersion.source),
                    "version_number": col(ModelVersion.number),
                },
                tag_clause=_version_tag,
                dialect=session.bind.dialect.name if session.bind else "sqlite",
            )
        )
    names: dict[int, str] = {}
    keys, descending = _search_keys(order, names)
    page = await keyset_page(
        session, statement, keys=keys, descending=descending, first=first, after=after
    )
    models = await session.exec(
        select(RegisteredModel).where(col(RegisteredModel.id).in_({v.model_id for v in page.items}))
    )
    by_id = {m.id: m for m in models}
    names.update({i: m.name for i, m in by_id.items() if i is not None})
    return Page(
        items=[(v, by_id[v.model_id]) for v in page.items],
        cursors=page.cursors,
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )
