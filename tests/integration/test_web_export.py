"""`GET /api/v1/projects/{project}/export`: the web app's export.

The archive it streams imports (through the import service) into a fresh instance that then
answers the GraphQL API the same; only MAINTAINERs and up may export (an outsider of a private
project gets the missing project's 404); bad parameters are refused with the error shape before
any archive byte; the body goes out in bounded pieces as it is read; a client that goes away
stops the export and returns its database connection at once.
"""

from __future__ import annotations

import asyncio
import json
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from modelreg.db import Database
from modelreg.domain.transfer import HEADER_NAME
from modelreg.services.transfer.archive import ArchiveReader
from modelreg.services.transfer.web_export import MAX_MODELS
from tests.support.accounts import Accounts
from tests.support.graphql import GraphQLClient
from tests.support.registry import create_model, create_project, create_version
from tests.support.transfer import (
    gql_ok,
    import_from,
    instances,
    populate,
    rows,
    snapshot,
    target_database_url,
)

URL = "/api/v1/projects/demo/export"
MiB = 1024 * 1024


@pytest.fixture
def target_url(
    request: pytest.FixtureRequest, db_kind: str, database_url: str, tmp_path: Path
) -> str:
    return target_database_url(request, db_kind, tmp_path)


async def _member(gql: GraphQLClient, accounts: Accounts, username: str, role: str) -> None:
    await accounts.user(username)
    project = (await gql.execute('query { project(path: "demo") { id } }'))["project"]
    await gql_ok(
        gql,
        "mutation($i: ProjectMemberInput!) { addProjectMember(input: $i) { errors { code } } }",
        {"i": {"projectId": project["id"], "username": username, "role": role}},
    )


async def _headers(accounts: Accounts, username: str, scopes: tuple[str, ...] = ("api",)) -> Any:
    return {"Authorization": f"Bearer {await accounts.token(username, scopes=scopes)}"}


def _error(response: httpx.Response) -> tuple[int, str, str]:
    assert response.headers["content-type"].startswith("application/json"), response.headers
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


