"""MLflow 3's logged model endpoints: create, get, finalize, delete (softly, as MLflow does),
tags, params and search (with its `datasets` filter); a model's metrics are those logged with its
`model_id` (runs/log-metric, runs/log-batch)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Experiment, LoggedModel
from modelreg.domain import tracking as rules
from modelreg.mlflow.app import Endpoint
from modelreg.mlflow.params import (
    BOOL,
    ID,
    KEY_VALUES,
    REQUIRED,
    REQUIRED_ID,
    STRING,
    Kind,
    Param,
    list_of,
    obj,
)
from modelreg.mlflow.protocol import MlflowContext, MlflowError, Params, listed, required
from modelreg.mlflow.tracking.wire import (
    API,
    PAGE_PARAMS,
    experiment_ids_param,
    key_value_pairs,
    key_values,
    page_of,
    required_string,
    string_param,
    write,
)
from modelreg.services import tracking as service
from modelreg.services.tracking import logged_model_data
from modelreg.services.tracking.logged_models import delete_logged_model as delete_model

# MLflow's defaults and limits for a page of search results.
LOGGED_MODELS_PAGE = (100, 1000)


def _metric_json(metric: logged_model_data.ModelMetric) -> dict[str, Any]:
    found: dict[str, Any] = {
        "key": metric.key,
        "value": rules.metric_value_json(metric.value),
        "timestamp": metric.timestamp,
        "step": metric.step,
        "model_id": metric.model_id,
    }
    if metric.run_id:
        found["run_id"] = metric.run_id
    if metric.dataset_name:
        found["dataset_name"] = metric.dataset_name
        found["dataset_digest"] = metric.dataset_digest
    return found


def logged_model_json(
    model: LoggedModel,
    experiment: Experiment,
    metrics: Sequence[logged_model_data.ModelMetric] = (),
) -> dict[str, Any]:
    info: dict[str, Any] = {
        "model_id": model.uuid,
        "experiment_id": service.experiment_id_of(experiment),
        "name": model.name,
        "creation_timestamp_ms": model.creation_time,
        "last_updated_timestamp_ms": model.last_updated_time,
        "artifact_uri": service.logged_model_artifact_location(model, experiment),
        "status": model.status,
        "model_type": model.model_type,
        "tags": key_values(model.tags),
    }
    if model.source_run_uuid:
        info["source_run_id"] = model.source_run_uuid
    return {
        "info": info,
        "data": {"params": key_values(model.params), "metrics": [_metric_json(m) for m in metrics]},
    }


async def _with_metrics(
    session: AsyncSession, found: Sequence[tuple[LoggedModel, Experiment]]
) -> list[dict[str, Any]]:
    metrics = await logged_model_data.metrics_by_models(session, [m for m, _ in found])
    return [logged_model_json(m, e, metrics.get(m.id or 0, [])) for m, e in found]


async def create_logged_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    experiment_id = required_string(params, "experiment_id")
    name = string_param(params, "name") or None
    model_type = string_param(params, "model_type", default="") or ""
    source_run = string_param(params, "source_run_id") or None
    model_params, tags = key_value_pairs(params, "params"), key_value_pairs(params, "tags")

    async def action(session: AsyncSession) -> dict[str, Any]:
        model, experiment = await service.create_logged_model(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            experiment_id=experiment_id,
            name=name,
            model_type=model_type,
            source_run_uuid=source_run,
            params=model_params,
            tags=tags,
        )
        return logged_model_json(model, experiment)

    return {"model": await write(ctx, action)}


async def get_logged_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.read() as session:
        model, experiment = await service.get_logged_model(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            model_id=required_string(params, "model_id"),
        )
        return {"model": (await _with_metrics(session, [(model, experiment)]))[0]}


async def finalize_logged_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    model_id = required_string(params, "model_id")
    status = rules.parse_logged_model_status(required(params, "status"))

    async def action(session: AsyncSession) -> dict[str, Any]:
        model, experiment = await service.finalize_logged_model(
            session, actor=ctx.actor, project_id=ctx.project_id, model_id=model_id, status=status
        )
        return (await _with_metrics(session, [(model, experiment)]))[0]

    return {"model": await write(ctx, action)}


async def delete_logged_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    model_id = required_string(params, "model_id")

    async def action(session: AsyncSession) -> None:
        await delete_model(session, actor=ctx.actor, project_id=ctx.project_id, model_id=model_id)

    await write(ctx, action)
    return {}


def _datasets(params: Params) -> list[logged_model_data.DatasetFilter]:
    found = []
    for item in listed(params, "datasets"):
        name = item.get("dataset_name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name:
            raise MlflowError("`dataset_name` in the `datasets` clause must be specified.")
        digest = item.get("dataset_digest")
        found.append(logged_model_data.DatasetFilter(name, digest if digest else None))
    return found


async def set_logged_model_tags(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    model_id, tags = required_string(params, "model_id"), key_value_pairs(params, "tags")

    async def action(session: AsyncSession) -> None:
        await service.set_logged_model_tags(
            session, actor=ctx.actor, project_id=ctx.project_id, model_id=model_id, tags=tags
        )

    await write(ctx, action)
    return {}


async def delete_logged_model_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    model_id, key = required_string(params, "model_id"), required_string(params, "tag_key")

    async def action(session: AsyncSession) -> None:
        await service.delete_logged_model_tag(
            session, actor=ctx.actor, project_id=ctx.project_id, model_id=model_id, key=key
        )

    await write(ctx, action)
    return {}


async def log_logged_model_params(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    model_id, model_params = required_string(params, "model_id"), key_value_pairs(params, "params")

    async def action(session: AsyncSession) -> None:
        await service.log_logged_model_params(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            model_id=model_id,
            params=model_params,
        )

    await write(ctx, action)
    return {}


async def search_logged_models(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    experiment_ids = experiment_ids_param(params)
    if not experiment_ids:
        raise MlflowError("Missing value for required parameter 'experiment_ids'.")
    async with ctx.read() as session:
        found = await service.search_logged_models(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            experiment_ids=experiment_ids,
            filter=string_param(params, "filter"),
            datasets=_datasets(params),
        )
        page, token = page_of(found, params, LOGGED_MODELS_PAGE)
        result: dict[str, Any] = {"models": await _with_metrics(session, page)}
    if token:
        result["next_page_token"] = token
    return result


# Each endpoint's parameters with MLflow's types (its protobuf messages and handler schemas).
_LOGGED_MODEL = {"model_id": REQUIRED}

ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "POST",
        f"{API}/logged-models",
        create_logged_model,
        params={
            "experiment_id": REQUIRED_ID,
            "name": STRING,
            "model_type": STRING,
            "source_run_id": STRING,
            "params": KEY_VALUES,
            "tags": KEY_VALUES,
        },
    ),
    Endpoint(
        "POST",
        f"{API}/logged-models/search",
        search_logged_models,
        params={
            **PAGE_PARAMS,
            "experiment_ids": list_of(ID, required=True),
            "filter": STRING,
            "datasets": list_of(obj(dataset_name=STRING, dataset_digest=STRING)),
            "order_by": list_of(
                obj(field_name=STRING, ascending=BOOL, dataset_name=STRING, dataset_digest=STRING)
            ),
        },
    ),
    Endpoint("GET", f"{API}/logged-models/{{model_id}}", get_logged_model, params=_LOGGED_MODEL),
    Endpoint(
        "PATCH",
        f"{API}/logged-models/{{model_id}}",
        finalize_logged_model,
        params={**_LOGGED_MODEL, "status": Param(Kind.ENUM, required=True)},
    ),
    Endpoint(
        "DELETE",
        f"{API}/logged-models/{{model_id}}",
        delete_logged_model,
        params=_LOGGED_MODEL,
    ),
    Endpoint(
        "PATCH",
        f"{API}/logged-models/{{model_id}}/tags",
        set_logged_model_tags,
        params={**_LOGGED_MODEL, "tags": KEY_VALUES},
    ),
    Endpoint(
        "DELETE",
        f"{API}/logged-models/{{model_id}}/tags/{{tag_key:path}}",
        delete_logged_model_tag,
        params={**_LOGGED_MODEL, "tag_key": REQUIRED},
    ),
    Endpoint(
        "POST",
        f"{API}/logged-models/{{model_id}}/params",
        log_logged_model_params,
        params={**_LOGGED_MODEL, "params": KEY_VALUES},
    ),
]
