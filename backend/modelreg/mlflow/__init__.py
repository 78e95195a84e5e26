"""MLflow's REST protocol (`/projects/<path>/mlflow/api/2.0/mlflow/...`) translated onto services.

Each project is an MLflow tracking URI. Nothing here decides anything about the registry: the
handlers parse MLflow's requests, call services as the authenticated actor, and render MLflow's
JSON and error codes.
"""

from modelreg.mlflow.app import Endpoint, MlflowApp


def endpoints() -> list[Endpoint]:
    """Every MLflow endpoint modelreg answers."""
    from modelreg.mlflow import artifacts, registry, tracking, web_ui

    return [*registry.ENDPOINTS, *tracking.ENDPOINTS, *artifacts.ENDPOINTS, *web_ui.ENDPOINTS]


__all__ = ["Endpoint", "MlflowApp", "endpoints"]
