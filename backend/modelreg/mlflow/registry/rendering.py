"""Registered models and model versions as MLflow's JSON (with their tags, aliases and latest
versions, each read with one statement per page).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter, itemgetter
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import ModelVersion, RegisteredModel, VersionTag
from modelreg.domain.lineage import VERSION_TAG
from modelreg.mlflow.protocol import MlflowContext, millis
from modelreg.mlflow.registry.requests import STAGE_NAMES, find_model, find_version
from modelreg.services import lifecycle as lifecycle_service
from modelreg.services import tags as tag_service
from modelreg.services import version_reads
from modelreg.services.version_reads import VersionRow

# The columns rendered, in the order `version_json` and `model_json` unpack them.
_VERSION_FIELDS = (
    "version",
    "number",
    "created_at",
    "updated_at",
    "created_by",
    "stage",
    "description",
    "source",
    "run_uuid",
    "logged_model_uuid",
)
_MODEL_FIELDS = ("name", "created_at", "updated_at", "description", "created_by")

# `fields` as a tuple, or one field's value when only one is asked for.
Reader = Callable[[Any], Any]


def reader(sample: Any, fields: tuple[str, ...]) -> Reader:
    """Reads `fields` of objects like `sample` as one tuple: by position from a Core row (one
    `itemgetter` call; a row's attribute access costs about ten times an index, and a search
    page reads a dozen columns of 200 rows), by attribute from an ORM object. Rows must come
    from one statement (the positions are those of `sample`'s columns)."""
    columns = getattr(sample, "_fields", None)  # a Core row is a named tuple; an ORM object not
    if columns is not None:
        return itemgetter(*(columns.index(field) for field in fields))
    return attrgetter(*fields)


def version_json(
    version: ModelVersion | VersionRow,
    model: RegisteredModel,
    tags: dict[str, str],
    aliases: list[str],
    read: Reader | None = None,
) -> dict[str, Any]:
    """A version (an ORM object or a Core row of its columns) as MLflow's `ModelVersion`;
    `read` is `reader(version, _VERSION_FIELDS)`, when a caller renders many."""
    (
        semver,
        number,
        created_at,
        updated_at,
        created_by,
        stage,
        description,
        source,
        run_uuid,
        logged_model_uuid,
    ) = (read or reader(version, _VERSION_FIELDS))(version)
    rendered: dict[str, Any] = {
        "name": model.name,
        "version": str(number),
        "creation_timestamp": millis(created_at),
        "last_updated_timestamp": millis(updated_at),
        "user_id": created_by,
        "current_stage": STAGE_NAMES[stage],
        "description": description,
        "source": source,
        "status": "READY",
        "tags": (
            [{"key": k, "value": v} for k, v in {**tags, VERSION_TAG: semver}.items()]
            if tags
            else [{"key": VERSION_TAG, "value": semver}]
        ),
        # The SemVer string first: `models:/name@1.2.0` resolves to this version.
        "aliases": [semver, *aliases],
    }
    if run_uuid:
        rendered["run_id"] = run_uuid
    if logged_model_uuid:
        rendered["model_id"] = logged_model_uuid
    return rendered


async def versions_json(
    session: AsyncSession,
    rows: Sequence[tuple[ModelVersion | VersionRow, RegisteredModel]],
    aliases: dict[int, list[str]] | None = None,
    tags: dict[int, dict[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """`aliases` and `tags` by version id, when the caller has read them already."""
    ids = [v.id for v, _ in rows if v.id is not None]
    if not ids:
        return []
    if aliases is None:
        tags, aliases = await lifecycle_service.labels_by_versions(session, ids)
    elif tags is None:
        tags = await tag_service.tags_by_owner(session, VersionTag, ids)
    read = reader(rows[0][0], _VERSION_FIELDS)
    return [
        version_json(v, m, tags.get(v.id or 0, {}), aliases.get(v.id or 0, []), read)
        for v, m in rows
    ]


async def models_json(
    session: AsyncSession, models: Sequence[RegisteredModel]
) -> list[dict[str, Any]]:
    """Models (ORM objects or Core rows of one statement) with their tags, aliases and latest
    versions: two statements for the page whatever its size."""
    if not models:
        return []
    read_id = reader(models[0], ("id",))
    ids: list[int] = [read_id(m) for m in models]
    tags, aliases = await lifecycle_service.labels_by_models(session, ids)
    latest, version_tags = await version_reads.latest_by_stage_with_tags(session, ids)
    # Every alias of these models was read above, so the latest versions' aliases are known.
    aliases_by_version: dict[int, list[str]] = {}
    for found in aliases.values():
        for alias in found:
            aliases_by_version.setdefault(alias.version_id, []).append(alias.alias)
    by_id = dict(zip(ids, models, strict=True))
    latest_json: dict[int, list[dict[str, Any]]] = {}
    if latest:
        sample = next(iter(latest.values()))[0]
        read_version, read_version_id = reader(sample, _VERSION_FIELDS), reader(sample, ("id",))
        for model_id, versions in latest.items():
            model = by_id[model_id]
            shown = latest_json[model_id] = []
            for version in versions:
                version_id = read_version_id(version)
                shown.append(
                    version_json(
                        version,
                        model,
                        version_tags.get(version_id, {}),
                        aliases_by_version.get(version_id, []),
                        read_version,
                    )
                )
    rendered: list[dict[str, Any]] = []
    read = reader(models[0], _MODEL_FIELDS)
    for model_id, model in by_id.items():
        entry = model_json(
            model,
            tags.get(model_id, {}),
            [(a.alias, a.number) for a in aliases.get(model_id, [])],
            read,
        )
        if model_id in latest_json:
            entry["latest_versions"] = latest_json[model_id]
        rendered.append(entry)
    return rendered


def model_json(
    model: RegisteredModel,
    tags: dict[str, str],
    aliases: Sequence[tuple[str, int]],
    read: Reader | None = None,
) -> dict[str, Any]:
    """A model without its latest versions; `aliases` are (alias, version number); `read` is
    `reader(model, _MODEL_FIELDS)`, when a caller renders many."""
    name, created_at, updated_at, description, created_by = (read or reader(model, _MODEL_FIELDS))(
        model
    )
    return {
        "name": name,
        "creation_timestamp": millis(created_at),
        "last_updated_timestamp": millis(updated_at),
        "description": description,
        "user_id": created_by,
        "tags": [{"key": k, "value": v} for k, v in tags.items()],
        "aliases": [{"alias": alias, "version": str(number)} for alias, number in aliases],
    }


async def model_response(ctx: MlflowContext, name: str) -> dict[str, Any]:
    async with ctx.read() as session:
        model = await find_model(session, ctx, name)
        return {"registered_model": (await models_json(session, [model]))[0]}


async def version_response(ctx: MlflowContext, name: str, number: int) -> dict[str, Any]:
    async with ctx.read() as session:
        model, version = await find_version(session, ctx, name, number)
        return {"model_version": (await versions_json(session, [(version, model)]))[0]}
