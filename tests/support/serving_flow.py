"""Run by tests/serving/test_serving_live.py in a subprocess (MLflow's import warns, and pytest
turns warnings into errors): log two versions of a small scikit-learn regression through the
unmodified MLflow client into a live modelreg (MLFLOW_TRACKING_URI, MLFLOW_TRACKING_TOKEN), give
version 1 the alias `champion` and version 2 the alias `challenger`, and write what
mlflow.pyfunc.load_model predicts for the sample rows with each version (FLOW_OUTPUT, JSON)."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

SAMPLE = {"age": [21, 35, 60], "income": [1.5, 2.25, 4.0]}


def main() -> None:
    warnings.simplefilter("ignore")
    import mlflow
    import mlflow.sklearn
    import pandas as pd
    from mlflow import MlflowClient
    from mlflow.models import infer_signature
    from sklearn.linear_model import LinearRegression

    features = pd.DataFrame(
        {"age": [21, 35, 47, 52, 19, 63], "income": [1.5, 2.0, 3.25, 4.0, 0.5, 5.5]}
    )
    client = MlflowClient()
    mlflow.set_experiment("serving")
    out: dict[str, object] = {}
    for number, slope in ((1, 1.0), (2, -3.0)):
        target = features["age"] * slope + features["income"] * 10
        model = LinearRegression().fit(features, target)
        with mlflow.start_run():
            info = mlflow.sklearn.log_model(
                model,
                name="model",
                registered_model_name="scorer",
                signature=infer_signature(features, model.predict(features)),
                pip_requirements=mlflow.sklearn.get_default_pip_requirements(),
                serialization_format="cloudpickle",
            )
        assert str(info.registered_model_version) == str(number)
        loaded = mlflow.pyfunc.load_model(f"models:/scorer/{number}")
        out[f"v{number}"] = [float(p) for p in loaded.predict(pd.DataFrame(SAMPLE))]
    client.set_registered_model_alias("scorer", "champion", "1")
    client.set_registered_model_alias("scorer", "challenger", "2")
    with Path(os.environ["FLOW_OUTPUT"]).open("w", encoding="utf-8") as file:
        json.dump(out, file)


if __name__ == "__main__":
    main()
