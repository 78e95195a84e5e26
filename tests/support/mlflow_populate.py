"""Fills a real MLflow server through the real MLflow client (mlflow-skinny of the main .venv).

Run as a script: `python -m tests.support.mlflow_populate TRACKING_URI STEP`; prints JSON.
STEP `initial`: model `churn` (versions 1-3: files through the artifact proxy, stages, aliases,
tags, descriptions; version 2's run deleted, version 3's files removed afterwards by the test,
version 3 tagged modelreg.version=2.0.0) and model `fraud` (one version). STEP `more`: a
fourth version of `churn` and the alias `next` on it; the alias `challenger` and version 1's tag
`commit` deleted.
"""

from __future__ import annotations

import json
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore")


def _version(client: Any, mlflow: Any, name: str, files: dict[str, bytes]) -> tuple[Any, str]:
    with tempfile.TemporaryDirectory() as tmp:
        for relative, content in files.items():
            path = Path(tmp) / "model" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        with mlflow.start_run() as run:
            mlflow.log_param("lr", "0.1")
            mlflow.log_artifacts(str(Path(tmp) / "model"), "model")
            source = f"{run.info.artifact_uri}/model"
    made = client.create_model_version(name, source, run_id=run.info.run_id)
    return made, run.info.run_id


def main(uri: str, step: str) -> None:
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)
    mlflow.set_experiment("training")
    out: dict[str, Any] = {}
    if step == "initial":
        client.create_registered_model("churn", tags={"team": "growth"}, description="churn model")
        client.create_registered_model("fraud")
        v1, _ = _version(
            client, mlflow, "churn", {"model.pkl": b"weights-1" * 1000, "conf/p.json": b"{}"}
        )
        v2, run2 = _version(client, mlflow, "churn", {"model.pkl": b"weights-2" * 1000})
        v3, _ = _version(client, mlflow, "churn", {"model.pkl": b"weights-3"})
        f1, _ = _version(client, mlflow, "fraud", {"model.pkl": b"weights-1" * 1000})
        client.update_model_version("churn", v1.version, description="first")
        client.set_model_version_tag("churn", v1.version, "commit", "abc123")
        client.set_model_version_tag("churn", v3.version, "modelreg.version", "2.0.0")
        client.transition_model_version_stage("churn", v1.version, "Production")
        client.transition_model_version_stage("churn", v2.version, "Staging")
        client.transition_model_version_stage("fraud", f1.version, "Archived")
        client.set_registered_model_alias("churn", "champion", v1.version)
        client.set_registered_model_alias("churn", "challenger", v2.version)
        client.delete_run(run2)
        out["deleted_run"] = run2
        out["v3_uri"] = client.get_model_version_download_uri("churn", v3.version)
    else:
        v4, _ = _version(client, mlflow, "churn", {"model.pkl": b"weights-4"})
        client.set_registered_model_alias("churn", "next", v4.version)
        client.delete_registered_model_alias("churn", "challenger")
        client.delete_model_version_tag("churn", "1", "commit")
    versions = [v for n in ("churn", "fraud") for v in client.search_model_versions(f"name='{n}'")]
    out["versions"] = {
        f"{v.name}/{v.version}": {"created": v.creation_timestamp, "user": v.user_id}
        for v in versions
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
