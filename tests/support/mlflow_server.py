"""A real `mlflow server` for the import-mlflow tests, from `.venv-mlflow-server` (made by
`make mlflow-server-env` from tests/mlflow-server-requirements.txt; `make test` makes it).

SQLite backend, the artifact proxy (--serve-artifacts) and its files in a temp dir, loopback on
a free port of 18600-18699. Without the environment the tests are skipped with the command
that makes it, except under CI (`CI` set), where its absence fails them.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER_ENV = ROOT / ".venv-mlflow-server"
PORTS = range(18600, 18700)


@dataclass(frozen=True)
class MlflowServer:
    url: str
    artifacts: Path

    def populate(self, step: str) -> dict[str, Any]:
        """Run tests/support/mlflow_populate.py (the real MLflow client) against the server."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.support.mlflow_populate", self.url, step],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "MLFLOW_TRACKING_URI": self.url},
        )
        assert done.returncode == 0, done.stderr[-3000:]
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18600-18699 for the MLflow server")


def server_executable() -> Path:
    """The environment's `mlflow`, or skip (fail under CI) saying how to make it."""
    executable = SERVER_ENV / "bin" / "mlflow"
    if not executable.exists():
        message = (
            f"{executable} is missing: run `make mlflow-server-env` (installs "
            "tests/mlflow-server-requirements.txt) to run the import-mlflow tests"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return executable


@contextmanager
def mlflow_server(directory: Path) -> Iterator[MlflowServer]:
    executable = server_executable()
    directory.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (directory / "server.log").open("wb")
    process = subprocess.Popen(
        [
            str(executable),
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--backend-store-uri",
            f"sqlite:///{directory / 'mlflow.db'}",
            "--serve-artifacts",
            "--artifacts-destination",
            str(directory / "artifacts"),
        ],
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"mlflow server exited: {(directory / 'server.log').read_text()}"
                )
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("mlflow server did not start within 120 s")
            time.sleep(0.5)
        yield MlflowServer(url=url, artifacts=directory / "artifacts")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
