"""Run by tests/unit/test_model_metadata.py in a subprocess (MLflow's import warns, and pytest
turns warnings into errors): fit a tiny scikit-learn model and save it with the real MLflow
client, as a data scientist's code does, into the directory given as the first argument.

Prints one JSON object with what the writer knows (installed versions), for the test to assert.
"""

from __future__ import annotations

import json
import platform
import sys
import warnings


def main(target: str) -> None:
    warnings.simplefilter("ignore")
    import mlflow.sklearn
    import numpy as np
    import pandas as pd
    import sklearn
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    features = pd.DataFrame(
        {"age": [21, 35, 47, 52, 19, 63], "income": [1.5, 2.0, 3.25, 4.0, 0.5, 5.5]}
    )
    labels = np.array([0, 1, 0, 1, 0, 1])
    model = LogisticRegression().fit(features, labels)
    signature = infer_signature(
        features, model.predict_proba(features)[:, 1], params={"threshold": 0.5}
    )
    # Kept fast: MLflow's own default requirements (scikit-learn pinned to the installed version),
    # since inferring them loads the model in another Python process (about ten seconds), and
    # cloudpickle (MLflow 2's default format), since importing skops takes several seconds.
    mlflow.sklearn.save_model(
        model,
        target,
        signature=signature,
        pip_requirements=mlflow.sklearn.get_default_pip_requirements(),
        serialization_format="cloudpickle",
    )
    print(
        json.dumps(
            {
                "sklearn_version": sklearn.__version__,
                "mlflow_version": mlflow.__version__,
                "python_version": platform.python_version(),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
