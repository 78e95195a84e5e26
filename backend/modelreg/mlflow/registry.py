"""MLflow's model registry endpoints, onto the registry services.

MLflow's `version` is our per-model `number`; the SemVer string travels in the version's
`aliases` list and in the tag `modelreg.version`. A version the client creates gets the next
patch version unless it sets the tag `modelreg.version`. Stages are MLflow's words
("None", "Staging", "Production", "Archived").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import ModelTag, ModelVersion, RegisteredModel, VersionTag
from modelreg.domain.lifecycle import Stage
from modelreg.domain.lineage import VERSION_TAG
from modelreg.errors import NotFound
from modelreg.mlflow.app import Endpoint
from modelreg.mlflow.params import BOOL, INT, KEY_VALUES, REQUIRED, STRING, STRINGS
from modelreg.mlflow.protocol import (
    MlflowContext,
    MlflowError,
    Params,
    boolean,
    integer,
    listed,
    millis,
    required,
    text,
)
from modelreg.services import lifecycle as lifecycle_service
from modelreg.services import models as model_service
from modelreg.services import tags as tag_service
from modelreg.services import versions as version_service

API = "api/2.0/mlflow"

# The artifact root under which the proxy serves a version's files (see mlflow/artifacts.py).
VERSION_FILES_ROOT = "_registry"
# MLflow's own defaults and limits for a page of search results.
MODELS_PAGE = (100, 1000)
VERSIONS_PAGE = (10_000, 200_000)

_STAGE_NAMES = {
    Stage.NONE: "None",
    Stage.STAGING: "Staging",
    Stage.PRODUCTION: "Production",
    Stage.ARCHIVED: "Archived",
}


def _stage(value: str) -> Stage:
    for stage, name in _STAGE_NAMES.items():
        if value.strip().lower() == name.lower():
            return stage
    raise MlflowError(
        f"Invalid model version stage '{value}'; use one of None, Staging, Production, Archived."
    )


def _tags_param(params: Params) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for tag in listed(params, "tags"):
        if not isinstance(tag, dict) or "key" not in tag:
            raise MlflowError("Each tag must be an object with 'key' and 'value'.")
        found.append((str(tag["key"]), "" if tag.get("value") is None else str(tag["value"])))
    return found


def _number(params: Params) -> int:
    value = str(required(params, "version")).strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise MlflowError(
            f"Model version must be an integer (MLflow's version number); got '{shown}'. "
            "The SemVer string is an alias of the version."
        )
    return int(value)


def _max_results(params: Params, limits: tuple[int, int]) -> int:
    default, limit = limits
    count = integer(params, "max_results", default)
    assert count is not None
    if not 1 <= count <= limit:
        raise MlflowError(f"max_results must be between 1 and {limit}; got {count}.")
    return count


async def _model(session: AsyncSession, ctx: MlflowContext, name: str) -> RegisteredModel:
    found = await model_service.find_model_by_name(session, project_id=ctx.project_id, name=name)
    if found is None or found.id is None:
        raise _no_model(name)
    return found


def _no_model(name: str) -> NotFound:
    return NotFound(f"Registered Model with name={name} not found", field="name")


async def _version(
    session: AsyncSession, ctx: MlflowContext, name: str, number: int
) -> tuple[RegisteredModel, ModelVersion]:
    model, found = await version_service.find_model_and_version(
        session, project_id=ctx.project_id, name=name, number=number
    )
    if model is None:
        raise _no_model(name)
    if found is None:
        raise NotFound(f"Model Version (name={name}, version={number}) not found", field="version")
    return model, found


# --- rendering -----------------------------------------------------------------------------


def _version_json(
    version: ModelVersion, model: RegisteredModel, tags: dict[str, str], aliases: list[str]
) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "name": model.name,
        "version": str(version.number),
        "creation_timestamp": millis(version.created_at),
        "last_updated_timestamp": millis(version.updated_at),
        "user_id": version.created_by,
        "current_stage": _STAGE_NAMES[version.stage],
        "description": version.description,
        "source": version.source,
        "status": "READY",
        "tags": [{"key": k, "value": v} for k, v in {**tags, VERSION_TAG: version.version}.items()],
        # The SemVer string first: `models:/name@1.2.0` resolves to this version.
        "aliases": [version.version, *aliases],
    }
    if version.run_uuid:
        rendered["run_id"] = version.run_uuid
    if version.logged_model_uuid:
        rendered["model_id"] = version.logged_model_uuid
    return rendered


async def _versions_json(
    session: AsyncSession,
    rows: Sequence[tuple[ModelVersion, RegisteredModel]],
    aliases: dict[int, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """`aliases` by version id, when the caller has read them already."""
    ids = [v.id for v, _ in rows if v.id is not None]
    if not ids:
        return []
    if aliases is None:
        tags, aliases = await lifecycle_service.labels_by_versions(session, ids)
    else:
        tags = await tag_service.tags_by_owner(session, VersionTag, ids)
    return [
        _version_json(v, m, tags.get(v.id or 0, {}), aliases.get(v.id or 0, [])) for v, m in rows
    ]


async def _models_json(
    session: AsyncSession, models: Sequence[RegisteredModel]
) -> list[dict[str, Any]]:
    ids = [m.id for m in models if m.id is not None]
    tags = await tag_service.tags_by_owner(session, ModelTag, ids)
    aliases = await lifecycle_service.alias_targets_by_models(session, ids)
    latest = await version_service.latest_by_stage(session, ids)
    # Every alias of these models was read above, so the latest versions' aliases are known.
    aliases_by_version: dict[int, list[str]] = {}
    for found in aliases.values():
        for alias in found:
            aliases_by_version.setdefault(alias.version_id, []).append(alias.alias)
    by_id = {m.id: m for m in models}
    latest_rows = [(v, by_id[v.model_id]) for found in latest.values() for v in found]
    latest_json: dict[int, list[dict[str, Any]]] = {}
    for (version, _), rendered_version in zip(
        latest_rows, await _versions_json(session, latest_rows, aliases_by_version), strict=True
    ):
        latest_json.setdefault(version.model_id, []).append(rendered_version)
    rendered: list[dict[str, Any]] = []
    for model in models:
        assert model.id is not None
        entry = _model_json(
            model,
            tags.get(model.id, {}),
            [(a.alias, a.number) for a in aliases.get(model.id, [])],
        )
        if model.id in latest_json:
            entry["latest_versions"] = latest_json[model.id]
        rendered.append(entry)
    return rendered


def _model_json(
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


async def _model_response(ctx: MlflowContext, name: str) -> dict[str, Any]:
    async with ctx.read() as session:
        model = await _model(session, ctx, name)
        return {"registered_model": (await _models_json(session, [model]))[0]}


async def _version_response(ctx: MlflowContext, name: str, number: int) -> dict[str, Any]:
    async with ctx.read() as session:
        model, version = await _version(session, ctx, name, number)
        return {"model_version": (await _versions_json(session, [(version, model)]))[0]}


# --- registered models -------------------------------------------------------------------


async def create_registered_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    tags = _tags_param(params)
    async with ctx.write() as session:
        model = await model_service.create_model(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            name=str(required(params, "name")),
            description=text(params, "description", "") or "",
            tags=tags,
        )
        assert model.id is not None
        # A new model has no aliases or versions: only its tags are read back.
        stored = await tag_service.tags_by_owner(session, ModelTag, [model.id]) if tags else {}
        return {"registered_model": _model_json(model, stored.get(model.id, {}), [])}


async def get_registered_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    return await _model_response(ctx, str(required(params, "name")))


async def rename_registered_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    name, new_name = str(required(params, "name")), str(required(params, "new_name"))
    async with ctx.write() as session:
        model = await _model(session, ctx, name)
        assert model.id is not None
        await model_service.update_model(session, actor=ctx.actor, model_id=model.id, name=new_name)
    return await _model_response(ctx, new_name)


async def update_registered_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    name = str(required(params, "name"))
    async with ctx.write() as session:
        model = await _model(session, ctx, name)
        assert model.id is not None
        await model_service.update_model(
            session,
            actor=ctx.actor,
            model_id=model.id,
            description=text(params, "description", "") or "",
        )
    return await _model_response(ctx, name)


async def delete_registered_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.write() as session:
        model = await _model(session, ctx, str(required(params, "name")))
        assert model.id is not None
        await model_service.delete_model(
            session, actor=ctx.actor, storage=ctx.storage, model_id=model.id
        )
    return {}


_MODEL_ORDER = {
    "name": model_service.ModelOrderField.NAME,
    "timestamp": model_service.ModelOrderField.CREATED_AT,
    "creation_timestamp": model_service.ModelOrderField.CREATED_AT,
    "last_updated_timestamp": model_service.ModelOrderField.UPDATED_AT,
}


def _order(params: Params, choices: dict[str, Any], default: tuple[Any, bool]) -> tuple[Any, bool]:
    clauses = listed(params, "order_by")
    if not clauses:
        return default
    if len(clauses) > 1:
        raise MlflowError("Order by one field only (for example 'name ASC').")
    words = str(clauses[0]).split()
    field = words[0].lower() if words else ""
    if field not in choices or len(words) > 2:
        raise MlflowError(
            f"Cannot order by '{clauses[0]}'; use one of {', '.join(sorted(choices))}, "
            "optionally followed by ASC or DESC."
        )
    direction = words[1].upper() if len(words) == 2 else "ASC"
    if direction not in ("ASC", "DESC"):
        raise MlflowError(f"Order direction must be ASC or DESC; got '{words[1]}'.")
    return choices[field], direction == "DESC"


async def search_registered_models(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    order, descending = _order(params, _MODEL_ORDER, (model_service.ModelOrderField.NAME, False))
    async with ctx.read() as session:
        page = await model_service.list_models(
            session,
            project_id=ctx.project_id,
            filter=text(params, "filter"),
            order_by=order,
            descending=descending,
            first=_max_results(params, MODELS_PAGE),
            after=text(params, "page_token") or None,
        )
        found: dict[str, Any] = {"registered_models": await _models_json(session, page.items)}
    if page.has_next_page and page.cursors:
        found["next_page_token"] = page.cursors[-1]
    return found


async def get_latest_versions(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    stages = [_stage(str(s)) for s in listed(params, "stages")]
    async with ctx.read() as session:
        model = await _model(session, ctx, str(required(params, "name")))
        assert model.id is not None
        latest = await version_service.latest_by_stage(session, [model.id], stages)
        rows = [(v, model) for v in latest.get(model.id, [])]
        return {"model_versions": await _versions_json(session, rows)}


async def set_registered_model_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    key, value = str(required(params, "key")), text(params, "value", "") or ""
    async with ctx.write() as session:
        model = await _model(session, ctx, str(required(params, "name")))
        assert model.id is not None
        await model_service.set_model_tags(
            session, actor=ctx.actor, model_id=model.id, tags=[(key, value)]
        )
    return {}


async def delete_registered_model_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.write() as session:
        model = await _model(session, ctx, str(required(params, "name")))
        assert model.id is not None
        await model_service.delete_model_tags(
            session, actor=ctx.actor, model_id=model.id, keys=[str(required(params, "key"))]
        )
    return {}


async def set_alias(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    alias = str(required(params, "alias"))
    async with ctx.write() as session:
        _, version = await _version(session, ctx, str(required(params, "name")), _number(params))
        assert version.id is not None
        await lifecycle_service.set_alias(
            session, actor=ctx.actor, version_id=version.id, alias=alias
        )
    return {}


async def delete_alias(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.write() as session:
        model = await _model(session, ctx, str(required(params, "name")))
        assert model.id is not None
        await lifecycle_service.delete_alias(
            session, actor=ctx.actor, model_id=model.id, alias=str(required(params, "alias"))
        )
    return {}


async def get_version_by_alias(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.read() as session:
        model = await _model(session, ctx, str(required(params, "name")))
        assert model.id is not None
        version = await lifecycle_service.resolve_alias(
            session, model_id=model.id, alias=str(required(params, "alias"))
        )
        return {"model_version": (await _versions_json(session, [(version, model)]))[0]}


# --- model versions ----------------------------------------------------------------------


async def create_model_version(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    from modelreg.services import tracking as tracking_service

    name = str(required(params, "name"))
    source = text(params, "source", "") or ""
    run_id = text(params, "run_id") or None
    tags = _tags_param(params)
    semver_tag = next((v for k, v in tags if k == VERSION_TAG), None)
    other_tags = [(k, v) for k, v in tags if k != VERSION_TAG]
    logged_model = text(params, "model_id") or None
    async with ctx.write() as session:
        model = await _model(session, ctx, name)
        assert model.id is not None
        found = await tracking_service.source_files(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            source=source,
            run_uuid=run_id,
        )
        version = await version_service.create_version(
            session,
            actor=ctx.actor,
            model_id=model.id,
            version=semver_tag,
            description=text(params, "description", "") or "",
            tags=other_tags,
            run_uuid=found.run_uuid or run_id,
            source=source,
            logged_model_uuid=found.logged_model_uuid or logged_model,
            files=found.files,
            storage=ctx.storage,
        )
        assert version.id is not None
        # A new version has no aliases: only its tags are read back.
        stored = (
            await tag_service.tags_by_owner(session, VersionTag, [version.id]) if other_tags else {}
        )
        return {"model_version": _version_json(version, model, stored.get(version.id, {}), [])}


async def get_model_version(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    return await _version_response(ctx, str(required(params, "name")), _number(params))


async def update_model_version(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    name, number = str(required(params, "name")), _number(params)
    async with ctx.write() as session:
        _, version = await _version(session, ctx, name, number)
        assert version.id is not None
        await version_service.update_version(
            session,
            actor=ctx.actor,
            version_id=version.id,
            description=text(params, "description", "") or "",
        )
    return await _version_response(ctx, name, number)


async def delete_model_version(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.write() as session:
        _, version = await _version(session, ctx, str(required(params, "name")), _number(params))
        assert version.id is not None
        await version_service.delete_version(
            session, actor=ctx.actor, storage=ctx.storage, version_id=version.id
        )
    return {}


_VERSION_ORDER = {
    "version_number": version_service.VersionOrderField.NUMBER,
    "creation_timestamp": version_service.VersionOrderField.CREATED_AT,
    "timestamp": version_service.VersionOrderField.CREATED_AT,
}


async def search_model_versions(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    order, descending = _order(
        params, _VERSION_ORDER, (version_service.VersionOrderField.NUMBER, True)
    )
    async with ctx.read() as session:
        page = await version_service.search_versions(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            filter=text(params, "filter"),
            order_by=order,
            descending=descending,
            first=_max_results(params, VERSIONS_PAGE),
            after=text(params, "page_token") or None,
        )
        found: dict[str, Any] = {"model_versions": await _versions_json(session, page.items)}
    if page.has_next_page and page.cursors:
        found["next_page_token"] = page.cursors[-1]
    return found


async def transition_stage(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    name, number = str(required(params, "name")), _number(params)
    stage = _stage(str(required(params, "stage")))
    archive = boolean(params, "archive_existing_versions", False)
    async with ctx.write() as session:
        model, version = await _version(session, ctx, name, number)
        assert version.id is not None
        version = await lifecycle_service.transition_stage(
            session,
            actor=ctx.actor,
            version_id=version.id,
            stage=stage,
            comment=text(params, "comment", "") or "",
            archive_existing=archive,
        )
        return {"model_version": (await _versions_json(session, [(version, model)]))[0]}


async def set_model_version_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    key, value = str(required(params, "key")), text(params, "value", "") or ""
    async with ctx.write() as session:
        _, version = await _version(session, ctx, str(required(params, "name")), _number(params))
        assert version.id is not None
        await version_service.set_version_tags(
            session, actor=ctx.actor, version_id=version.id, tags=[(key, value)]
        )
    return {}


async def delete_model_version_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.write() as session:
        _, version = await _version(session, ctx, str(required(params, "name")), _number(params))
        assert version.id is not None
        await version_service.delete_version_tags(
            session, actor=ctx.actor, version_id=version.id, keys=[str(required(params, "key"))]
        )
    return {}


async def get_download_uri(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.read() as session:
        _, version = await _version(session, ctx, str(required(params, "name")), _number(params))
    return {"artifact_uri": f"mlflow-artifacts:/{VERSION_FILES_ROOT}/{version.id}"}


# Each endpoint's parameters with MLflow's types (its protobuf messages and handler schemas).
_NAME = {"name": REQUIRED}
_VERSION = {"name": REQUIRED, "version": REQUIRED}
_SEARCH = {"filter": STRING, "max_results": INT, "order_by": STRINGS, "page_token": STRING}

ENDPOINTS = [
    Endpoint(
        "POST",
        f"{API}/registered-models/create",
        create_registered_model,
        transaction=True,
        params={**_NAME, "tags": KEY_VALUES, "description": STRING},
    ),
    Endpoint("GET", f"{API}/registered-models/get", get_registered_model, params=_NAME),
    Endpoint(
        "POST",
        f"{API}/registered-models/rename",
        rename_registered_model,
        transaction=True,
        params={**_NAME, "new_name": REQUIRED},
    ),
    Endpoint(
        "PATCH",
        f"{API}/registered-models/update",
        update_registered_model,
        transaction=True,
        params={**_NAME, "description": STRING},
    ),
    Endpoint("DELETE", f"{API}/registered-models/delete", delete_registered_model, params=_NAME),
    Endpoint("GET", f"{API}/registered-models/search", search_registered_models, params=_SEARCH),
    *(
        Endpoint(
            method,
            f"{API}/registered-models/get-latest-versions",
            get_latest_versions,
            params={**_NAME, "stages": STRINGS},
        )
        for method in ("POST", "GET")
    ),
    Endpoint(
        "POST",
        f"{API}/registered-models/set-tag",
        set_registered_model_tag,
        transaction=True,
        params={**_NAME, "key": REQUIRED, "value": STRING},
    ),
    Endpoint(
        "DELETE",
        f"{API}/registered-models/delete-tag",
        delete_registered_model_tag,
        transaction=True,
        params={**_NAME, "key": REQUIRED},
    ),
    Endpoint(
        "POST",
        f"{API}/registered-models/alias",
        set_alias,
        transaction=True,
        params={**_VERSION, "alias": REQUIRED},
    ),
    Endpoint(
        "DELETE",
        f"{API}/registered-models/alias",
        delete_alias,
        transaction=True,
        params={**_NAME, "alias": REQUIRED},
    ),
    Endpoint(
        "GET",
        f"{API}/registered-models/alias",
        get_version_by_alias,
        params={**_NAME, "alias": REQUIRED},
    ),
    Endpoint(
        "POST",
        f"{API}/model-versions/create",
        create_model_version,
        transaction=True,
        params={
            **_NAME,
            "source": STRING,
            "run_id": STRING,
            "tags": KEY_VALUES,
            "run_link": STRING,
            "description": STRING,
            "model_id": STRING,
        },
    ),
    Endpoint("GET", f"{API}/model-versions/get", get_model_version, params=_VERSION),
    Endpoint(
        "PATCH",
        f"{API}/model-versions/update",
        update_model_version,
        transaction=True,
        params={**_VERSION, "description": STRING},
    ),
    Endpoint("DELETE", f"{API}/model-versions/delete", delete_model_version, params=_VERSION),
    Endpoint("GET", f"{API}/model-versions/search", search_model_versions, params=_SEARCH),
    Endpoint(
        "POST",
        f"{API}/model-versions/transition-stage",
        transition_stage,
        transaction=True,
        params={
            **_VERSION,
            "stage": REQUIRED,
            "archive_existing_versions": BOOL,
            "comment": STRING,
        },
    ),
    Endpoint(
        "POST",
        f"{API}/model-versions/set-tag",
        set_model_version_tag,
        transaction=True,
        params={**_VERSION, "key": REQUIRED, "value": STRING},
    ),
    Endpoint(
        "DELETE",
        f"{API}/model-versions/delete-tag",
        delete_model_version_tag,
        transaction=True,
        params={**_VERSION, "key": REQUIRED},
    ),
    Endpoint("GET", f"{API}/model-versions/get-download-uri", get_download_uri, params=_VERSION),
]
