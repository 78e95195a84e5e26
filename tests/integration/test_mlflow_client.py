"""The unmodified MLflow client (pinned in the dev dependencies, with scikit-learn) against a
real `modelreg serve` on loopback: log, register, govern, search, load and predict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import cli_token, running_server

FLOW = Path(__file__).parents[1] / "support" / "mlflow_client_flow.py"


class Live:
    def __init__(self, base: str, token: str, tmp_path: Path) -> None:
        self.base = base
        self.token = token
        self.tmp_path = tmp_path
        self.http = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        body = self.http.post("/graphql", json={"query": query, "variables": variables}).json()
        assert not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        return data

    def client(self, *args: str) -> Any:
        """Run the MLflow client script; returns what it printed (JSON)."""
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MODELREG_"))},
            "MLFLOW_TRACKING_URI": f"{self.base}/projects/lab/mlflow",
            "MLFLOW_TRACKING_TOKEN": self.token,
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
            "HOME": str(self.tmp_path),
            "FLOW_OUTPUT": str(self.tmp_path / "flow.json"),
        }
        done = subprocess.run(
            [sys.executable, str(FLOW), *args],
            env=env,
            cwd=self.tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-5000:]
        return json.loads((self.tmp_path / "flow.json").read_text())


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp_path = tmp_path_factory.mktemp("mlflow-client")
    with running_server(tmp_path) as base:
        served = Live(base, cli_token(tmp_path), tmp_path)
        served.gql('mutation { createProject(input: {path: "lab"}) { errors { message } } }')
        yield served
        served.http.close()


@pytest.fixture(scope="module")
def flow(live: Live) -> dict[str, Any]:
    found: dict[str, Any] = live.client()
    return found


def test_log_model_and_register_model_create_versions(flow: dict[str, Any]) -> None:
    assert str(flow["registered_version"]) == "1"
    assert flow["register_model_version"] == "2"
    assert flow["logged_model_id"].startswith("m-")
    assert flow["v1"]["status"] == "READY"
    assert flow["v1"]["run_id"] == flow["run_id"]
    # MLflow's version 1 is SemVer 1.0.0, the next patch 1.0.1.
    assert flow["v1"]["aliases"] == ["1.0.0"]
    assert flow["v1"]["tags"]["modelreg.version"] == "1.0.0"


def test_registry_calls_behave_as_in_mlflow(flow: dict[str, Any]) -> None:
    assert flow["by_alias"] == "1"
    assert flow["stages"] == {"1": "Archived", "2": "Production"}
    assert flow["latest_production"] == ["2"]
    assert flow["model"]["description"] == "Predicts churn."
    assert flow["model"]["tags"] == {}
    assert flow["model"]["aliases"] == {"champion": "1"}
    assert flow["filtered"] == ["fraud-1", "fraud-3"]
    assert flow["like"] == [f"fraud-{i}" for i in range(5)]
    assert flow["pages"] == [["churn-v2", "fraud-0"], ["fraud-1", "fraud-2"]]
    assert flow["versions_by_run"] == ["1", "2"]


def test_models_load_and_predict_through_every_uri(flow: dict[str, Any]) -> None:
    assert len(flow["predictions"]) == 5
    for predictions in flow["predictions"].values():
        assert predictions == [0, 1, 0, 1]
    assert {"MLmodel", "requirements.txt", "python_env.yaml"} <= set(flow["downloaded"])
    assert any(name.startswith("model.") for name in flow["downloaded"])  # the serialized model


def test_error_codes_reach_the_client(flow: dict[str, Any]) -> None:
    assert flow["missing"] == "RESOURCE_DOES_NOT_EXIST"
    assert flow["duplicate"] == "RESOURCE_ALREADY_EXISTS"
    assert flow["deleted"] == "RESOURCE_DOES_NOT_EXIST"


def test_a_model_registered_through_mlflow_is_complete_in_graphql(
    live: Live, flow: dict[str, Any]
) -> None:
    data = live.gql(
        """{ project(path: "lab") { model(name: "churn-v2") { versions { edges { node {
          version number runId source files { path } lineage { commit }
          run { runId name status params { key value } metrics { key value step }
                metricHistory(key: "loss") { value step } }
        } } } } } }"""
    )
    versions = {
        e["node"]["number"]: e["node"] for e in data["project"]["model"]["versions"]["edges"]
    }
    first = versions[1]
    assert first["version"] == "1.0.0" and versions[2]["version"] == "1.0.1"
    assert first["runId"] == flow["run_id"]
    paths = {f["path"] for f in first["files"]}
    assert {"MLmodel", "requirements.txt", "python_env.yaml"} <= paths
    run = first["run"]
    assert run["runId"] == flow["run_id"] and run["name"] == "first"
    assert {p["key"]: p["value"] for p in run["params"]} == {"C": "0.5", "solver": "lbfgs"}
    metrics = {m["key"]: m for m in run["metrics"]}
    assert metrics["accuracy"]["value"] == 0.75
    assert metrics["loss"]["step"] == 2
    assert [(h["step"], h["value"]) for h in run["metricHistory"]] == [
        (0, 1.0),
        (1, 0.5),
        (2, pytest.approx(1 / 3)),
    ]


def test_a_version_created_in_graphql_loads_through_models_uri(live: Live) -> None:
    model = live.gql('{ project(path: "lab") { model(name: "churn-v2") { id } } }')
    created = live.gql(
        """mutation($m: ID!) { createVersion(input: {modelId: $m, version: "2.0.0"}) {
             modelVersion { number } errors { message } } }""",
        m=model["project"]["model"]["id"],
    )["createVersion"]
    assert created["errors"] == []
    base = "/api/v1/projects/lab/models/churn-v2/versions"
    files = live.gql(
        '{ project(path: "lab") { model(name: "churn-v2") { version(version: "1.0.0") '
        "{ files { path } } } } }"
    )["project"]["model"]["version"]["files"]
    for name in [f["path"] for f in files]:
        got = live.http.get(f"{base}/1.0.0/files/{name}")
        assert got.status_code == 200, name
        put = live.http.put(f"{base}/2.0.0/files/{name}", content=got.content)
        assert put.status_code == 201, put.text
    number = created["modelVersion"]["number"]
    assert live.client("load", f"models:/churn-v2/{number}") == [0, 1, 0, 1]
    assert live.client("load", "models:/churn-v2@2.0.0") == [0, 1, 0, 1]
