"""Hostile input on the MLflow REST API: malformed JSON is a 400 naming the parameter, never a 500,
on a keep-alive connection that stays usable; JSON types are checked as MLflow's server checks
them; the body is capped; client errors log one INFO line and defects a trace.

MLflow's server (mlflow/server/handlers.py) parses each request into its protobuf message and
checks `_assert_string`, `_assert_required`, `_assert_intlike`, `_assert_bool`, `_assert_array`
per parameter: `{"name": 123}` to `registered-models/create` is 400 `INVALID_PARAMETER_VALUE`
there, and `"start_time": "123"` to `runs/create` is accepted (an int64 may be a string).
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from modelreg.errors import RateLimited
from modelreg.mlflow import endpoints
from modelreg.mlflow.registry import registered_models as mlflow_registry
from tests.support.accounts import Accounts
from tests.support.graphql import GraphQLClient
from tests.support.registry import create_project
from tests.support.server import cli_token, run_modelreg, running_server

PROJECT = "hostile"
ROOT = f"/projects/{PROJECT}/mlflow"
API = f"{ROOT}/api/2.0/mlflow"
BODY_CAP = 1024 * 1024
WRITES = [e for e in endpoints() if e.method != "GET" and not e.raw_body]


def _url(pattern: str) -> str:
    """The endpoint's URL, with `x` for its path parameters."""
    return f"{ROOT}/" + re.sub(r"\{\w+(:path)?\}", "x", pattern)


