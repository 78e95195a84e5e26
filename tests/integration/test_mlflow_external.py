"""The real MLflow client against a real server on loopback: versions and logged models naming
runs this server does not know (an external tracking server), and MLflow 3's logged-model calls:
delete, metrics logged with a `model_id`, the `datasets` search filter and the
`mlflow.modelVersions` tag that registering from a logged model sets."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from tests.support.server import cli_token, running_server

EXTERNAL_RUN = "0123456789abcdef0123456789abcdef"


class Live:
    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.http = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        self.client = MlflowClient(tracking_uri=f"{base}/projects/lab/mlflow")

    def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        body = self.http.post("/graphql", json={"query": query, "variables": variables}).json()
        assert not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp_path: Path = tmp_path_factory.mktemp("mlflow-external")
    with running_server(tmp_path) as base, pytest.MonkeyPatch.context() as env:
        token = cli_token(tmp_path)
        env.setenv("MLFLOW_TRACKING_TOKEN", token)
        env.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        served = Live(base, token)
        served.gql('mutation { createProject(input: {path: "lab"}) { errors { message } } }')
        yield served
        served.http.close()


def _error_code(call: Any) -> str:
    with pytest.raises(MlflowException) as raised:
        call()
    return str(raised.value.error_code)


def _version_over_http(live: Live, name: str, version: str) -> dict[str, Any]:
    """The version as the server sends it (the client's ModelVersion drops `model_id`)."""
    got = live.http.get(
        "/projects/lab/mlflow/api/2.0/mlflow/model-versions/get",
        params={"name": name, "version": version},
    )
    assert got.status_code == 200, got.text
    found: dict[str, Any] = got.json()["model_version"]
    return found


def _version_in_graphql(live: Live, name: str, version: str) -> dict[str, Any]:
    data = live.gql(
        """query($name: String!, $version: String!) { project(path: "lab") {
             model(name: $name) { version(version: $version) {
               runId source files { path } run { runId } } } } }""",
        name=name,
        version=version,
    )
    found: dict[str, Any] = data["project"]["model"]["version"]
    return found


def test_a_version_from_a_run_of_another_server_keeps_its_run_id_and_source(live: Live) -> None:
    client = live.client
    client.create_registered_model("external-runs")
    source = f"runs:/{EXTERNAL_RUN}/model"
    by_source = client.create_model_version("external-runs", source, run_id=EXTERNAL_RUN)
    assert (by_source.version, by_source.run_id, by_source.source) == ("1", EXTERNAL_RUN, source)
    # Only the run id, with a source elsewhere (what a migration from another registry sends).
    by_id = client.create_model_version("external-runs", "s3://bucket/model", run_id=EXTERNAL_RUN)
    assert (by_id.version, by_id.run_id) == ("2", EXTERNAL_RUN)
    read = client.get_model_version("external-runs", "1")
    assert (read.run_id, read.source) == (EXTERNAL_RUN, source)
    # No run here to copy files from: the version is registered from an external run.
    shown = _version_in_graphql(live, "external-runs", "1.0.0")
    assert shown == {"runId": EXTERNAL_RUN, "source": source, "files": [], "run": None}


def test_a_version_from_a_known_run_still_copies_its_files(live: Live) -> None:
    client = live.client
    experiment = client.create_experiment("known-runs")
    run = client.create_run(experiment)
    client.log_text(run.info.run_id, "weights", "model/weights.txt")
    client.create_registered_model("known-run")
    created = client.create_model_version(
        "known-run", f"runs:/{run.info.run_id}/model", run_id=run.info.run_id
    )
    assert created.run_id == run.info.run_id
    shown = _version_in_graphql(live, "known-run", "1.0.0")
    assert shown["files"] == [{"path": "weights.txt"}]
    assert shown["run"] == {"runId": run.info.run_id}


def test_a_logged_model_may_name_a_run_of_another_server(live: Live) -> None:
    client = live.client
    experiment = client.create_experiment("external-logged-models")
    model = client.create_logged_model(experiment, name="net", source_run_id=EXTERNAL_RUN)
    assert model.source_run_id == EXTERNAL_RUN
    assert client.get_logged_model(model.model_id).source_run_id == EXTERNAL_RUN
    # A run this server knows must still be in the model's experiment.
    other = client.create_run(client.create_experiment("elsewhere"))
    code = _error_code(
        lambda: client.create_logged_model(experiment, source_run_id=other.info.run_id)
    )
    assert code == "INVALID_PARAMETER_VALUE"


def test_registering_from_a_logged_model_lists_the_version_on_it(live: Live) -> None:
    client = live.client
    experiment = client.create_experiment("registered-logged-models")
    model = client.create_logged_model(experiment, name="clf")
    assert "mlflow.modelVersions" not in client.get_logged_model(model.model_id).tags
    for name in ("tagged-a", "tagged-b"):
        client.create_registered_model(name)
    client.create_model_version("tagged-a", f"models:/{model.model_id}", model_id=model.model_id)
    client.create_model_version("tagged-b", f"models:/{model.model_id}", model_id=model.model_id)
    client.create_model_version("tagged-a", f"models:/{model.model_id}", model_id=model.model_id)
    tag = client.get_logged_model(model.model_id).tags["mlflow.modelVersions"]
    assert json.loads(tag) == [
        {"name": "tagged-a", "version": 1},
        {"name": "tagged-b", "version": 1},
        {"name": "tagged-a", "version": 2},
    ]
    # A model_id this server does not know: registered all the same, no tag to set.
    external = client.create_model_version("tagged-b", "s3://bucket/m", model_id="m-external")
    assert _version_over_http(live, "tagged-b", external.version)["model_id"] == "m-external"


def test_deleting_a_logged_model_hides_it_and_keeps_its_versions(live: Live) -> None:
    client = live.client
    experiment = client.create_experiment("deleted-logged-models")
    kept = client.create_logged_model(experiment, name="kept")
    gone = client.create_logged_model(experiment, name="gone")
    client.log_model_params(gone.model_id, {"depth": "3"})
    client.create_registered_model("from-deleted")
    client.create_model_version("from-deleted", f"models:/{gone.model_id}", model_id=gone.model_id)
    client.delete_logged_model(gone.model_id)
    assert _error_code(lambda: client.get_logged_model(gone.model_id)) == (
        "RESOURCE_DOES_NOT_EXIST"
    )
    assert _error_code(lambda: client.delete_logged_model(gone.model_id)) == (
        "RESOURCE_DOES_NOT_EXIST"
    )
    found = client.search_logged_models([experiment])
    assert [m.model_id for m in found] == [kept.model_id]
    # Versions registered from it stay, with their lineage (MLflow's server leaves them too).
    assert _version_over_http(live, "from-deleted", "1")["model_id"] == gone.model_id
    # It cannot be registered again.
    code = _error_code(
        lambda: client.create_model_version(
            "from-deleted", f"models:/{gone.model_id}", model_id=gone.model_id
        )
    )
    assert code == "RESOURCE_DOES_NOT_EXIST"


def test_metrics_logged_with_a_model_id_are_the_logged_models_metrics(live: Live) -> None:
    client = live.client
    experiment = client.create_experiment("model-metrics")
    run = client.create_run(experiment)
    run_id = run.info.run_id
    model = client.create_logged_model(experiment, name="scored", source_run_id=run_id)
    client.log_metric(
        run_id,
        "accuracy",
        0.9,
        timestamp=1000,
        step=1,
        model_id=model.model_id,
        dataset_name="eval",
        dataset_digest="abc123",
    )
    client.log_metric(run_id, "loss", math.nan, timestamp=1001, step=2, model_id=model.model_id)
    client.log_metric(run_id, "run-only", 1.0, timestamp=1002)
    metrics = {m.key: m for m in client.get_logged_model(model.model_id).metrics}
    assert set(metrics) == {"accuracy", "loss"}
    accuracy = metrics["accuracy"]
    assert (accuracy.value, accuracy.step, accuracy.timestamp) == (0.9, 1, 1000)
    assert (accuracy.dataset_name, accuracy.dataset_digest) == ("eval", "abc123")
    assert (accuracy.run_id, accuracy.model_id) == (run_id, model.model_id)
    assert math.isnan(metrics["loss"].value) and metrics["loss"].dataset_name is None
    # The run has them too.
    assert client.get_run(run_id).data.metrics == {
        "accuracy": 0.9,
        "loss": pytest.approx(math.nan, nan_ok=True),
        "run-only": 1.0,
    }
    # The same point sent again is not a second value.
    client.log_metric(run_id, "loss", math.nan, timestamp=1001, step=2, model_id=model.model_id)
    assert len(client.get_logged_model(model.model_id).metrics) == 2


def test_a_metric_for_a_logged_model_of_another_server_is_logged_on_the_run(live: Live) -> None:
    client = live.client
    experiment = client.create_experiment("external-model-metrics")
    run_id = client.create_run(experiment).info.run_id
    deleted = client.create_logged_model(experiment, name="deleted")
    client.delete_logged_model(deleted.model_id)
    client.log_metric(run_id, "acc", 0.5, timestamp=1, model_id="m-of-another-server")
    client.log_metric(run_id, "f1", 0.25, timestamp=1, model_id=deleted.model_id)
    assert client.get_run(run_id).data.metrics == {"acc": 0.5, "f1": 0.25}
    assert client.search_logged_models([experiment]) == []


def test_searching_logged_models_by_dataset(live: Live) -> None:
    client = live.client
    experiment = client.create_experiment("dataset-search")
    run_id = client.create_run(experiment).info.run_id
    on_eval = client.create_logged_model(experiment, name="on-eval")
    on_test = client.create_logged_model(experiment, name="on-test")
    unscored = client.create_logged_model(experiment, name="unscored")
    for model, dataset, digest in ((on_eval, "eval", "d1"), (on_test, "test", "d2")):
        client.log_metric(
            run_id,
            "acc",
            0.5,
            timestamp=5,
            model_id=model.model_id,
            dataset_name=dataset,
            dataset_digest=digest,
        )

    def names(datasets: list[dict[str, Any]] | None) -> list[str]:
        return sorted(m.name for m in client.search_logged_models([experiment], datasets=datasets))

    assert names(None) == ["on-eval", "on-test", "unscored"]
    assert names([{"dataset_name": "eval"}]) == ["on-eval"]
    assert names([{"dataset_name": "eval", "dataset_digest": "d1"}]) == ["on-eval"]
    assert names([{"dataset_name": "eval", "dataset_digest": "other"}]) == []
    assert names([{"dataset_name": "eval"}, {"dataset_name": "test"}]) == ["on-eval", "on-test"]
    assert unscored.name == "unscored"
    refused = live.http.post(
        "/projects/lab/mlflow/api/2.0/mlflow/logged-models/search",
        json={"experiment_ids": [experiment], "datasets": [{"dataset_digest": "d1"}]},
    )
    assert refused.status_code == 400
    assert refused.json()["error_code"] == "INVALID_PARAMETER_VALUE"
