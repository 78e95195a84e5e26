"""Export/import tests: a second (target) instance, a registry with a bit of everything, the
GraphQL answers compared across instances, and export/import through the services."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from modelreg.app import create_app
from modelreg.db import Database
from modelreg.db.migrate import upgrade
from modelreg.db.models import metadata
from modelreg.services.transfer.apply import ImportResult, import_archive
from modelreg.services.transfer.archive import ArchiveReader
from modelreg.services.transfer.export import Selection, export_stream
from modelreg.settings import Settings
from modelreg.storage import create_storage
from tests.support.accounts import Accounts
from tests.support.graphql import GraphQLClient
from tests.support.postgres import PostgresServer
from tests.support.registry import create_model, create_project, create_version

MLFLOW = "/projects/demo/mlflow/api/2.0/mlflow"
TARGET_DATABASE = "modelreg_transfer_target"


@dataclass
class Instance:
    db: Database
    settings: Settings
    http: httpx.AsyncClient
    gql: GraphQLClient


@asynccontextmanager
async def instance(db: Database, data_dir: Path) -> AsyncIterator[Instance]:
    """An application on `db` with its own file store, and an admin client of it."""
    settings = Settings(data_dir=data_dir)
    accounts = Accounts(db)
    headers = await accounts.headers("admin", admin=True)
    transport = httpx.ASGITransport(app=create_app(settings, db=db), raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://modelreg.test", headers=headers
    ) as client:
        yield Instance(db, settings, client, GraphQLClient(client, accounts=accounts))


_pg_target_ready = False


def target_database_url(request: pytest.FixtureRequest, db_kind: str, tmp_path: Path) -> str:
    """A second migrated, empty database of the test's engine. Synchronous (a fixture's body
    before any event loop runs): the template and the migration run their own loops."""
    global _pg_target_ready
    if db_kind == "sqlite":
        path = tmp_path / "target.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    pg: PostgresServer = request.getfixturevalue("postgres")
    url = pg.url(TARGET_DATABASE)
    if not _pg_target_ready:
        # In a thread of its own: asyncio.run here would unset the test runner's event loop.
        def make() -> None:
            asyncio.run(pg.create_database(TARGET_DATABASE))
            upgrade(url)

        with ThreadPoolExecutor(1) as pool:
            pool.submit(make).result()
        _pg_target_ready = True
    return url


async def truncate(db: Database) -> None:
    if db.is_sqlite:
        return
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    async with db.begin() as session:
        await session.exec(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))  # type: ignore[call-overload]


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def gql_ok(gql: GraphQLClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    data = await gql.execute(query, variables)
    (payload,) = data.values()
    assert not payload.get("errors"), payload
    result: dict[str, Any] = payload
    return result


async def populate(source: Instance, *, big_file: bytes = b"weights" * 100) -> None:
    """Project `demo`: models `churn` (three versions, one from an MLflow run with params and
    metrics, files, tags, aliases moved, stages, requests, comments) and `fraud`."""
    gql, http = source.gql, source.http
    project = await create_project(gql, "demo", name="Demo", description="*all of it*")
    churn = await create_model(gql, project["id"], "churn", description="churn model")
    await create_model(gql, project["id"], "fraud")
    await gql_ok(
        gql,
        "mutation($i: SetModelTagsInput!) { setModelTags(input: $i) { errors { code } } }",
        {"i": {"id": churn["id"], "tags": [{"key": "team", "value": "growth"}]}},
    )
    first = await create_version(gql, churn["id"], "1.0.0", description="first")
    experiment = _ok(await http.post(f"{MLFLOW}/experiments/create", json={"name": "train"}))
    run = _ok(
        await http.post(
            f"{MLFLOW}/runs/create",
            json={
                "experiment_id": experiment["experiment_id"],
                "run_name": "r1",
                "start_time": 1_700_000_000_000,
            },
        )
    )["run"]["info"]["run_id"]
    for step, value in enumerate((0.5, 0.75, 0.9)):
        _ok(
            await http.post(
                f"{MLFLOW}/runs/log-metric",
                json={"run_id": run, "key": "acc", "value": value, "timestamp": 5, "step": step},
            )
        )
    _ok(
        await http.post(
            f"{MLFLOW}/runs/log-parameter", json={"run_id": run, "key": "lr", "value": "0.1"}
        )
    )
    _ok(
        await http.post(
            f"{MLFLOW}/model-versions/create",
            json={"name": "churn", "source": f"runs:/{run}/model", "run_id": run},
        )
    )
    second_ver = (await gql.execute(VERSION_ID, {"v": "1.0.1"}))["project"]["model"]["version"]
    base = "/api/v1/projects/demo/models/churn/versions"
    assert (await http.put(f"{base}/1.0.0/files/model.bin", content=big_file)).status_code == 201
    assert (await http.put(f"{base}/1.0.1/files/model.bin", content=big_file)).status_code == 201
    assert (await http.put(f"{base}/1.0.1/files/conf/p.json", content=b"{}")).status_code == 201
    third = await create_version(gql, churn["id"], "2.0.0-rc.1")
    await gql_ok(
        gql,
        "mutation($i: SetVersionTagsInput!) { setVersionTags(input: $i) { errors { code } } }",
        {"i": {"id": first["id"], "tags": [{"key": "modelreg.commit", "value": "abc123"}]}},
    )
    for version_id, alias in ((first["id"], "champion"), (second_ver["id"], "champion")):
        await gql_ok(
            gql,
            "mutation($i: SetAliasInput!) { setAlias(input: $i) { errors { code } } }",
            {"i": {"versionId": version_id, "alias": alias}},
        )
    await gql_ok(
        gql,
        "mutation($i: TransitionStageInput!) { transitionStage(input: $i) { errors { code } } }",
        {"i": {"versionId": first["id"], "stage": "PRODUCTION", "comment": "go"}},
    )
    request = await gql_ok(
        gql,
        "mutation($i: RequestTransitionInput!) { requestTransition(input: $i) {"
        " transitionRequest { id } errors { code } } }",
        {"i": {"versionId": second_ver["id"], "stage": "STAGING", "comment": "please"}},
    )
    await gql_ok(
        gql,
        "mutation($i: ApproveTransitionRequestInput!) { approveTransitionRequest(input: $i) {"
        " errors { code } } }",
        {"i": {"id": request["transitionRequest"]["id"], "comment": "ok"}},
    )
    await gql_ok(
        gql,
        "mutation($i: RequestTransitionInput!) { requestTransition(input: $i) {"
        " errors { code } } }",
        {"i": {"versionId": third["id"], "stage": "PRODUCTION"}},
    )
    alice = gql.as_actor("alice")
    await gql_ok(
        alice,
        "mutation($i: AddCommentInput!) { addComment(input: $i) { errors { code } } }",
        {"i": {"versionId": first["id"], "body": "looks **good**"}},
    )


VERSION_ID = """query($v: String!) { project(path: "demo") { model(name: "churn") {
  version(version: $v) { id } } } }"""

EVENTS = "activity(first: 100) { edges { node { type actor createdAt payload "
EVENTS += "model { name } version { version } } } }"
VERSION = f"""version number isPrerelease description stage createdBy createdAt updatedAt
  source runId tags {{ key value }} aliases
  transitionRequests {{ targetStage requester comment status resolver resolutionComment
    archiveExisting createdAt resolvedAt }}
  comments {{ author body edited createdAt updatedAt }}
  files {{ path size sha256 contentType createdBy createdAt }}
  run {{ runId name status user startTime endTime params {{ key value }} tags {{ key value }}
    metrics {{ key value step timestamp }} metricHistory(key: "acc") {{ value step timestamp }}
    experiment {{ name createdBy createdAt }} }}
  {EVENTS}"""
SNAPSHOT = f"""query {{ project(path: "demo") {{
  path name description visibility semverGuard createdBy createdAt updatedAt
  experiments(first: 50) {{ edges {{ node {{ name createdBy createdAt runCount }} }} }}
  models(first: 50) {{ edges {{ node {{
    name description createdBy createdAt updatedAt versionCount tags {{ key value }}
    aliases {{ alias updatedAt version {{ version }} }}
    latestVersion {{ version }}
    {EVENTS}
    versions(first: 50) {{ edges {{ node {{ {VERSION} }} }} }}
  }} }} }}
}} }}"""


def _strip(value: Any) -> Any:
    """Drop what is instance-specific: event ids inside payloads, the import's own event."""
    if isinstance(value, dict):
        return {
            k: _strip(v)
            for k, v in value.items()
            if not (k.endswith("_id") or (k.endswith("Id") and k != "runId") or k == "id")
        }
    if isinstance(value, list):
        return [
            _strip(v)
            for v in value
            if not (isinstance(v, dict) and v.get("node", {}).get("type") == "project.imported")
        ]
    return value


