"""A real `modelreg serve` with one project, and the process environment the unmodified MLflow
client reads (tracking URI of that project, a token of the instance admin, no retries)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support.server import cli_token, running_server


@contextmanager
def mlflow_project(tmp_path: Path, project: str = "lab") -> Iterator[tuple[str, str]]:
    """Serves a fresh registry with `project` and points the MLflow client at it; yields
    (base URL, admin token). Other MLFLOW_* variables of the environment are removed meanwhile."""
    with running_server(tmp_path) as base, pytest.MonkeyPatch.context() as env:
        token = cli_token(tmp_path)
        made = httpx.post(
            f"{base}/graphql",
            json={
                "query": "mutation($path: String!) { createProject(input: {path: $path}) "
                "{ errors { message } } }",
                "variables": {"path": project},
            },
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        assert made["data"]["createProject"]["errors"] == [], made
        for key in [k for k in os.environ if k.startswith("MLFLOW_")]:
            env.delenv(key)
        env.setenv("MLFLOW_TRACKING_URI", f"{base}/projects/{project}/mlflow")
        env.setenv("MLFLOW_TRACKING_TOKEN", token)
        env.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
        yield base, token
