"""Live events over `graphql-transport-ws` against a real server process."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from modelreg.db import Database
from modelreg.db.models import Event
from modelreg.events import EventFollower, EventNotifier
from tests.support.server import cli_token, running_server
from tests.support.subscriptions import until_following

# Tag values for `_touch`: every touch is a change.
_TOUCHES = itertools.count()
# The admin's token for each running server, by base URL.
_HEADERS: dict[str, dict[str, str]] = {}

MODEL_EVENTS = """
subscription($p: String!, $m: String!) {
  modelEvents(projectPath: $p, modelName: $m) { id type payload version { version } }
}
"""

TRANSITION = """
mutation($v: ID!) {
  transitionStage(input: {versionId: $v, stage: STAGING}) { errors { message } }
}
"""

TOUCH = """
mutation($v: ID!, $x: String!) {
  setVersionTags(input: {id: $v, tags: [{key: "touched", value: $x}]}) { errors { message } }
}
"""

NEWEST_EVENT = '{ project(path: "demo") { model(name: "churn") { activity(first: 1) '
NEWEST_EVENT += "{ edges { node { id } } } } } }"


def _post(client: httpx.Client, query: str, **variables: str) -> dict[str, Any]:
    body: dict[str, Any] = client.post(
        "/graphql", json={"query": query, "variables": variables}
    ).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _create(client: httpx.Client, project: str, model: str) -> str:
    """A model with version 1.0.0; returns the version's id."""
    project_id = _post(
        client,
        "mutation($p: String!) { createProject(input: {path: $p}) { project { id } } }",
        p=project,
    )["createProject"]["project"]["id"]
    model_id = _post(
        client,
        "mutation($p: ID!, $n: String!) { createModel(input: {projectId: $p, name: $n}) "
        "{ model { id } } }",
        p=project_id,
        n=model,
    )["createModel"]["model"]["id"]
    version_id: str = _post(
        client,
        'mutation($m: ID!) { createVersion(input: {modelId: $m, version: "1.0.0"}) '
        "{ modelVersion { id } } }",
        m=model_id,
    )["createVersion"]["modelVersion"]["id"]
    return version_id


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    with running_server(tmp_path) as base:
        _HEADERS[base] = {"Authorization": f"Bearer {cli_token(tmp_path)}"}
        client = httpx.Client(base_url=base, headers=_HEADERS[base])
        versions = {
            "churn": _create(client, "demo", "churn"),
        }
        model_id = _post(
            client,
            '{ project(path: "demo") { id } }',
        )["project"]["id"]
        other_model = _post(
            client,
            'mutation($p: ID!) { createModel(input: {projectId: $p, name: "fraud"}) '
            "{ model { id } } }",
            p=model_id,
        )["createModel"]["model"]["id"]
        versions["fraud"] = _post(
            client,
            'mutation($m: ID!) { createVersion(input: {modelId: $m, version: "1.0.0"}) '
            "{ modelVersion { id } } }",
            m=other_model,
        )["createVersion"]["modelVersion"]["id"]
        try:
            yield base, versions
        finally:
            client.close()
            _HEADERS.pop(base, None)


async def _receive(ws: ClientConnection, within: float = 5) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), within))
    return message


async def _subscribe(
    base: str, query: str, *, anonymous: bool = False, **variables: str
) -> ClientConnection:
    ws = await connect(
        base.replace("http://", "ws://") + "/graphql",
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers={} if anonymous else _HEADERS[base],
    )
    await ws.send(json.dumps({"type": "connection_init"}))
    assert (await _receive(ws))["type"] == "connection_ack"
    await ws.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": query, "variables": variables},
            }
        )
    )
    return ws


async def _transition(base: str, version_id: str) -> None:
    async with httpx.AsyncClient(base_url=base, headers=_HEADERS[base]) as client:
        response = await client.post(
            "/graphql", json={"query": TRANSITION, "variables": {"v": version_id}}
        )
    assert response.json()["data"]["transitionStage"]["errors"] == []


async def _touch(base: str, version_id: str) -> str:
    """A change of churn (a tag set on a version); returns the id of the newest event."""
    async with httpx.AsyncClient(base_url=base, headers=_HEADERS[base]) as client:
        touched = await client.post(
            "/graphql",
            json={"query": TOUCH, "variables": {"v": version_id, "x": str(next(_TOUCHES))}},
        )
        assert touched.json()["data"]["setVersionTags"]["errors"] == []
        newest = (await client.post("/graphql", json={"query": NEWEST_EVENT})).json()
    event_id: str = newest["data"]["project"]["model"]["activity"]["edges"][0]["node"]["id"]
    return event_id


async def test_stage_change_reaches_model_subscriber(
    server: tuple[str, dict[str, str]],
) -> None:
    base, versions = server
    ws = await _subscribe(base, MODEL_EVENTS, p="demo", m="churn")
    try:
        await until_following(ws, lambda: _touch(base, versions["churn"]))
        await _transition(base, versions["churn"])
        message = await _receive(ws)
        assert message["type"] == "next", message
        assert message["id"] == "1"
        event = message["payload"]["data"]["modelEvents"]
        assert event["type"] == "version.stage_changed"
        assert event["version"] == {"version": "1.0.0"}
    finally:
        await ws.close()


async def test_events_of_another_model_are_not_delivered(
    server: tuple[str, dict[str, str]],
) -> None:
    base, versions = server
    ws = await _subscribe(base, MODEL_EVENTS, p="demo", m="churn")
    try:
        await until_following(ws, lambda: _touch(base, versions["churn"]))
        await _transition(base, versions["fraud"])
        with pytest.raises(TimeoutError):
            await _receive(ws, within=1.5)
        # The subscription is alive: its own model's change still arrives, and only that.
        await _transition(base, versions["churn"])
        event = (await _receive(ws))["payload"]["data"]["modelEvents"]
        assert event["type"] == "version.stage_changed"
        assert event["version"] == {"version": "1.0.0"}
    finally:
        await ws.close()


