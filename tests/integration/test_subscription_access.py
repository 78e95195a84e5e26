"""Subscriptions stop when the subscriber's right to read ends, not only at subscribe time.

Against a real server process: a project made private, a member removed, a token revoked, a
browser session signed out. Each case first proves the subscription was delivering, then
changes access, then shows that no further event arrives and how the channel ended.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from tests.support.server import cli_token, run_modelreg, running_server
from tests.support.subscriptions import until_following

PASSWORD = "bob's long password 1"

MODEL_EVENTS = """
subscription { modelEvents(projectPath: "demo", modelName: "churn") { id type } }
"""


@dataclass
class Registry:
    base: str
    tmp_path: Path
    admin: httpx.Client
    version_id: str
    changes: int = 0

    def gql(self, query: str, client: httpx.Client | None = None, **variables: Any) -> Any:
        response = (client or self.admin).post(
            "/graphql", json={"query": query, "variables": variables}
        )
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def cli(self, *args: str) -> str:
        result = run_modelreg(
            *args, cwd=self.tmp_path, MODELREG_DATA_DIR=str(self.tmp_path / "data")
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def set_visibility(self, visibility: str) -> None:
        project = self.gql('{ project(path: "demo") { id } }')["project"]["id"]
        errors = self.gql(
            f"mutation($p: ID!) {{ updateProject(input: {{id: $p, visibility: {visibility}}}) "
            "{ errors { message } } }",
            p=project,
        )["updateProject"]["errors"]
        assert errors == []

    def change_something(self) -> None:
        """An event of the followed model: a tag set on its version."""
        self.changes += 1
        errors = self.gql(
            "mutation($v: ID!, $x: String!) { setVersionTags(input: "
            '{id: $v, tags: [{key: "touched", value: $x}]}) { errors { message } } }',
            v=self.version_id,
            x=str(self.changes),
        )["setVersionTags"]["errors"]
        assert errors == []

    async def change(self) -> str:
        """`change_something`; returns the id of the newest event, the change's."""
        self.change_something()
        newest = self.gql(
            '{ project(path: "demo") { model(name: "churn") { activity(first: 1) '
            "{ edges { node { id } } } } } }"
        )
        event_id: str = newest["project"]["model"]["activity"]["edges"][0]["node"]["id"]
        return event_id


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with running_server(tmp_path) as base:
        admin = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {cli_token(tmp_path)}"}
        )
        reg = Registry(base=base, tmp_path=tmp_path, admin=admin, version_id="")
        project = reg.gql('mutation { createProject(input: {path: "demo"}) { project { id } } }')
        model = reg.gql(
            'mutation($p: ID!) { createModel(input: {projectId: $p, name: "churn"}) '
            "{ model { id } } }",
            p=project["createProject"]["project"]["id"],
        )["createModel"]["model"]["id"]
        reg.version_id = reg.gql(
            'mutation($m: ID!) { createVersion(input: {modelId: $m, version: "1.0.0"}) '
            "{ modelVersion { id } } }",
            m=model,
        )["createVersion"]["modelVersion"]["id"]
        run_modelreg(
            "user", "create", "bob", "--password-stdin",
            cwd=tmp_path, stdin=PASSWORD + "\n", MODELREG_DATA_DIR=str(tmp_path / "data"),
        )  # fmt: skip
        try:
            yield reg
        finally:
            admin.close()


async def _receive(ws: ClientConnection, within: float = 10) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), within))
    return message


async def _subscribe(registry: Registry, headers: dict[str, str]) -> Any:
    """A subscription to churn's events, once it follows them."""
    ws = await connect(
        registry.base.replace("http://", "ws://") + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers=headers,
    )
    await ws.send(json.dumps({"type": "connection_init"}))
    assert (await _receive(ws))["type"] == "connection_ack"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": MODEL_EVENTS}}))
    await until_following(ws, registry.change)
    return ws


async def _delivers(ws: ClientConnection, registry: Registry) -> None:
    """The subscription is live: a change arrives as an event."""
    registry.change_something()
    message = await _receive(ws)
    assert message["type"] == "next", message
    assert message["payload"]["data"]["modelEvents"]["type"] == "version.tags_set"


