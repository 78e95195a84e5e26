"""MLflow's run endpoints that create, read and find runs: create, get, update, delete,
restore, search, a metric's history, and the listing of a run's artifacts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Experiment, Run, RunMetric
from modelreg.domain import tracking as rules
from modelreg.mlflow.app import Endpoint
from modelreg.mlflow.params import ENUM, ID, IDS, INT, KEY_VALUES, REQUIRED, STRING, STRINGS
from modelreg.mlflow.protocol import MlflowContext, Params, listed
from modelreg.mlflow.tracking.wire import (
    API,
    PAGE_PARAMS,
    RUN_PARAMS,
    experiment_ids_param,
    key_value_pairs,
    key_values,
    optional_int,
    page_offset,
    page_size,
    page_token,
    required_string,
    run_id_param,
    string_param,
    view_param,
    write,
)
from modelreg.services import tracking as service

# MLflow's defaults and limits for a page of search results.
RUNS_PAGE = (1000, 50_000)


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
                    "params": key_values(params.get(run.id, {})),
                    "tags": key_values(tags.get(run.id, {})),
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


async def _run_response(ctx: MlflowContext, run_uuid: str) -> dict[str, Any]:
    async with ctx.read() as session:
        run, experiment = await service.get_run(
            session, actor=ctx.actor, project_id=ctx.project_id, run_uuid=run_uuid
        )
        return {"run": (await _runs_json(session, [(run, experiment)]))[0]}


async def create_run(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    experiment_id = string_param(params, "experiment_id") or rules.DEFAULT_EXPERIMENT_ID
    name = string_param(params, "run_name")
    start_time = optional_int(params, "start_time")
    tags = key_value_pairs(params, "tags")
    user = string_param(params, "user_id")

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

    run, _ = await write(ctx, action)
    return await _run_response(ctx, run.uuid)


async def get_run(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    return await _run_response(ctx, run_id_param(params))


async def update_run(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    run_uuid = run_id_param(params)
    status_value = string_param(params, "status")
    status = rules.parse_run_status(status_value) if status_value else None
    end_time = optional_int(params, "end_time")
    name = string_param(params, "run_name")

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

    return {"run_info": await write(ctx, action)}


def _lifecycle(deleted: bool) -> Callable[[MlflowContext, Params], Awaitable[dict[str, Any]]]:
    async def handler(ctx: MlflowContext, params: Params) -> dict[str, Any]:
        run_uuid = run_id_param(params)

        async def action(session: AsyncSession) -> None:
            await service.set_run_lifecycle(
                session,
                actor=ctx.actor,
                project_id=ctx.project_id,
                run_uuid=run_uuid,
                deleted=deleted,
            )

        await write(ctx, action)
        return {}

    return handler


async def search_runs(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    size, offset = page_size(params, RUNS_PAGE), page_offset(params)
    async with ctx.read() as session:
        page, more = await service.search_runs(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            experiment_ids=experiment_ids_param(params),
            filter=string_param(params, "filter"),
            view=view_param(params, "run_view_type"),
            limit=size,
            offset=offset,
            order_by=listed(params, "order_by"),
        )
        result: dict[str, Any] = {"runs": await _runs_json(session, page)}
    if more:
        result["next_page_token"] = page_token(offset + size)
    return result


async def get_metric_history(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    run_uuid, key = run_id_param(params), required_string(params, "metric_key")
    async with ctx.read() as session:
        run, _ = await service.get_run(
            session, actor=ctx.actor, project_id=ctx.project_id, run_uuid=run_uuid
        )
        assert run.id is not None
        history = await service.metric_history(session, run.id, key)
    size, offset = optional_int(params, "max_results", minimum=1), page_offset(params)
    end = offset + size if size is not None else len(history)
    result: dict[str, Any] = {"metrics": [metric_json(m) for m in history[offset:end]]}
    if end < len(history):
        result["next_page_token"] = page_token(end)
    return result


async def list_run_artifacts(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    """`artifacts/list`: a folder of a run's artifacts (paths relative to the run's root)."""
    run_uuid = run_id_param(params)
    sub = rules.normalize_artifact_path(string_param(params, "path") or "")
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


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "POST",
        f"{API}/runs/create",
        create_run,
        params={
            "experiment_id": ID,
            "user_id": STRING,
            "run_name": STRING,
            "start_time": INT,
            "tags": KEY_VALUES,
        },
    ),
    Endpoint("GET", f"{API}/runs/get", get_run, params=RUN_PARAMS),
    Endpoint(
        "POST",
        f"{API}/runs/update",
        update_run,
        params={**RUN_PARAMS, "status": ENUM, "end_time": INT, "run_name": STRING},
    ),
    Endpoint("POST", f"{API}/runs/delete", _lifecycle(deleted=True), params=RUN_PARAMS),
    Endpoint("POST", f"{API}/runs/restore", _lifecycle(deleted=False), params=RUN_PARAMS),
    Endpoint(
        "POST",
        f"{API}/runs/search",
        search_runs,
        params={
            **PAGE_PARAMS,
            "experiment_ids": IDS,
            "filter": STRING,
            "run_view_type": ENUM,
            "order_by": STRINGS,
        },
    ),
    Endpoint(
        "GET",
        f"{API}/metrics/get-history",
        get_metric_history,
        params={**RUN_PARAMS, **PAGE_PARAMS, "metric_key": REQUIRED},
    ),
    Endpoint(
        "GET",
        f"{API}/artifacts/list",
        list_run_artifacts,
        params={**RUN_PARAMS, "path": STRING, "page_token": STRING},
    ),
]
