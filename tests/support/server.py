"""A real `modelreg serve` process on loopback, for tests that need true HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the developer's own MODELREG_* settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELREG_")}
    env.update(extra)
    return env


def run_modelreg(
    *args: str, cwd: Path, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m modelreg *args` in `cwd` with a clean environment plus `env`; `stdin` is
    what the command reads on standard input (by default: nothing)."""
    return subprocess.run(
        [sys.executable, "-m", "modelreg", *args],
        cwd=cwd,
        env=clean_env(**env),
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=120,
    )


def cli_token(
    tmp_path: Path, *, user: str = "admin", scope: str = "api", name: str = "tests", **env: str
) -> str:
    """A personal access token made by `modelreg token create` in the database of the server
    `running_server(tmp_path, **env)` runs (by default the SQLite file in `tmp_path/data`)."""
    settings = {"MODELREG_DATA_DIR": str(tmp_path / "data"), **env}
    result = run_modelreg(
        "token", "create", "--user", user, "--name", name, "--scope", scope,
        cwd=tmp_path, **settings,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    secret = result.stdout.strip()
    assert secret.startswith("mrt_") and "\n" not in secret, result.stdout
    return secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    tmp_path: Path, *args: str, output: list[str] | None = None, **env: str
) -> Iterator[str]:
    """Starts `modelreg serve *args` with its data in `tmp_path/data`; yields its base URL.

    The first start creates the instance admin `admin` (with MODELREG_ADMIN_PASSWORD if given;
    `cli_token(tmp_path)` makes a token for it). Once the server has stopped, `output` (if
    given) receives what it printed on standard output and error.
    """
    port = free_port()
    settings = {
        "MODELREG_DATA_DIR": str(tmp_path / "data"),
        "MODELREG_LOG_LEVEL": "warning",
        # No built web app: the landing page stands in (SPA serving has its own tests).
        "MODELREG_UI_DIR": str(tmp_path / "no-ui"),
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "modelreg", "serve", "--port", str(port), *args],
        cwd=tmp_path,
        env=clean_env(**settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    # Drained as it comes: a server that logs more than a pipe holds must not block on it.
    printed: list[str] = []
    drain = threading.Thread(
        target=lambda: printed.extend(process.stdout or ()), name="server-output", daemon=True
    )
    drain.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                drain.join(timeout=30)
                raise RuntimeError(f"server did not start:\n{''.join(printed)}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        drain.join(timeout=30)
        if process.stdout:
            if output is not None:
                output.append("".join(printed))
            process.stdout.close()
