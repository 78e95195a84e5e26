"""MLflow's tracking endpoints (experiments, runs, metrics, MLflow 3 logged models, server-info),
onto services/tracking.

Experiment ids: the project's "Default" experiment is "0" (what every client uses when none is
set); the others are their row ids. Run ids are 32 hex digits, logged model ids `m-<32 hex>`.
Artifact URIs are `mlflow-artifacts:/<experiment id>/<run id>/artifacts` and
`mlflow-artifacts:/<experiment id>/models/<model id>/artifacts`, served by mlflow/artifacts.py.

One module per kind of endpoint: experiments.py, runs.py (create, read, find), run_data.py (what
a run logs), logged_models.py, server_info.py; wire.py holds what they share.
"""

from modelreg.mlflow.app import Endpoint
from modelreg.mlflow.tracking import experiments, logged_models, run_data, runs, server_info

ENDPOINTS: list[Endpoint] = [
    *experiments.ENDPOINTS,
    *runs.ENDPOINTS,
    *run_data.ENDPOINTS,
    *logged_models.ENDPOINTS,
    *server_info.ENDPOINTS,
]
