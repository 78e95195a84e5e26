"""Hostile GraphQL requests: nothing a caller sends may stall the server, leak a secret into its
log or its answers, flood the log with traces, or reach the database as text it cannot store."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from modelreg.graphql.endpoint import GraphQLEndpoint
from modelreg.graphql.schema import CACHE_BYTES, RegistrySchema
from tests.support.graphql import GraphQLClient
from tests.support.registry import CREATE_MODEL, CREATE_PROJECT, create_project
from tests.support.server import cli_token, running_server


def doubling(n: int) -> str:
    """Under 3 KB of text for n=60, yet 2**60 fields once its fragments are expanded."""
    parts = [f"query {{ ...F{n} }}", "fragment F0 on Query { __typename }"]
    parts += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, n + 1)]
    return "\n".join(parts)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with running_server(tmp_path) as base:
        yield base


# --------------------------------------------------------------------------------------------
# 1. Exponential fragments


async def test_exponential_fragments_are_refused_at_once_while_the_server_answers(
    server: str,
) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=5) as client:
        probes: list[float] = []
        done = asyncio.Event()

        async def probe() -> None:
            while not done.is_set():
                started = time.perf_counter()
                response = await client.get("/healthz")
                assert response.status_code == 200
                probes.append(time.perf_counter() - started)
                await asyncio.sleep(0.01)

        async def attack(n: int) -> tuple[float, dict[str, Any]]:
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": doubling(n)})
            return time.perf_counter() - started, response.json()

        prober = asyncio.create_task(probe())
        try:
            results = await asyncio.gather(*(attack(n) for n in (60, 60, 60, 20, 20)))
        finally:
            done.set()
            await prober
    for elapsed, body in results:
        assert elapsed < 1, f"a refusal took {elapsed:.2f}s"
        [error] = body["errors"]
        assert error["extensions"] == {"code": "INVALID_ARGUMENT"}
        assert "once its fragments are expanded; the limit is 1,000" in error["message"]
        assert body.get("data") is None
    assert probes and max(probes) < 1, probes


async def test_a_document_within_the_limits_still_runs(gql: GraphQLClient) -> None:
    data = await gql.execute(doubling(8))  # 256 fields once expanded, merged into one
    assert data == {"__typename": "Query"}


# --------------------------------------------------------------------------------------------
# 4. Secrets stay out of the log and out of every answer

ACCOUNT_MUTATIONS: dict[str, tuple[str, dict[str, str], tuple[str, ...]]] = {
    # mutation: (input type, its other fields, its secret fields)
    "login": ("LoginInput", {"username": "admin"}, ("password",)),
    "createUser": ("CreateUserInput", {"username": "someone"}, ("password",)),
    "changePassword": ("ChangePasswordInput", {}, ("currentPassword", "newPassword")),
    "resetUserPassword": ("ResetUserPasswordInput", {"username": "admin"}, ("password",)),
}
SELECTION = "{ errors { code field message } }"


def _literal(fields: dict[str, Any], raw: dict[str, str] | None = None) -> str:
    parts = [f"{k}: {json.dumps(v)}" for k, v in fields.items()]
    parts += [f"{k}{v}" for k, v in (raw or {}).items()]
    return "{" + ", ".join(parts) + "}"


def bad_requests(mutation: str, secret: str, number: int) -> list[tuple[str, dict[str, Any]]]:
    """Every kind of bad request, each with the secret where a client would put a password."""
    input_type, plain, secret_fields = ACCOUNT_MUTATIONS[mutation]

    def with_secret(value: Any) -> dict[str, Any]:
        return {**plain, **dict.fromkeys(secret_fields, value)}

    def literal(value: str) -> dict[str, str]:
        return dict.fromkeys(secret_fields, value)

    def doc(inner: str, extra: str = "") -> dict[str, Any]:
        return {"query": f"mutation {{ {mutation}(input: {inner}{extra}) {SELECTION} }}"}

    def variables(value: Any, declared: str = f"{input_type}!") -> dict[str, Any]:
        query = f"mutation($input: {declared}) {{ {mutation}(input: $input) {SELECTION} }}"
        return {"query": query, "variables": {"input": value}}

    first = secret_fields[0]
    by_variable = (
        f"mutation($p: Int!) {{ {mutation}(input: "
        + _literal(
            plain, {first: ": $p", **{f: f": {json.dumps(secret)}" for f in secret_fields[1:]}}
        )
        + f") {SELECTION} }}"
    )
    return [
        ("syntax: colon missing", doc(_literal(plain, literal(f' "{secret}"')))),
        ("syntax: unquoted", doc(_literal(plain, literal(f": {secret.replace('-', '_')} !")))),
        (
            "syntax: not closed",
            {"query": f"mutation {{ {mutation}(input: {_literal(with_secret(secret))}"},
        ),
        ("syntax: stray token", doc(_literal(with_secret(secret)) + " }")),
        ("unknown field (literal)", doc(_literal({**with_secret(secret), "bogus": 1}))),
        ("unknown field (variables)", variables({**with_secret(secret), "bogus": 1})),
        ("misspelled field", variables({**plain, "pw": secret})),
        ("unknown argument", doc(_literal(with_secret(secret)), ", bogus: 1")),
        ("wrong type (literal)", doc(_literal(plain, literal(f": {number}")))),
        ("wrong type (variables)", variables(with_secret(number))),
        ("wrong type (list)", variables(with_secret([secret]))),
        ("wrong variable type", {"query": by_variable, "variables": {"p": secret}}),
        ("shape: input is a string", variables(secret)),
        ("shape: nested object", variables(with_secret({"value": secret}))),
        ("shape: list of inputs", variables([with_secret(secret)], declared=f"[{input_type}!]!")),
        ("fails validation", variables(with_secret(f" {secret} "))),
        ("too short", variables(with_secret(secret[:8]))),
    ]


def test_secrets_never_reach_the_log_or_an_answer(tmp_path: Path) -> None:
    output: list[str] = []  # everything the server logs, at its most verbose
    secrets: list[str] = []
    with (
        running_server(tmp_path, output=output, MODELREG_LOG_LEVEL="debug") as base,
        httpx.Client(base_url=base, timeout=10) as client,
    ):
        headers = {"Authorization": f"Bearer {cli_token(tmp_path)}"}
        for index, mutation in enumerate(ACCOUNT_MUTATIONS):
            for k in range(len(bad_requests(mutation, "", 0))):
                secret, number = f"Sx{index}k{k}-Pw-hunter", 730_000_000 + 100 * index + k
                kind, body = bad_requests(mutation, secret, number)[k]
                values = (secret, secret.replace("-", "_"), secret[:8], str(number))
                secrets += values
                response = client.post("/graphql", json=body, headers=headers)
                assert response.status_code < 500, (mutation, kind, response.text)
                payload = response.json()
                data = payload.get("data") or {}
                # Each one is a bad request: refused, or answered with a typed error.
                assert payload.get("errors") or data[mutation]["errors"], (mutation, kind)
                for value in values:
                    assert value not in response.text, (mutation, kind, response.text)
            # A mutation sent by GET is refused, and its query string stays out of the log.
            query = (
                f'mutation {{ {mutation}(input: {{password: "Get{index}-Pw-hunter"}}) {{ x }} }}'
            )
            secrets.append(f"Get{index}-Pw-hunter")
            response = client.get("/graphql", params={"query": query}, headers=headers)
            assert response.status_code == 400
    log = output[0]
    assert "/graphql" in log  # the capture works: the access log is there
    for secret in secrets:
        assert secret not in log, f"{secret} is in the server's log"
    assert "Traceback" not in log
    assert "strawberry.execution" not in log


# --------------------------------------------------------------------------------------------
# 7. Expected client errors: at most one INFO line each, without trace, document or variables

CLIENT_ERRORS = [
    ('{ node(id: "") { id } }', None, "is not a valid ID"),
    ('{ projects(after: "zzz") { totalCount } }', None, "cursor is not valid"),
    ("{ projects { nope } }", None, "Cannot query field 'nope'"),
    ("{ projects { ", None, "Syntax Error"),
    ("query($n: Int) { projects(first: $n) { totalCount } }", {"n": "many"}, "Int cannot"),
    (doubling(30), None, "once its fragments are expanded"),
]


@pytest.mark.parametrize(("query", "variables", "fragment"), CLIENT_ERRORS)
async def test_client_errors_log_one_info_line(
    anon_gql: GraphQLClient,
    caplog: pytest.LogCaptureFixture,
    query: str,
    variables: dict[str, Any] | None,
    fragment: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    errors = await anon_gql.errors(query, variables)
    assert fragment in errors[0]["message"]
    assert errors[0]["extensions"]["code"] == "INVALID_ARGUMENT"
    records = [r for r in caplog.records if r.name.startswith(("modelreg", "strawberry"))]
    assert [(r.name, r.levelname) for r in records] == [("modelreg.graphql", "INFO")]
    [record] = records
    assert record.exc_info is None
    line = record.getMessage()
    assert "\n" not in line
    assert fragment in line
    assert query[:30] not in line  # not the document


async def test_unexpected_errors_log_a_trace_and_are_masked(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelreg.services import projects as project_service

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(project_service, "list_projects", broken)
    caplog.set_level(logging.DEBUG)
    response = await gql.raw("{ projects { totalCount } }")
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL"}
    assert "fire" not in response.text
    records = [r for r in caplog.records if r.name.startswith(("modelreg", "strawberry"))]
    assert [(r.name, r.levelname) for r in records] == [("modelreg.graphql", "ERROR")]
    logged = records[0].getMessage()
    assert "Traceback" in logged and "RuntimeError: the disk is on fire" in logged
    assert "at projects" in logged


# --------------------------------------------------------------------------------------------
# 5. Request bodies: capped, and never read past the cap


def _raw_exchange(base: str, request: bytes, *, then: bytes = b"") -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        if then:
            # The server may answer and close while the rest is on its way.
            with contextlib.suppress(OSError):
                sock.sendall(then)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_body_over_the_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with running_server(tmp_path, MODELREG_GRAPHQL_MAX_BODY_BYTES="65536") as base:
        # Declares 10 GiB and sends none of it: the answer comes at once, nothing is awaited.
        started = time.perf_counter()
        answer = _raw_exchange(
            base,
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10737418240\r\n\r\n",
        )
        assert time.perf_counter() - started < 2
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 413")
        [error] = json.loads(body)["errors"]
        assert error["extensions"]["code"] == "INVALID_ARGUMENT"
        assert "larger than 65,536 bytes" in error["message"]
        assert "MODELREG_GRAPHQL_MAX_BODY_BYTES" in error["message"]

        # Chunked (no declared length): counted as it streams, refused once over the cap.
        chunk = b'{"query": "{ __typename }", "variables": {"a": "' + b"x" * 30000
        answer = _raw_exchange(
            base,
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n",
            then=b"".join(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" for _ in range(4)),
        )
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]

        with httpx.Client(base_url=base, timeout=10) as client:
            under = {"query": "query($p: String!) { project(path: $p) { id } }"}
            response = client.post("/graphql", json={**under, "variables": {"p": "x" * 60000}})
            assert response.json() == {"data": {"project": None}}
            over = client.post("/graphql", json={**under, "variables": {"p": "x" * 70000}})
            assert over.status_code == 413
            assert client.get("/healthz").status_code == 200


async def test_the_default_cap_takes_a_one_mib_argument(anon_gql: GraphQLClient) -> None:
    http = anon_gql.http
    query = "query($p: String!) { project(path: $p) { id } }"
    fine = await http.post("/graphql", json={"query": query, "variables": {"p": "x" * 2**20}})
    assert fine.json() == {"data": {"project": None}}
    big = await http.post("/graphql", json={"query": query, "variables": {"p": "x" * 2**21}})
    assert big.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ __typename }", "variables": {"a": "\xff\xfe"}}',
        b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}",
    ],
    ids=["not UTF-8", "nested too deeply"],
)
async def test_bodies_that_do_not_decode_are_a_400(anon_gql: GraphQLClient, body: bytes) -> None:
    response = await anon_gql.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "Unable to parse request body as JSON" in response.text
    assert (await anon_gql.http.get("/healthz")).status_code == 200


def _schema(app: Starlette) -> RegistrySchema:
    [endpoint] = [r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql"]
    assert isinstance(endpoint, GraphQLEndpoint)
    assert isinstance(endpoint.schema, RegistrySchema)
    return endpoint.schema


async def test_the_document_cache_is_bounded_by_bytes(
    app: Starlette, anon_gql: GraphQLClient
) -> None:
    cache = _schema(app).document_cache
    assert cache is not None
    # Distinct large documents (a 600 KB comment each): answered, never kept.
    for i in range(4):
        query = "{ __typename } # " + f"{i}" * 600_000
        assert (await anon_gql.execute(query)) == {"__typename": "Query"}
    assert len(cache) == 0
    # Distinct small ones are kept (and answered from the cache when sent again).
    for i in range(30):
        await anon_gql.execute(f"{{ a{i}: __typename }}")
    assert len(cache) == 30
    assert 0 < cache.total_bytes <= CACHE_BYTES
    assert (await anon_gql.execute("{ a3: __typename }")) == {"a3": "Query"}
    assert len(cache) == 30


# --------------------------------------------------------------------------------------------
# 6. Text that is not valid Unicode


def _post_raw(gql: GraphQLClient, body: dict[str, Any]) -> Any:
    # json.dumps escapes the lone surrogate as \\ud800, as a client's JSON would.
    return gql.http.post(
        "/graphql", content=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )


async def test_lone_surrogates_in_variables_are_refused_naming_the_field(
    gql: GraphQLClient,
) -> None:
    response = await _post_raw(
        gql, {"query": CREATE_PROJECT, "variables": {"input": {"path": "odd", "name": "a\ud800"}}}
    )
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INVALID_ARGUMENT", "field": "input.name"}
    assert "not valid Unicode at 'input.name'" in error["message"]
    assert response.json().get("data") is None

    project = await create_project(gql, "demo")
    response = await _post_raw(
        gql,
        {
            "query": CREATE_MODEL,
            "variables": {
                "input": {
                    "projectId": project["id"],
                    "name": "churn",
                    "tags": [{"key": "team", "value": "\udc00x"}],
                }
            },
        },
    )
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INVALID_ARGUMENT", "field": "input.tags[0].value"}

    # Nothing was written, and the connection (and the database) still work.
    data = await gql.execute(
        '{ p: project(path: "odd") { id } d: project(path: "demo") { models { totalCount } } }'
    )
    assert data == {"p": None, "d": {"models": {"totalCount": 0}}}


async def test_a_lone_surrogate_in_the_document_is_a_syntax_error(gql: GraphQLClient) -> None:
    query = 'mutation { createProject(input: {path: "odd", name: "a\\ud800"}) { errors { code } } }'
    [error] = await gql.errors(query)
    assert error["extensions"]["code"] == "INVALID_ARGUMENT"
    assert "Invalid Unicode escape sequence" in error["message"]


def test_a_served_registry_logs_client_errors_as_one_info_line(tmp_path: Path) -> None:
    """`modelreg serve` shows modelreg's own INFO lines at MODELREG_LOG_LEVEL=info (uvicorn's
    logging configuration alone left them out), and a client error is one of them."""
    output: list[str] = []
    with running_server(tmp_path, output=output, MODELREG_LOG_LEVEL="info") as base:
        body = httpx.post(f"{base}/graphql", json={"query": '{ node(id: "") { id } }'}).json()
        assert body["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"
    log = "".join(output)
    lines = [line for line in log.splitlines() if "is not a valid ID" in line]
    assert len(lines) == 1, log
    assert lines[0].startswith("INFO"), lines
    assert "Traceback" not in log
