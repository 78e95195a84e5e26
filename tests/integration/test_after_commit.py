"""Work after commit: one mechanism (`db/after_commit.py`) with one failure policy, whichever
interface made the change; and the one translation of a lost write race (`Database.begin`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from modelreg.db import Database
from modelreg.db.after_commit import after_commit
from modelreg.db.models import Blob, Project
from modelreg.errors import ConcurrentChange
from modelreg.services import blobs
from modelreg.services.transactions import write
from tests.support.graphql import GraphQLClient
from tests.support.registry import ERRORS, create_model, create_project, create_version

MLFLOW = "/projects/demo/mlflow/api/2.0/mlflow"
FILES = "/api/v1/projects/demo/models/churn/versions"

DELETE_VERSION = f"""
mutation($input: DeleteVersionInput!) {{ deleteVersion(input: $input) {{ deletedId {ERRORS} }} }}"""


async def _blob_count(db: Database) -> int:
    async with db.read() as session:
        return int((await session.exec(select(sa.func.count()).select_from(Blob))).one())


# --- the mechanism ------------------------------------------------------------------------------


async def test_callbacks_run_after_commit_once_per_key_in_order(db: Database) -> None:
    # given
    ran: list[str] = []
    seen_committed: list[int] = []

    async def count_projects(db: Database) -> None:
        async with db.read() as session:
            found = (await session.exec(select(sa.func.count()).select_from(Project))).one()
        seen_committed.append(int(found))

    # when
    async with db.begin() as session:
        before = int((await session.exec(select(sa.func.count()).select_from(Project))).one())
        session.add(Project(path="p1", name="p1", created_by="t"))
        after_commit(session, "a", lambda db: ran.append("a"))
        after_commit(session, "b", count_projects)
        after_commit(session, "a", lambda db: ran.append("a-again"))
        assert ran == []  # nothing runs before the commit

    # then
    assert ran == ["a"]
    assert seen_committed == [before + 1]  # it ran after the row was committed


async def test_a_rolled_back_transaction_runs_nothing(db: Database) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError):
        async with db.begin() as session:
            after_commit(session, "a", lambda db: ran.append("a"))
            raise RuntimeError("the change fails")
    async with db.begin() as session:
        pass  # a later transaction on a fresh session does not inherit it
    assert ran == []


async def test_a_failing_callback_is_logged_and_the_rest_still_run(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def fail(db: Database) -> None:
        raise OSError("storage unreachable")

    with caplog.at_level(logging.WARNING, logger="modelreg.db"):
        async with db.begin() as session:
            after_commit(session, "first", fail)
            after_commit(session, "second", lambda db: ran.append("second"))

    assert ran == ["second"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "first" in warnings[0].getMessage()


async def test_callbacks_may_open_their_own_write_transaction(db: Database) -> None:
    """They run outside SQLite's writer queue: a callback that writes must not wait on itself."""

    async def write_more(db: Database) -> None:
        async with db.begin() as session:
            session.add(Project(path="p2", name="p2", created_by="t"))

    async def change() -> None:
        async with db.begin() as session:
            session.add(Project(path="p1", name="p1", created_by="t"))
            after_commit(session, "write-more", write_more)

    await asyncio.wait_for(change(), timeout=10)
    async with db.read() as session:
        paths = set((await session.exec(select(Project.path))).all())
    assert {"p1", "p2"} <= paths


