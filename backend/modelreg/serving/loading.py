"""The serving extra (MLflow and pandas), imported only when a model is served, and loading a
model with mlflow.pyfunc."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

MISSING_EXTRA = "serve-model needs the serving extra: pip install 'modelreg[serving]'"


class MissingExtra(RuntimeError):
    """MLflow or pandas is not installed."""


def require_extra() -> None:
    """Raises MissingExtra (with the pip command) unless mlflow.pyfunc and pandas import."""
    for name in ("pandas", "mlflow.pyfunc"):
        try:
            importlib.import_module(name)
        except ImportError:
            raise MissingExtra(MISSING_EXTRA) from None


def load_pyfunc(root: Path) -> tuple[Any, Any]:
    """(the pyfunc model, its input schema or None) from the folder holding MLmodel (blocking:
    run it in a worker thread). The model's own flavor libraries are the user's to install."""
    require_extra()
    import mlflow.pyfunc

    model = mlflow.pyfunc.load_model(str(root))
    return model, model.metadata.get_input_schema()
