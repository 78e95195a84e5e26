"""Run by test_mlflow_client.py in a subprocess: the unmodified MLflow client against modelreg.

Reads MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN from the environment, does what a data
scientist's code does, and prints one JSON object with what it observed (the test asserts).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from sklearn.linear_model import LogisticRegression


def error_code(call: Any) -> str | None:
    try:
        call()
    except MlflowException as error:
        return str(error.error_code)
    return None


def main() -> None:
    out: dict[str, Any] = {}
    client = MlflowClient()
    x = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]] * 10)
    y = np.array([0, 1, 0, 1] * 10)

    # 1. Train, log and register in one go (MLflow 3 logged model + registration).
    mlflow.set_experiment("churn-training")
    with mlflow.start_run(run_name="first") as run:
        mlflow.log_params({"C": 0.5, "solver": "lbfgs"})
        for step in range(3):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metric("accuracy", 0.75)
        mlflow.set_tag("team", "growth")
        model = LogisticRegression(C=0.5).fit(x, y)
        info = mlflow.sklearn.log_model(
            model, name="model", registered_model_name="churn", input_example=x[:2]
        )
    out["run_id"] = run.info.run_id
    out["logged_model_id"] = info.model_id
    out["registered_version"] = info.registered_model_version

    # 2. Register the same run's model again, the classic way.
    registered = mlflow.register_model(f"runs:/{run.info.run_id}/model", "churn")
    out["register_model_version"] = registered.version

    # 3. Every registry call.
    mv1 = client.get_model_version("churn", "1")
    out["v1"] = {
        "aliases": list(mv1.aliases),
        "status": mv1.status,
        "run_id": mv1.run_id,
        "tags": dict(mv1.tags),
    }
    client.set_registered_model_alias("churn", "champion", "1")
    out["by_alias"] = client.get_model_version_by_alias("churn", "champion").version
    client.transition_model_version_stage("churn", "1", "Production")
    client.transition_model_version_stage(
        "churn", "2", "Production", archive_existing_versions=True
    )
    out["stages"] = {
        v.version: v.current_stage for v in client.search_model_versions("name = 'churn'")
    }
    out["latest_production"] = [
        v.version for v in client.get_latest_versions("churn", stages=["Production"])
    ]
    client.set_registered_model_tag("churn", "owner", "growth-team")
    client.set_model_version_tag("churn", "2", "validated", "yes")
    client.update_registered_model("churn", description="Predicts churn.")
    client.update_model_version("churn", "2", description="Second registration.")
    client.delete_model_version_tag("churn", "2", "validated")
    client.delete_registered_model_tag("churn", "owner")
    model_info = client.get_registered_model("churn")
    out["model"] = {
        "description": model_info.description,
        "tags": dict(model_info.tags),
        "aliases": dict(model_info.aliases),
    }

    # 4. Loading and predicting through every kind of models:/ URI.
    predictions = {}
    for uri in (
        "models:/churn/1",
        "models:/churn@champion",
        "models:/churn/Production",
        "models:/churn/latest",
        f"models:/{info.model_id}",
    ):
        loaded = mlflow.pyfunc.load_model(uri)
        predictions[uri] = [int(p) for p in loaded.predict(x[:4])]
    out["predictions"] = predictions
    with tempfile.TemporaryDirectory() as tmp:
        path = mlflow.artifacts.download_artifacts("models:/churn/2", dst_path=tmp)
        out["downloaded"] = sorted(p.name for p in Path(path).iterdir())

    # 5. Rename (all versions must be in None or Archived first), search with filters and pages.
    client.transition_model_version_stage("churn", "2", "Archived")
    client.delete_registered_model_alias("churn", "champion")
    client.rename_registered_model("churn", "churn-v2")
    for i in range(5):
        client.create_registered_model(f"fraud-{i}", tags={"team": "risk" if i % 2 else "ops"})
    out["filtered"] = sorted(m.name for m in client.search_registered_models("tags.team = 'risk'"))
    out["like"] = sorted(m.name for m in client.search_registered_models("name LIKE 'fraud-%'"))
    page1 = client.search_registered_models(max_results=2, order_by=["name ASC"])
    page2 = client.search_registered_models(
        max_results=2, order_by=["name ASC"], page_token=page1.token
    )
    out["pages"] = [[m.name for m in page1], [m.name for m in page2]]
    out["versions_by_run"] = sorted(
        v.version for v in client.search_model_versions(f"run_id = '{run.info.run_id}'")
    )

    # 6. Errors the client turns into MlflowException codes.
    out["missing"] = error_code(lambda: client.get_registered_model("missing"))
    out["duplicate"] = error_code(lambda: client.create_registered_model("fraud-0"))
    client.delete_registered_model("fraud-4")
    out["deleted"] = error_code(lambda: client.get_registered_model("fraud-4"))
    _emit(out)


def _emit(found: Any) -> None:
    """The result, as JSON, into the file FLOW_OUTPUT names (MLflow prints to stdout too)."""
    Path(os.environ["FLOW_OUTPUT"]).write_text(json.dumps(found))


def load(uri: str) -> None:
    """`flow.py load URI`: load a model and print its predictions for four rows."""
    x = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    _emit([int(p) for p in mlflow.pyfunc.load_model(uri).predict(x)])


if __name__ == "__main__":
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    if sys.argv[1:2] == ["load"]:
        load(sys.argv[2])
    else:
        main()
