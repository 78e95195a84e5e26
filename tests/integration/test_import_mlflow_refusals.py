"""`modelreg import-mlflow` refusals: one line with a code, no stack trace, no credentials in the
message, nothing written. The servers here are stubs on loopback (an MLflow server that checks
credentials needs MLflow's auth app; what matters is the answer it gives)."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from modelreg.cli import main
from tests.support.mlflow_server import _free_port

SECRET = "s3cr3t-token-value"


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.output


class _Stub(BaseHTTPRequestHandler):
    """kind 'html': a web site that is not MLflow; 'auth': MLflow refusing the credentials;
    'mlflow': one registered model `a` with no versions; 'garbled': the same, malformed."""

    kind = "html"
    seen: list[str] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.headers.get("Authorization") or "")
        if self.kind == "html":
            self._send(200, b"<html>hello</html>", "text/html")
        elif self.kind == "auth":
            body = {"error_code": "UNAUTHENTICATED", "message": "You are not authenticated."}
            self._send(401, json.dumps(body).encode(), "application/json")
        elif self.kind == "garbled":
            body = {"registered_models": [{"name": "a", "aliases": 3}]}
            self._send(200, json.dumps(body).encode(), "application/json")
        else:
            body = {"registered_models": [{"name": "a"}]}
            self._send(200, json.dumps(body).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[tuple[str, type[_Stub]]]:
    handler = type("Handler", (_Stub,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", _free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    assert _run("db", "upgrade", "--data-dir", str(target))[0] == 0
    assert _run("project", "create", "ml", "--data-dir", str(target))[0] == 0
    return target


def _refused(out: str, code: str) -> None:
    assert f"[{code}]" in out, out
    assert "Traceback" not in out
    assert len(out.strip().splitlines()) == 1, out
    assert SECRET not in out


def _models(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "registry.db") as conn:
        return int(conn.execute("select count(*) from registered_model").fetchone()[0])


def test_an_unreachable_server_is_one_line(data_dir: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"  # nothing listens there

    code, out = _run("import-mlflow", url, "--into", "ml", "--data-dir", str(data_dir))

    assert code == 1
    _refused(out, "mlflow.unreachable")
    assert url in out


def test_a_site_that_is_not_mlflow_is_refused(
    data_dir: Path, stub: tuple[str, type[_Stub]]
) -> None:
    url, handler = stub
    handler.kind = "html"

    code, out = _run("import-mlflow", url, "--into", "ml", "--data-dir", str(data_dir))

    assert code == 1
    _refused(out, "mlflow.not_mlflow")


@pytest.mark.parametrize(
    ("env", "sent"),
    [
        ({"MLFLOW_TRACKING_TOKEN": SECRET}, f"Bearer {SECRET}"),
        ({"MLFLOW_TRACKING_USERNAME": "bob", "MLFLOW_TRACKING_PASSWORD": SECRET}, "Basic "),
    ],
)
def test_refused_credentials_are_said_without_them(
    data_dir: Path, stub: tuple[str, type[_Stub]], env: dict[str, str], sent: str
) -> None:
    url, handler = stub
    handler.kind = "auth"

    code, out = _run("import-mlflow", url, "--into", "ml", "--data-dir", str(data_dir), env=env)

    assert code == 1
    _refused(out, "mlflow.unauthorized")
    assert "MLFLOW_TRACKING_TOKEN" in out
    assert handler.seen and handler.seen[0].startswith(sent)
    assert _models(data_dir) == 0


def test_credentials_in_the_url_are_refused_unsent(
    data_dir: Path, stub: tuple[str, type[_Stub]]
) -> None:
    url, handler = stub

    code, out = _run(
        "import-mlflow",
        url.replace("http://", f"http://bob:{SECRET}@"),
        "--into",
        "ml",
        "--data-dir",
        str(data_dir),
    )

    assert code == 1
    _refused(out, "mlflow.bad_uri")
    assert handler.seen == []


def test_a_model_mlflow_lacks_is_refused(data_dir: Path, stub: tuple[str, type[_Stub]]) -> None:
    url, handler = stub
    handler.kind = "mlflow"

    code, out = _run(
        "import-mlflow", url, "--into", "ml", "--models", "b", "--data-dir", str(data_dir)
    )

    assert code == 1
    _refused(out, "mlflow.model_not_found")
    assert _models(data_dir) == 0


def test_a_missing_project_is_refused_before_mlflow_is_asked(
    data_dir: Path, stub: tuple[str, type[_Stub]]
) -> None:
    url, handler = stub

    code, out = _run("import-mlflow", url, "--into", "nope", "--data-dir", str(data_dir))

    assert code == 1
    _refused(out, "import.project_not_found")
    assert handler.seen == []


def test_a_model_another_source_made_is_a_conflict(
    data_dir: Path, stub: tuple[str, type[_Stub]]
) -> None:
    url, handler = stub
    handler.kind = "mlflow"
    assert _run("import-mlflow", url, "--into", "ml", "--data-dir", str(data_dir))[0] == 0
    # The same registry seen at another URL is another source: its model `a` conflicts.
    other = url.replace("127.0.0.1", "localhost")

    code, out = _run("import-mlflow", other, "--into", "ml", "--data-dir", str(data_dir))

    assert code == 1
    assert "[import.conflict]" in out and "model 'a' already exists" in out, out
    assert "Traceback" not in out
    assert _models(data_dir) == 1


def test_the_command_prints_the_plan_and_what_mlflow_lacked(
    data_dir: Path, stub: tuple[str, type[_Stub]]
) -> None:
    url, handler = stub
    handler.kind = "mlflow"

    dry_code, dry = _run(
        "import-mlflow", url, "--into", "ml", "--dry-run", "--json", "--data-dir", str(data_dir)
    )
    code, out = _run("import-mlflow", url, "--into", "ml", "--data-dir", str(data_dir))

    assert dry_code == 0, dry
    planned = json.loads(dry)
    assert planned["applied"] is False and planned["create"] == {"registered_model": 1}
    assert planned["missing"] == []
    assert code == 0, out
    assert out.splitlines()[0].startswith("imported from instance mlflow:")
    assert "create: 1 registered_model" in out
    assert _models(data_dir) == 1


def test_a_registry_document_of_the_wrong_shape_is_refused(
    data_dir: Path, stub: tuple[str, type[_Stub]]
) -> None:
    url, handler = stub
    handler.kind = "garbled"

    code, out = _run("import-mlflow", url, "--into", "ml", "--data-dir", str(data_dir))

    assert code == 1
    _refused(out, "mlflow.bad_answer")
    assert _models(data_dir) == 0