async def test_a_maintainers_download_imports_into_a_fresh_instance(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        # given
        await populate(source, big_file=b"w" * (3 * MiB))
        accounts = Accounts(db)
        await _member(source.gql, accounts, "mia", "MAINTAINER")
        before = await snapshot(source.gql)

        # when
        response = await source.http.get(URL, headers=await _headers(accounts, "mia"))

        # then
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-tar"
        today = datetime.now(UTC).strftime("%Y%m%d")
        assert response.headers["content-disposition"] == (
            f"attachment; filename=\"demo-{today}.tar\"; filename*=UTF-8''demo-{today}.tar"
        )
        archive = tmp_path / "download.tar"
        archive.write_bytes(response.content)
        with tarfile.open(archive) as tar:
            header = json.load(tar.extractfile(HEADER_NAME))  # type: ignore[arg-type]
        assert header["selection"] == {"projects": ["demo"], "models": []}
        result = await import_from(target, archive)
        assert result.applied
        assert await snapshot(target.gql) == before


async def test_some_models_and_changes_since_an_event(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        # given: the first export holds only `fraud`
        await populate(source)
        first = await source.http.get(URL, params={"models": ["fraud"]})
        assert first.status_code == 200, first.text
        (tmp_path / "fraud.tar").write_bytes(first.content)
        assert (await import_from(target, tmp_path / "fraud.tar")).applied
        assert await rows(target.db, "registered_model") == 1
        latest = (await source.gql.execute('query { project(path: "demo") { latestEventId } }'))[
            "project"
        ]["latestEventId"]
        fraud = (
            await source.gql.execute(
                'query { project(path: "demo") { model(name: "fraud") { id } } }'
            )
        )["project"]["model"]
        await gql_ok(
            source.gql,
            "mutation($i: SetModelTagsInput!) { setModelTags(input: $i) { errors { code } } }",
            {"i": {"id": fraud["id"], "tags": [{"key": "stage", "value": "later"}]}},
        )

        # when: what changed after the event noted
        since = await source.http.get(URL, params={"models": "fraud", "since_event": latest})

        # then
        assert since.status_code == 200, since.text
        assert f"demo-since-{latest}-" in since.headers["content-disposition"]
        (tmp_path / "since.tar").write_bytes(since.content)
        reader = ArchiveReader(tmp_path / "since.tar")
        header, _ = reader.scan()
        reader.close()
        assert (header.since_event, header.models) == (latest, ("fraud",))
        assert (await import_from(target, tmp_path / "since.tar")).applied
        tags = await target.gql.execute(
            'query { project(path: "demo") { model(name: "fraud") { tags { key value } } } }'
        )
        assert tags["project"]["model"]["tags"] == [{"key": "stage", "value": "later"}]
        assert await rows(target.db, "registered_model") == 1


async def test_only_maintainers_and_up_may_export(
    db: Database, http: httpx.AsyncClient, gql: GraphQLClient, accounts: Accounts
) -> None:
    # given: a private project
    await create_project(gql, "demo", name="Demo", visibility="PRIVATE")
    for name, role in (("dev", "DEVELOPER"), ("mia", "MAINTAINER"), ("olga", "OWNER")):
        await _member(gql, accounts, name, role)
    await accounts.user("stranger")

    async def get(username: str | None, path: str = URL, **kw: Any) -> httpx.Response:
        headers = (
            {"Authorization": ""} if username is None else await _headers(accounts, username, **kw)
        )
        return await http.get(path, headers=headers)

    # then
    for allowed in ("mia", "olga", "admin"):
        response = await get(allowed)
        assert response.status_code == 200, (allowed, response.text)
        assert response.content[257:262] == b"ustar"  # a tar member header
    status, code, message = _error(await get("dev"))
    assert (status, code) == (403, "PERMISSION_DENIED")
    assert "MAINTAINER role or higher" in message and "your role is DEVELOPER" in message
    status, code, message = _error(await get("mia", scopes=("read_api",)))
    assert (status, code) == (403, "PERMISSION_DENIED") and "read_api" in message
    ghost = _error(await get("stranger", "/api/v1/projects/no-such-project/export"))
    assert ghost == (404, "NOT_FOUND", "No project has the path 'no-such-project'.")
    for hidden in ("stranger", None):
        status, code, message = _error(await get(hidden))
        assert (status, code, message) == (404, "NOT_FOUND", "No project has the path 'demo'.")


@pytest.mark.parametrize(
    ("query", "status", "code", "says"),
    [
        ("models=churn&models=nope", 404, "NOT_FOUND", "has no model named 'nope'"),
        ("since_event=abc", 400, "INVALID_ARGUMENT", "since_event must be an event id"),
        ("since_event=-1", 400, "INVALID_ARGUMENT", "since_event must be an event id"),
        ("since_event=99999999", 400, "INVALID_ARGUMENT", "after the project's latest event"),
        (
            "models=" + "&models=".join(f"m{i}" for i in range(MAX_MODELS + 1)),
            400,
            "INVALID_ARGUMENT",
            f"At most {MAX_MODELS}",
        ),
    ],
    ids=["unknown-model", "since-not-a-number", "since-negative", "since-after-latest", "too-many"],
)
async def test_bad_parameters_are_refused_before_any_archive_byte(
    gql: GraphQLClient, http: httpx.AsyncClient, query: str, status: int, code: str, says: str
) -> None:
    project = await create_project(gql, "demo", name="Demo")
    await create_model(gql, project["id"], "churn")
    found = _error(await http.get(f"{URL}?{query}"))
    assert found[:2] == (status, code)
    assert says in found[2]


async def test_latest_event_id_and_the_export_permission_in_graphql(
    db: Database, gql: GraphQLClient, accounts: Accounts
) -> None:
    for path in ("demo", "other"):
        await create_project(gql, path, name=path)
    await _member(gql, accounts, "dev", "DEVELOPER")
    found = await gql.execute(
        "query { projects(first: 10) { edges { node { path latestEventId } } } }"
    )
    async with db.read() as session:
        rows_ = (
            await session.exec(  # type: ignore[call-overload]
                sa.text(
                    "SELECT p.path, max(e.id) FROM event e JOIN project p ON p.id = e.project_id"
                    " GROUP BY p.path"
                )
            )
        ).all()
    expected = {path: latest for path, latest in rows_}
    assert {
        e["node"]["path"]: e["node"]["latestEventId"] for e in found["projects"]["edges"]
    } == expected
    query = 'query { project(path: "demo") { viewerPermissions { ability allowed reason } } }'
    for who, allowed in (("dev", False), ("admin", True)):
        client = gql.as_actor(who, admin=who == "admin")
        perms = (await client.execute(query))["project"]["viewerPermissions"]
        (export,) = [p for p in perms if p["ability"] == "EXPORT"]
        assert export["allowed"] is allowed, (who, export)


async def _project_with_a_big_file(gql: GraphQLClient, http: httpx.AsyncClient) -> None:
    project = await create_project(gql, "demo", name="Demo")
    model = await create_model(gql, project["id"], "churn")
    await create_version(gql, model["id"], "1.0.0")
    put = await http.put(
        "/api/v1/projects/demo/models/churn/versions/1.0.0/files/w.bin", content=b"x" * (4 * MiB)
    )
    assert put.status_code == 201, put.text


async def _call(app: Starlette, token: str, *, gone_after: int | None = None) -> list[int]:
    """GET the export as a server would (ASGI 2.4: a send to a closed connection raises
    OSError); the sizes of the body messages sent."""
    sent: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            sent.append(len(message["body"]))
            if len(sent) == gone_after:
                raise OSError("connection reset by peer")

    await app(_scope(token), receive, send)  # type: ignore[arg-type]
    return sent


def _scope(token: str) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": URL,
        "raw_path": URL.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"modelreg.test"), (b"authorization", token.encode())],
        "client": ("127.0.0.1", 5000),
        "server": ("modelreg.test", 80),
    }


