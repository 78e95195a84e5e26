"""Webhook delivery across real server processes: nothing is lost when a server is killed with
SIGKILL between the commit and the delivery (while the receiver is down), and on PostgreSQL two
server processes on one database deliver each event exactly once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from modelreg.db import Database
from modelreg.db.models import Project
from tests.support.server import clean_env, cli_token, free_port, running_server
from tests.support.webhook_receiver import WebhookReceiver, webhook_receiver
from tests.support.webhooks import add_webhook, deliveries

# Many small claims (2 slots per process) over a long backlog: the two workers' claims overlap
# often, which is where a delivery would go out twice without row locks.
BACKLOG = 150

CREATE_PROJECT = """mutation($path: String!) {
  createProject(input: {path: $path}) { project { id } errors { message } } }"""
CREATE_MODEL = """mutation($projectId: ID!) {
  createModel(input: {projectId: $projectId, name: "churn"}) {
    model { id } errors { message } } }"""
CREATE_VERSION = """mutation($modelId: ID!, $version: String!) {
  createVersion(input: {modelId: $modelId, version: $version}) {
    modelVersion { id } errors { message } } }"""


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        "MODELREG_DATABASE_URL": database_url,
        "MODELREG_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
        "MODELREG_WEBHOOK_TIMEOUT_SECONDS": "1",
        **extra,
    }


@contextmanager
def killable_server(
    tmp_path: Path, env: dict[str, str]
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`modelreg serve` whose process the test may kill; yields (base URL, process)."""
    port = free_port()
    settings = {
        "MODELREG_DATA_DIR": str(tmp_path / "data"),
        "MODELREG_LOG_LEVEL": "warning",
        "MODELREG_UI_DIR": str(tmp_path / "no-ui"),
        **env,
    }
    log = (tmp_path / f"server-{port}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "modelreg", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=clean_env(**settings),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=30)
        log.close()


def gql(base: str, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    [payload] = body["data"].values()
    assert payload["errors"] == [], payload
    result: dict[str, Any] = payload
    return result


def project_and_model(base: str, token: str) -> str:
    """Creates project `hooks` with model `churn`; returns the model's id."""
    project = gql(base, token, CREATE_PROJECT, path="hooks")["project"]
    return str(gql(base, token, CREATE_MODEL, projectId=project["id"])["model"]["id"])


async def project_id(db: Database) -> int:
    async with db.read() as session:
        found = (await session.exec(sa.select(Project.id).where(Project.path == "hooks"))).one()  # type: ignore[call-overload]
    return int(found[0])


def wait_delivered(receiver: WebhookReceiver, wanted: set[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not wanted <= set(receiver.delivered_ids()):
        missing = wanted - set(receiver.delivered_ids())
        assert time.monotonic() < deadline, f"{len(missing)} of {len(wanted)} never arrived"
        time.sleep(0.1)


async def test_nothing_is_lost_when_the_server_is_killed_while_the_receiver_is_down(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    env = server_env(database_url)
    receiver = WebhookReceiver()  # not started: the receiver is down
    with running_server(tmp_path, output=None, **env):
        pass  # the first start creates the admin
    token = cli_token(tmp_path, **env)
    with killable_server(tmp_path, env) as (base, process):
        model_id = project_and_model(base, token)
        await add_webhook(db, await project_id(db), receiver.url, events=["version.created"])
        for n in range(5):
            gql(base, token, CREATE_VERSION, modelId=model_id, version=f"1.{n}.0")
        # Every version's commit was acknowledged; now the server dies without a chance to
        # finish anything (some deliveries may be claimed or mid-attempt).
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    wanted = {d.message_id for d in await deliveries(db)}
    assert len(wanted) == 5
    receiver.start()
    try:
        with running_server(tmp_path, output=None, **env):
            wait_delivered(receiver, wanted)
    finally:
        receiver.stop()
    rows = await deliveries(db)
    assert {r.status for r in rows} == {"DELIVERED"}
    bodies = {r.message_id: r.json() for r in receiver.requests if r.status == 200}
    assert sorted(b["version"]["semver"] for b in bodies.values()) == [f"1.{n}.0" for n in range(5)]


async def test_two_server_processes_deliver_each_event_exactly_once(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    if db.is_sqlite:
        pytest.skip("several server processes share a PostgreSQL database, not a SQLite file")
    env = server_env(database_url, MODELREG_WEBHOOK_CONCURRENCY="2")
    with webhook_receiver() as receiver:
        # A backlog both workers race for, written while no worker runs ...
        with running_server(
            tmp_path, output=None, **{**env, "MODELREG_WEBHOOKS_ENABLED": "false"}
        ) as base:
            token = cli_token(tmp_path, **env)
            model_id = project_and_model(base, token)
            await add_webhook(db, await project_id(db), receiver.url, events=["version.*"])
            for n in range(BACKLOG):
                gql(base, token, CREATE_VERSION, modelId=model_id, version=f"1.{n}.0")
        # ... then two processes with workers, and more events through both while they run.
        with (
            running_server(tmp_path, output=None, **env) as first,
            running_server(tmp_path, output=None, **env) as second,
        ):
            for n in range(20):
                through = first if n % 2 else second
                gql(through, token, CREATE_VERSION, modelId=model_id, version=f"2.{n}.0")
            wanted = {d.message_id for d in await deliveries(db)}
            assert len(wanted) == BACKLOG + 20
            wait_delivered(receiver, wanted)
            await asyncio.sleep(2.5)  # more than a poll interval: a duplicate would be here
    got = [r.message_id for r in receiver.requests]
    assert len(got) == BACKLOG + 20 and set(got) == wanted
    rows = await deliveries(db)
    assert {(r.status, r.attempts) for r in rows} == {("DELIVERED", 1)}