async def _ended_not_found(ws: ClientConnection) -> None:
    """The next message is the typed error ending the subscription, then `complete`."""
    message = await _receive(ws)
    assert message["type"] == "next", message
    assert message["payload"]["data"] is None
    assert message["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "no longer" in message["payload"]["errors"][0]["message"]
    assert (await _receive(ws))["type"] == "complete"


async def _closed_unauthenticated(ws: ClientConnection, within: float = 10) -> None:
    """The server closes the whole websocket with 4401; no event arrives before."""
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            message = await _receive(ws, within)
            assert message["type"] not in ("next", "error"), message
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401, closed.value


async def test_project_made_private_ends_an_outsiders_subscription(registry: Registry) -> None:
    registry.set_visibility("PUBLIC")
    ws = await _subscribe(registry, {})  # anonymous
    try:
        await _delivers(ws, registry)
        registry.set_visibility("PRIVATE")
        registry.change_something()
        await _ended_not_found(ws)
    finally:
        await ws.close()


async def test_a_removed_member_stops_receiving(registry: Registry) -> None:
    registry.cli("member", "add", "demo", "bob", "GUEST")
    token = cli_token(registry.tmp_path, user="bob", scope="read_api")
    ws = await _subscribe(registry, {"Authorization": f"Bearer {token}"})
    try:
        await _delivers(ws, registry)
        registry.cli("member", "remove", "demo", "bob")
        registry.change_something()
        await _ended_not_found(ws)
    finally:
        await ws.close()


async def test_an_idle_subscription_ends_when_access_ends(registry: Registry) -> None:
    """Nothing happens in the project once access ends, yet the subscription learns so."""
    registry.cli("member", "add", "demo", "bob", "GUEST")
    token = cli_token(registry.tmp_path, user="bob", scope="read_api")
    ws = await _subscribe(registry, {"Authorization": f"Bearer {token}"})
    try:
        registry.cli("member", "remove", "demo", "bob")
        await _ended_not_found(ws)
    finally:
        await ws.close()


def _token_id(registry: Registry, user: str) -> str:
    listing = registry.cli("token", "list", "--user", user)
    return listing.splitlines()[1].split()[0]


async def test_a_revoked_token_closes_its_websocket(registry: Registry) -> None:
    registry.cli("member", "add", "demo", "bob", "GUEST")
    token = cli_token(registry.tmp_path, user="bob", scope="read_api")
    ws = await _subscribe(registry, {"Authorization": f"Bearer {token}"})
    try:
        await _delivers(ws, registry)
        registry.cli("token", "revoke", _token_id(registry, "bob"))
        registry.change_something()
        await _closed_unauthenticated(ws)
    finally:
        await ws.close()


async def test_a_new_operation_on_a_socket_whose_token_was_revoked_is_refused(
    registry: Registry,
) -> None:
    """Rights are asked again for every operation sent over an open websocket."""
    registry.cli("member", "add", "demo", "bob", "GUEST")
    token = cli_token(registry.tmp_path, user="bob", scope="read_api")
    ws = await connect(
        registry.base.replace("http://", "ws://") + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers={"Authorization": f"Bearer {token}"},
    )
    try:
        await ws.send(json.dumps({"type": "connection_init"}))
        assert (await _receive(ws))["type"] == "connection_ack"
        registry.cli("token", "revoke", _token_id(registry, "bob"))
        query = '{ project(path: "demo") { name } }'
        await ws.send(json.dumps({"id": "q", "type": "subscribe", "payload": {"query": query}}))
        await _closed_unauthenticated(ws, within=5)
    finally:
        await ws.close()


async def test_signing_out_closes_the_sessions_websocket(registry: Registry) -> None:
    registry.cli("member", "add", "demo", "bob", "GUEST")
    with httpx.Client(base_url=registry.base) as browser:
        signed_in = registry.gql(
            "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) "
            "{ errors { message } } }",
            client=browser,
            u="bob",
            p=PASSWORD,
        )
        assert signed_in["login"]["errors"] == []
        cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        ws = await _subscribe(registry, {"Cookie": cookies})
        try:
            await _delivers(ws, registry)
            async with httpx.AsyncClient(
                base_url=registry.base, cookies=browser.cookies
            ) as same_browser:
                out = await same_browser.post(
                    "/graphql",
                    json={"query": "mutation { logout { errors { message } } }"},
                    headers={"X-CSRF-Token": browser.cookies["modelreg_csrf"]},
                )
            assert out.json()["data"]["logout"]["errors"] == [], out.text
            # No event needed: the idle check notices within a few seconds.
            await _closed_unauthenticated(ws)
        finally:
            await ws.close()
