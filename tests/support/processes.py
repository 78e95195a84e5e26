"""Helpers for tests that drive real server processes: GraphQL over HTTP with a token, and a
`modelEvents` subscription over a WebSocket (graphql-transport-ws)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

MODEL_EVENTS = """subscription($p: String!, $m: String!) {
  modelEvents(projectPath: $p, modelName: $m) { id type version { version } } }"""
CREATE_PROJECT = """mutation($p: String!) {
  createProject(input: {path: $p}) { project { id } errors { message } } }"""
CREATE_MODEL = """mutation($p: ID!, $n: String!) {
  createModel(input: {projectId: $p, name: $n}) { model { id } errors { message } } }"""
CREATE_VERSION = """mutation($m: ID!, $v: String!) {
  createVersion(input: {modelId: $m, version: $v}) {
    modelVersion { id number } errors { message } } }"""


async def mutate(
    base: str, token: str, query: str, *, client: httpx.AsyncClient | None = None, **variables: Any
) -> dict[str, Any]:
    """One mutation whose payload must have no errors; returns the payload. Without `client`,
    a new connection (so a multi-process server may hand it to any of its processes)."""
    headers = {"Authorization": f"Bearer {token}"}
    body = {"query": query, "variables": variables}
    if client is None:
        async with httpx.AsyncClient(timeout=30) as fresh:
            response = await fresh.post(f"{base}/graphql", json=body, headers=headers)
    else:
        response = await client.post(f"{base}/graphql", json=body, headers=headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert "errors" not in data, data
    [payload] = data["data"].values()
    assert payload["errors"] == [], payload
    result: dict[str, Any] = payload
    return result


async def model(base: str, token: str, project: str = "proc", name: str = "churn") -> str:
    """Creates project `project` with model `name`; returns the model's id."""
    made = await mutate(base, token, CREATE_PROJECT, p=project)
    created = await mutate(base, token, CREATE_MODEL, p=made["project"]["id"], n=name)
    return str(created["model"]["id"])


async def subscribe(
    base: str, token: str, project: str = "proc", name: str = "churn"
) -> ClientConnection:
    """A `modelEvents` subscription, acknowledged and sent (it may not yet follow)."""
    ws = await connect(
        base.replace("http://", "ws://") + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers={"Authorization": f"Bearer {token}"},
    )
    await ws.send(json.dumps({"type": "connection_init"}))
    ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert ack["type"] == "connection_ack", ack
    variables = {"p": project, "m": name}
    message = {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": MODEL_EVENTS, "variables": variables},
    }
    await ws.send(json.dumps(message))
    return ws


async def next_event(ws: ClientConnection, within: float) -> dict[str, Any]:
    """The next event the subscription delivers (failing on anything else)."""
    message = json.loads(await asyncio.wait_for(ws.recv(), within))
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    (event,) = message["payload"]["data"].values()
    result: dict[str, Any] = event
    return result