async def test_a_unique_key_race_is_a_conflict_logged_in_one_line(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    async with db.begin() as session:
        session.add(Project(path="taken", name="secret-name-1", created_by="t"))
    with (
        caplog.at_level(logging.INFO, logger="modelreg.db"),
        pytest.raises(ConcurrentChange) as err,
    ):
        async with db.begin() as session:
            session.add(Project(path="taken", name="secret-name-2", created_by="t"))
    assert err.value.code.value == "CONFLICT"
    assert "reload and try again" in err.value.message
    lines = [r for r in caplog.records if r.name == "modelreg.db"]
    assert len(lines) == 1 and lines[0].levelno == logging.INFO
    assert lines[0].exc_info is None
    assert "secret-name-2" not in lines[0].getMessage()  # no statement parameters


async def test_write_runs_a_change_that_lost_a_race_once_more(db: Database) -> None:
    attempts: list[int] = []

    async def action(session: Any) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConcurrentChange()
        return "done"

    assert await write(db, action) == "done"
    assert len(attempts) == 2

    async def always(session: Any) -> str:
        raise ConcurrentChange()

    with pytest.raises(ConcurrentChange):
        await write(db, always)


# --- every interface uses it --------------------------------------------------------------------


@pytest.fixture
async def version(gql: GraphQLClient, http: httpx.AsyncClient) -> str:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    created = await create_version(gql, model["id"], "1.0.0")
    put = await http.put(f"{FILES}/1.0.0/files/weights.bin", content=b"w" * 1000)
    assert put.status_code == 201, put.text
    return str(created["id"])


async def test_every_interface_wakes_subscribers_when_it_commits(
    db: Database, http: httpx.AsyncClient, gql: GraphQLClient, version: str
) -> None:
    writes = {
        "graphql": lambda: gql.execute(
            'mutation { createProject(input: {path: "other", name: "Other"}) { project { id } } }'
        ),
        "mlflow registry": lambda: http.post(
            f"{MLFLOW}/registered-models/create", json={"name": "fraud"}
        ),
        "mlflow tracking": lambda: http.post(
            f"{MLFLOW}/experiments/create", json={"name": "exp-1"}
        ),
        "file routes": lambda: http.put(f"{FILES}/1.0.0/files/more.txt", content=b"more"),
    }
    for interface, make_write in writes.items():
        waiter = db.notifier.waiter()
        await make_write()
        assert waiter.is_set(), f"a write through {interface} did not wake subscribers"


async def test_a_failed_collection_after_commit_never_fails_the_request(
    db: Database,
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    version: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: collecting unreferenced contents fails, whoever asks for it
    async def broken(**_: Any) -> int:
        raise OSError("storage unreachable")

    monkeypatch.setattr(blobs, "collect_garbage", broken)
    second = await http.put(f"{FILES}/1.0.0/files/other.bin", content=b"o" * 10)
    assert second.status_code == 201

    with caplog.at_level(logging.WARNING, logger="modelreg.db"):
        # when: the file routes delete a file
        deleted = await http.delete(f"{FILES}/1.0.0/files/other.bin")
        # then: the deletion stands and is answered as one
        assert deleted.status_code == 204, deleted.text

        # and the MLflow registry deletes a version
        await http.post(f"{MLFLOW}/registered-models/create", json={"name": "fraud"})
        created = await http.post(f"{MLFLOW}/model-versions/create", json={"name": "fraud"})
        assert created.status_code == 200, created.text
        gone = await http.request(
            "DELETE", f"{MLFLOW}/model-versions/delete", json={"name": "fraud", "version": "1"}
        )
        assert gone.status_code == 200, gone.text

        # and GraphQL deletes a version
        result = await gql.execute(DELETE_VERSION, {"input": {"id": version}})
        assert result["deleteVersion"]["errors"] == []
        assert result["deleteVersion"]["deletedId"] == version

    failures = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(failures) == 3
    assert all("collect-garbage" in r.getMessage() for r in failures)


async def test_deletes_through_every_interface_collect_what_they_free(
    db: Database, http: httpx.AsyncClient, gql: GraphQLClient, version: str
) -> None:
    # the file routes
    await http.put(f"{FILES}/1.0.0/files/a.bin", content=b"a" * 10)
    before = await _blob_count(db)
    assert (await http.delete(f"{FILES}/1.0.0/files/a.bin")).status_code == 204
    assert await _blob_count(db) == before - 1

    # the MLflow artifact proxy
    proxy = "/projects/demo/mlflow/api/2.0/mlflow-artifacts/artifacts/run/model.pkl"
    assert (await http.put(proxy, content=b"pickled")).status_code == 200
    assert await _blob_count(db) == before
    assert (await http.delete(proxy)).status_code == 200
    assert await _blob_count(db) == before - 1

    # GraphQL
    result = await gql.execute(DELETE_VERSION, {"input": {"id": version}})
    assert result["deleteVersion"]["errors"] == []
    assert await _blob_count(db) == before - 2
