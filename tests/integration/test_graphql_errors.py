"""Bad input gets a typed error with a stable code and a sentence a person can act on."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.support.graphql import GraphQLClient
from tests.support.registry import (
    CREATE_MODEL,
    CREATE_PROJECT,
    CREATE_VERSION,
    create_model,
    create_project,
    create_version,
)

UNKNOWN_MODEL_ID = "UmVnaXN0ZXJlZE1vZGVsOjk5OTk5"  # RegisteredModel:99999


@pytest.fixture
async def model(gql: GraphQLClient) -> dict[str, Any]:
    project = await create_project(gql)
    created = await create_model(gql, project["id"], "churn")
    await create_version(gql, created["id"], "1.0.0")
    created["project_id"] = project["id"]
    return created


MODEL_NAME_CASES = [
    ("", "name", "must not be empty"),
    ("   ", "name", "must not be empty"),
    ("x" * 256, "name", "the limit is 255"),
    ("team/churn", "name", "must not contain '/'"),
    ("churn:v1", "name", "must not contain ':'"),
    ("churn\x00", "name", "control character U+0000"),
    ("churn\nmodel", "name", "control character U+000A"),
    ("-churn", "name", "start and end with a letter or a digit"),
]


@pytest.mark.parametrize(("name", "field", "fragment"), MODEL_NAME_CASES)
async def test_bad_model_names(
    gql: GraphQLClient, model: dict[str, Any], name: str, field: str, fragment: str
) -> None:
    data = await gql.execute(
        CREATE_MODEL, {"input": {"projectId": model["project_id"], "name": name}}
    )
    payload = data["createModel"]
    assert payload["model"] is None
    [error] = payload["errors"]
    assert (error["code"], error["field"]) == ("INVALID_ARGUMENT", field)
    assert fragment in error["message"]


VERSION_CASES = [
    ("1.0", "INVALID_ARGUMENT", "is not a semantic version"),
    ("v1.2.3", "INVALID_ARGUMENT", "is not a semantic version"),
    ("01.2.3", "INVALID_ARGUMENT", "is not a semantic version"),
    ("1.2.3-", "INVALID_ARGUMENT", "is not a semantic version"),
    ("1" * 129, "INVALID_ARGUMENT", "the limit is 128"),
    ("1.0.0", "ALREADY_EXISTS", "already has version 1.0.0"),
    ("1.0.0+build.5", "ALREADY_EXISTS", "same precedence as the existing 1.0.0"),
]


@pytest.mark.parametrize(("version", "code", "fragment"), VERSION_CASES)
async def test_bad_versions(
    gql: GraphQLClient, model: dict[str, Any], version: str, code: str, fragment: str
) -> None:
    data = await gql.execute(
        CREATE_VERSION, {"input": {"modelId": model["id"], "version": version}}
    )
    payload = data["createVersion"]
    assert payload["modelVersion"] is None
    [error] = payload["errors"]
    assert (error["code"], error["field"]) == (code, "version")
    assert fragment in error["message"]


async def test_duplicate_model_name(gql: GraphQLClient, model: dict[str, Any]) -> None:
    data = await gql.execute(
        CREATE_MODEL, {"input": {"projectId": model["project_id"], "name": "churn"}}
    )
    assert data["createModel"]["errors"] == [
        {
            "code": "ALREADY_EXISTS",
            "field": "name",
            "message": "A model named 'churn' already exists in this project; choose another name.",
        }
    ]


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("", "must not be empty"),
        ("Demo", "lowercase"),
        ("a/b", "lowercase"),
        ("x" * 101, "the limit is 100"),
        ("-demo", "start"),
    ],
)
async def test_bad_project_paths(gql: GraphQLClient, path: str, fragment: str) -> None:
    data = await gql.execute(CREATE_PROJECT, {"input": {"path": path}})
    [error] = data["createProject"]["errors"]
    assert (error["code"], error["field"]) == ("INVALID_ARGUMENT", "path")
    assert fragment in error["message"]


async def test_duplicate_project_path(gql: GraphQLClient) -> None:
    await create_project(gql, "demo")
    data = await gql.execute(CREATE_PROJECT, {"input": {"path": "demo"}})
    assert data["createProject"]["errors"][0]["code"] == "ALREADY_EXISTS"


@pytest.mark.parametrize(
    ("model_id", "code", "fragment"),
    [
        (UNKNOWN_MODEL_ID, "NOT_FOUND", "No model has the id 99999"),
        ("not-an-id", "INVALID_ARGUMENT", "is not a valid ID"),
        ("UHJvamVjdDox", "INVALID_ARGUMENT", "belongs to a Project"),
        ("", "INVALID_ARGUMENT", "is not a valid ID"),
    ],
)
async def test_unknown_and_malformed_ids(
    gql: GraphQLClient, model: dict[str, Any], model_id: str, code: str, fragment: str
) -> None:
    data = await gql.execute(CREATE_VERSION, {"input": {"modelId": model_id, "version": "2.0.0"}})
    [error] = data["createVersion"]["errors"]
    assert (error["code"], error["field"]) == (code, "modelId")
    assert fragment in error["message"]


async def test_unknown_project_for_a_new_model(gql: GraphQLClient) -> None:
    data = await gql.execute(
        CREATE_MODEL, {"input": {"projectId": "UHJvamVjdDo5OTk=", "name": "x"}}
    )
    assert data["createModel"]["errors"] == [
        {"code": "NOT_FOUND", "field": "projectId", "message": "No project has the id 999."}
    ]


async def test_bad_tags_write_nothing(gql: GraphQLClient, model: dict[str, Any]) -> None:
    data = await gql.execute(
        CREATE_MODEL,
        {
            "input": {
                "projectId": model["project_id"],
                "name": "other",
                "tags": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}],
            }
        },
    )
    [error] = data["createModel"]["errors"]
    assert (error["code"], error["field"]) == ("INVALID_ARGUMENT", "tags")
    assert "given twice" in error["message"]
    found = await gql.execute('{ project(path: "demo") { model(name: "other") { id } } }')
    assert found["project"]["model"] is None


async def test_query_errors_carry_a_code(gql: GraphQLClient, model: dict[str, Any]) -> None:
    errors = await gql.errors('{ project(path: "demo") { models(first: 1000) { totalCount } } }')
    assert errors[0]["extensions"]["code"] == "INVALID_ARGUMENT"
    assert "between 0 and 100" in errors[0]["message"]

    errors = await gql.errors(
        '{ project(path: "demo") { models(after: "garbage") { totalCount } } }'
    )
    assert errors[0]["extensions"]["code"] == "INVALID_ARGUMENT"
    assert "cursor is not valid" in errors[0]["message"]

    errors = await gql.errors('{ node(id: "nope") { id } }')
    assert errors[0]["extensions"]["code"] == "INVALID_ARGUMENT"


async def test_unknown_things_are_null_not_errors(
    gql: GraphQLClient, model: dict[str, Any]
) -> None:
    data = await gql.execute(
        '{ project(path: "nope") { id } p: project(path: "demo") { model(name: "nope") { id } '
        'm: model(name: "churn") { version(version: "9.9.9") { id } } } '
        f'node(id: "{UNKNOWN_MODEL_ID}") {{ id }} }}'
    )
    assert data == {"project": None, "p": {"model": None, "m": {"version": None}}, "node": None}


async def test_depth_alias_and_token_limits(gql: GraphQLClient) -> None:
    inner = "name"
    for _ in range(4):
        inner = f"project {{ models {{ edges {{ node {{ {inner} }} }} }} }}"
    deep = (
        f"{{ projects {{ edges {{ node {{ models {{ edges {{ node {{ {inner} }} }} }} }} }} }} }}"
    )
    errors = await gql.errors(deep)
    assert "exceeds the maximum operation depth of 12" in errors[0]["message"]
    assert errors[0]["extensions"]["code"] == "INVALID_ARGUMENT"

    aliases = "{ " + " ".join(f"a{i}: projects {{ totalCount }}" for i in range(40)) + " }"
    errors = await gql.errors(aliases)
    assert "uses 40 aliases" in errors[0]["message"]
    assert "the limit is 30" in errors[0]["message"]

    tokens = "{ projects { " + "totalCount " * 6000 + "} }"
    errors = await gql.errors(tokens)
    assert "more than 5000 tokens" in errors[0]["message"]


async def test_unexpected_errors_are_masked(
    gql: GraphQLClient, model: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from modelreg.services import models as model_service

    async def broken(*args: Any, **kwargs: Any) -> int:
        raise RuntimeError("secret connection string postgres://user:pw@host")

    monkeypatch.setattr(model_service, "count_models", broken)
    response = await gql.raw('{ project(path: "demo") { models { totalCount } } }')
    assert response.status_code == 200
    body = response.json()
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL"}
    assert "secret" not in response.text
    assert "Traceback" not in response.text


async def test_malformed_requests_never_500(gql: GraphQLClient) -> None:
    http = gql.http
    cases = [
        await http.post(
            "/graphql", content=b"{not json", headers={"content-type": "application/json"}
        ),
        await http.post("/graphql", json={"query": "{ projects { "}),
        await http.post("/graphql", json={"query": "{ nope }"}),
        await http.post("/graphql", json={"variables": {}}),
        await http.post(
            "/graphql", json={"query": "mutation { createProject(input: {}) { errors { code } } }"}
        ),
        await http.get(
            "/graphql",
            params={"query": 'mutation { deleteProject(input: {id: "x"}) { errors { code } } }'},
        ),
        await http.get("/no/such/route"),
    ]
    for response in cases:
        assert response.status_code < 500, response.text
        assert "Traceback" not in response.text


async def test_a_client_gone_before_its_query_arrives_is_not_an_error(app: Starlette) -> None:
    """A browser that leaves a page while it sends a query: nothing to run, no one to answer,
    and no traceback in the server's log (the request ends quietly)."""
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"modelreg.test")],
        "client": ("127.0.0.1", 1234),
        "server": ("modelreg.test", 80),
    }
    await app(scope, receive, send)  # raised ClientDisconnect before
    assert sent == []
