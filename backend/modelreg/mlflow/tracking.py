"""MLflow's tracking endpoints (experiments, runs, metrics, MLflow 3 logged models, server-info),
onto services/tracking.py.

Experiment ids: the project's "Default" experiment is "0" (what every client uses when none is
set); the others are their row ids. Run ids are 32 hex digits, logged model ids `m-<32 hex>`.
Artifact URIs are `mlflow-artifacts:/<experiment id>/<run id>/artifacts` and
`mlflow-artifacts:/<experiment id>/models/<model id>/artifacts`, served by mlflow/artifacts.py.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Experiment, LoggedModel, Run, RunMetric
from modelreg.domain import tracking as rules
from modelreg.mlflow.app import Endpoint
from modelreg.mlflow.params import (
    BOOL,
    ENUM,
    INT,
    KEY_VALUES,
    REQUIRED,
    STRING,
    STRINGS,
    Kind,
    Param,
    list_of,
    obj,
)
from modelreg.mlflow.protocol import MlflowContext, MlflowError, Params, listed, millis, required
from modelreg.services import tracking as service
from modelreg.services import transactions

API = "api/2.0/mlflow"
# MLflow's defaults and limits for a page of search results.
EXPERIMENTS_PAGE = (1000, 50_000)
RUNS_PAGE = (1000, 50_000)
LOGGED_MODELS_PAGE = (100, 1000)

T = TypeVar("T")


# --- request parsing -----------------------------------------------------------------------


def _string(params: Mapping[str, Any], name: str, *, default: str | None = None) -> str | None:
    value = params.get(name)
    if isinstance(value, list):
        value = value[-1] if value else None
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MlflowError(f"Invalid value for parameter '{name}': it must be a string.")
    text = str(value)
    if "\x00" in text:
        raise MlflowError(f"Invalid value for parameter '{name}': it contains a NUL character.")
    return text


def _required_string(params: Mapping[str, Any], name: str) -> str:
    value = _string(params, name)
    if value is None or value == "":
        raise MlflowError(f"Missing value for required parameter '{name}'.")
    return value


def _run_id(params: Mapping[str, Any]) -> str:
    value = _string(params, "run_id") or _string(params, "run_uuid")
    if not value:
        raise MlflowError("Missing value for required parameter 'run_id'.")
    return value


def _pairs(params: Mapping[str, Any], name: str) -> list[tuple[str, str]]:
    """`[{"key": ..., "value": ...}]` as (key, value) pairs."""
    found: list[tuple[str, str]] = []
    for index, item in enumerate(listed(params, name)):
        if not isinstance(item, dict):
            raise MlflowError(f"Invalid value for parameter '{name}[{index}]': expected an object.")
        key = item.get("key")
        if not isinstance(key, str) or not key:
            raise MlflowError(f"Missing value for required parameter '{name}[{index}].key'.")
        value = item.get("value", "")
        if isinstance(value, bool) or not isinstance(value, str | int | float | None):
            raise MlflowError(f"Invalid value for parameter '{name}[{index}].value'.")
        found.append((key, "" if value is None else str(value)))
    return found


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
    )


def _optional_int(params: Mapping[str, Any], name: str, *, minimum: int = 0) -> int | None:
    value = params.get(name)
    if isinstance(value, list):
        value = value[-1] if value else None
    if value is None or value == "":
        return None
    return rules.parse_int64(value, field=name, minimum=minimum)


def _page_size(params: Mapping[str, Any], limits: tuple[int, int]) -> int:
    default, maximum = limits
    size = _optional_int(params, "max_results", minimum=1)
    if size is None:
        return default
    if size > maximum:
        raise MlflowError(f"Invalid value for 'max_results': it must be at most {maximum}.")
    return size


def _offset(params: Mapping[str, Any]) -> int:
    token = _string(params, "page_token")
    if not token:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = decoded["offset"]
    except (binascii.Error, ValueError, TypeError, KeyError, RecursionError):
        raise MlflowError("Invalid page token.") from None
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset < 2**62:
        raise MlflowError("Invalid page token.")
    return offset


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _page(
    items: Sequence[T], params: Mapping[str, Any], limits: tuple[int, int]
) -> tuple[list[T], str | None]:
    size, offset = _page_size(params, limits), _offset(params)
    page = list(items[offset : offset + size])
    return page, _token(offset + size) if offset + size < len(items) else None


def _view(params: Mapping[str, Any], name: str) -> str:
    value = _string(params, name, default="ACTIVE_ONLY") or "ACTIVE_ONLY"
    views = {"1": "ACTIVE_ONLY", "2": "DELETED_ONLY", "3": "ALL"}
    view = views.get(value, value.upper())
    if view not in views.values():
        raise MlflowError(f"Invalid value for '{name}': use ACTIVE_ONLY, DELETED_ONLY or ALL.")
    return view


def _experiment_ids(params: Mapping[str, Any]) -> list[str]:
    ids = listed(params, "experiment_ids")
    if not all(
        isinstance(i, str | int) and not isinstance(i, bool) and "\x00" not in str(i) for i in ids
    ):
        raise MlflowError("Invalid value for 'experiment_ids': expected a list of strings.")
    return [str(i) for i in ids]


async def _write(ctx: MlflowContext, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """One transaction, run again once if it lost a race (`services.transactions.write`)."""
    return await transactions.write(ctx.db, action)


# --- responses -----------------------------------------------------------------------------


def _key_values(items: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in sorted(items.items())]


def experiment_json(experiment: Experiment) -> dict[str, Any]:
    experiment_id = service.experiment_id_of(experiment)
    return {
        "experiment_id": experiment_id,
        "name": experiment.name,
        "artifact_location": rules.artifact_uri(experiment_id),
        "lifecycle_stage": experiment.lifecycle_stage,
        "creation_time": millis(experiment.created_at),
        "last_update_time": millis(experiment.updated_at),
        "tags": _key_values(experiment.tags),
    }


def run_info_json(run: Run, experiment: Experiment) -> dict[str, Any]:
    info: dict[str, Any] = {
        "run_id": run.uuid,
        "run_uuid": run.uuid,
        "run_name": run.name,
        "experiment_id": service.experiment_id_of(experiment),
        "user_id": run.user,
        "status": run.status,
        "start_time": run.start_time,
        "artifact_uri": service.run_artifact_location(run, experiment),
        "lifecycle_stage": run.lifecycle_stage,
    }
    if run.end_time is not None:
        info["end_time"] = run.end_time
    return info


def metric_json(metric: RunMetric) -> dict[str, Any]:
    return {
        "key": metric.key,
        "value": rules.metric_value_json(service.metric_value(metric)),
        "timestamp": metric.timestamp,
        "step": metric.step,
    }


async def _runs_json(
    session: AsyncSession, runs: Sequence[tuple[Run, Experiment]]
) -> list[dict[str, Any]]:
    ids = [r.id for r, _ in runs if r.id is not None]
    params = await service.params_by_runs(session, ids)
    tags = await service.tags_by_runs(session, ids)
    metrics = await service.latest_metrics_by_runs(session, ids)
    found = []
    for run, experiment in runs:
        assert run.id is not None
        entries = run.inputs or []
        found.append(
            {
                "info": run_info_json(run, experiment),
                "data": {
                    "metrics": [metric_json(m) for m in metrics.get(run.id, [])],
                    "params": _key_values(params.get(run.id, {})),
                    "tags": _key_values(tags.get(run.id, {})),
                },
                "inputs": {
                    "dataset_inputs": [e["dataset_input"] for e in entries if "dataset_input" in e],
                    "model_inputs": [e["model_input"] for e in entries if "model_input" in e],
                },
                "outputs": {
                    "model_outputs": [e["model_output"] for e in entries if "model_output" in e]
                },
            }
        )
    return found


def logged_model_json(model: LoggedModel, experiment: Experiment) -> dict[str, Any]:
    info: dict[str, Any] = {
        "model_id": model.uuid,
        "experiment_id": service.experiment_id_of(experiment),
        "name": model.name,
        "creation_timestamp_ms": model.creation_time,
        "last_updated_timestamp_ms": model.last_updated_time,
        "artifact_uri": service.logged_model_artifact_location(model, experiment),
        "status": model.status,
        "model_type": model.model_type,
        "tags": _key_values(model.tags),
    }
    if model.source_run_uuid:
        info["source_run_id"] = model.source_run_uuid
    return {"info": info, "data": {"params": _key_values(model.params), "metrics": []}}


# --- experiments ---------------------------------------------------------------------------


async def get_experiment(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.read() as session:
        experiment = await service.get_experiment(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            experiment_id=_required_string(params, "experiment_id"),
        )
    return {"experiment": experiment_json(experiment)}


async def get_experiment_by_name(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.read() as session:
        experiment = await service.get_experiment_by_name(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            name=_required_string(params, "experiment_name"),
        )
    return {"experiment": experiment_json(experiment)}


async def create_experiment(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    # `artifact_location` is not ours to choose: every experiment's files go through the proxy.
    name = _required_string(params, "name")
    tags = _pairs(params, "tags")

    async def action(session: AsyncSession) -> Experiment:
        return await service.create_experiment(
            session, actor=ctx.actor, project_id=ctx.project_id, name=name, tags=tags
        )

    experiment = await _write(ctx, action)
    return {"experiment_id": service.experiment_id_of(experiment)}


async def search_experiments(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.read() as session:
        found = await service.search_experiments(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            filter=_string(params, "filter"),
            view=_view(params, "view_type"),
        )
    page, token = _page(found, params, EXPERIMENTS_PAGE)
    result: dict[str, Any] = {"experiments": [experiment_json(e) for e in page]}
    if token:
        result["next_page_token"] = token
    return result


async def set_experiment_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    experiment_id = _required_string(params, "experiment_id")
    key = _required_string(params, "key")
    value = _string(params, "value", default="") or ""

    async def action(session: AsyncSession) -> None:
        await service.set_experiment_tag(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            experiment_id=experiment_id,
            key=key,
            value=value,
        )

    await _write(ctx, action)
    return {}


# --- runs ----------------------------------------------------------------------------------


async def _run_response(ctx: MlflowContext, run_uuid: str) -> dict[str, Any]:
    async with ctx.read() as session:
        run, experiment = await service.get_run(
            session, actor=ctx.actor, project_id=ctx.project_id, run_uuid=run_uuid
        )
        return {"run": (await _runs_json(session, [(run, experiment)]))[0]}


async def create_run(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    experiment_id = _string(params, "experiment_id") or rules.DEFAULT_EXPERIMENT_ID
    name = _string(params, "run_name")
    start_time = _optional_int(params, "start_time")
    tags = _pairs(params, "tags")
    user = _string(params, "user_id")

    async def action(session: AsyncSession) -> tuple[Run, Experiment]:
        return await service.create_run(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            experiment_id=experiment_id,
            name=name,
            start_time=start_time,
            tags=tags,
            user=user,
        )

    run, _ = await _write(ctx, action)
    return await _run_response(ctx, run.uuid)


async def get_run(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    return await _run_response(ctx, _run_id(params))


async def update_run(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    run_uuid = _run_id(params)
    status_value = _string(params, "status")
    status = rules.parse_run_status(status_value) if status_value else None
    end_time = _optional_int(params, "end_time")
    name = _string(params, "run_name")

    async def action(session: AsyncSession) -> dict[str, Any]:
        run, experiment = await service.update_run(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            run_uuid=run_uuid,
            status=status,
            end_time=end_time,
            name=name,
        )
        return run_info_json(run, experiment)

    return {"run_info": await _write(ctx, action)}


def _lifecycle(deleted: bool) -> Callable[[MlflowContext, Params], Awaitable[dict[str, Any]]]:
    async def handler(ctx: MlflowContext, params: Params) -> dict[str, Any]:
        run_uuid = _run_id(params)

        async def action(session: AsyncSession) -> None:
            await service.set_run_lifecycle(
                session,
                actor=ctx.actor,
                project_id=ctx.project_id,
                run_uuid=run_uuid,
                deleted=deleted,
            )

        await _write(ctx, action)
        return {}

    return handler


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

    await _write(ctx, action)
    return {}


async def log_batch(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    metrics = [
        _metric(item, path=f"metrics[{i}]") for i, item in enumerate(listed(params, "metrics"))
    ]
    return await _log(
        ctx,
        _run_id(params),
        metrics=metrics,
        params=_pairs(params, "params"),
        tags=_pairs(params, "tags"),
    )


async def log_metric(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    return await _log(ctx, _run_id(params), metrics=[_metric(params, path="metric")])


async def log_param(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    key = _required_string(params, "key")
    value = _string(params, "value", default="") or ""
    return await _log(ctx, _run_id(params), params=[(key, value)])


async def set_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    key = _required_string(params, "key")
    value = _string(params, "value", default="") or ""
    return await _log(ctx, _run_id(params), tags=[(key, value)])


async def delete_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    run_uuid, key = _run_id(params), _required_string(params, "key")

    async def action(session: AsyncSession) -> None:
        await service.delete_run_tag(
            session, actor=ctx.actor, project_id=ctx.project_id, run_uuid=run_uuid, key=key
        )

    await _write(ctx, action)
    return {}


async def log_inputs(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    run_uuid = _run_id(params)
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

    await _write(ctx, action)
    return {}


async def log_outputs(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    run_uuid = _run_id(params)
    models = listed(params, "models")

    async def action(session: AsyncSession) -> None:
        await service.log_outputs(
            session, actor=ctx.actor, project_id=ctx.project_id, run_uuid=run_uuid, models=models
        )

    await _write(ctx, action)
    return {}


async def search_runs(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    size, offset = _page_size(params, RUNS_PAGE), _offset(params)
    async with ctx.read() as session:
        page, more = await service.search_runs(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            experiment_ids=_experiment_ids(params),
            filter=_string(params, "filter"),
            view=_view(params, "run_view_type"),
            limit=size,
            offset=offset,
        )
        result: dict[str, Any] = {"runs": await _runs_json(session, page)}
    if more:
        result["next_page_token"] = _token(offset + size)
    return result


async def get_metric_history(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    run_uuid, key = _run_id(params), _required_string(params, "metric_key")
    async with ctx.read() as session:
        run, _ = await service.get_run(
            session, actor=ctx.actor, project_id=ctx.project_id, run_uuid=run_uuid
        )
        assert run.id is not None
        history = await service.metric_history(session, run.id, key)
    size, offset = _optional_int(params, "max_results", minimum=1), _offset(params)
    end = offset + size if size is not None else len(history)
    result: dict[str, Any] = {"metrics": [metric_json(m) for m in history[offset:end]]}
    if end < len(history):
        result["next_page_token"] = _token(end)
    return result


async def list_run_artifacts(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    """`artifacts/list`: a folder of a run's artifacts (paths relative to the run's root)."""
    run_uuid = _run_id(params)
    sub = rules.normalize_artifact_path(_string(params, "path") or "")
    async with ctx.read() as session:
        run, experiment = await service.get_run(
            session, actor=ctx.actor, project_id=ctx.project_id, run_uuid=run_uuid
        )
        root = rules.run_artifact_path(service.experiment_id_of(experiment), run.uuid)
        entries = await service.list_tracked(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            path=f"{root}/{sub}" if sub else root,
        )
    files = []
    for entry in entries:
        item: dict[str, Any] = {
            "path": f"{sub}/{entry.name}" if sub else entry.name,
            "is_dir": entry.is_dir,
        }
        if entry.size is not None:
            item["file_size"] = entry.size
        files.append(item)
    return {"root_uri": service.run_artifact_location(run, experiment), "files": files}


# --- logged models -------------------------------------------------------------------------


async def create_logged_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    experiment_id = _required_string(params, "experiment_id")
    name = _string(params, "name") or None
    model_type = _string(params, "model_type", default="") or ""
    source_run = _string(params, "source_run_id") or None
    model_params, tags = _pairs(params, "params"), _pairs(params, "tags")

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

    return {"model": await _write(ctx, action)}


async def get_logged_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.read() as session:
        model, experiment = await service.get_logged_model(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            model_id=_required_string(params, "model_id"),
        )
    return {"model": logged_model_json(model, experiment)}


async def finalize_logged_model(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    model_id = _required_string(params, "model_id")
    status = rules.parse_logged_model_status(required(params, "status"))

    async def action(session: AsyncSession) -> dict[str, Any]:
        model, experiment = await service.finalize_logged_model(
            session, actor=ctx.actor, project_id=ctx.project_id, model_id=model_id, status=status
        )
        return logged_model_json(model, experiment)

    return {"model": await _write(ctx, action)}


async def set_logged_model_tags(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    model_id, tags = _required_string(params, "model_id"), _pairs(params, "tags")

    async def action(session: AsyncSession) -> None:
        await service.set_logged_model_tags(
            session, actor=ctx.actor, project_id=ctx.project_id, model_id=model_id, tags=tags
        )

    await _write(ctx, action)
    return {}


async def delete_logged_model_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    model_id, key = _required_string(params, "model_id"), _required_string(params, "tag_key")

    async def action(session: AsyncSession) -> None:
        await service.delete_logged_model_tag(
            session, actor=ctx.actor, project_id=ctx.project_id, model_id=model_id, key=key
        )

    await _write(ctx, action)
    return {}


async def log_logged_model_params(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    model_id, model_params = _required_string(params, "model_id"), _pairs(params, "params")

    async def action(session: AsyncSession) -> None:
        await service.log_logged_model_params(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            model_id=model_id,
            params=model_params,
        )

    await _write(ctx, action)
    return {}


async def search_logged_models(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    experiment_ids = _experiment_ids(params)
    if not experiment_ids:
        raise MlflowError("Missing value for required parameter 'experiment_ids'.")
    async with ctx.read() as session:
        found = await service.search_logged_models(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            experiment_ids=experiment_ids,
            filter=_string(params, "filter"),
        )
    page, token = _page(found, params, LOGGED_MODELS_PAGE)
    result: dict[str, Any] = {"models": [logged_model_json(m, e) for m, e in page]}
    if token:
        result["next_page_token"] = token
    return result


# --- server-info ---------------------------------------------------------------------------


async def server_info(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    """What the client asks before it moves artifacts: no multipart or presigned URLs, so it
    uses plain PUT and GET through the proxy (which streams both ways)."""
    return {
        "store_type": None,
        "workspaces_enabled": False,
        "trace_archival_enabled": False,
        "multipart_uploads_enabled": False,
        "multipart_downloads_enabled": False,
        "presigned_upload_run_id_supported": False,
        "presigned_upload_model_id_supported": False,
        "features_enabled": {"gateway": False},
    }


# Each endpoint's parameters with MLflow's types (its protobuf messages and handler schemas).
_RUN = {"run_id": STRING, "run_uuid": STRING}
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
_PAGE = {"max_results": INT, "page_token": STRING}
_EXPERIMENT_SEARCH = {**_PAGE, "view_type": ENUM, "order_by": STRINGS, "filter": STRING}
_LOGGED_MODEL = {"model_id": REQUIRED}

ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", f"{API}/experiments/get", get_experiment, params={"experiment_id": REQUIRED}),
    Endpoint(
        "GET",
        f"{API}/experiments/get-by-name",
        get_experiment_by_name,
        params={"experiment_name": REQUIRED},
    ),
    Endpoint(
        "POST",
        f"{API}/experiments/create",
        create_experiment,
        params={"name": REQUIRED, "artifact_location": STRING, "tags": KEY_VALUES},
    ),
    *(
        Endpoint(method, f"{API}/experiments/search", search_experiments, params=_EXPERIMENT_SEARCH)
        for method in ("POST", "GET")
    ),
    Endpoint(
        "POST",
        f"{API}/experiments/set-experiment-tag",
        set_experiment_tag,
        params={"experiment_id": REQUIRED, "key": REQUIRED, "value": STRING},
    ),
    Endpoint(
        "POST",
        f"{API}/runs/create",
        create_run,
        params={
            "experiment_id": STRING,
            "user_id": STRING,
            "run_name": STRING,
            "start_time": INT,
            "tags": KEY_VALUES,
        },
    ),
    Endpoint("GET", f"{API}/runs/get", get_run, params=_RUN),
    Endpoint(
        "POST",
        f"{API}/runs/update",
        update_run,
        params={**_RUN, "status": ENUM, "end_time": INT, "run_name": STRING},
    ),
    Endpoint("POST", f"{API}/runs/delete", _lifecycle(deleted=True), params=_RUN),
    Endpoint("POST", f"{API}/runs/restore", _lifecycle(deleted=False), params=_RUN),
    Endpoint(
        "POST",
        f"{API}/runs/log-batch",
        log_batch,
        params={
            **_RUN,
            "metrics": list_of(obj(**_METRIC)),
            "params": KEY_VALUES,
            "tags": KEY_VALUES,
        },
    ),
    Endpoint("POST", f"{API}/runs/log-metric", log_metric, params={**_RUN, **_METRIC}),
    Endpoint(
        "POST",
        f"{API}/runs/log-parameter",
        log_param,
        params={**_RUN, "key": REQUIRED, "value": STRING},
    ),
    Endpoint(
        "POST",
        f"{API}/runs/set-tag",
        set_tag,
        params={**_RUN, "key": REQUIRED, "value": STRING},
    ),
    Endpoint("POST", f"{API}/runs/delete-tag", delete_tag, params={**_RUN, "key": REQUIRED}),
    Endpoint(
        "POST",
        f"{API}/runs/log-inputs",
        log_inputs,
        params={**_RUN, "datasets": _DATASET_INPUTS, "models": _MODEL_INPUTS},
    ),
    Endpoint(
        "POST",
        f"{API}/runs/outputs",
        log_outputs,
        params={**_RUN, "models": _MODEL_OUTPUTS},
    ),
    Endpoint(
        "POST",
        f"{API}/runs/search",
        search_runs,
        params={
            **_PAGE,
            "experiment_ids": STRINGS,
            "filter": STRING,
            "run_view_type": ENUM,
            "order_by": STRINGS,
        },
    ),
    Endpoint(
        "GET",
        f"{API}/metrics/get-history",
        get_metric_history,
        params={**_RUN, **_PAGE, "metric_key": REQUIRED},
    ),
    Endpoint(
        "GET",
        f"{API}/artifacts/list",
        list_run_artifacts,
        params={**_RUN, "path": STRING, "page_token": STRING},
    ),
    Endpoint(
        "POST",
        f"{API}/logged-models",
        create_logged_model,
        params={
            "experiment_id": REQUIRED,
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
            **_PAGE,
            "experiment_ids": list_of(STRING, required=True),
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
    Endpoint("GET", "api/3.0/mlflow/server-info", server_info),
]
