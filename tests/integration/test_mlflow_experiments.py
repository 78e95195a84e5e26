"""Experiments through MLflow: delete, restore and rename with their runs, search filters, order
and views (the real MLflow client against a real server on loopback), events, and the routes
MLflow's web UI calls (`ajax-api/...`, bulk metric histories, upload-artifact, get-artifact)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mlflow import MlflowClient
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException
from sqlmodel import select

from modelreg.db import Database
from modelreg.db.models import Event
from modelreg.domain.actor import SYSTEM
from modelreg.domain.policy import Role
from modelreg.services import members as member_service
from modelreg.services import projects as project_service
from tests.support.accounts import Accounts
from tests.support.server import cli_token, running_server


class Live:
    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.uri = f"{base}/projects/lab/mlflow"
        self.http = httpx.Client(
            base_url=self.uri, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp_path: Path = tmp_path_factory.mktemp("mlflow-experiments")
    with running_server(tmp_path) as base:
        token = cli_token(tmp_path)
        served = Live(base, token)
        created = served.http.post(
            f"{base}/graphql",
            json={
                "query": 'mutation { createProject(input: {path: "lab"}) { errors { message } } }'
            },
        )
        assert created.status_code == 200 and not created.json().get("errors"), created.text
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("MLFLOW_TRACKING_TOKEN", token)
            patch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
            yield served
        served.http.close()


@pytest.fixture(scope="module")
def client(live: Live) -> MlflowClient:
    return MlflowClient(tracking_uri=live.uri)


def _code(call: Any) -> str:
    with pytest.raises(MlflowException) as raised:
        call()
    return str(raised.value.error_code)


def test_delete_restore_and_rename_an_experiment_and_its_runs(client: MlflowClient) -> None:
    # given
    experiment_id = client.create_experiment("to-delete")
    run = client.create_run(experiment_id, run_name="r1")

    # when deleted
    client.delete_experiment(experiment_id)

    # then it and its runs are deleted, hidden from the default view
    assert client.get_experiment(experiment_id).lifecycle_stage == "deleted"
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    active = [e.name for e in client.search_experiments()]
    deleted = [e.name for e in client.search_experiments(view_type=ViewType.DELETED_ONLY)]
    every = [e.name for e in client.search_experiments(view_type=ViewType.ALL)]
    assert "to-delete" not in active and deleted == ["to-delete"] and "to-delete" in every
    assert _code(lambda: client.create_run(experiment_id)) == "INVALID_PARAMETER_VALUE"
    assert _code(lambda: client.rename_experiment(experiment_id, "x")) == "INVALID_PARAMETER_VALUE"
    assert _code(lambda: client.delete_experiment(experiment_id)) == "RESOURCE_DOES_NOT_EXIST"

    # when restored, then renamed
    client.restore_experiment(experiment_id)
    client.rename_experiment(experiment_id, "renamed")

    # then
    got = client.get_experiment(experiment_id)
    assert (got.lifecycle_stage, got.name) == ("active", "renamed")
    assert client.get_experiment_by_name("renamed").experiment_id == experiment_id
    assert client.get_experiment_by_name("to-delete") is None
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "active"
    assert _code(lambda: client.restore_experiment(experiment_id)) == "RESOURCE_DOES_NOT_EXIST"


def test_default_experiment_and_names_are_protected(client: MlflowClient) -> None:
    taken = client.create_experiment("taken")
    other = client.create_experiment("other")

    assert _code(lambda: client.delete_experiment("0")) == "INVALID_PARAMETER_VALUE"
    assert _code(lambda: client.rename_experiment("0", "x")) == "INVALID_PARAMETER_VALUE"
    assert _code(lambda: client.rename_experiment(other, "Default")) == "INVALID_PARAMETER_VALUE"
    assert _code(lambda: client.rename_experiment(other, "taken")) == "RESOURCE_ALREADY_EXISTS"
    assert _code(lambda: client.delete_experiment("999999")) == "RESOURCE_DOES_NOT_EXIST"
    assert client.get_experiment("0").lifecycle_stage == "active"
    assert client.get_experiment(taken).name == "taken"
    assert client.get_experiment(other).name == "other"


def test_delete_experiment_tag(client: MlflowClient) -> None:
    experiment = client.create_experiment("tagged", tags={"team": "growth", "stage": "dev"})
    client.delete_experiment_tag(experiment, "stage")
    assert client.get_experiment(experiment).tags == {"team": "growth"}

    # A tag the experiment does not have, and an experiment this project does not have.
    with pytest.raises(MlflowException) as missing:
        client.delete_experiment_tag(experiment, "stage")
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert "No tag with name: stage" in missing.value.message
    assert _code(lambda: client.delete_experiment_tag("999999", "team")) == (
        "RESOURCE_DOES_NOT_EXIST"
    )
    # A deleted experiment keeps its tags until it is restored.
    client.delete_experiment(experiment)
    assert _code(lambda: client.delete_experiment_tag(experiment, "team")) == (
        "INVALID_PARAMETER_VALUE"
    )
    client.restore_experiment(experiment)
    client.delete_experiment_tag(experiment, "team")
    assert client.get_experiment(experiment).tags == {}


def test_search_experiments_filters_order_and_views(client: MlflowClient) -> None:
    # given
    a = client.create_experiment("s-a", tags={"team": "growth"})
    b = client.create_experiment("s-b", tags={"team": "risk"})
    c = client.create_experiment("s-c")
    client.delete_experiment(c)
    created_b = client.get_experiment(b).creation_time

    def names(**kwargs: Any) -> list[str]:
        return [e.name for e in client.search_experiments(**kwargs) if e.name.startswith("s-")]

    # then
    assert names(filter_string="attribute.name = 's-a'") == ["s-a"]
    assert names(filter_string="attributes.name LIKE 's-%'") == ["s-b", "s-a"]
    assert names(filter_string="name ILIKE 'S-B'") == ["s-b"]
    assert names(filter_string="tags.team = 'growth'") == ["s-a"]
    assert names(filter_string=f"attribute.creation_time >= {created_b}") == ["s-b"]
    assert names(filter_string=f"experiment_id = '{a}'") == ["s-a"]
    # MLflow's default order: newest first.
    assert names() == ["s-b", "s-a"]
    assert names(order_by=["name ASC"]) == ["s-a", "s-b"]
    assert names(order_by=["attribute.name DESC"]) == ["s-b", "s-a"]
    assert names(order_by=["creation_time ASC"]) == ["s-a", "s-b"]
    assert names(view_type=ViewType.ALL, order_by=["name"]) == ["s-a", "s-b", "s-c"]
    assert names(view_type=ViewType.DELETED_ONLY) == ["s-c"]
    bad = client.search_experiments
    assert _code(lambda: bad(filter_string="attribute.colour = 'x'")) == "INVALID_PARAMETER_VALUE"
    assert _code(lambda: bad(order_by=["colour"])) == "INVALID_PARAMETER_VALUE"
    assert _code(lambda: bad(order_by=["name UP"])) == "INVALID_PARAMETER_VALUE"


async def test_experiment_changes_are_events(
    http: httpx.AsyncClient, db: Database, anon_http: httpx.AsyncClient
) -> None:
    # given
    async with db.begin() as session:
        project = await project_service.create_project(session, actor=SYSTEM, path="ev")
    api = "/projects/ev/mlflow/api/2.0/mlflow"
    created = await http.post(f"{api}/experiments/create", json={"name": "e"})
    experiment_id = created.json()["experiment_id"]

    # when
    for path, body in [
        ("experiments/update", {"experiment_id": experiment_id, "new_name": "f"}),
        ("experiments/delete", {"experiment_id": experiment_id}),
        ("experiments/restore", {"experiment_id": experiment_id}),
    ]:
        answered = await http.post(f"{api}/{path}", json=body)
        assert answered.status_code == 200, answered.text
    refused = await http.post(f"{api}/experiments/update", json={"experiment_id": experiment_id})
    anonymous = await anon_http.post(
        f"{api}/experiments/delete", json={"experiment_id": experiment_id}
    )

    # then
    async with db.read() as session:
        rows = await session.exec(
            select(Event.type, Event.payload)
            .where(Event.project_id == project.id)
            .order_by(Event.id)  # type: ignore[arg-type]
        )
        events = [(t, p.get("name")) for t, p in rows]
    assert events[-3:] == [
        ("experiment.renamed", "f"),
        ("experiment.deleted", "f"),
        ("experiment.restored", "f"),
    ]
    assert refused.status_code == 400
    assert refused.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert anonymous.status_code in (401, 404)


# --- the routes of MLflow's web UI -------------------------------------------------------------


def test_ajax_api_serves_the_rest_api(live: Live, client: MlflowClient) -> None:
    experiment_id = client.create_experiment("ajax")
    run = client.create_run(experiment_id)
    for step in range(3):
        client.log_metric(run.info.run_id, "loss", 1.0 / (step + 1), step=step, timestamp=step)

    got = live.http.get(
        "ajax-api/2.0/mlflow/experiments/get", params={"experiment_id": experiment_id}
    )
    searched = live.http.post(
        "ajax-api/2.0/mlflow/runs/search", json={"experiment_ids": [experiment_id]}
    )
    unknown = live.http.get("ajax-api/2.0/mlflow/nothing/here")
    anonymous = httpx.get(f"{live.uri}/ajax-api/2.0/mlflow/experiments/get?experiment_id=0")

    assert got.status_code == 200 and got.json()["experiment"]["name"] == "ajax"
    assert [r["info"]["run_id"] for r in searched.json()["runs"]] == [run.info.run_id]
    assert unknown.status_code == 404 and unknown.json()["error_code"] == "ENDPOINT_NOT_FOUND"
    assert anonymous.status_code in (401, 404)


def test_bulk_metric_histories(live: Live, client: MlflowClient) -> None:
    experiment_id = client.create_experiment("bulk")
    runs = [client.create_run(experiment_id).info.run_id for _ in range(2)]
    for index, run_id in enumerate(runs):
        for step in range(4):
            client.log_metric(run_id, "loss", float(index * 10 + step), step=step, timestamp=step)

    bulk = live.http.get(
        "ajax-api/2.0/mlflow/metrics/get-history-bulk",
        params=[("run_id", runs[0]), ("run_id", runs[1]), ("metric_key", "loss")],
    )
    interval = live.http.get(
        "ajax-api/2.0/mlflow/metrics/get-history-bulk-interval",
        params=[
            ("run_ids", runs[1]),
            ("metric_key", "loss"),
            ("start_step", "1"),
            ("end_step", "2"),
        ],
    )
    missing = live.http.get(
        "ajax-api/2.0/mlflow/metrics/get-history-bulk", params={"metric_key": "loss"}
    )

    assert bulk.status_code == 200, bulk.text
    points = [(p["run_id"], p["step"], p["value"]) for p in bulk.json()["metrics"]]
    assert points == sorted(
        [(r, s, float(i * 10 + s)) for i, r in enumerate(runs) for s in range(4)]
    )
    assert interval.status_code == 200, interval.text
    assert [(p["step"], p["value"]) for p in interval.json()["metrics"]] == [(1, 11.0), (2, 12.0)]
    assert missing.status_code == 400
    assert missing.json()["error_code"] == "INVALID_PARAMETER_VALUE"


def test_upload_and_get_artifact(live: Live, client: MlflowClient) -> None:
    experiment_id = client.create_experiment("files")
    run_id = client.create_run(experiment_id).info.run_id

    uploaded = live.http.post(
        "ajax-api/2.0/mlflow/upload-artifact",
        params={"run_uuid": run_id, "path": "notes/readme.txt"},
        content=b"hello",
    )
    listed = live.http.get(
        "ajax-api/2.0/mlflow/artifacts/list", params={"run_id": run_id, "path": "notes"}
    )
    fetched = live.http.get("get-artifact", params={"run_uuid": run_id, "path": "notes/readme.txt"})
    absent = live.http.get("get-artifact", params={"run_uuid": run_id, "path": "nope.txt"})
    escaping = live.http.post(
        "ajax-api/2.0/mlflow/upload-artifact",
        params={"run_uuid": run_id, "path": "../x"},
        content=b"x",
    )

    assert uploaded.status_code == 200, uploaded.text
    assert [f["path"] for f in listed.json()["files"]] == ["notes/readme.txt"]
    assert fetched.status_code == 200 and fetched.content == b"hello"
    assert client.download_artifacts(run_id, "notes/readme.txt")
    assert absent.status_code == 404
    assert escaping.status_code == 400


def test_version_and_logged_model_files(live: Live, client: MlflowClient) -> None:
    # given: a run's file registered as a version, and a logged model's file
    experiment_id = client.create_experiment("served")
    run_id = client.create_run(experiment_id).info.run_id
    put = live.http.post(
        "ajax-api/2.0/mlflow/upload-artifact",
        params={"run_uuid": run_id, "path": "model/MLmodel"},
        content=b"flavors: {}",
    )
    assert put.status_code == 200, put.text
    client.create_registered_model("served")
    client.create_model_version("served", f"runs:/{run_id}/model", run_id=run_id)
    logged = client.create_logged_model(experiment_id)
    root = f"api/2.0/mlflow-artifacts/artifacts/{experiment_id}/models/{logged.model_id}/artifacts"
    assert live.http.put(f"{root}/MLmodel", content=b"logged").status_code == 200

    # when
    version_file = live.http.get(
        "model-versions/get-artifact", params={"name": "served", "version": "1", "path": "MLmodel"}
    )
    no_version = live.http.get(
        "model-versions/get-artifact", params={"name": "served", "version": "9", "path": "MLmodel"}
    )
    model_file = live.http.get(
        f"ajax-api/2.0/mlflow/logged-models/{logged.model_id}/artifacts/files",
        params={"artifact_file_path": "MLmodel"},
    )
    no_path = live.http.get(f"ajax-api/2.0/mlflow/logged-models/{logged.model_id}/artifacts/files")

    # then
    assert version_file.status_code == 200, version_file.text
    assert version_file.content == b"flavors: {}"
    assert no_version.status_code == 404
    assert model_file.status_code == 200 and model_file.content == b"logged"
    assert no_path.status_code == 400


async def test_web_ui_routes_check_permissions(
    http: httpx.AsyncClient, anon_http: httpx.AsyncClient, accounts: Accounts, db: Database
) -> None:
    # given: a run, and a guest of the project
    async with db.begin() as session:
        project = await project_service.create_project(session, actor=SYSTEM, path="perm")
    assert project.id is not None
    await accounts.user("guest")
    async with db.begin() as session:
        await member_service.add_member(
            session, actor=SYSTEM, project_id=project.id, username="guest", role=Role.GUEST
        )
    guest = await accounts.headers("guest")
    root = "/projects/perm/mlflow"
    run = await http.post(f"{root}/api/2.0/mlflow/runs/create", json={"experiment_id": "0"})
    run_id = run.json()["run"]["info"]["run_id"]
    upload = f"{root}/ajax-api/2.0/mlflow/upload-artifact"
    assert (
        await http.post(upload, params={"run_uuid": run_id, "path": "a.txt"}, content=b"a")
    ).status_code == 200

    # when
    guest_upload = await http.post(
        upload, params={"run_uuid": run_id, "path": "b.txt"}, content=b"b", headers=guest
    )
    guest_read = await http.get(
        f"{root}/get-artifact", params={"run_uuid": run_id, "path": "a.txt"}, headers=guest
    )
    guest_delete = await http.post(
        f"{root}/ajax-api/2.0/mlflow/experiments/delete",
        json={"experiment_id": "0"},
        headers=guest,
    )
    anonymous = await anon_http.get(
        f"{root}/get-artifact", params={"run_uuid": run_id, "path": "a.txt"}
    )

    # then
    assert guest_upload.status_code == 403
    assert guest_upload.json()["error_code"] == "PERMISSION_DENIED"
    assert guest_read.status_code == 200 and guest_read.content == b"a"
    assert guest_delete.status_code == 403
    assert anonymous.status_code in (401, 404)
    listed = await http.get(f"{root}/ajax-api/2.0/mlflow/artifacts/list", params={"run_id": run_id})
    assert [f["path"] for f in listed.json()["files"]] == ["a.txt"]
