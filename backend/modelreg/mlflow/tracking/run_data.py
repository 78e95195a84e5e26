"""MLflow's endpoints that log into a run: metrics, params and tags (log-batch, log-metric,
log-parameter, set-tag, delete-tag), its inputs (datasets, models) and outputs (models).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.domain import tracking as rules
from modelreg.mlflow.app import Endpoint
from modelreg.mlflow.params import INT, KEY_VALUES, REQUIRED, STRING, Kind, Param, list_of, obj
from modelreg.mlflow.protocol import MlflowContext, MlflowError, Params, listed
from modelreg.mlflow.tracking.wire import (
    API,
    RUN_PARAMS,
    key_value_pairs,
    required_string,
    run_id_param,
    string_param,
    write,
)
from modelreg.services import tracking as service


def _metric(item: Any, *, path: str) -> service.MetricPoint:
    if not isinstance(item, dict):
        raise MlflowError(f"Invalid value for parameter '{path}': expected an object.")
    key = item.get("key")
    if not isinstance(key, str) or not key:
        raise MlflowError(f"Missing value for required parameter '{path}.key'.")
    if item.get("value") is None:
        raise MlflowError(f"Missing value for required parameter '{path}.value'.")
    return service.MetricPoint(
        key=key,
        value=rules.parse_metric_value(item["value"], field=f"{path}.value"),
        timestamp=rules.parse_int64(item.get("timestamp"), field=f"{path}.timestamp", minimum=0),
        step=rules.parse_int64(item.get("step"), field=f"{path}.step", default=0),
        model_id=item.get("model_id") or None,
        dataset_name=item.get("dataset_name") or None,
        dataset_digest=item.get("dataset_digest") or None,
    )


async def _log(
    ctx: MlflowContext,
    run_uuid: str,
    *,
    metrics: Sequence[service.MetricPoint] = (),
    params: Sequence[tuple[str, str]] = (),
    tags: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    async def action(session: AsyncSession) -> None:
        await service.log_batch(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            run_uuid=run_uuid,
            metrics=metrics,
            params=params,
            tags=tags,
        )

    await write(ctx, action)
    return {}


async def log_batch(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    metrics = [
        _metric(item, path=f"metrics[{i}]") for i, item in enumerate(listed(params, "metrics"))
    ]
    return await _log(
        ctx,
        run_id_param(params),
        metrics=metrics,
        params=key_value_pairs(params, "params"),
        tags=key_value_pairs(params, "tags"),
    )


async def log_metric(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    return await _log(ctx, run_id_param(params), metrics=[_metric(params, path="metric")])


async def log_param(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    key = required_string(params, "key")
    value = string_param(params, "value", default="") or ""
    return await _log(ctx, run_id_param(params), params=[(key, value)])


async def set_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    key = required_string(params, "key")
    value = string_param(params, "value", default="") or ""
    return await _log(ctx, run_id_param(params), tags=[(key, value)])


async def delete_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    run_uuid, key = run_id_param(params), required_string(params, "key")

    async def action(session: AsyncSession) -> None:
        await service.delete_run_tag(
            session, actor=ctx.actor, project_id=ctx.project_id, run_uuid=run_uuid, key=key
        )

    await write(ctx, action)
    return {}


async def log_inputs(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    run_uuid = run_id_param(params)
    datasets, models = listed(params, "datasets"), listed(params, "models")

    async def action(session: AsyncSession) -> None:
        await service.log_inputs(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            run_uuid=run_uuid,
            datasets=datasets,
            models=models,
        )

    await write(ctx, action)
    return {}


async def log_outputs(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    run_uuid = run_id_param(params)
    models = listed(params, "models")

    async def action(session: AsyncSession) -> None:
        await service.log_outputs(
            session, actor=ctx.actor, project_id=ctx.project_id, run_uuid=run_uuid, models=models
        )

    await write(ctx, action)
    return {}


# Each endpoint's parameters with MLflow's types (its protobuf messages and handler schemas).
_METRIC = {
    "key": REQUIRED,
    "value": Param(Kind.DOUBLE, required=True),
    "timestamp": Param(Kind.INT, required=True),
    "step": INT,
    "run_id": STRING,
    "model_id": STRING,
    "dataset_name": STRING,
    "dataset_digest": STRING,
}
_DATASET = obj(
    name=STRING, digest=STRING, source_type=STRING, source=STRING, schema=STRING, profile=STRING
)
_DATASET_INPUTS = list_of(obj(tags=KEY_VALUES, dataset=_DATASET))
_MODEL_INPUTS = list_of(obj(model_id=STRING))
_MODEL_OUTPUTS = list_of(obj(model_id=STRING, step=INT), required=True)

ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "POST",
        f"{API}/runs/log-batch",
        log_batch,
        params={
            **RUN_PARAMS,
            "metrics": list_of(obj(**_METRIC)),
            "params": KEY_VALUES,
            "tags": KEY_VALUES,
        },
    ),
    Endpoint("POST", f"{API}/runs/log-metric", log_metric, params={**RUN_PARAMS, **_METRIC}),
    Endpoint(
        "POST",
        f"{API}/runs/log-parameter",
        log_param,
        params={**RUN_PARAMS, "key": REQUIRED, "value": STRING},
    ),
    Endpoint(
        "POST",
        f"{API}/runs/set-tag",
        set_tag,
        params={**RUN_PARAMS, "key": REQUIRED, "value": STRING},
    ),
    Endpoint("POST", f"{API}/runs/delete-tag", delete_tag, params={**RUN_PARAMS, "key": REQUIRED}),
    Endpoint(
        "POST",
        f"{API}/runs/log-inputs",
        log_inputs,
        params={**RUN_PARAMS, "datasets": _DATASET_INPUTS, "models": _MODEL_INPUTS},
    ),
    Endpoint(
        "POST",
        f"{API}/runs/outputs",
        log_outputs,
        params={**RUN_PARAMS, "models": _MODEL_OUTPUTS},
    ),
]
