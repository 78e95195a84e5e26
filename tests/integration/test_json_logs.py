"""MODELREG_LOG_FORMAT=json: every log line of a served registry is one JSON object with time,
level, logger and message (access lines with method, path and status), exceptions as one
string field, and what the text log keeps out (passwords, tokens) stays out."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import httpx

from modelreg.cli.server import _log_config
from modelreg.logs import JsonFormatter
from modelreg.settings import Settings
from tests.support.server import running_server


def _entries(log: str) -> list[dict[str, Any]]:
    """The JSON lines of a server's output; the other lines are the CLI's own `modelreg: ...`
    messages (printed, not logged)."""
    entries = []
    for line in log.splitlines():
        if line.startswith("modelreg: ") or not line.strip():
            continue
        entry = json.loads(line)  # any other line must be JSON
        assert isinstance(entry, dict), line
        entries.append(entry)
    return entries


def test_a_served_registry_logs_json_lines_without_secrets(tmp_path: Path) -> None:
    output: list[str] = []
    password, token = "Hunter2-json-Pw", "mrt_notARealToken0123456789"
    with running_server(
        tmp_path, output=output, MODELREG_LOG_FORMAT="json", MODELREG_LOG_LEVEL="info"
    ) as base:
        assert httpx.get(f"{base}/healthz").status_code == 200
        # A mutation sent by GET: refused, its query string (a password) elided from the log.
        query = (
            f'mutation {{ login(input: {{username: "admin", password: "{password}"}}) {{ x }} }}'
        )
        assert httpx.get(f"{base}/graphql", params={"query": query}).status_code == 400
        # A malformed document with a password, and a bad token.
        broken = {"query": f'mutation {{ login(input: {{password: "{password}" }}'}
        assert httpx.post(f"{base}/graphql", json=broken).status_code == 200
        bad = httpx.get(f"{base}/healthz", headers={"authorization": f"Bearer {token}"})
        assert bad.status_code == 200
        mlflow = httpx.post(
            f"{base}/projects/nope/mlflow/api/2.0/mlflow/runs/create",
            content=f'{{"password": "{password}"',
            headers={"authorization": f"Bearer {token}"},
        )
        assert mlflow.status_code == 401
        # A client error modelreg logs itself at INFO.
        assert httpx.post(f"{base}/graphql", json={"query": '{ node(id: "") { id } }'}).is_success
    log = output[0]
    assert password not in log and token not in log
    entries = _entries(log)
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= set(entry), entry
        assert entry["time"].endswith("+00:00"), entry
    access = [e for e in entries if e["logger"] == "uvicorn.access"]
    health = [e for e in access if e["path"] == "/healthz"]
    assert len(health) >= 2  # and the start-up polls
    assert health[0]["method"] == "GET" and health[0]["status"] == 200
    assert health[0]["level"] == "info"
    assert "GET /healthz" in health[0]["message"]
    graphql_get = [e for e in access if e["method"] == "GET" and "/graphql" in e["path"]]
    assert graphql_get[0]["path"] == "/graphql?[query elided]"
    assert graphql_get[0]["status"] == 400
    own = [e for e in entries if e["logger"].startswith("modelreg")]
    assert any("is not a valid ID" in e["message"] for e in own), own
    assert any(e["logger"] == "uvicorn.error" for e in entries)  # startup lines too


def test_exceptions_and_extra_fields_are_fields_of_the_object() -> None:
    try:
        raise ValueError("broken\nacross lines")
    except ValueError:
        record = logging.getLogger("modelreg.test").makeRecord(
            "modelreg.test",
            logging.ERROR,
            __file__,
            1,
            "failed for %s",
            ("you",),
            sys.exc_info(),
            extra={"request_id": 7, "odd": object()},
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed for you"
    assert entry["level"] == "error"
    assert entry["logger"] == "modelreg.test"
    assert entry["request_id"] == 7
    assert entry["odd"].startswith("<object object")
    assert entry["exception"].startswith("Traceback")
    assert "ValueError: broken\nacross lines" in entry["exception"]


def test_log_config_uses_json_only_when_asked() -> None:
    text = _log_config(Settings())
    assert all("()" not in f or "JsonFormatter" not in f["()"] for f in text["formatters"].values())
    as_json = _log_config(Settings(log_format="json"))
    formatters = as_json["formatters"]
    assert set(formatters) == {"default", "access"}
    assert all(f == {"()": "modelreg.logs.JsonFormatter"} for f in formatters.values())
