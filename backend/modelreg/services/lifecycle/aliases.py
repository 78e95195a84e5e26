"""Aliases: pointing one at a version, moving and deleting it, resolving `model@alias` (also
`latest`, `v<number>` and SemVer strings), and batched reads of aliases (with tags for
MLflow's view of a version)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import plain
from modelreg.db.models import ModelAlias, ModelTag, ModelVersion, VersionTag
from modelreg.db.types import utcnow
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.lifecycle import validate_alias
from modelreg.domain.policy import Ability
from modelreg.errors import NotFound
from modelreg.services import access
from modelreg.services.events import record_event
from modelreg.services.lifecycle.locking import _locked_version, _version_ref
from modelreg.services.models import lock_model

_VERSION_NUMBER = re.compile(r"v([0-9]+)", re.IGNORECASE)


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
        from modelreg.services.version_reads import latest_versions

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


def _model_labels_statement() -> Any:
    ids: Any = sa.bindparam("model_ids", expanding=True)
    tags: Any = sa.select(
        col(ModelTag.model_id).label("model_id"),
        sa.literal(0).label("kind"),
        col(ModelTag.key).label("name"),
        col(ModelTag.value).label("value"),
        sa.literal(0).label("version_id"),
        sa.literal(0).label("number"),
    ).where(col(ModelTag.model_id).in_(ids))
    aliases = (
        sa.select(
            col(ModelAlias.model_id),
            sa.literal(1),
            col(ModelAlias.alias),
            sa.literal(""),
            col(ModelAlias.version_id),
            col(ModelVersion.number),
        )
        .join(ModelVersion, col(ModelVersion.id) == col(ModelAlias.version_id))
        .where(col(ModelAlias.model_id).in_(ids))
    )
    union = sa.union_all(tags, aliases).subquery()
    return sa.select(union).order_by(union.c.model_id, union.c.kind, union.c.name)


# Tags and aliases of models in one statement (the page's ids passed once): what a model shown
# through MLflow needs.
_LABELS_OF_MODELS = _model_labels_statement()


async def labels_by_models(
    session: AsyncSession, model_ids: Sequence[int]
) -> tuple[dict[int, dict[str, str]], dict[int, list[AliasTarget]]]:
    """Each model's tags (by key, in key order) and aliases (sorted, with their versions'
    numbers), read together: `tags.tags_by_owner` and `alias_targets_by_models` in one."""
    tags: dict[int, dict[str, str]] = {}
    aliases: dict[int, list[AliasTarget]] = {}
    connection = await plain(session)
    rows = await connection.execute(_LABELS_OF_MODELS, {"model_ids": list(model_ids)})
    for model_id, kind, name, value, version_id, number in rows:
        if kind == 0:
            tags.setdefault(model_id, {})[name] = value
        else:
            aliases.setdefault(model_id, []).append(AliasTarget(name, version_id, number))
    return tags, aliases


async def aliases_by_models(
    session: AsyncSession, model_ids: Sequence[int]
) -> dict[int, list[ModelAlias]]:
    rows = await session.exec(_ALIASES_OF_MODELS, params={"model_ids": list(model_ids)})
    found: dict[int, list[ModelAlias]] = {}
    for row in rows:
        found.setdefault(row.model_id, []).append(row)
    return found