async def snapshot(gql: GraphQLClient) -> dict[str, Any]:
    return _strip(await gql.execute(SNAPSHOT))  # type: ignore[no-any-return]


async def export_to(source: Instance, path: Path, **selection: Any) -> Path:
    storage = create_storage(source.settings)
    try:
        with path.open("wb") as out:
            stream = export_stream(
                db=source.db,
                storage=storage,
                selection=Selection(projects=("demo",), **selection),
            )
            async with aclosing(stream) as pieces:
                async for piece in pieces:
                    out.write(piece)
    finally:
        await storage.close()
    return path


async def import_from(
    target: Instance,
    path: Path,
    *,
    into: str | None = None,
    dry_run: bool = False,
    on_record: Callable[[int], None] | None = None,
) -> ImportResult:
    reader = ArchiveReader(path)
    storage = create_storage(target.settings)
    try:
        return await import_archive(
            target.db, storage, reader, into=into, dry_run=dry_run, on_record=on_record
        )
    finally:
        reader.close()
        await storage.close()


async def rows(db: Database, table: str) -> int:
    async with db.read() as session:
        found = await session.exec(sa.select(sa.func.count()).select_from(metadata.tables[table]))  # type: ignore[call-overload]
        return int(found.scalar_one())


@asynccontextmanager
async def instances(
    db: Database, target_url: str, tmp_path: Path
) -> AsyncIterator[tuple[Instance, Instance]]:
    """The source instance on the test's `db` and a target on `target_url`
    (`target_database_url`), each with its own file store. Entered in the test itself, not in
    an async fixture: anyio may run those in another event loop, and asyncpg's connections
    belong to the loop that made them."""
    database = Database(target_url)
    try:
        async with (
            instance(db, tmp_path / "source") as source,
            instance(database, tmp_path / "target") as target,
        ):
            yield source, target
    finally:
        await truncate(database)
        await database.dispose()
        # The test's connections to the source go too: the `db` fixture's teardown may run in
        # another event loop, where they could not be used.
        await db.engine.dispose()
