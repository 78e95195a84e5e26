"""The routes MLflow's own web UI calls besides the REST API, onto what exists here.

Every `api/2.0/mlflow/...` endpoint is also served under `ajax-api/2.0/mlflow/...` (mlflow/app.py
routes the prefix). These are the UI's own:

- `ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=<id>&run_id=...&metric_key=<key>`: one
  metric of up to 100 runs, each point with its run's id.
- `api/2.0/mlflow/metrics/get-history-bulk-interval` (and under `ajax-api/`): the same for
  `run_ids`, between `start_step` and `end_step`. MLflow samples up to `max_results` points per
  run; here a run gives its first `max_results` points in the range, by step (documented).
- `ajax-api/2.0/mlflow/upload-artifact?run_uuid=<id>&path=<file>`: the body becomes the file at
  `path` in the run's artifacts (streamed, the project's file size limit applies).
- `get-artifact?run_uuid=<id>&path=<file>`: a file of a run's artifacts.
- `model-versions/get-artifact?name=<model>&version=<n>&path=<file>`: a file of a version.
- `ajax-api/2.0/mlflow/logged-models/<id>/artifacts/files?artifact_file_path=<file>`: a file of
  a logged model.

Each checks the caller's access as the REST endpoints do (reading: READ; uploading: EDIT).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import ClientDisconnect
from starlette.responses import Response

from modelreg.domain import tracking as rules
from modelreg.mlflow import artifacts
from modelreg.mlflow.app import Endpoint, HandlerResult
from modelreg.mlflow.params import INT, REQUIRED, STRING, STRINGS
from modelreg.mlflow.protocol import MlflowContext, MlflowError, Params, listed
from modelreg.mlflow.registry.requests import find_version, version_number
from modelreg.mlflow.tracking.runs import metric_json
from modelreg.mlflow.tracking.wire import API, optional_int, required_string
from modelreg.services import tracking as service

AJAX = "ajax-api/2.0/mlflow"
# MLflow's limits for the bulk metric histories.
BULK_RUNS_MAX = 100
BULK_POINTS_MAX = 25_000
INTERVAL_RUNS_MAX = 100
INTERVAL_POINTS_MAX = 2500


async def _histories(
    ctx: MlflowContext, run_uuids: list[str], key: str
) -> dict[str, list[dict[str, Any]]]:
    """Each run's history of metric `key` (points as MLflow renders them, with `run_id`)."""
    found: dict[str, list[dict[str, Any]]] = {}
    async with ctx.read() as session:
        for run_uuid in sorted(set(run_uuids)):
            run, _ = await service.get_run(
                session, actor=ctx.actor, project_id=ctx.project_id, run_uuid=run_uuid
            )
            assert run.id is not None
            found[run_uuid] = [
                {**metric_json(m), "run_id": run_uuid}
                for m in await service.metric_history(session, run.id, key)
            ]
    return found


def _run_ids(params: Params, name: str, limit: int) -> list[str]:
    ids = [str(i) for i in listed(params, name) if i]
    if not ids:
        raise MlflowError(f"Missing value for required parameter '{name}': give at least one.")
    if len(ids) > limit:
        raise MlflowError(f"At most {limit} run ids may be given in '{name}'; got {len(ids)}.")
    return ids