async def test_the_archive_goes_out_in_bounded_pieces_as_it_is_read(
    app: Starlette, http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    await _project_with_a_big_file(gql, http)

    sizes = await _call(app, http.headers["authorization"])

    # header, records, the file's header and four 1 MiB pieces, manifest, end
    assert len(sizes) >= 7
    assert max(sizes) <= MiB + 1024
    assert sum(sizes) > 4 * MiB


async def test_a_client_going_away_stops_the_export_and_returns_its_connection(
    db: Database,
    app: Starlette,
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: a project with a file of several pieces
    await _project_with_a_big_file(gql, http)
    pool = db.engine.pool
    before = pool.checkedout()  # type: ignore[attr-defined]

    # when: the client is gone in the middle of the file
    with pytest.raises(Exception) as raised, caplog.at_level("INFO", "modelreg.export"):
        await _call(app, http.headers["authorization"], gone_after=3)

    # then: stopped there, and the stream's connection is back in the pool at once
    assert type(raised.value).__name__ == "ClientDisconnect"
    assert pool.checkedout() == before  # type: ignore[attr-defined]
    assert "an export stopped before its end" in caplog.text


async def test_a_client_going_away_stops_the_export_on_an_older_server_too(
    db: Database, app: Starlette, http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    """ASGI before 2.4: the server says `http.disconnect` and Starlette cancels the body."""
    await _project_with_a_big_file(gql, http)
    pool = db.engine.pool
    before = pool.checkedout()  # type: ignore[attr-defined]
    gone, never = asyncio.Event(), asyncio.Event()
    sent: list[int] = []

    async def receive() -> dict[str, Any]:
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            sent.append(len(message["body"]))
            if len(sent) == 3:
                gone.set()
                await never.wait()

    scope = _scope(http.headers["authorization"])
    scope["asgi"]["spec_version"] = "2.3"
    await asyncio.wait_for(app(scope, receive, send), 10)  # type: ignore[arg-type]

    assert len(sent) == 3
    assert pool.checkedout() == before  # type: ignore[attr-defined]


async def test_head_checks_without_exporting(
    http: httpx.AsyncClient, gql: GraphQLClient, accounts: Accounts
) -> None:
    await create_project(gql, "demo", name="Demo")
    await _member(gql, accounts, "dev", "DEVELOPER")

    allowed = await http.head(URL)
    refused = await http.head(URL, headers=await _headers(accounts, "dev"))

    assert allowed.status_code == 200 and allowed.content == b""
    assert allowed.headers["content-disposition"].startswith('attachment; filename="demo-')
    assert refused.status_code == 403


async def test_downloads_at_once_are_capped_and_writers_go_on_meanwhile(
    db: Database, app: Starlette, http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    """Each running export holds a connection until its client has it all; two at once per
    process, a third is told to come back (503, Retry-After). Meanwhile writes go through: on
    SQLite the export holds no transaction between its page reads, on PostgreSQL its read
    transaction takes no locks a write waits for."""
    await _project_with_a_big_file(gql, http)
    token = http.headers["authorization"]
    release = asyncio.Event()
    started = [asyncio.Event(), asyncio.Event()]

    async def slow_client(index: int) -> list[int]:
        sent: list[int] = []

        async def receive() -> dict[str, Any]:
            await release.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                sent.append(len(message["body"]))
                if len(sent) == 2:  # in the middle: the client reads no further for now
                    started[index].set()
                    await release.wait()

        await app(_scope(token), receive, send)  # type: ignore[arg-type]
        return sent

    first = asyncio.create_task(slow_client(0))
    second = asyncio.create_task(slow_client(1))
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in started)), 10)

    busy = await http.get(URL)
    async with asyncio.timeout(5):
        model = await create_model(
            gql,
            (await gql.execute('query { project(path: "demo") { id } }'))["project"]["id"],
            "meanwhile",
        )

    release.set()
    done = await asyncio.wait_for(asyncio.gather(first, second), 20)
    after = await http.get(URL)

    status, code, message = _error(busy)
    assert (status, code) == (503, "UNAVAILABLE") and busy.headers["retry-after"] == "30"
    assert "try again when one has finished" in message
    assert model["name"] == "meanwhile"
    assert all(sum(sizes) > 4 * MiB for sizes in done)
    assert after.status_code == 200


async def test_an_export_is_one_snapshot_whatever_is_written_meanwhile(
    db: Database, target_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version and its tag written while the export is between its version and its tag
    pages: the archive holds neither (it reads one snapshot), so it imports; read page by page
    without one, it held the tag of a version it did not hold and the import refused it
    (archive.reference_missing)."""
    from modelreg.services.transfer import export as export_module

    async with instances(db, target_url, tmp_path) as (source, target):
        # given
        await populate(source)
        churn = (
            await source.gql.execute(
                'query { project(path: "demo") { model(name: "churn") { id } } }'
            )
        )["project"]["model"]
        pages = export_module._pages
        wrote: list[str] = []

        async def meanwhile(session: Any, table: Any, key: Any, where: Any) -> Any:
            if table.name == "version_tag" and not wrote:
                version = await create_version(source.gql, churn["id"], "3.0.0")
                await gql_ok(
                    source.gql,
                    "mutation($i: SetVersionTagsInput!) { setVersionTags(input: $i) {"
                    " errors { code } } }",
                    {"i": {"id": version["id"], "tags": [{"key": "late", "value": "yes"}]}},
                )
                wrote.append(version["id"])
            async for row in pages(session, table, key, where):
                yield row

        monkeypatch.setattr(export_module, "_pages", meanwhile)

        # when
        response = await source.http.get(URL)

        # then
        assert response.status_code == 200, response.text
        assert wrote
        (tmp_path / "during.tar").write_bytes(response.content)
        result = await import_from(target, tmp_path / "during.tar")
        assert result.applied
        versions = await target.gql.execute(
            'query { project(path: "demo") { model(name: "churn") { versions(first: 10) {'
            " edges { node { version } } } } } }"
        )
        found = {e["node"]["version"] for e in versions["project"]["model"]["versions"]["edges"]}
        assert "3.0.0" not in found and "1.0.0" in found


def _export_counts(scrape: str) -> dict[str, float]:
    """GETs of the export counted by /metrics, by status."""
    return {
        sample.labels["status"]: sample.value
        for family in text_string_to_metric_families(scrape)
        for sample in family.samples
        if sample.name == "modelreg_http_requests_total"
        and sample.labels["method"] == "GET"
        and sample.labels["route"] == "/api/v1/projects/{project}/export"
    }


async def test_metrics_label_an_export_by_its_route_template(
    http: httpx.AsyncClient, gql: GraphQLClient
) -> None:
    await create_project(gql, "zebra-secret", name="Z")
    before = _export_counts((await http.get("/metrics")).text)

    assert (await http.get("/api/v1/projects/zebra-secret/export")).status_code == 200
    assert (await http.get("/api/v1/projects/zebra-secret/export?since_event=x")).status_code == 400
    scrape = (await http.get("/metrics")).text

    after = _export_counts(scrape)
    assert after.get("200", 0) - before.get("200", 0) == 1
    assert after.get("400", 0) - before.get("400", 0) == 1
    assert "zebra-secret" not in scrape
