"""MLflow tracking over HTTP: experiments, runs, metrics, logged models, the artifact proxy,
permissions and bad input; `source_files` for every source form; the GraphQL run of a version."""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import strawberry
from sqlmodel import col, select
from starlette.applications import Starlette

from modelreg.app import create_app
from modelreg.db import Database
from modelreg.db.models import Blob, Event, Experiment, Run, RunMetric, TrackedFile
from modelreg.domain.actor import SYSTEM, Actor
from modelreg.domain.policy import Role, Visibility
from modelreg.errors import NotFound
from modelreg.graphql.context import Context, Info
from modelreg.graphql.node_common import BIG_INT_SCALAR, BigInt
from modelreg.graphql.tracking import RunType, run_for_version
from modelreg.mlflow import MlflowApp, artifacts, endpoints, tracking
from modelreg.services import blobs as blob_service
from modelreg.services import members as member_service
from modelreg.services import models as model_service
from modelreg.services import projects as project_service
from modelreg.services import tracking as tracking_service
from modelreg.services import versions as version_service
from modelreg.settings import Settings
from modelreg.storage import Storage
from tests.support.accounts import Accounts
from tests.support.sql import count_statements

ROOT = "/projects/demo/mlflow"
API = f"{ROOT}/api/2.0/mlflow"
ARTIFACTS = f"{ROOT}/api/2.0/mlflow-artifacts/artifacts"


@pytest.fixture
def app(settings: Settings, db: Database) -> Starlette:
    """The application with the tracking and artifact endpoints in front (until app.py has them)."""
    application = create_app(settings, db=db)
    routes = MlflowApp(
        settings,
        db,
        application.state.storage,
        [*tracking.ENDPOINTS, *artifacts.ENDPOINTS, *endpoints()],
    ).routes()
    application.router.routes[0:0] = routes
    return application


@pytest.fixture
def storage(app: Starlette) -> Storage:
    found: Storage = app.state.storage
    return found


async def _project(db: Database, path: str, visibility: Visibility = Visibility.PRIVATE) -> int:
    async with db.begin() as session:
        project = await project_service.create_project(
            session, actor=SYSTEM, path=path, visibility=visibility
        )
    assert project.id is not None
    return project.id


@pytest.fixture
async def project_id(db: Database) -> int:
    return await _project(db, "demo")


async def _member(db: Database, accounts: Accounts, project_id: int, name: str, role: Role) -> None:
    await accounts.user(name)
    async with db.begin() as session:
        await member_service.add_member(
            session, actor=SYSTEM, project_id=project_id, username=name, role=role
        )


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == code, body
    message: str = body["message"]
    return message