async def test_project_subscription_sees_every_model_in_order(
    server: tuple[str, dict[str, str]],
) -> None:
    base, versions = server
    ws = await _subscribe(
        base,
        'subscription { projectEvents(projectPath: "demo") { id type model { name } } }',
    )
    try:
        await until_following(ws, lambda: _touch(base, versions["churn"]))
        await _transition(base, versions["fraud"])
        await _transition(base, versions["churn"])
        names = [
            (await _receive(ws))["payload"]["data"]["projectEvents"]["model"]["name"]
            for _ in range(2)
        ]
        assert names == ["fraud", "churn"]
    finally:
        await ws.close()


async def test_resuming_after_an_event_replays_what_followed(
    server: tuple[str, dict[str, str]],
) -> None:
    base, versions = server
    async with httpx.AsyncClient(base_url=base, headers=_HEADERS[base]) as client:
        body = (
            await client.post(
                "/graphql",
                json={
                    "query": '{ project(path: "demo") { model(name: "churn") '
                    "{ activity(first: 1) { edges { node { id } } } } } }"
                },
            )
        ).json()
    last = body["data"]["project"]["model"]["activity"]["edges"][0]["node"]["id"]
    await _transition(base, versions["churn"])
    ws = await _subscribe(
        base,
        "subscription($p: String!, $m: String!, $a: ID) "
        "{ modelEvents(projectPath: $p, modelName: $m, after: $a) { id type } }",
        p="demo",
        m="churn",
        a=last,
    )
    try:
        event = (await _receive(ws))["payload"]["data"]["modelEvents"]
        assert event["type"] == "version.stage_changed"
        assert event["id"] != last
    finally:
        await ws.close()


@pytest.mark.parametrize(
    ("model", "project"), [("nope", "demo"), ("churn", "nowhere")], ids=["model", "project"]
)
async def test_unknown_model_or_project_is_not_found(
    server: tuple[str, dict[str, str]], model: str, project: str
) -> None:
    base, _ = server
    ws = await _subscribe(base, MODEL_EVENTS, p=project, m=model)
    try:
        message = await _receive(ws)
        assert message["id"] == "1"
        errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
        assert errors[0]["extensions"]["code"] == "NOT_FOUND", message
        assert (model if model == "nope" else project) in errors[0]["message"]
    finally:
        await ws.close()


async def test_an_outsider_cannot_follow_a_private_project(
    server: tuple[str, dict[str, str]],
) -> None:
    """The same NOT_FOUND as for a project that does not exist: nothing leaks."""
    base, _ = server
    ws = await _subscribe(base, MODEL_EVENTS, anonymous=True, p="demo", m="churn")
    try:
        message = await _receive(ws)
        errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
        assert errors[0]["extensions"]["code"] == "NOT_FOUND", message
        assert errors[0]["message"] == "No project has the path 'demo'."
    finally:
        await ws.close()


async def _add(db: Database, *events: Event) -> None:
    async with db.begin() as session:
        session.add_all(events)


def _event(pk: int, model_id: int, project_id: int = 1) -> Event:
    return Event(id=pk, type="x", actor="a", project_id=project_id, model_id=model_id)


async def test_follower_delivers_a_late_commit_with_a_lower_id(db: Database) -> None:
    """Transaction A takes id 2, B takes id 3 and commits first: 2 must still be delivered."""
    now = [0.0]
    follower = EventFollower(
        db, None, project_id=1, model_id=7, after=1, settle_seconds=10, clock=lambda: now[0]
    )
    await _add(db, _event(1, 7), _event(3, 7), _event(4, 8), _event(5, 7, project_id=2))
    assert [e.id for e in await follower.poll()] == [3]
    await _add(db, _event(2, 7))
    now[0] = 5
    assert [e.id for e in await follower.poll()] == [2]
    assert await follower.poll() == []
    now[0] = 30  # settled: the window moves past them, nothing is delivered twice
    assert await follower.poll() == []
    await _add(db, _event(6, 7))
    assert [e.id for e in await follower.poll()] == [6]


async def test_notifier_wakes_a_waiting_follower_at_once(db: Database) -> None:
    notifier = EventNotifier()
    follower = EventFollower(db, notifier, project_id=1, model_id=None, after=0, poll_seconds=30)
    waiter = notifier.waiter()
    waiting = asyncio.create_task(follower.wait(waiter))
    await asyncio.sleep(0)
    notifier.notify()
    await asyncio.wait_for(waiting, 1)


async def test_follower_guard_runs_before_delivering_and_when_idle(db: Database) -> None:
    """The guard sees every batch before it is delivered, and runs when due while idle."""
    now = [0.0]
    checks: list[float] = []
    allowed = [True]

    async def guard(session: object) -> None:
        checks.append(now[0])
        if not allowed[0]:
            raise PermissionError("no longer")

    follower = EventFollower(
        db, None, project_id=1, model_id=None, after=0, clock=lambda: now[0],
        guard=guard, guard_seconds=5,
    )  # fmt: skip
    assert await follower.poll() == [] and checks == []  # idle, not yet due
    await _add(db, _event(1, 7))
    assert [e.id for e in await follower.poll()] == [1] and checks == [0.0]
    now[0] = 4
    assert await follower.poll() == [] and checks == [0.0]
    now[0] = 5.5  # due while idle
    assert await follower.poll() == [] and checks == [0.0, 5.5]
    allowed[0] = False
    await _add(db, _event(2, 7))
    with pytest.raises(PermissionError):
        await follower.poll()  # the batch read is withheld