def _refused(response: httpx.Response, field: str, status: int = 400) -> str:
    """The MLflow error of a refused request, naming `field`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error_code"] == "INVALID_PARAMETER_VALUE", body
    message: str = body["message"]
    assert f"'{field}'" in message, message
    assert "Traceback" not in message
    return message


# --- a real server, one keep-alive connection per caller ----------------------------------------


class Live:
    def __init__(self, base: str, token: str) -> None:
        self.member = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        self.anonymous = httpx.Client(base_url=base, timeout=60)
        self.addresses: dict[int, set[object]] = {id(self.member): set(), id(self.anonymous): set()}

    def send(self, client: httpx.Client, method: str, url: str, body: bytes) -> httpx.Response:
        response = client.request(
            method, url, content=body, headers={"content-type": "application/json"}
        )
        self.addresses[id(client)].add(
            response.extensions["network_stream"].get_extra_info("client_addr")
        )
        return response

    def still_usable(self, client: httpx.Client) -> None:
        """A good call on the same connection answers (the connection was not dropped)."""
        response = client.get(f"{API}/registered-models/search")
        assert response.status_code == 200, response.text
        self.addresses[id(client)].add(
            response.extensions["network_stream"].get_extra_info("client_addr")
        )
        assert len(self.addresses[id(client)]) == 1, "the server closed the connection"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp_path = tmp_path_factory.mktemp("mlflow-hostile")
    output: list[str] = []
    cap = {"MODELREG_MLFLOW_MAX_BODY_BYTES": str(BODY_CAP)}
    with running_server(tmp_path, output=output, **cap) as base:
        data = {"MODELREG_DATA_DIR": str(tmp_path / "data"), **cap}
        for command in (
            ("user", "create", "member"),
            ("project", "create", PROJECT, "--visibility", "public", "--owner", "member"),
        ):
            done = run_modelreg(*command, cwd=tmp_path, **data)
            assert done.returncode == 0, done.stderr
        found = Live(base, cli_token(tmp_path, user="member", **cap))
        yield found
        found.member.close()
        found.anonymous.close()
    log = "".join(output)
    assert "Traceback" not in log, log[-5000:]


@pytest.mark.parametrize("as_member", [True, False], ids=["member", "anonymous"])
def test_deep_nesting_is_refused_on_every_write_endpoint(live: Live, as_member: bool) -> None:
    """All the write endpoints (anonymous callers too: the body is refused before anything is
    decided about it), on one keep-alive connection that stays open."""
    assert len(WRITES) >= 29
    client = live.member if as_member else live.anonymous
    for endpoint in WRITES:
        in_path = set(re.findall(r"\{(\w+)", endpoint.pattern))
        field = next((p for p in endpoint.params if p not in in_path), "undeclared")
        for depth in (100, 5_000, 200_000):
            body = b'{"' + field.encode() + b'": ' + b"[" * depth + b"]" * depth + b"}"
            response = live.send(client, endpoint.method, _url(endpoint.pattern), body)
            if depth > 1000:  # deeper than json parses: refused before anything else
                message = _refused(response, field)
                assert "deeper than 32 levels" in message
            elif field != "undeclared":  # parsed; refused as a value of the wrong type
                assert response.status_code == 400, response.text
                assert f"'{field}" in response.json()["message"], response.text
            else:  # an undeclared parameter is ignored
                assert response.status_code < 500, response.text
    live.still_usable(client)


def test_lone_surrogates_nuls_and_empty_lists_are_refused_naming_the_field(live: Live) -> None:
    member = live.member
    cases = [
        ("POST", "registered-models/create", {"name": "\ud800"}, "name"),
        ("POST", "registered-models/create", {"name": "a\udfffb"}, "name"),
        ("POST", "registered-models/create", {"name": "nul\x00"}, "name"),
        ("POST", "registered-models/create", {"name": []}, "name"),
        (
            "POST",
            "registered-models/create",
            {"name": "ok", "description": "\udc00"},
            "description",
        ),
        (
            "POST",
            "registered-models/create",
            {"name": "ok", "tags": [{"key": "k", "value": "\ud800"}]},
            "tags[0].value",
        ),
        ("POST", "experiments/create", {"name": "\ud800"}, "name"),
        ("POST", "runs/create", {"run_name": "\ud83d"}, "run_name"),
        ("POST", "runs/search", {"experiment_ids": ["0", "\ud800"]}, "experiment_ids[1]"),
        ("POST", "runs/search", {"experiment_ids": ["0"], "filter": []}, "filter"),
        ("PATCH", "registered-models/update", {"name": [], "description": "x"}, "name"),
    ]
    for method, path, body, field in cases:
        content = json.dumps(body).encode()  # ASCII: a surrogate travels as a \ud800 escape
        message = _refused(live.send(member, method, f"{API}/{path}", content), field)
        text = json.dumps(body)
        if "\\ud" in text:
            assert "lone UTF-16 surrogate" in message, message
        if "\\u0000" in text:
            assert "NUL character" in message, message
    # A valid pair is one character, and fine.
    emoji = live.send(
        member,
        "POST",
        f"{API}/registered-models/create",
        json.dumps({"name": "smile", "description": "\U0001f600"}).encode(),
    )
    assert emoji.status_code == 200, emoji.text
    # Nothing was written by the refused calls.
    assert {m["name"] for m in _models(member)} == {"smile"}
    live.still_usable(member)


def _models(client: httpx.Client) -> list[dict[str, Any]]:
    response = client.get(f"{API}/registered-models/search")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json().get("registered_models", [])
    return found


def test_bodies_over_the_cap_are_refused_by_length_and_while_streaming(live: Live) -> None:
    big = json.dumps({"name": "x" * BODY_CAP}).encode()
    by_length = httpx.post(
        f"{live.member.base_url}{API}/registered-models/create",
        headers={**live.member.headers, "content-type": "application/json"},
        timeout=60,
        content=big,
    )
    assert by_length.status_code == 413, by_length.text
    assert by_length.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "MODELREG_MLFLOW_MAX_BODY_BYTES" in by_length.json()["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for start in range(0, len(big), 64 * 1024):
            yield big[start : start + 64 * 1024]

    streamed = httpx.post(
        f"{live.member.base_url}{API}/registered-models/create",
        content=chunks(),
        headers={**live.member.headers, "content-type": "application/json"},
        timeout=60,
    )
    assert streamed.status_code == 413, streamed.text
    assert "x" * 100 not in streamed.text
    # Just under the cap is parsed (and refused for what it says, not for its size).
    under = json.dumps({"name": "y" * (BODY_CAP - 20)}).encode()
    assert len(under) <= BODY_CAP
    response = httpx.post(
        f"{live.member.base_url}{API}/registered-models/create",
        content=under,
        headers={**live.member.headers, "content-type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "y" * 100 not in {m["name"][:100] for m in _models(live.member)}


# --- JSON types as MLflow's server checks them (in-process app) ---------------------------------


@pytest.fixture
async def mlflow(gql: GraphQLClient, http: httpx.AsyncClient) -> httpx.AsyncClient:
    await create_project(gql, path=PROJECT)
    created = await http.post(f"{API}/registered-models/create", json={"name": "m"})
    assert created.status_code == 200, created.text
    version = await http.post(f"{API}/model-versions/create", json={"name": "m", "source": "s"})
    assert version.status_code == 200, version.text
    return http


async def _run_id(http: httpx.AsyncClient) -> str:
    response = await http.post(f"{API}/runs/create", json={"experiment_id": "0"})
    assert response.status_code == 200, response.text
    run_id: str = response.json()["run"]["info"]["run_id"]
    return run_id


# (method, path, body, the parameter named): each answered 400 INVALID_PARAMETER_VALUE by
# MLflow's server too (its handler's schema or protobuf message refuses the type).
WRONG_TYPES: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "registered-models/create", {"name": 123}, "name"),
    ("POST", "registered-models/create", {"name": True}, "name"),
    ("POST", "registered-models/create", {"name": {"a": 1}}, "name"),
    ("POST", "registered-models/create", {"name": "n", "tags": "nope"}, "tags"),
    ("POST", "registered-models/create", {"name": "n", "tags": [1]}, "tags[0]"),
    ("POST", "registered-models/create", {"name": "n", "tags": [{"value": "v"}]}, "tags[0].key"),
    ("POST", "registered-models/create", {"name": "n", "description": 1.5}, "description"),
    ("PATCH", "registered-models/update", {"name": "m", "description": []}, "description"),
    ("PATCH", "model-versions/update", {"name": "m", "version": [], "description": "d"}, "version"),
    ("POST", "registered-models/alias", {"name": "m", "alias": "a", "version": 1}, "version"),
    (
        "POST",
        "model-versions/transition-stage",
        {"name": "m", "version": "1", "stage": "Staging", "archive_existing_versions": "true"},
        "archive_existing_versions",
    ),
    ("POST", "registered-models/get-latest-versions", {"name": "m", "stages": "None"}, "stages"),
    ("POST", "runs/create", {"start_time": "soon"}, "start_time"),
    ("POST", "runs/create", {"start_time": 1.5}, "start_time"),
    ("POST", "runs/create", {"start_time": 2**63}, "start_time"),
    ("POST", "runs/create", {"tags": [{"key": "k", "value": 1}]}, "tags[0].value"),
    (
        "POST",
        "runs/log-metric",
        {"run_id": "RUN", "key": "k", "value": "abc", "timestamp": 1},
        "value",
    ),
    (
        "POST",
        "runs/log-metric",
        {"run_id": "RUN", "key": "k", "value": True, "timestamp": 1},
        "value",
    ),
    (
        "POST",
        "runs/log-metric",
        {"run_id": "RUN", "key": "k", "value": 10**400, "timestamp": 1},
        "value",
    ),
    (
        "POST",
        "runs/log-batch",
        {"run_id": "RUN", "metrics": [{"key": "k", "value": 1, "timestamp": "x"}]},
        "metrics[0].timestamp",
    ),
    ("POST", "runs/log-batch", {"run_id": "RUN", "params": [None]}, "params[0]"),
    ("POST", "runs/search", {"experiment_ids": "0"}, "experiment_ids"),
    ("POST", "runs/search", {"experiment_ids": ["0"], "max_results": 1.5}, "max_results"),
    ("POST", "runs/search", {"experiment_ids": [0]}, "experiment_ids[0]"),
    ("POST", "experiments/search", {"view_type": [1]}, "view_type"),
    ("POST", "logged-models", {"experiment_id": 0}, "experiment_id"),
    ("PATCH", "logged-models/m-0", {"status": {"s": 1}}, "status"),
    ("GET", "registered-models/search", {"max_results": "many"}, "max_results"),
    ("GET", "registered-models/get", {"name": ""}, "name"),
    (
        "GET",
        "metrics/get-history",
        {"run_id": "RUN", "metric_key": "k", "max_results": "x"},
        "max_results",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    WRONG_TYPES,
    ids=[f"{m} {p} {f}" for m, p, _, f in WRONG_TYPES],
)
async def test_json_types_are_checked_as_mlflow_checks_them(
    mlflow: httpx.AsyncClient, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    run_id = await _run_id(mlflow)
    body = {k: run_id if v == "RUN" else v for k, v in body.items()}
    if method == "GET":
        response = await mlflow.get(f"{API}/{path}", params=body)
    else:
        response = await mlflow.request(method, f"{API}/{path}", content=json.dumps(body))
    message = _refused(response, field)
    if "Missing" not in message:
        assert "must be" in message, message


async def test_what_mlflow_accepts_is_accepted(mlflow: httpx.AsyncClient) -> None:
    """int64s as strings, doubles as "NaN", booleans as true/false in a query, null as absent,
    unknown fields ignored."""
    run_id = await _run_id(mlflow)
    accepted = [
        ("POST", "runs/create", {"start_time": "1700000000000", "unknown": [[[]]]}),
        (
            "POST",
            "runs/log-metric",
            {"run_id": run_id, "key": "k", "value": "NaN", "timestamp": "1"},
        ),
        ("POST", "runs/log-metric", {"run_id": run_id, "key": "k", "value": 1e308, "timestamp": 2}),
        ("POST", "registered-models/create", {"name": "n", "description": None, "tags": None}),
        ("GET", "registered-models/search", {"max_results": "5"}),
        (
            "GET",
            "registered-models/get-latest-versions",
            {"name": "m", "stages": ["None", "Staging"]},
        ),
    ]
    for method, path, body in accepted:
        if method == "GET":
            response = await mlflow.get(f"{API}/{path}", params=body)
        else:
            response = await mlflow.request(method, f"{API}/{path}", content=json.dumps(body))
        assert response.status_code == 200, (path, response.text)
    created = (await mlflow.post(f"{API}/runs/create", json={"start_time": "42"})).json()
    assert created["run"]["info"]["start_time"] == 42


async def test_search_filters_and_page_tokens_cannot_break_the_server(
    mlflow: httpx.AsyncClient,
) -> None:
    deep = "(" * 30 + "name = 'm'" + ")" * 30
    nested = "(name = 'a' OR " * 600 + "name = 'a'" + ")" * 600
    for path, filter_text in [
        ("registered-models/search", deep),
        ("model-versions/search", nested[:9_990]),
        ("model-versions/search", "version_number = " + "9" * 30),
        ("model-versions/search", "version_number = " + "9" * 5000),
        ("model-versions/search", "version_number IN (1, 99999999999999999999)"),
    ]:
        response = await mlflow.get(f"{API}/{path}", params={"filter": filter_text})
        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
        assert "filter" in response.json()["message"]
    within = "(" * 20 + "name = 'm'" + ")" * 20
    found = await mlflow.get(f"{API}/registered-models/search", params={"filter": within})
    assert [m["name"] for m in found.json()["registered_models"]] == ["m"]

    for token in (
        base64.urlsafe_b64encode(b"[" * 5000).decode(),
        base64.urlsafe_b64encode(json.dumps({"offset": 10**30}).encode()).decode(),
    ):
        response = await mlflow.post(
            f"{API}/runs/search", json={"experiment_ids": ["0"], "page_token": token}
        )
        assert response.status_code == 400, response.text
        assert response.json()["message"] == "Invalid page token."


# --- what the log says ----------------------------------------------------------------------


def _server_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(("modelreg", "uvicorn", "starlette"))]


async def test_client_errors_log_one_info_line_without_a_trace(
    mlflow: httpx.AsyncClient,
    anon_http: httpx.AsyncClient,
    accounts: Accounts,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "hunter2-do-not-log"
    read_only = httpx.AsyncClient(
        transport=mlflow._transport,
        base_url=str(mlflow.base_url),
        headers={"Authorization": f"Bearer {await accounts.token('admin', scopes=('read_api',))}"},
    )
    calls: list[tuple[httpx.AsyncClient, str, str, dict[str, Any] | bytes, int]] = [
        (mlflow, "POST", "registered-models/create", b'{"name": [[[' + secret.encode(), 400),
        (mlflow, "POST", "registered-models/create", b'{"name": ' + b"[" * 5000, 400),
        (mlflow, "POST", "registered-models/create", {"name": secret, "tags": "x"}, 400),
        (mlflow, "GET", "registered-models/get", {"name": secret}, 404),
        (mlflow, "DELETE", "runs/get", {}, 405),
        (anon_http, "POST", "registered-models/create", {"name": secret}, 404),  # private
        (read_only, "POST", "registered-models/create", {"name": secret}, 403),
    ]
    reader = {"Authorization": "Bearer mrt_" + secret}  # an unknown token
    for client, method, path, body, status in calls:
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            if method == "GET":
                assert isinstance(body, dict)
                response = await client.get(f"{API}/{path}", params=body)
            else:
                content = body if isinstance(body, bytes) else json.dumps(body).encode()
                response = await client.request(method, f"{API}/{path}", content=content)
        assert response.status_code == status, response.text
        records = [r for r in _server_records(caplog) if r.levelno >= logging.INFO]
        assert len(records) == 1, [r.getMessage() for r in records]
        (record,) = records
        assert record.levelno == logging.INFO and record.exc_info is None
        assert str(status) in record.getMessage()
        assert secret not in record.getMessage()
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        response = await anon_http.get(f"{API}/registered-models/get", headers=reader)
    assert response.status_code == 401
    assert [r.levelno for r in _server_records(caplog) if r.levelno >= logging.INFO] == [
        logging.INFO
    ]

    async def limited(*args: Any, **kwargs: Any) -> None:
        raise RateLimited("Too many requests; try again in a minute.", retry_after=60)

    monkeypatch.setattr(mlflow_registry.model_service, "find_model_by_name", limited)
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        response = await mlflow.get(f"{API}/registered-models/get", params={"name": "m"})
    assert response.status_code == 429
    assert response.json()["error_code"] == "REQUEST_LIMIT_EXCEEDED"
    records = [r for r in _server_records(caplog) if r.levelno >= logging.INFO]
    assert [(r.levelno, r.exc_info) for r in records] == [(logging.INFO, None)]


async def test_a_defect_is_a_500_internal_error_with_its_trace_in_the_log_only(
    mlflow: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("internal detail: /srv/secret/path")

    monkeypatch.setattr(mlflow_registry.model_service, "find_model_by_name", broken)
    with caplog.at_level(logging.INFO):
        response = await mlflow.get(f"{API}/registered-models/get", params={"name": "m"})
    assert response.status_code == 500
    assert response.json() == {
        "error_code": "INTERNAL_ERROR",
        "message": "Unexpected error; it has been logged. Try again, and report it if it persists.",
    }
    errors = [r for r in _server_records(caplog) if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is not None
    assert "internal detail" in str(errors[0].exc_info[1])
    # The next call works as before.
    monkeypatch.undo()
    assert (
        await mlflow.get(f"{API}/registered-models/get", params={"name": "m"})
    ).status_code == 200
