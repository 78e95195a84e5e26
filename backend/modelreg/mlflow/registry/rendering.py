"""Registered models and model versions as MLflow's JSON (with their tags, aliases and latest
versions, each read with one statement per page).
"""

from __future__ import annotations

from collections.abc import Sequence
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


def version_json(
    version: ModelVersion | VersionRow,
    model: RegisteredModel,
    tags: dict[str, str],
    aliases: list[str],
) -> dict[str, Any]:
    """A version (an ORM object or a Core row of its columns) as MLflow's `ModelVersion`."""
    semver = version.version
    rendered: dict[str, Any] = {
        "name": model.name,
        "version": str(version.number),
        "creation_timestamp": millis(version.created_at),
        "last_updated_timestamp": millis(version.updated_at),
        "user_id": version.created_by,
        "current_stage": STAGE_NAMES[version.stage],
        "description": version.description,
        "source": version.source,
        "status": "READY",
        "tags": (
            [{"key": k, "value": v} for k, v in {**tags, VERSION_TAG: semver}.items()]
            if tags
            else [{"key": VERSION_TAG, "value": semver}]
        ),
        # The SemVer string first: `models:/name@1.2.0` resolves to this version.
        "aliases": [semver, *aliases],
    }
    if version.run_uuid:
        rendered["run_id"] = version.run_uuid
    if version.logged_model_uuid:
        rendered["model_id"] = version.logged_model_uuid
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
    return [
        version_json(v, m, tags.get(v.id or 0, {}), aliases.get(v.id or 0, [])) for v, m in rows
    ]


async def models_json(
    session: AsyncSession, models: Sequence[RegisteredModel]
) -> list[dict[str, Any]]:
    ids = [m.id for m in models if m.id is not None]
    tags, aliases = await lifecycle_service.labels_by_models(session, ids)
    latest, version_tags = await version_reads.latest_by_stage_with_tags(session, ids)
    # Every alias of these models was read above, so the latest versions' aliases are known.
    aliases_by_version: dict[int, list[str]] = {}
    for found in aliases.values():
        for alias in found:
            aliases_by_version.setdefault(alias.version_id, []).append(alias.alias)
    by_id = {m.id: m for m in models}
    latest_rows = [(v, by_id[v.model_id]) for found in latest.values() for v in found]
    latest_json: dict[int, list[dict[str, Any]]] = {}
    for (version, _), rendered_version in zip(
        latest_rows,
        await versions_json(session, latest_rows, aliases_by_version, version_tags),
        strict=True,
    ):
        latest_json.setdefault(version.model_id, []).append(rendered_version)
    rendered: list[dict[str, Any]] = []
    for model in models:
        assert model.id is not None
        entry = model_json(
            model,
            tags.get(model.id, {}),
            [(a.alias, a.number) for a in aliases.get(model.id, [])],
        )
        if model.id in latest_json:
            entry["latest_versions"] = latest_json[model.id]
        rendered.append(entry)
    return rendered


def model_json(
    model: RegisteredModel, tags: dict[str, str], aliases: Sequence[tuple[str, int]]
) -> dict[str, Any]:
    """A model without its latest versions; `aliases` are (alias, version number)."""
    return {
        "name": model.name,
        "creation_timestamp": millis(model.created_at),
        "last_updated_timestamp": millis(model.updated_at),
        "description": model.description,
        "user_id": model.created_by,
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
