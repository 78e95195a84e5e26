"""`modelreg serve-model` as a real process on loopback, serving a scikit-learn model logged
through the unmodified MLflow client into a real `modelreg serve`: every payload format predicts
what mlflow.pyfunc.load_model predicts, bad payloads get their 4xx, an alias move swaps the model
under load with no failed request, and a canary gets its share.

These tests run on one database only (the registry's default SQLite): serve-model reaches the
registry through its public HTTP API, and what the database behind it is does not matter here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import clean_env, cli_token, free_port, running_server

FLOW = Path(__file__).parents[1] / "support" / "serving_flow.py"
SAMPLE = {"age": [21, 35, 60], "income": [1.5, 2.25, 4.0]}
MAX_BODY = 20_000


@dataclass
class Registry:
    base: str
    token: str
    tmp_path: Path
    expected: dict[str, list[float]]
    semver: dict[int, str] = field(default_factory=dict)


@dataclass
class Served:
    url: str
    printed: list[str]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    tmp_path = tmp_path_factory.mktemp("serving")
    with running_server(tmp_path) as base:
        token = cli_token(tmp_path)
        auth = {"Authorization": f"Bearer {token}"}
        created = httpx.post(
            f"{base}/graphql",
            json={"query": 'mutation { createProject(input: {path: "lab"}) { errors { code } } }'},
            headers=auth,
        ).json()
        assert created["data"]["createProject"]["errors"] == [], created
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "MODELREG_"))},
            "MLFLOW_TRACKING_URI": f"{base}/projects/lab/mlflow",
            "MLFLOW_TRACKING_TOKEN": token,
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
            "HOME": str(tmp_path),
            "FLOW_OUTPUT": str(tmp_path / "flow.json"),
        }
        done = subprocess.run([sys.executable, str(FLOW)], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stderr[-5000:]
        found = Registry(base, token, tmp_path, json.loads((tmp_path / "flow.json").read_text()))
        query = '{ project(path: "lab") { model(name: "scorer") { versions { edges { node {'
        query += " version number } } } } } }"
        answer = httpx.post(f"{base}/graphql", json={"query": query}, headers=auth).json()
        for edge in answer["data"]["project"]["model"]["versions"]["edges"]:
            found.semver[edge["node"]["number"]] = edge["node"]["version"]
        yield found


@contextmanager
def serve_model(registry: Registry, *args: str) -> Iterator[Served]:
    port = free_port()
    env = clean_env(MODELREG_TOKEN=registry.token, MODELREG_SERVING_MAX_BODY_BYTES=str(MAX_BODY))
    command = [sys.executable, "-m", "modelreg", "serve-model", "lab/scorer@champion",
               "--registry", registry.base, "--port", str(port), "--poll-seconds", "0.3",
               "--cache-dir", str(registry.tmp_path / "cache"), *args]  # fmt: skip
    process = subprocess.Popen(command, cwd=registry.tmp_path, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    printed: list[str] = []
    drain = threading.Thread(target=lambda: printed.extend(process.stdout or ()), daemon=True)
    drain.start()
    try:
        deadline = time.monotonic() + 180
        while not any(line.startswith("serving ") for line in printed):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                drain.join(timeout=30)
                raise RuntimeError("serve-model did not start:\n" + "".join(printed))
            time.sleep(0.1)
        yield Served(f"http://127.0.0.1:{port}", printed)
    finally:
        process.terminate()
        process.wait(timeout=60)
        drain.join(timeout=30)
        if process.stdout:
            process.stdout.close()


@pytest.fixture(scope="module")
def served(registry: Registry) -> Iterator[Served]:
    with serve_model(registry, "--no-record") as found:
        yield found


def _predict(url: str, body: Any, content_type: str = "application/json") -> httpx.Response:
    content = body if isinstance(body, str | bytes) else json.dumps(body)
    return httpx.post(f"{url}/invocations", content=content,
                      headers={"content-type": content_type}, timeout=60)  # fmt: skip


def test_the_ready_line_names_the_version(registry: Registry, served: Served) -> None:
    ready = next(line for line in served.printed if line.startswith("serving "))
    assert ready.strip() == f"serving lab/scorer {registry.semver[1]} on {served.url}"
    assert httpx.get(f"{served.url}/ping").status_code == 200
    assert httpx.get(f"{served.url}/health").status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ({"dataframe_split": {"columns": ["age", "income"],
          "data": [list(r) for r in zip(*SAMPLE.values(), strict=True)]}}, "application/json"),
        ({"dataframe_records": [dict(zip(SAMPLE, r, strict=True))
          for r in zip(*SAMPLE.values(), strict=True)]}, "application/json"),
        ({"instances": [dict(zip(SAMPLE, r, strict=True))
          for r in zip(*SAMPLE.values(), strict=True)]}, "application/json"),
        ({"inputs": SAMPLE}, "application/json; charset=utf-8"),
        ("age,income\n21,1.5\n35,2.25\n60,4.0\n", "text/csv"),
    ],
    ids=["dataframe_split", "dataframe_records", "instances", "inputs", "csv"],
)  # fmt: skip
def test_every_payload_format_predicts_what_pyfunc_predicts(
    registry: Registry, served: Served, body: Any, content_type: str
) -> None:
    response = _predict(served.url, body, content_type)
    assert response.status_code == 200, response.text
    assert response.json() == {"predictions": registry.expected["v1"]}
    assert response.headers["x-modelreg-version"] == registry.semver[1]
    assert response.headers["x-modelreg-role"] == "primary"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "said"),
    [
        ('{"dataframe_split": ', "application/json", 400, "not valid JSON"),
        ({"dataframe_split": {"columns": ["age"], "data": [[3]]}}, "application/json", 400,
         "column 'income' is missing"),
        ({"dataframe_records": [{"age": "old", "income": 1.0}]}, "application/json", 400,
         "column 'age' must hold an integer"),
        ({"dataframe_records": [{"age": 3.5, "income": 1.0}]}, "application/json", 400,
         "column 'age' must hold an integer"),
        ("age,income\n3,lots\n", "text/csv", 400, "column 'income' must hold a number"),
        ({"rows": [[1, 2]]}, "application/json", 400, "unknown key(s) 'rows'"),
        ({"dataframe_split": {}, "inputs": {}}, "application/json", 400, "exactly one of"),
        ({"inputs": SAMPLE, "params": [1]}, "application/json", 400, "'params' must be"),
        ([1, 2], "application/json", 400, "must be an object"),
        ("age,income\n" + "1,2\n" * 5000, "text/csv", 413, "over the limit of 20000 bytes"),
        ("age,income\n1,2\n", "text/plain", 415, "'text/plain' is not supported"),
        ("age,income\n1,2\n", "text/csv; charset=latin-1", 415, "only charset=utf-8"),
        (b"\xff\xfe", "text/csv", 400, "not valid UTF-8"),
    ],
    ids=["bad-json", "missing-column", "string-for-int", "fraction-for-int", "csv-word",
         "unknown-key", "two-keys", "params-list", "json-list", "too-big", "content-type",
         "charset", "not-utf8"],
)  # fmt: skip
def test_bad_payloads_get_a_4xx_that_names_the_problem(
    served: Served, body: Any, content_type: str, status: int, said: str
) -> None:
    response = _predict(served.url, body, content_type)
    assert response.status_code == status, response.text
    answer = response.json()
    assert said in answer["message"], answer
    assert answer["error_code"] in {"BAD_REQUEST", "REQUEST_LIMIT_EXCEEDED",
                                    "UNSUPPORTED_MEDIA_TYPE"}  # fmt: skip
    assert "Traceback" not in response.text


def test_version_names_the_version_that_answers(registry: Registry, served: Served) -> None:
    shown = httpx.get(f"{served.url}/version").json()
    primary = shown["primary"]
    assert {k: primary[k] for k in ("project", "model", "version", "number", "reference")} == {
        "project": "lab",
        "model": "scorer",
        "version": registry.semver[1],
        "number": 1,
        "reference": "lab/scorer@champion",
    }
    assert primary["version_id"] and primary["loaded_at"]
    assert shown["canary"] is None


def test_an_alias_move_swaps_the_model_with_no_failed_request(
    registry: Registry, served: Served
) -> None:
    body = {"inputs": SAMPLE}
    failures: list[str] = []
    seen: list[tuple[str, list[float]]] = []
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(timeout=60) as http:
            while not stop.is_set():
                response = http.post(f"{served.url}/invocations", json=body)
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text}")
                else:
                    seen.append((response.headers["x-modelreg-version"],
                                 response.json()["predictions"]))  # fmt: skip

    workers = [threading.Thread(target=client) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        time.sleep(0.5)
        moved = httpx.post(
            f"{registry.base}/projects/lab/mlflow/api/2.0/mlflow/registered-models/alias",
            json={"name": "scorer", "alias": "champion", "version": "2"},
            headers={"Authorization": f"Bearer {registry.token}"},
        )
        assert moved.status_code == 200, moved.text
        deadline = time.monotonic() + 120
        while not any(v == registry.semver[2] for v, _ in seen[-4:]):
            assert time.monotonic() < deadline, "the new version never answered"
            time.sleep(0.1)
        time.sleep(0.3)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
    assert failures == []
    expected = {
        registry.semver[1]: registry.expected["v1"],
        registry.semver[2]: registry.expected["v2"],
    }
    assert all(predictions == expected[version] for version, predictions in seen)
    first_new = next(i for i, (v, _) in enumerate(seen) if v == registry.semver[2])
    assert all(v == registry.semver[2] for v, _ in seen[first_new + 8 :])
    assert httpx.get(f"{served.url}/version").json()["primary"]["version"] == registry.semver[2]


def test_a_canary_gets_its_share_and_records_are_refused_once(registry: Registry) -> None:
    with serve_model(registry, "--canary", "challenger=25%") as canary:
        answers = [_predict(canary.url, {"inputs": SAMPLE}) for _ in range(20)]
        shown = httpx.get(f"{canary.url}/version").json()
    roles = [a.headers["x-modelreg-role"] for a in answers]
    assert roles.count("challenger") == 5 and roles.count("primary") == 15
    for answer in answers:
        version = answer.headers["x-modelreg-version"]
        number = next(n for n, v in registry.semver.items() if v == version)
        assert answer.json()["predictions"] == registry.expected[f"v{number}"]
    assert shown["canary"]["version"] == registry.semver[2]
    assert shown["canary"]["reference"] == "lab/scorer@challenger"
    assert shown["split"] == {"primary_percent": 75.0, "canary_percent": 25.0}
    log = "".join(canary.printed)
    assert registry.token not in log
    refused = [line for line in canary.printed if "deployment record refused" in line]
    if any("RecordDeploymentInput" in line for line in refused):
        # A registry without the recordDeployment mutation: the refusal is logged once.
        assert len(refused) == 1 and "WARNING" in refused[0], log
        return
    # The records are events in the versions' activity, by the token's user.
    query = '{ project(path: "lab") { model(name: "scorer") { activity(first: 100) { edges {'
    query += " node { type actor version { version } } } } } } }"
    answer = httpx.post(f"{registry.base}/graphql", json={"query": query},
                        headers={"Authorization": f"Bearer {registry.token}"}).json()  # fmt: skip
    events = {
        (e["node"]["type"], e["node"]["version"]["version"], e["node"]["actor"])
        for e in answer["data"]["project"]["model"]["activity"]["edges"]
        if e["node"]["type"].startswith("version.deployment_")
    }
    served = {shown["primary"]["version"], shown["canary"]["version"]}
    assert events == {
        (f"version.deployment_{state}", version, "admin")
        for state in ("started", "stopped")
        for version in served
    }, log
