"""Logged models' metrics, the `datasets` search filter, soft delete and the
`mlflow.modelVersions` tag over MLflow's REST API in process, on each database (the real-client
tests of the same behaviour are in test_mlflow_external.py)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import select

from modelreg.db import Database
from modelreg.db.models import Event, LoggedModel, LoggedModelMetric
from modelreg.domain.actor import SYSTEM
from modelreg.services import projects as project_service

API = "/projects/demo/mlflow/api/2.0/mlflow"


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _setup(http: httpx.AsyncClient, db: Database) -> tuple[str, str]:
    """The project "demo", a run in experiment 0 and a logged model of that run."""
    async with db.begin() as session:
        await project_service.create_project(session, actor=SYSTEM, path="demo")
    run = _ok(await http.post(f"{API}/runs/create", json={"experiment_id": "0"}))
    run_id = run["run"]["info"]["run_id"]
    model = _ok(
        await http.post(
            f"{API}/logged-models",
            json={"experiment_id": "0", "name": "m", "source_run_id": run_id},
        )
    )
    return run_id, model["model"]["info"]["model_id"]


async def test_metrics_with_a_model_id_are_kept_on_the_model_once(
    http: httpx.AsyncClient, db: Database
) -> None:
    # given
    run_id, model_id = await _setup(http, db)
    point = {"key": "acc", "value": 0.5, "timestamp": 7, "step": 3, "model_id": model_id}
    batch = {
        "run_id": run_id,
        "metrics": [
            {**point, "dataset_name": "eval", "dataset_digest": "d1"},
            {**point, "value": "NaN", "key": "loss"},
        ],
    }

    # when: logged twice, as the client re-sends a step's metrics when it logs a model
    _ok(await http.post(f"{API}/runs/log-batch", json=batch))
    _ok(await http.post(f"{API}/runs/log-batch", json=batch))

    # then
    got = _ok(await http.get(f"{API}/logged-models/{model_id}"))["model"]["data"]["metrics"]
    assert sorted(got, key=lambda m: m["key"]) == [
        {
            "key": "acc",
            "value": 0.5,
            "timestamp": 7,
            "step": 3,
            "model_id": model_id,
            "run_id": run_id,
            "dataset_name": "eval",
            "dataset_digest": "d1",
        },
        {
            "key": "loss",
            "value": "NaN",
            "timestamp": 7,
            "step": 3,
            "model_id": model_id,
            "run_id": run_id,
        },
    ]
    async with db.read() as session:
        count = (await session.exec(select(sa.func.count()).select_from(LoggedModelMetric))).one()
    assert count == 2


async def test_datasets_filter_and_deleted_models_in_search(
    http: httpx.AsyncClient, db: Database
) -> None:
    # given: a model with a metric on "eval", one without metrics, one deleted
    run_id, scored = await _setup(http, db)
    metric = {"key": "acc", "value": 1, "timestamp": 1, "model_id": scored}
    metric |= {"dataset_name": "eval", "dataset_digest": "d1"}
    _ok(await http.post(f"{API}/runs/log-metric", json={"run_id": run_id, **metric}))
    plain = _ok(await http.post(f"{API}/logged-models", json={"experiment_id": "0"}))
    gone = _ok(await http.post(f"{API}/logged-models", json={"experiment_id": "0"}))
    gone_id = gone["model"]["info"]["model_id"]
    _ok(await http.delete(f"{API}/logged-models/{gone_id}"))

    async def search(**body: Any) -> list[str]:
        found = _ok(await http.post(f"{API}/logged-models/search", json=body))
        return [m["info"]["model_id"] for m in found["models"]]

    # then
    everything = await search(experiment_ids=["0"])
    assert sorted(everything) == sorted([scored, plain["model"]["info"]["model_id"]])
    assert await search(experiment_ids=["0"], datasets=[{"dataset_name": "eval"}]) == [scored]
    assert await search(experiment_ids=["0"], datasets=[{"dataset_name": "test"}]) == []
    # The deleted row stays, marked; it answers 404 like a model that never was.
    async with db.read() as session:
        row = (await session.exec(select(LoggedModel).where(LoggedModel.uuid == gone_id))).one()
    assert row.lifecycle_stage == "deleted"
    # …and the deletion is in the project's event log (activity, webhooks).
    async with db.read() as session:
        deleted = (
            await session.exec(select(Event).where(Event.type == "logged_model.deleted"))
        ).all()
    assert [e.payload["model_id"] for e in deleted] == [gone_id]
    missing = await http.get(f"{API}/logged-models/{gone_id}")
    assert missing.status_code == 404
    assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"


async def test_versions_from_a_logged_model_are_listed_in_its_tag(
    http: httpx.AsyncClient, db: Database
) -> None:
    # given
    _, model_id = await _setup(http, db)
    _ok(await http.post(f"{API}/registered-models/create", json={"name": "r"}))

    # when
    for _ in range(2):
        _ok(
            await http.post(
                f"{API}/model-versions/create",
                json={"name": "r", "source": f"models:/{model_id}", "model_id": model_id},
            )
        )

    # then
    info = _ok(await http.get(f"{API}/logged-models/{model_id}"))["model"]["info"]
    tags = {t["key"]: t["value"] for t in info["tags"]}
    assert json.loads(tags["mlflow.modelVersions"]) == [
        {"name": "r", "version": 1},
        {"name": "r", "version": 2},
    ]
