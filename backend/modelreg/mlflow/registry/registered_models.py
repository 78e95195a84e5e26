"""MLflow's registered model endpoints: create, get, rename, update, delete, search, latest
versions, tags, and the aliases that point at a model's versions.
"""

from __future__ import annotations

from typing import Any

from modelreg.db.models import ModelTag
from modelreg.mlflow.app import Endpoint
from modelreg.mlflow.params import KEY_VALUES, REQUIRED, STRING, STRINGS
from modelreg.mlflow.protocol import MlflowContext, Params, listed, required, text
from modelreg.mlflow.registry.rendering import (
    model_json,
    model_response,
    models_json,
    versions_json,
)
from modelreg.mlflow.registry.requests import (
    API,
    NAME_PARAMS,
    SEARCH_PARAMS,
    VERSION_PARAMS,
    find_model,
    find_version,
    max_results,
    ordering,
    parse_stage,
    tags_param,
    version_number,
)
from modelreg.services import lifecycle as lifecycle_service
from modelreg.services import models as model_service
from modelreg.services import tags as tag_service
from modelreg.services import version_reads

# MLflow's own defaults and limits for a page of search results.
MODELS_PAGE = (100, 1000)


async def create_registered_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    tags = tags_param(params)
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
        return {"registered_model": model_json(model, stored.get(model.id, {}), [])}


async def get_registered_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    return await model_response(ctx, str(required(params, "name")))


async def rename_registered_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    name, new_name = str(required(params, "name")), str(required(params, "new_name"))
    async with ctx.write() as session:
        model = await find_model(session, ctx, name)
        assert model.id is not None
        await model_service.update_model(session, actor=ctx.actor, model_id=model.id, name=new_name)
    return await model_response(ctx, new_name)


async def update_registered_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    name = str(required(params, "name"))
    async with ctx.write() as session:
        model = await find_model(session, ctx, name)
        assert model.id is not None
        await model_service.update_model(
            session,
            actor=ctx.actor,
            model_id=model.id,
            description=text(params, "description", "") or "",
        )
    return await model_response(ctx, name)


async def delete_registered_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.write() as session:
        model = await find_model(session, ctx, str(required(params, "name")))
        assert model.id is not None
        await model_service.delete_model(
            session, actor=ctx.actor, storage=ctx.storage, model_id=model.id
        )
    return {}


# MLflow's keys (`timestamp` is the last update there too) and `creation_timestamp`, ours;
# equal keys go by name ascending, as in MLflow.
_MODEL_ORDER = {
    "name": model_service.ModelOrderField.NAME,
    "timestamp": model_service.ModelOrderField.UPDATED_AT,
    "creation_timestamp": model_service.ModelOrderField.CREATED_AT,
    "last_updated_timestamp": model_service.ModelOrderField.UPDATED_AT,
}


async def search_registered_models(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    order = ordering(params, _MODEL_ORDER) or [(model_service.ModelOrderField.NAME, False)]
    async with ctx.read() as session:
        page = await model_service.list_models(
            session,
            project_id=ctx.project_id,
            filter=text(params, "filter"),
            order=order,
            first=max_results(params, MODELS_PAGE),
            after=text(params, "page_token") or None,
            core_rows=True,
        )
        found: dict[str, Any] = {"registered_models": await models_json(session, page.items)}
    if page.has_next_page and page.cursors:
        found["next_page_token"] = page.cursors[-1]
    return found


async def get_latest_versions(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    stages = [parse_stage(str(s)) for s in listed(params, "stages")]
    async with ctx.read() as session:
        model = await find_model(session, ctx, str(required(params, "name")))
        assert model.id is not None
        latest = await version_reads.latest_by_stage(session, [model.id], stages)
        rows = [(v, model) for v in latest.get(model.id, [])]
        return {"model_versions": await versions_json(session, rows)}


async def set_registered_model_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    key, value = str(required(params, "key")), text(params, "value", "") or ""
    async with ctx.write() as session:
        model = await find_model(session, ctx, str(required(params, "name")))
        assert model.id is not None
        await model_service.set_model_tags(
            session, actor=ctx.actor, model_id=model.id, tags=[(key, value)]
        )
    return {}


async def delete_registered_model_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.write() as session:
        model = await find_model(session, ctx, str(required(params, "name")))
        assert model.id is not None
        await model_service.delete_model_tags(
            session, actor=ctx.actor, model_id=model.id, keys=[str(required(params, "key"))]
        )
    return {}


async def set_alias(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    alias = str(required(params, "alias"))
    async with ctx.write() as session:
        _, version = await find_version(
            session, ctx, str(required(params, "name")), version_number(params)
        )
        assert version.id is not None
        await lifecycle_service.set_alias(
            session, actor=ctx.actor, version_id=version.id, alias=alias
        )
    return {}


async def delete_alias(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.write() as session:
        model = await find_model(session, ctx, str(required(params, "name")))
        assert model.id is not None
        await lifecycle_service.delete_alias(
            session, actor=ctx.actor, model_id=model.id, alias=str(required(params, "alias"))
        )
    return {}


async def get_version_by_alias(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.read() as session:
        model = await find_model(session, ctx, str(required(params, "name")))
        assert model.id is not None
        version = await lifecycle_service.resolve_alias(
            session, model_id=model.id, alias=str(required(params, "alias"))
        )
        return {"model_version": (await versions_json(session, [(version, model)]))[0]}


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "POST",
        f"{API}/registered-models/create",
        create_registered_model,
        transaction=True,
        params={**NAME_PARAMS, "tags": KEY_VALUES, "description": STRING},
    ),
    Endpoint("GET", f"{API}/registered-models/get", get_registered_model, params=NAME_PARAMS),
    Endpoint(
        "POST",
        f"{API}/registered-models/rename",
        rename_registered_model,
        transaction=True,
        params={**NAME_PARAMS, "new_name": REQUIRED},
    ),
    Endpoint(
        "PATCH",
        f"{API}/registered-models/update",
        update_registered_model,
        transaction=True,
        params={**NAME_PARAMS, "description": STRING},
    ),
    Endpoint(
        "DELETE", f"{API}/registered-models/delete", delete_registered_model, params=NAME_PARAMS
    ),
    Endpoint(
        "GET", f"{API}/registered-models/search", search_registered_models, params=SEARCH_PARAMS
    ),
    *(
        Endpoint(
            method,
            f"{API}/registered-models/get-latest-versions",
            get_latest_versions,
            params={**NAME_PARAMS, "stages": STRINGS},
        )
        for method in ("POST", "GET")
    ),
    Endpoint(
        "POST",
        f"{API}/registered-models/set-tag",
        set_registered_model_tag,
        transaction=True,
        params={**NAME_PARAMS, "key": REQUIRED, "value": STRING},
    ),
    Endpoint(
        "DELETE",
        f"{API}/registered-models/delete-tag",
        delete_registered_model_tag,
        transaction=True,
        params={**NAME_PARAMS, "key": REQUIRED},
    ),
    Endpoint(
        "POST",
        f"{API}/registered-models/alias",
        set_alias,
        transaction=True,
        params={**VERSION_PARAMS, "alias": REQUIRED},
    ),
    Endpoint(
        "DELETE",
        f"{API}/registered-models/alias",
        delete_alias,
        transaction=True,
        params={**NAME_PARAMS, "alias": REQUIRED},
    ),
    Endpoint(
        "GET",
        f"{API}/registered-models/alias",
        get_version_by_alias,
        params={**NAME_PARAMS, "alias": REQUIRED},
    ),
]
