"""A real `modelreg serve` process on loopback, for tests that need true HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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


def run_modelreg(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m modelreg *args` in `cwd` with a clean environment plus `env`."""
    return subprocess.run(
        [sys.executable, "-m", "modelreg", *args],
        cwd=cwd,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(tmp_path: Path, *args: str, **env: str) -> Iterator[str]:
    """Starts `modelreg serve *args` with its data in `tmp_path/data`; yields its base URL."""
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
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"server did not start:\n{output}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout:
            process.stdout.close()