async def get_history_bulk(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    ids = _run_ids(params, "run_id", BULK_RUNS_MAX)
    key = required_string(params, "metric_key")
    limit = min(optional_int(params, "max_results", minimum=1) or BULK_POINTS_MAX, BULK_POINTS_MAX)
    histories = await _histories(ctx, ids, key)
    points = [
        point
        for run_uuid in sorted(histories)
        for point in sorted(
            histories[run_uuid], key=lambda p: (p["timestamp"], p["step"], str(p["value"]))
        )
    ]
    return {"metrics": points[:limit]}


async def get_history_bulk_interval(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    ids = _run_ids(params, "run_ids", INTERVAL_RUNS_MAX)
    key = required_string(params, "metric_key")
    start = optional_int(params, "start_step", minimum=-(2**63))
    end = optional_int(params, "end_step", minimum=-(2**63))
    if (start is None) != (end is None):
        raise MlflowError("Give both start_step and end_step, or neither.")
    if start is not None and end is not None and start > end:
        raise MlflowError("end_step must be at least start_step.")
    limit = optional_int(params, "max_results", minimum=1) or INTERVAL_POINTS_MAX
    if limit > INTERVAL_POINTS_MAX:
        raise MlflowError(f"max_results must be between 1 and {INTERVAL_POINTS_MAX}.")
    histories = await _histories(ctx, ids, key)
    points: list[dict[str, Any]] = []
    for run_uuid in ids:
        in_range = [
            p
            for p in histories[run_uuid]
            if start is None or end is None or start <= p["step"] <= end
        ]
        points.extend(in_range[:limit])
    return {"metrics": points}


async def _run_root(ctx: MlflowContext, run_uuid: str) -> str:
    async with ctx.read() as session:
        run, experiment = await service.get_run(
            session, actor=ctx.actor, project_id=ctx.project_id, run_uuid=run_uuid
        )
    return rules.run_artifact_path(service.experiment_id_of(experiment), run.uuid)


def _query(ctx: MlflowContext, *names: str) -> str:
    """The first of `names` given in the query string (upload's parameters are there)."""
    for name in names:
        value = ctx.request.query_params.get(name)
        if value:
            return value
    raise MlflowError(f"Missing value for required parameter '{names[0]}'.")


async def upload_artifact(ctx: MlflowContext, params: Params) -> HandlerResult:
    run_uuid = _query(ctx, "run_uuid", "run_id")
    path = rules.normalize_artifact_path(_query(ctx, "path"))
    if not path:
        raise MlflowError("Missing value for required parameter 'path'.")
    root = await _run_root(ctx, run_uuid)
    try:
        return await artifacts.upload(ctx, {"path": f"{root}/{path}"})
    except ClientDisconnect:
        return Response(status_code=400)


async def get_artifact(ctx: MlflowContext, params: Params) -> HandlerResult:
    run_uuid = required_string(params, "run_uuid") if params.get("run_uuid") else ""
    run_uuid = run_uuid or required_string(params, "run_id")
    path = rules.normalize_artifact_path(required_string(params, "path"))
    root = await _run_root(ctx, run_uuid)
    return await artifacts.download(ctx, {"path": f"{root}/{path}"})


async def get_version_artifact(ctx: MlflowContext, params: Params) -> HandlerResult:
    name = required_string(params, "name")
    number = version_number(params)
    path = rules.normalize_artifact_path(required_string(params, "path"))
    async with ctx.read() as session:
        _, version = await find_version(session, ctx, name, number)
    return await artifacts.download(ctx, {"path": f"{rules.REGISTRY_ROOT}/{version.id}/{path}"})


async def get_logged_model_artifact(ctx: MlflowContext, params: Params) -> HandlerResult:
    model_id = required_string(params, "model_id")
    path = rules.normalize_artifact_path(
        required_string(params, "artifact_file_path"), field="artifact_file_path"
    )
    async with ctx.read() as session:
        model, experiment = await service.get_logged_model(
            session, actor=ctx.actor, project_id=ctx.project_id, model_id=model_id
        )
    root = rules.logged_model_artifact_path(service.experiment_id_of(experiment), model.uuid)
    return await artifacts.download(ctx, {"path": f"{root}/{path}"})


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET",
        f"{AJAX}/metrics/get-history-bulk",
        get_history_bulk,
        params={"run_id": STRINGS, "metric_key": REQUIRED, "max_results": INT},
    ),
    Endpoint(
        "GET",
        f"{API}/metrics/get-history-bulk-interval",
        get_history_bulk_interval,
        params={
            "run_ids": STRINGS,
            "metric_key": REQUIRED,
            "start_step": INT,
            "end_step": INT,
            "max_results": INT,
        },
    ),
    Endpoint("POST", f"{AJAX}/upload-artifact", upload_artifact, raw_body=True),
    Endpoint(
        "GET",
        "get-artifact",
        get_artifact,
        params={"run_uuid": STRING, "run_id": STRING, "path": REQUIRED},
    ),
    Endpoint(
        "GET",
        "model-versions/get-artifact",
        get_version_artifact,
        params={"name": REQUIRED, "version": REQUIRED, "path": REQUIRED},
    ),
    Endpoint(
        "GET",
        f"{AJAX}/logged-models/{{model_id}}/artifacts/files",
        get_logged_model_artifact,
        params={"model_id": REQUIRED, "artifact_file_path": REQUIRED},
    ),
]
