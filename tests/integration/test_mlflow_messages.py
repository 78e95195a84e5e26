"""The unmodified MLflow client against a real `modelreg serve`: the common errors read as MLflow's
server words them (scripts match on them), with MLflow's error codes, while GraphQL keeps its
own sentences for the same errors."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.server import cli_token, running_server

mlflow = pytest.importorskip("mlflow")
from mlflow import MlflowClient  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402


@dataclass
class Live:
    base: str
    token: str
    client: Any

    def gql(self, query: str) -> dict[str, Any]:
        body: dict[str, Any] = httpx.post(
            f"{self.base}/graphql",
            json={"query": query},
            headers={"Authorization": f"Bearer {self.token}"},
        ).json()
        return body


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp_path = tmp_path_factory.mktemp("mlflow-messages")
    with running_server(tmp_path) as base, pytest.MonkeyPatch.context() as env:
        token = cli_token(tmp_path)
        found = Live(base, token, None)
        made = found.gql('mutation { createProject(input: {path: "lab"}) { errors { message } } }')
        assert made["data"]["createProject"]["errors"] == [], made
        for key in [k for k in os.environ if k.startswith("MLFLOW_")]:
            env.delenv(key)
        env.setenv("MLFLOW_TRACKING_TOKEN", token)
        env.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        found.client = MlflowClient(tracking_uri=f"{base}/projects/lab/mlflow")
        yield found


def refused(call: Callable[[], Any]) -> tuple[str, str]:
    """The error code and the server's message (without the client's `CODE: ` prefix)."""
    with pytest.raises(MlflowException) as raised:
        call()
    code = str(raised.value.error_code)
    prefix = f"{code}: "
    message = raised.value.message
    assert message.startswith(prefix), message
    return code, message[len(prefix) :]


def test_registry_errors_are_worded_as_mlflow_words_them(live: Live) -> None:
    client = live.client
    client.create_registered_model("churn")
    client.create_registered_model("fraud")
    client.create_model_version("churn", "s3://bucket/churn/1")

    assert refused(lambda: client.create_registered_model("churn")) == (
        "RESOURCE_ALREADY_EXISTS",
        "Registered Model (name=churn) already exists.",
    )
    # A rename is refused for the name it asks for.
    assert refused(lambda: client.rename_registered_model("fraud", "churn")) == (
        "RESOURCE_ALREADY_EXISTS",
        "Registered Model (name=churn) already exists.",
    )
    assert refused(lambda: client.get_registered_model("nope")) == (
        "RESOURCE_DOES_NOT_EXIST",
        "Registered Model with name=nope not found",
    )
    assert refused(lambda: client.get_model_version("churn", "7")) == (
        "RESOURCE_DOES_NOT_EXIST",
        "Model Version (name=churn, version=7) not found",
    )
    assert refused(lambda: client.get_model_version_by_alias("churn", "champion")) == (
        "RESOURCE_DOES_NOT_EXIST",
        "Registered model alias champion not found.",
    )
    # Nothing was changed by the refused calls.
    assert client.get_registered_model("fraud").name == "fraud"
    assert [v.version for v in client.search_model_versions("name = 'churn'")] == ["1"]


def test_tracking_errors_are_worded_as_mlflow_words_them(live: Live) -> None:
    client = live.client
    experiment_id = client.create_experiment("training")

    assert refused(lambda: client.create_experiment("training")) == (
        "RESOURCE_ALREADY_EXISTS",
        "Experiment(name=training) already exists.",
    )
    assert refused(lambda: client.get_experiment("9999")) == (
        "RESOURCE_DOES_NOT_EXIST",
        "No Experiment with id=9999 exists",
    )
    assert refused(lambda: client.create_run("9999")) == (
        "RESOURCE_DOES_NOT_EXIST",
        "No Experiment with id=9999 exists",
    )
    missing_run = "0123456789abcdef0123456789abcdef"
    for call in (
        lambda: client.get_run(missing_run),
        lambda: client.log_metric(missing_run, "loss", 0.5),
        lambda: client.set_tag(missing_run, "k", "v"),
        lambda: client.set_terminated(missing_run),
    ):
        assert refused(call) == ("RESOURCE_DOES_NOT_EXIST", f"Run with id={missing_run} not found")
    assert client.get_experiment_by_name("nope") is None  # the client turns the 404 into None
    response = httpx.get(
        f"{live.base}/projects/lab/mlflow/api/2.0/mlflow/experiments/get-by-name",
        params={"experiment_name": "nope"},
        headers={"Authorization": f"Bearer {live.token}"},
    )
    assert response.status_code == 404
    assert response.json() == {
        "error_code": "RESOURCE_DOES_NOT_EXIST",
        "message": "Could not find experiment with name 'nope'",
    }
    assert [e.name for e in client.search_experiments() if e.experiment_id == experiment_id] == [
        "training"
    ]


def test_graphql_keeps_its_own_wording(live: Live) -> None:
    """The rewording is the MLflow endpoint's: GraphQL's message for the same refusal is the
    service's own."""
    live.client.create_registered_model("shared")
    project = live.gql('{ project(path: "lab") { id } }')["data"]["project"]["id"]
    created = live.gql(
        f'mutation {{ createModel(input: {{projectId: "{project}", name: "shared"}}) '
        "{ errors { code message } } }"
    )
    errors = created["data"]["createModel"]["errors"]
    assert [e["code"] for e in errors] == ["ALREADY_EXISTS"]
    assert "Registered Model (name=" not in errors[0]["message"]