async def _create_run(http: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    run: dict[str, Any] = _ok(await http.post(f"{API}/runs/create", json=fields))["run"]
    return run


async def _get_run(http: httpx.AsyncClient, run_id: str) -> dict[str, Any]:
    run: dict[str, Any] = _ok(await http.get(f"{API}/runs/get", params={"run_id": run_id}))["run"]
    return run


def _kv(items: list[dict[str, str]]) -> dict[str, str]:
    return {i["key"]: i["value"] for i in items}


# --- experiments ---------------------------------------------------------------------------


async def test_default_experiment_is_zero_and_stored_on_first_run(
    http: httpx.AsyncClient, db: Database, project_id: int
) -> None:
    # given: a new project, whose Default experiment is shown before it is stored
    shown = _ok(await http.get(f"{API}/experiments/get", params={"experiment_id": "0"}))
    by_name = _ok(
        await http.get(f"{API}/experiments/get-by-name", params={"experiment_name": "Default"})
    )
    async with db.read() as session:
        stored = (await session.exec(select(Experiment))).all()

    # when
    run = await _create_run(http, experiment_id="0", run_name="first")

    # then
    assert shown["experiment"]["experiment_id"] == "0"
    assert shown["experiment"]["name"] == "Default"
    assert shown["experiment"]["artifact_location"] == "mlflow-artifacts:/0"
    assert by_name["experiment"]["experiment_id"] == "0"
    assert stored == []
    assert run["info"]["experiment_id"] == "0"
    assert run["info"]["artifact_uri"] == f"mlflow-artifacts:/0/{run['info']['run_id']}/artifacts"
    async with db.read() as session:
        rows = (await session.exec(select(Experiment))).all()
    assert [(r.name, r.project_id) for r in rows] == [("Default", project_id)]
    again = await _create_run(http)  # no experiment id: the Default one, not a second row
    assert again["info"]["experiment_id"] == "0"
    async with db.read() as session:
        assert len((await session.exec(select(Experiment))).all()) == 1


async def test_create_get_and_search_experiments(
    http: httpx.AsyncClient, db: Database, project_id: int
) -> None:
    # given
    other = await _project(db, "other")
    async with db.begin() as session:
        foreign = await tracking_service.create_experiment(
            session, actor=SYSTEM, project_id=other, name="theirs"
        )

    # when
    created = _ok(
        await http.post(
            f"{API}/experiments/create",
            json={"name": "churn", "tags": [{"key": "team", "value": "growth"}]},
        )
    )
    experiment_id = created["experiment_id"]
    got = _ok(await http.get(f"{API}/experiments/get", params={"experiment_id": experiment_id}))
    searched = _ok(await http.post(f"{API}/experiments/search", json={"max_results": 10}))
    filtered = _ok(
        await http.post(
            f"{API}/experiments/search", json={"filter": "name LIKE 'ch%' AND tags.team = 'growth'"}
        )
    )
    paged = _ok(await http.post(f"{API}/experiments/search", json={"max_results": 1}))
    second = _ok(
        await http.post(
            f"{API}/experiments/search",
            json={"max_results": 1, "page_token": paged["next_page_token"]},
        )
    )

    # then
    assert experiment_id.isdigit() and experiment_id != "0"
    assert got["experiment"]["name"] == "churn"
    assert got["experiment"]["artifact_location"] == f"mlflow-artifacts:/{experiment_id}"
    assert got["experiment"]["tags"] == [{"key": "team", "value": "growth"}]
    # MLflow's order: newest first (the Default experiment is as old as the project).
    assert [e["name"] for e in searched["experiments"]] == ["churn", "Default"]
    assert [e["name"] for e in filtered["experiments"]] == ["churn"]
    assert [e["name"] for e in paged["experiments"] + second["experiments"]] == ["churn", "Default"]
    assert "next_page_token" not in second
    _error(
        await http.post(f"{API}/experiments/create", json={"name": "churn"}),
        400,
        "RESOURCE_ALREADY_EXISTS",
    )
    # Another project's experiment is as absent as a missing one.
    _error(
        await http.get(f"{API}/experiments/get", params={"experiment_id": str(foreign.id)}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    _error(
        await http.get(f"{API}/experiments/get-by-name", params={"experiment_name": "theirs"}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    _error(
        await http.get(f"{API}/experiments/get", params={"experiment_id": "999999"}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    async with db.read() as session:
        events = await session.exec(select(Event.type).where(Event.project_id == project_id))
        assert "experiment.created" in events.all()


# --- runs ----------------------------------------------------------------------------------


async def test_run_logging_round_trip(http: httpx.AsyncClient, project_id: int) -> None:
    # given
    run = await _create_run(
        http,
        experiment_id="0",
        run_name="train",
        start_time=1_700_000_000_000,
        user_id="alice",
        tags=[{"key": "mlflow.source.name", "value": "train.py"}],
    )
    run_id = run["info"]["run_id"]

    # when
    _ok(
        await http.post(
            f"{API}/runs/log-parameter", json={"run_id": run_id, "key": "lr", "value": "0.1"}
        )
    )
    _ok(
        await http.post(
            f"{API}/runs/log-metric",
            json={"run_id": run_id, "key": "loss", "value": 0.9, "timestamp": 1, "step": 0},
        )
    )
    _ok(
        await http.post(
            f"{API}/runs/log-batch",
            json={
                "run_id": run_id,
                "metrics": [
                    {"key": "loss", "value": 0.5, "timestamp": 2, "step": 1},
                    {"key": "loss", "value": 0.7, "timestamp": 3, "step": 0},
                    {"key": "acc", "value": 0.8, "timestamp": 2, "step": 1},
                ],
                "params": [{"key": "depth", "value": "4"}, {"key": "lr", "value": "0.1"}],
                "tags": [{"key": "team", "value": "growth"}],
            },
        )
    )
    _ok(await http.post(f"{API}/runs/set-tag", json={"run_id": run_id, "key": "tmp", "value": "x"}))
    _ok(await http.post(f"{API}/runs/delete-tag", json={"run_id": run_id, "key": "tmp"}))
    updated = _ok(
        await http.post(
            f"{API}/runs/update",
            json={"run_id": run_id, "status": "FINISHED", "end_time": 1_700_000_100_000},
        )
    )
    got = await _get_run(http, run_id)
    history = _ok(
        await http.get(
            f"{API}/metrics/get-history", params={"run_id": run_id, "metric_key": "loss"}
        )
    )

    # then
    info = got["info"]
    assert info["run_name"] == "train"
    assert info["user_id"] == "alice"
    assert info["status"] == "FINISHED"
    assert info["start_time"] == 1_700_000_000_000
    assert info["end_time"] == 1_700_000_100_000
    assert info["lifecycle_stage"] == "active"
    assert updated["run_info"]["status"] == "FINISHED"
    assert _kv(got["data"]["params"]) == {"lr": "0.1", "depth": "4"}
    tags = _kv(got["data"]["tags"])
    assert tags["mlflow.runName"] == "train"
    assert tags["team"] == "growth"
    assert tags["mlflow.source.name"] == "train.py"
    assert "tmp" not in tags
    latest = {m["key"]: (m["value"], m["step"]) for m in got["data"]["metrics"]}
    assert latest == {"loss": (0.5, 1), "acc": (0.8, 1)}
    assert [(m["value"], m["step"], m["timestamp"]) for m in history["metrics"]] == [
        (0.9, 0, 1),
        (0.7, 0, 3),
        (0.5, 1, 2),
    ]
    query = {"run_id": run_id, "metric_key": "loss", "max_results": 2}
    first = _ok(await http.get(f"{API}/metrics/get-history", params=query))
    rest = _ok(
        await http.get(
            f"{API}/metrics/get-history",
            params={**query, "page_token": first["next_page_token"]},
        )
    )
    assert [m["value"] for m in first["metrics"] + rest["metrics"]] == [0.9, 0.7, 0.5]
    assert "next_page_token" not in rest


async def test_run_name_tag_and_rename(http: httpx.AsyncClient, project_id: int) -> None:
    # given
    run = await _create_run(http, tags=[{"key": "mlflow.runName", "value": "from-tag"}])
    run_id = run["info"]["run_id"]
    unnamed = await _create_run(http)

    # when
    _ok(await http.post(f"{API}/runs/update", json={"run_id": run_id, "run_name": "renamed"}))
    got = await _get_run(http, run_id)

    # then
    assert run["info"]["run_name"] == "from-tag"
    assert unnamed["info"]["run_name"]
    assert _kv(unnamed["data"]["tags"])["mlflow.runName"] == unnamed["info"]["run_name"]
    assert got["info"]["run_name"] == "renamed"
    assert _kv(got["data"]["tags"])["mlflow.runName"] == "renamed"
    _error(
        await http.post(
            f"{API}/runs/create",
            json={"run_name": "a", "tags": [{"key": "mlflow.runName", "value": "b"}]},
        ),
        400,
        "INVALID_PARAMETER_VALUE",
    )


async def test_params_are_immutable(http: httpx.AsyncClient, project_id: int) -> None:
    # given
    run_id = (await _create_run(http))["info"]["run_id"]
    _ok(
        await http.post(
            f"{API}/runs/log-parameter", json={"run_id": run_id, "key": "lr", "value": "0.1"}
        )
    )

    # when
    same = await http.post(
        f"{API}/runs/log-parameter", json={"run_id": run_id, "key": "lr", "value": "0.1"}
    )
    changed = await http.post(
        f"{API}/runs/log-batch",
        json={
            "run_id": run_id,
            "params": [{"key": "lr", "value": "0.2"}, {"key": "x", "value": "1"}],
        },
    )

    # then
    _ok(same)
    message = _error(changed, 400, "INVALID_PARAMETER_VALUE")
    assert "Changing param values is not allowed" in message
    # All or nothing: the other param of the refused batch was not logged.
    assert _kv((await _get_run(http, run_id))["data"]["params"]) == {"lr": "0.1"}


async def test_non_finite_metric_values(
    http: httpx.AsyncClient, db: Database, project_id: int
) -> None:
    # given
    run_id = (await _create_run(http))["info"]["run_id"]

    # when: how protobuf's JSON (and so the MLflow client) writes them
    for step, value in enumerate(["NaN", "Infinity", "-Infinity", "1.5", 2]):
        _ok(
            await http.post(
                f"{API}/runs/log-metric",
                json={"run_id": run_id, "key": "m", "value": value, "timestamp": 10, "step": step},
            )
        )
    history = _ok(
        await http.get(f"{API}/metrics/get-history", params={"run_id": run_id, "metric_key": "m"})
    )
    _ok(
        await http.post(
            f"{API}/runs/log-metric",
            json={"run_id": run_id, "key": "only-nan", "value": "NaN", "timestamp": 1},
        )
    )
    got = await _get_run(http, run_id)

    # then
    assert [m["value"] for m in history["metrics"]] == ["NaN", "Infinity", "-Infinity", 1.5, 2.0]
    assert {m["key"]: m["value"] for m in got["data"]["metrics"]} == {"m": 2.0, "only-nan": "NaN"}
    async with db.read() as session:
        rows = (await session.exec(select(RunMetric).where(RunMetric.key == "m"))).all()
    values = sorted((r.step, tracking_service.metric_value(r)) for r in rows)
    assert math.isnan(values[0][1])
    assert values[1:] == [(1, math.inf), (2, -math.inf), (3, 1.5), (4, 2.0)]


async def test_the_same_metric_point_is_logged_once(
    http: httpx.AsyncClient, db: Database, project_id: int
) -> None:
    # given: log_model re-sends the current step's metrics with the logged model's id
    run_id = (await _create_run(http))["info"]["run_id"]
    batch = {
        "run_id": run_id,
        "metrics": [{"key": "acc", "value": 0.9, "timestamp": 5, "step": 1, "model_id": "m-x"}],
    }

    # when
    _ok(await http.post(f"{API}/runs/log-batch", json=batch))
    _ok(await http.post(f"{API}/runs/log-batch", json=batch))

    # then
    async with db.read() as session:
        count = (await session.exec(select(sa.func.count()).select_from(RunMetric))).one()
    assert count == 1


async def test_delete_restore_and_search_runs(http: httpx.AsyncClient, project_id: int) -> None:
    # given
    first = (await _create_run(http, run_name="a", start_time=1))["info"]["run_id"]
    second = (await _create_run(http, run_name="b", start_time=2))["info"]["run_id"]
    _ok(await http.post(f"{API}/runs/set-tag", json={"run_id": second, "key": "k", "value": "v"}))

    # when
    _ok(await http.post(f"{API}/runs/delete", json={"run_id": first}))
    active = _ok(await http.post(f"{API}/runs/search", json={"experiment_ids": ["0"]}))
    deleted = _ok(
        await http.post(
            f"{API}/runs/search", json={"experiment_ids": ["0"], "run_view_type": "DELETED_ONLY"}
        )
    )
    refused = await http.post(
        f"{API}/runs/log-parameter", json={"run_id": first, "key": "a", "value": "b"}
    )
    _ok(await http.post(f"{API}/runs/restore", json={"run_id": first}))
    everything = _ok(
        await http.post(f"{API}/runs/search", json={"experiment_ids": ["0"], "max_results": 1})
    )
    rest = _ok(
        await http.post(
            f"{API}/runs/search",
            json={
                "experiment_ids": ["0"],
                "max_results": 1,
                "page_token": everything["next_page_token"],
            },
        )
    )
    by_tag = _ok(
        await http.post(
            f"{API}/runs/search", json={"experiment_ids": ["0"], "filter": "tags.k = 'v'"}
        )
    )

    # then
    assert [r["info"]["run_id"] for r in active["runs"]] == [second]
    assert [r["info"]["run_id"] for r in deleted["runs"]] == [first]
    assert deleted["runs"][0]["info"]["lifecycle_stage"] == "deleted"
    _error(refused, 400, "INVALID_PARAMETER_VALUE")
    assert [r["info"]["run_id"] for r in everything["runs"] + rest["runs"]] == [second, first]
    assert [r["info"]["run_id"] for r in by_tag["runs"]] == [second]


async def test_inputs_and_outputs(http: httpx.AsyncClient, project_id: int) -> None:
    # given
    run_id = (await _create_run(http))["info"]["run_id"]
    model = _ok(
        await http.post(
            f"{API}/logged-models",
            json={"experiment_id": "0", "name": "model", "source_run_id": run_id},
        )
    )["model"]
    dataset = {
        "tags": [{"key": "mlflow.data.context", "value": "train"}],
        "dataset": {
            "name": "iris",
            "digest": "abc123",
            "source_type": "code",
            "source": "{}",
            "schema": "{}",
        },
    }

    # when
    for _ in range(2):
        _ok(
            await http.post(
                f"{API}/runs/log-inputs", json={"run_id": run_id, "datasets": [dataset]}
            )
        )
    _ok(
        await http.post(
            f"{API}/runs/outputs",
            json={"run_id": run_id, "models": [{"model_id": model["info"]["model_id"], "step": 3}]},
        )
    )
    got = await _get_run(http, run_id)

    # then
    assert got["inputs"]["dataset_inputs"] == [dataset]
    assert got["outputs"]["model_outputs"] == [{"model_id": model["info"]["model_id"], "step": 3}]
    _error(
        await http.post(
            f"{API}/runs/outputs",
            json={"run_id": run_id, "models": [{"model_id": "m-" + "0" * 32, "step": 0}]},
        ),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    _error(
        await http.post(f"{API}/runs/log-inputs", json={"run_id": run_id, "datasets": [{"x": 1}]}),
        400,
        "INVALID_PARAMETER_VALUE",
    )


BAD_REQUESTS: list[tuple[str, str, dict[str, Any], int, str]] = [
    ("GET", "runs/get", {}, 400, "INVALID_PARAMETER_VALUE"),
    ("GET", "runs/get", {"run_id": "f" * 32}, 404, "RESOURCE_DOES_NOT_EXIST"),
    ("GET", "runs/get", {"run_id": "../x"}, 404, "RESOURCE_DOES_NOT_EXIST"),
    ("GET", "runs/get", {"run_id": "a\x00b"}, 400, "INVALID_PARAMETER_VALUE"),
    (
        "GET",
        "experiments/get-by-name",
        {"experiment_name": "a\x00b"},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "GET",
        "metrics/get-history",
        {"run_id": "RUN", "metric_key": "a\x00"},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    ("GET", "logged-models/m-%00", {}, 400, "INVALID_PARAMETER_VALUE"),
    ("POST", "experiments/create", {"name": "a\x00b"}, 400, "INVALID_PARAMETER_VALUE"),
    (
        "POST",
        "logged-models/search",
        {"experiment_ids": ["0"], "filter": "name = 'a\x00'"},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/search",
        {"experiment_ids": ["0"], "filter": "run_name = 'a\x00'"},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    ("POST", "runs/search", {"experiment_ids": ["\x00"]}, 400, "INVALID_PARAMETER_VALUE"),
    (
        "POST",
        "runs/log-metric",
        {"run_id": "RUN", "key": "m", "value": "abc", "timestamp": 1},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-metric",
        {"run_id": "RUN", "key": "m", "value": True, "timestamp": 1},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-metric",
        {"run_id": "RUN", "key": "m", "value": 1},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-metric",
        {"run_id": "RUN", "key": "m", "value": 1, "timestamp": -1},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-metric",
        {"run_id": "RUN", "key": "m", "value": 1, "timestamp": 1, "step": "x"},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-metric",
        {"run_id": "RUN", "key": "m", "value": 1, "timestamp": 2**64},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-metric",
        {"run_id": "RUN", "key": "k" * 251, "value": 1, "timestamp": 1},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-metric",
        {"run_id": "RUN", "key": "a/../b", "value": 1, "timestamp": 1},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-metric",
        {"run_id": "RUN", "key": "bad$key", "value": 1, "timestamp": 1},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-parameter",
        {"run_id": "RUN", "key": "p", "value": "v" * 6001},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    ("POST", "runs/log-parameter", {"run_id": "RUN", "value": "v"}, 400, "INVALID_PARAMETER_VALUE"),
    (
        "POST",
        "runs/log-parameter",
        {"run_id": "RUN", "key": "p", "value": {"a": 1}},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/set-tag",
        {"run_id": "RUN", "key": "t", "value": "v" * 8001},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/delete-tag",
        {"run_id": "RUN", "key": "missing"},
        404,
        "RESOURCE_DOES_NOT_EXIST",
    ),
    (
        "POST",
        "runs/log-batch",
        {"run_id": "RUN", "metrics": "nope"},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-batch",
        {"run_id": "RUN", "metrics": [{"key": "m"}]},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-batch",
        {"run_id": "RUN", "params": [{"value": "x"}]},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-batch",
        {"run_id": "RUN", "params": [{"key": f"p{i}", "value": "1"} for i in range(101)]},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/log-batch",
        {"run_id": "RUN", "params": [{"key": "p", "value": "1"}, {"key": "p", "value": "2"}]},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    ("POST", "runs/update", {"run_id": "RUN", "status": "DONE"}, 400, "INVALID_PARAMETER_VALUE"),
    ("POST", "runs/update", {"run_id": "RUN", "end_time": "soon"}, 400, "INVALID_PARAMETER_VALUE"),
    ("POST", "runs/create", {"experiment_id": "999999"}, 404, "RESOURCE_DOES_NOT_EXIST"),
    ("POST", "runs/create", {"start_time": "yesterday"}, 400, "INVALID_PARAMETER_VALUE"),
    ("POST", "runs/create", {"tags": [1, 2]}, 400, "INVALID_PARAMETER_VALUE"),
    (
        "POST",
        "runs/search",
        {"experiment_ids": ["0"], "filter": "name ="},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/search",
        {"experiment_ids": ["0"], "page_token": "!!"},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    (
        "POST",
        "runs/search",
        {"experiment_ids": ["0"], "max_results": 0},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    ("GET", "metrics/get-history", {"run_id": "RUN"}, 400, "INVALID_PARAMETER_VALUE"),
    ("POST", "experiments/create", {}, 400, "INVALID_PARAMETER_VALUE"),
    ("POST", "experiments/create", {"name": "x" * 501}, 400, "INVALID_PARAMETER_VALUE"),
    ("POST", "experiments/search", {"filter": "params.x = '1'"}, 400, "INVALID_PARAMETER_VALUE"),
    ("GET", "experiments/get", {"experiment_id": "²"}, 400, "INVALID_PARAMETER_VALUE"),
    ("POST", "logged-models", {}, 400, "INVALID_PARAMETER_VALUE"),
    (
        "POST",
        "logged-models",
        {"experiment_id": "0", "name": "a/b"},
        400,
        "INVALID_PARAMETER_VALUE",
    ),
    ("GET", "logged-models/m-unknown", {}, 404, "RESOURCE_DOES_NOT_EXIST"),
    (
        "PATCH",
        "logged-models/m-unknown",
        {"status": "LOGGED_MODEL_READY"},
        404,
        "RESOURCE_DOES_NOT_EXIST",
    ),
    ("POST", "logged-models/search", {}, 400, "INVALID_PARAMETER_VALUE"),
    ("GET", "no/such/endpoint", {}, 404, "ENDPOINT_NOT_FOUND"),
    ("DELETE", "runs/get", {}, 405, "ENDPOINT_NOT_FOUND"),
]


@pytest.mark.parametrize(
    ("method", "endpoint", "body", "status", "code"),
    BAD_REQUESTS,
    ids=[f"{m} {e} {i}" for i, (m, e, *_rest) in enumerate(BAD_REQUESTS)],
)
async def test_bad_input_is_a_clear_error_never_a_500(
    http: httpx.AsyncClient,
    project_id: int,
    method: str,
    endpoint: str,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    # given
    run_id = (await _create_run(http))["info"]["run_id"]
    body = {k: run_id if v == "RUN" else v for k, v in body.items()}

    # when
    if method == "GET":
        response = await http.get(f"{API}/{endpoint}", params=body)
    else:
        response = await http.request(method, f"{API}/{endpoint}", json=body)

    # then
    message = _error(response, status, code)
    assert message


async def test_malformed_bodies(http: httpx.AsyncClient, project_id: int) -> None:
    for content in (b"{", b"[1, 2]", b"\xff\xfe"):
        response = await http.post(f"{API}/runs/create", content=content)
        _error(response, 400, "INVALID_PARAMETER_VALUE")


# --- logged models -------------------------------------------------------------------------


async def test_logged_model_life(http: httpx.AsyncClient, project_id: int) -> None:
    # given
    run_id = (await _create_run(http))["info"]["run_id"]

    # when
    created = _ok(
        await http.post(
            f"{API}/logged-models",
            json={
                "experiment_id": "0",
                "name": "model",
                "model_type": "sklearn",
                "source_run_id": run_id,
                "params": [{"key": "alpha", "value": "1"}],
                "tags": [{"key": "mlflow.modelIsExternal", "value": "true"}],
            },
        )
    )["model"]
    model_id = created["info"]["model_id"]
    _ok(
        await http.patch(
            f"{API}/logged-models/{model_id}/tags",
            json={"tags": [{"key": "mlflow.model_versions", "value": "[]"}]},
        )
    )
    _ok(await http.delete(f"{API}/logged-models/{model_id}/tags/mlflow.modelIsExternal"))
    _ok(
        await http.post(
            f"{API}/logged-models/{model_id}/params",
            json={"params": [{"key": "beta", "value": "2"}]},
        )
    )
    finalized = _ok(
        await http.patch(f"{API}/logged-models/{model_id}", json={"status": "LOGGED_MODEL_READY"})
    )["model"]
    got = _ok(await http.get(f"{API}/logged-models/{model_id}"))["model"]
    found = _ok(
        await http.post(
            f"{API}/logged-models/search",
            json={"experiment_ids": ["0"], "filter": "name = 'model'"},
        )
    )
    none = _ok(
        await http.post(
            f"{API}/logged-models/search",
            json={"experiment_ids": ["0"], "filter": "name = 'other'"},
        )
    )

    # then
    assert model_id.startswith("m-") and len(model_id) == 34
    assert created["info"]["status"] == "LOGGED_MODEL_PENDING"
    assert created["info"]["artifact_uri"] == f"mlflow-artifacts:/0/models/{model_id}/artifacts"
    assert created["info"]["source_run_id"] == run_id
    assert finalized["info"]["status"] == "LOGGED_MODEL_READY"
    assert got["info"]["status"] == "LOGGED_MODEL_READY"
    assert _kv(got["info"]["tags"]) == {"mlflow.model_versions": "[]"}
    assert _kv(got["data"]["params"]) == {"alpha": "1", "beta": "2"}
    assert [m["info"]["model_id"] for m in found["models"]] == [model_id]
    assert none["models"] == []
    _error(
        await http.patch(f"{API}/logged-models/{model_id}", json={"status": "DONE"}),
        400,
        "INVALID_PARAMETER_VALUE",
    )
    _error(
        await http.delete(f"{API}/logged-models/{model_id}/tags/never-set"),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    _error(
        await http.post(
            f"{API}/logged-models/{model_id}/params",
            json={"params": [{"key": "beta", "value": "3"}]},
        ),
        400,
        "INVALID_PARAMETER_VALUE",
    )


async def test_server_info_disables_multipart(http: httpx.AsyncClient, project_id: int) -> None:
    info = _ok(await http.get(f"{ROOT}/api/3.0/mlflow/server-info"))
    assert info["multipart_uploads_enabled"] is False
    assert info["multipart_downloads_enabled"] is False


# --- the artifact proxy --------------------------------------------------------------------


def _payload(size: int, seed: int = 1) -> bytes:
    block = hashlib.sha256(str(seed).encode()).digest()
    return (block * (size // len(block) + 1))[:size]


async def _chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_artifact_round_trip(
    http: httpx.AsyncClient, db: Database, settings: Settings, project_id: int
) -> None:
    # given
    run_id = (await _create_run(http))["info"]["run_id"]
    root = f"0/{run_id}/artifacts"
    body = _payload(5 * 1024 * 1024 + 3)

    # when: streamed in chunks, without a length
    put = await http.put(f"{ARTIFACTS}/{root}/model/model.pkl", content=_chunks(body))
    _ok(await http.put(f"{ARTIFACTS}/{root}/model/MLmodel", content=b"flavors: {}\n"))
    _ok(await http.put(f"{ARTIFACTS}/{root}/model/data/x.json", content=b"{}"))
    got = await http.get(f"{ARTIFACTS}/{root}/model/model.pkl")
    ranged = await http.get(f"{ARTIFACTS}/{root}/model/model.pkl", headers={"Range": "bytes=10-19"})
    head = await http.head(f"{ARTIFACTS}/{root}/model/MLmodel")
    top = _ok(await http.get(ARTIFACTS, params={"path": root}))
    folder = _ok(await http.get(ARTIFACTS, params={"path": f"{root}/model"}))
    of_file = _ok(await http.get(ARTIFACTS, params={"path": f"{root}/model/MLmodel"}))
    missing = _ok(await http.get(ARTIFACTS, params={"path": f"{root}/nothing"}))
    via_run = _ok(
        await http.get(f"{API}/artifacts/list", params={"run_id": run_id, "path": "model"})
    )

    # then
    assert _ok(put) == {}
    assert got.status_code == 200
    assert got.content == body
    assert got.headers["etag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    assert ranged.status_code == 206
    assert ranged.content == body[10:20]
    assert head.status_code == 200
    assert head.headers["content-length"] == "12"
    assert head.headers["content-type"] == "application/yaml"
    assert top == {"files": [{"path": "model", "is_dir": True}]}
    assert folder == {
        "files": [
            {"path": "MLmodel", "is_dir": False, "file_size": 12},
            {"path": "data", "is_dir": True},
            {"path": "model.pkl", "is_dir": False, "file_size": len(body)},
        ]
    }
    assert of_file == {"files": []}
    assert missing == {"files": []}
    assert via_run["root_uri"] == f"mlflow-artifacts:/{root}"
    assert [f["path"] for f in via_run["files"]] == [
        "model/MLmodel",
        "model/data",
        "model/model.pkl",
    ]

    # when: replaced, then the folder deleted
    _ok(await http.put(f"{ARTIFACTS}/{root}/model/model.pkl", content=b"smaller"))
    assert (await http.get(f"{ARTIFACTS}/{root}/model/model.pkl")).content == b"smaller"
    _ok(await http.delete(f"{ARTIFACTS}/{root}/model"))
    _ok(await http.delete(f"{ARTIFACTS}/{root}/never-there"))

    # then: nothing is left, in the database or in storage
    _error(await http.get(f"{ARTIFACTS}/{root}/model/MLmodel"), 404, "RESOURCE_DOES_NOT_EXIST")
    async with db.read() as session:
        assert (await session.exec(select(sa.func.count()).select_from(TrackedFile))).one() == 0
        assert (await session.exec(select(sa.func.count()).select_from(Blob))).one() == 0
    stored = settings.resolved_artifacts_dir
    assert [p for p in stored.rglob("*") if p.is_file() and "objects" in p.parts] == []


async def test_artifact_bad_paths_and_limits(
    http: httpx.AsyncClient, settings: Settings, project_id: int
) -> None:
    _error(await http.put(f"{ARTIFACTS}/a/%2E%2E/b", content=b"x"), 400, "INVALID_PARAMETER_VALUE")
    _error(await http.get(ARTIFACTS, params={"path": "../etc"}), 400, "INVALID_PARAMETER_VALUE")
    _error(
        await http.put(f"{ARTIFACTS}/_registry/1/x", content=b"x"), 400, "INVALID_PARAMETER_VALUE"
    )
    _error(await http.get(f"{ARTIFACTS}/no/such/file"), 404, "RESOURCE_DOES_NOT_EXIST")
    too_big = b"x" * (settings.max_file_size + 1)
    assert (await http.put(f"{ARTIFACTS}/big", content=too_big)).status_code == 413
    streamed = await http.put(f"{ARTIFACTS}/big", content=_chunks(too_big))
    assert streamed.status_code == 413, streamed.text


async def test_artifact_folders_are_case_sensitive(
    http: httpx.AsyncClient, project_id: int
) -> None:
    # given: folders that differ only in case, and one whose name extends the other's
    for path in ("run/A/x", "run/a/y", "run/A-b/z"):
        _ok(await http.put(f"{ARTIFACTS}/{path}", content=path.encode()))

    # when
    listed = _ok(await http.get(ARTIFACTS, params={"path": "run/A"}))
    _ok(await http.delete(f"{ARTIFACTS}/run/A"))
    left = _ok(await http.get(ARTIFACTS, params={"path": "run"}))

    # then
    assert listed == {"files": [{"path": "x", "is_dir": False, "file_size": 7}]}
    assert left == {"files": [{"path": "A-b", "is_dir": True}, {"path": "a", "is_dir": True}]}


async def test_concurrent_first_runs_share_one_default_experiment(
    http: httpx.AsyncClient, db: Database, project_id: int
) -> None:
    # when: parallel jobs start their first runs in a new project at the same moment
    responses = await asyncio.gather(
        *(http.post(f"{API}/runs/create", json={"experiment_id": "0"}) for _ in range(5))
    )

    # then
    assert [r.status_code for r in responses] == [200] * 5
    async with db.read() as session:
        names = (await session.exec(select(Experiment.name))).all()
    assert names == ["Default"]


async def test_tracked_files_survive_garbage_collection(
    http: httpx.AsyncClient, db: Database, storage: Storage, project_id: int
) -> None:
    # given
    _ok(await http.put(f"{ARTIFACTS}/0/x/artifacts/a.bin", content=b"keep me"))

    # when
    removed = await blob_service.collect_garbage(db=db, storage=storage)

    # then
    assert removed == 0
    assert (await http.get(f"{ARTIFACTS}/0/x/artifacts/a.bin")).content == b"keep me"


async def test_version_files_are_served_read_only_under_registry(
    http: httpx.AsyncClient, db: Database, project_id: int
) -> None:
    # given: a version with two files, uploaded through the file routes
    async with db.begin() as session:
        model = await model_service.create_model(
            session, actor=SYSTEM, project_id=project_id, name="churn"
        )
        assert model.id is not None
        version = await version_service.create_version(
            session, actor=SYSTEM, model_id=model.id, version="1.0.0"
        )
    files = "/api/v1/projects/demo/models/churn/versions/1.0.0/files"
    assert (await http.put(f"{files}/MLmodel", content=b"flavors: {}")).status_code == 201
    assert (await http.put(f"{files}/data/w.bin", content=b"weights")).status_code == 201
    root = f"_registry/{version.id}"

    # when
    top = _ok(await http.get(ARTIFACTS, params={"path": root}))
    inner = _ok(await http.get(ARTIFACTS, params={"path": f"{root}/data"}))
    got = await http.get(f"{ARTIFACTS}/{root}/data/w.bin")
    async with db.read() as session:
        copied = await tracking_service.source_files(
            session,
            actor=SYSTEM,
            project_id=project_id,
            source=f"mlflow-artifacts:/{root}",
            run_uuid=None,
        )

    # then
    assert top == {
        "files": [
            {"path": "MLmodel", "is_dir": False, "file_size": 11},
            {"path": "data", "is_dir": True},
        ]
    }
    assert inner == {"files": [{"path": "w.bin", "is_dir": False, "file_size": 7}]}
    assert got.content == b"weights"
    assert sorted(p for p, _, _ in copied.files) == ["MLmodel", "data/w.bin"]
    _error(await http.get(f"{ARTIFACTS}/{root}/nope"), 404, "RESOURCE_DOES_NOT_EXIST")
    _error(await http.get(f"{ARTIFACTS}/_registry/999999/x"), 404, "RESOURCE_DOES_NOT_EXIST")
    _error(await http.get(f"{ARTIFACTS}/_registry/abc/x"), 404, "RESOURCE_DOES_NOT_EXIST")
    _error(
        await http.put(f"{ARTIFACTS}/{root}/MLmodel", content=b"x"), 400, "INVALID_PARAMETER_VALUE"
    )
    _error(await http.delete(f"{ARTIFACTS}/{root}/MLmodel"), 400, "INVALID_PARAMETER_VALUE")
    assert (await http.get(f"{ARTIFACTS}/{root}/MLmodel")).content == b"flavors: {}"


# --- permissions ---------------------------------------------------------------------------


async def test_permissions(
    http: httpx.AsyncClient,
    anon_http: httpx.AsyncClient,
    accounts: Accounts,
    db: Database,
    project_id: int,
) -> None:
    # given
    run_id = (await _create_run(http))["info"]["run_id"]
    _ok(await http.put(f"{ARTIFACTS}/0/{run_id}/artifacts/f.txt", content=b"hi"))
    await _member(db, accounts, project_id, "reporter", Role.REPORTER)
    await _member(db, accounts, project_id, "guest", Role.GUEST)
    reporter = await accounts.headers("reporter")
    guest = await accounts.headers("guest")
    read_only = {"Authorization": f"Bearer {await accounts.token('admin', scopes=('read_api',))}"}
    log = {"run_id": run_id, "key": "k", "value": "v"}

    # then: an outsider does not learn that the private project exists
    _error(
        await anon_http.get(f"{API}/runs/get", params={"run_id": run_id}),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    _error(
        await anon_http.get(f"{ARTIFACTS}/0/{run_id}/artifacts/f.txt"),
        404,
        "RESOURCE_DOES_NOT_EXIST",
    )
    # a read_api token reads but does not log
    _ok(await http.get(f"{API}/runs/get", params={"run_id": run_id}, headers=read_only))
    _error(
        await http.post(f"{API}/runs/log-parameter", json=log, headers=read_only),
        403,
        "PERMISSION_DENIED",
    )
    _error(
        await http.put(f"{ARTIFACTS}/0/{run_id}/artifacts/g.txt", content=b"x", headers=read_only),
        403,
        "PERMISSION_DENIED",
    )
    # a guest reads; a reporter logs runs and artifacts
    assert (
        await http.get(f"{ARTIFACTS}/0/{run_id}/artifacts/f.txt", headers=guest)
    ).content == b"hi"
    _error(await http.post(f"{API}/runs/create", json={}, headers=guest), 403, "PERMISSION_DENIED")
    _ok(await http.post(f"{API}/runs/log-parameter", json=log, headers=reporter))
    _ok(await http.post(f"{API}/runs/create", json={}, headers=reporter))
    _ok(await http.put(f"{ARTIFACTS}/0/{run_id}/artifacts/g.txt", content=b"x", headers=reporter))
    _ok(await http.delete(f"{ARTIFACTS}/0/{run_id}/artifacts/g.txt", headers=reporter))


async def test_public_project_is_readable_anonymously(
    http: httpx.AsyncClient, anon_http: httpx.AsyncClient, db: Database
) -> None:
    # given
    await _project(db, "open", Visibility.PUBLIC)
    api = "/projects/open/mlflow/api/2.0/mlflow"
    run_id = _ok(await http.post(f"{api}/runs/create", json={}))["run"]["info"]["run_id"]

    # then
    _ok(await anon_http.get(f"{api}/runs/get", params={"run_id": run_id}))
    _ok(await anon_http.get(f"{api}/experiments/get", params={"experiment_id": "0"}))
    _error(await anon_http.post(f"{api}/runs/create", json={}), 401, "UNAUTHENTICATED")
    # A run of another project is not found through this one.
    _error(
        await http.get(f"{API}/runs/get", params={"run_id": run_id}), 404, "RESOURCE_DOES_NOT_EXIST"
    )


# --- source_files --------------------------------------------------------------------------


async def test_source_files_for_every_source_form(
    http: httpx.AsyncClient, db: Database, project_id: int
) -> None:
    # given: a run with files, and a logged model of that run with files
    run_id = (await _create_run(http))["info"]["run_id"]
    model_id = _ok(
        await http.post(
            f"{API}/logged-models",
            json={"experiment_id": "0", "name": "clf", "source_run_id": run_id},
        )
    )["model"]["info"]["model_id"]
    run_root = f"0/{run_id}/artifacts"
    model_root = f"0/models/{model_id}/artifacts"
    for path in ("model/MLmodel", "model/model.pkl", "notes.txt"):
        _ok(await http.put(f"{ARTIFACTS}/{run_root}/{path}", content=path.encode()))
    for path in ("MLmodel", "model.pkl", "requirements.txt"):
        _ok(await http.put(f"{ARTIFACTS}/{model_root}/{path}", content=b"m:" + path.encode()))
    async with db.read() as session:
        blob_of = {t.path: t.blob_id for t in (await session.exec(select(TrackedFile))).all()}

    async def files(source: str, run: str | None = None) -> tracking_service.SourceFiles:
        async with db.read() as session:
            return await tracking_service.source_files(
                session, actor=SYSTEM, project_id=project_id, source=source, run_uuid=run
            )

    def paths(found: tracking_service.SourceFiles) -> list[str]:
        return sorted(p for p, _, _ in found.files)

    # when
    by_artifacts = await files(f"mlflow-artifacts:/{run_root}/model")
    by_runs = await files(f"runs:/{run_id}/model")
    by_runs_to_model = await files(f"runs:/{run_id}/clf")
    by_model = await files(f"models:/{model_id}")
    by_model_location = await files(f"mlflow-artifacts:/{model_root}")
    by_url = await files(
        f"http://modelreg.test/projects/demo/mlflow/api/2.0/mlflow-artifacts/artifacts/{run_root}/model"
    )
    one_file = await files(f"runs:/{run_id}/notes.txt")
    whole_run = await files(f"runs:/{run_id}")

    # then
    assert by_artifacts.run_uuid == run_id and by_artifacts.logged_model_uuid is None
    assert paths(by_artifacts) == ["MLmodel", "model.pkl"]
    assert dict((p, b) for p, b, _ in by_artifacts.files) == {
        "MLmodel": blob_of[f"{run_root}/model/MLmodel"],
        "model.pkl": blob_of[f"{run_root}/model/model.pkl"],
    }
    assert dict((p, t) for p, _, t in by_artifacts.files)["MLmodel"] == "application/yaml"
    assert (by_runs.run_uuid, paths(by_runs)) == (run_id, ["MLmodel", "model.pkl"])
    assert by_runs_to_model.logged_model_uuid == model_id
    assert paths(by_runs_to_model) == ["MLmodel", "model.pkl", "requirements.txt"]
    assert (by_model.run_uuid, by_model.logged_model_uuid) == (run_id, model_id)
    assert paths(by_model) == ["MLmodel", "model.pkl", "requirements.txt"]
    assert (by_model_location.run_uuid, by_model_location.logged_model_uuid) == (run_id, model_id)
    assert paths(by_model_location) == paths(by_model)
    assert (by_url.run_uuid, paths(by_url)) == (run_id, ["MLmodel", "model.pkl"])
    assert paths(one_file) == ["notes.txt"]
    assert paths(whole_run) == ["model/MLmodel", "model/model.pkl", "notes.txt"]
    # Not ours: no files, no error; the caller's run id is kept.
    for foreign in ("s3://bucket/model", "file:///tmp/model", "models:/churn/1", "", "dbfs:/x"):
        found = await files(foreign, run="abc")
        assert (found.run_uuid, found.logged_model_uuid, found.files) == ("abc", None, [])
    # A run of another tracking server: its id is kept, it has no files here.
    external = await files(f"runs:/{'0' * 32}/model")
    assert (external.run_uuid, external.logged_model_uuid, external.files) == ("0" * 32, None, [])
    with pytest.raises(NotFound):
        await files(f"models:/m-{'0' * 32}")


async def test_source_files_of_another_project_need_read_access(
    http: httpx.AsyncClient, accounts: Accounts, db: Database, project_id: int
) -> None:
    # given: a file in a private project "secret"
    await _project(db, "secret")
    _ok(
        await http.put(
            "/projects/secret/mlflow/api/2.0/mlflow-artifacts/artifacts/0/r/f", content=b"s"
        )
    )
    user_id = await accounts.user("someone")
    someone = Actor(name="someone", user_id=user_id)
    await _member(db, accounts, project_id, "someone", Role.REPORTER)
    url = "https://h/projects/secret/mlflow/api/2.0/mlflow-artifacts/artifacts/0/r"

    # when
    async with db.read() as session:
        mine = await tracking_service.source_files(
            session, actor=SYSTEM, project_id=project_id, source=url, run_uuid=None
        )
        with pytest.raises(NotFound):
            await tracking_service.source_files(
                session, actor=someone, project_id=project_id, source=url, run_uuid=None
            )

    # then
    assert [p for p, _, _ in mine.files] == ["f"]


# --- batched reads and GraphQL -------------------------------------------------------------


async def test_read_helpers_are_one_statement_each(
    http: httpx.AsyncClient, db: Database, project_id: int
) -> None:
    # given
    run_ids = []
    for index in range(3):
        run_id = (await _create_run(http))["info"]["run_id"]
        run_ids.append(run_id)
        _ok(
            await http.post(
                f"{API}/runs/log-batch",
                json={
                    "run_id": run_id,
                    "params": [{"key": "i", "value": str(index)}],
                    "metrics": [
                        {"key": "acc", "value": index, "timestamp": 1, "step": s} for s in range(3)
                    ],
                },
            )
        )

    # when
    async with db.read() as session:
        with count_statements(db) as statements:
            runs = await tracking_service.runs_by_uuids(session, run_ids)
            ids = [r.id for r in runs.values() if r.id is not None]
            params = await tracking_service.params_by_runs(session, ids)
            tags = await tracking_service.tags_by_runs(session, ids)
            latest = await tracking_service.latest_metrics_by_runs(session, ids)
            history = await tracking_service.metric_history(session, ids[0], "acc")

    # then
    # One statement per batch read, whatever the number of runs: a query per run would add two.
    assert len(statements) <= 5, statements
    assert sorted(p["i"] for p in params.values()) == ["0", "1", "2"]
    assert all("mlflow.runName" in t for t in tags.values())
    assert {len(v) for v in latest.values()} == {1}
    assert {v[0].step for v in latest.values()} == {2}
    assert [m.step for m in history] == [0, 1, 2]


@strawberry.type
class _Query:
    @strawberry.field
    async def run(self, info: Info, run_id: str) -> RunType | None:
        return await run_for_version(info, run_id)


# A Run leads to model versions and files, whose sizes are BigInt.
_SCHEMA = strawberry.Schema(query=_Query, scalar_overrides={BigInt: BIG_INT_SCALAR})

_RUN = """
query($id: String!) { run(runId: $id) {
  runId name status experimentName startTime endTime user artifactUri
  params { key value } tags { key value }
  metrics { key value step timestamp }
  metricHistory(key: "loss") { value step }
} }"""


async def test_graphql_run_of_a_version(
    http: httpx.AsyncClient, db: Database, settings: Settings, storage: Storage, project_id: int
) -> None:
    # given
    run = await _create_run(http, run_name="train", start_time=1_700_000_000_000)
    run_id = run["info"]["run_id"]
    _ok(
        await http.post(
            f"{API}/runs/log-batch",
            json={
                "run_id": run_id,
                "params": [{"key": "lr", "value": "0.1"}],
                "metrics": [
                    {"key": "loss", "value": 0.9, "timestamp": 1, "step": 0},
                    {"key": "loss", "value": "NaN", "timestamp": 2, "step": 1},
                ],
            },
        )
    )
    outsider_id = await Accounts(db).user("outsider")

    async def query(actor: Actor) -> Any:
        context = Context(db=db, settings=settings, actor=actor, storage=storage)
        try:
            result = await _SCHEMA.execute(_RUN, {"id": run_id}, context_value=context)
        finally:
            await context.end_reads()
        assert result.errors is None, result.errors
        assert result.data is not None
        return result.data["run"]

    # when
    seen = await query(SYSTEM)
    hidden = await query(Actor(name="outsider", user_id=outsider_id))

    # then
    assert seen["runId"] == run_id
    assert seen["name"] == "train"
    assert seen["status"] == "RUNNING"
    assert seen["experimentName"] == "Default"
    assert seen["startTime"].startswith("2023-11-14T22:13:20")
    assert seen["endTime"] is None
    assert seen["artifactUri"] == f"mlflow-artifacts:/0/{run_id}/artifacts"
    assert seen["params"] == [{"key": "lr", "value": "0.1"}]
    assert {"key": "mlflow.runName", "value": "train"} in seen["tags"]
    assert [(m["key"], m["value"], m["step"]) for m in seen["metrics"]] == [("loss", None, 1)]
    assert seen["metricHistory"] == [{"value": 0.9, "step": 0}, {"value": None, "step": 1}]
    assert hidden is None


async def test_run_belongs_to_its_experiment_row(db: Database, project_id: int) -> None:
    """A run of the Default experiment, created through the service, is stored as expected."""
    async with db.begin() as session:
        run, experiment = await tracking_service.create_run(
            session, actor=SYSTEM, project_id=project_id
        )
    async with db.read() as session:
        stored = (await session.exec(select(Run).where(col(Run.uuid) == run.uuid))).one()
    assert stored.experiment_id == experiment.id
    assert tracking_service.experiment_id_of(experiment) == "0"
