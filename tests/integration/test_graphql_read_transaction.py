"""An HTTP request to /graphql is authenticated in the read transaction its reads then use
(graphql/endpoint.py, `Context.adopt_reads`): one BEGIN for the caller and the page, the body
received before a connection is taken, and the connection returned however the request ends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from modelreg.db import Database
from modelreg.settings import Settings
from tests.support.graphql import GraphQLClient
from tests.support.registry import create_model, create_project

PAGE = '{ project(path: "demo") { models(first: 5) { edges { node { name } } } } }'


@contextmanager
def pool_use(db: Database) -> Iterator[dict[str, int]]:
    """Counts transactions begun and connections taken from and returned to the pool."""
    counts = {"begin": 0, "checkout": 0, "checkin": 0}

    def counter(name: str) -> Any:
        def count(*args: Any) -> None:
            counts[name] += 1

        return count

    listeners = [(name, counter(name)) for name in counts]
    engine = db.engine.sync_engine
    for name, listener in listeners:
        sa.event.listen(engine if name == "begin" else engine.pool, name, listener)
    try:
        yield counts
    finally:
        for name, listener in listeners:
            sa.event.remove(engine if name == "begin" else engine.pool, name, listener)


async def test_a_page_is_one_transaction_with_its_caller(gql: GraphQLClient, db: Database) -> None:
    project = await create_project(gql)
    await create_model(gql, project["id"], "m")
    await gql.execute(PAGE)  # the token's last use is recorded (at most once a minute)
    with pool_use(db) as used:
        data = await gql.execute(PAGE)
    assert [e["node"]["name"] for e in data["project"]["models"]["edges"]] == ["m"]
    assert used == {"begin": 1, "checkout": 1, "checkin": 1}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A 4 KiB cap on the body, to refuse one in a few chunks."""
    return Settings(data_dir=tmp_path / "data", graphql_max_body_bytes=4096)


async def _chunks(total: int) -> AsyncIterator[bytes]:
    """A chunked body (no Content-Length): the cap is found while receiving it."""
    sent = 0
    while sent < total:
        yield b" " * 256
        sent += 256


async def test_every_way_a_request_ends_returns_its_connection(
    app: Starlette, db: Database, admin_headers: dict[str, str]
) -> None:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://modelreg.test") as client:
        bad_token = {"authorization": "Bearer mr_not-a-token"}
        cases: list[tuple[str, Any, int, str]] = [
            (
                "bad token",
                client.post("/graphql", json={"query": PAGE}, headers=bad_token),
                401,
                "UNAUTHENTICATED",
            ),
            ("bad JSON", client.post("/graphql", content=b"{", headers=admin_headers), 400, ""),
            (
                "not a query",
                client.post("/graphql", json={"query": "{ nope"}, headers=admin_headers),
                200,
                "Syntax Error",
            ),
            (
                "GET query",
                client.get("/graphql", params={"query": PAGE}, headers=admin_headers),
                200,
                '"project":null',
            ),
            (
                "chunked, too large",
                client.post("/graphql", content=_chunks(8192), headers=admin_headers),
                413,
                "limit",
            ),
            (
                "declared too large",
                client.post("/graphql", content=b"x" * 8192, headers=admin_headers),
                413,
                "limit",
            ),
        ]
        for name, request, status, text in cases:
            with pool_use(db) as used:
                response = await request
            assert response.status_code == status, (name, response.text)
            assert text in response.text, (name, response.text)
            assert used["checkout"] == used["checkin"], (name, used)
        # A refused token is the same 401 as before: nothing parsed, nothing run.
        refused = await client.post("/graphql", json={"query": PAGE}, headers=bad_token)
        assert refused.headers["www-authenticate"] == "Bearer"
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "data" not in refused.json()
