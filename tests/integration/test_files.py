"""Files of a version over the REST routes and GraphQL, on the local-disk storage."""

from __future__ import annotations

import asyncio
import hashlib
import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select
from starlette.applications import Starlette

from modelreg.db import Database
from modelreg.db.models import Artifact, Blob
from modelreg.settings import Settings
from tests.support.graphql import GraphQLClient
from tests.support.registry import ERRORS, create_model, create_project, create_version

BASE = "/api/v1/projects/demo/models/churn/versions"

FILES = """
query($version: String!, $prefix: String) {
  project(path: "demo") { model(name: "churn") { version(version: $version) {
    fileCount totalSize filesZipUrl
    files(prefix: $prefix) { path size sha256 contentType downloadUrl }
  } } }
}"""

DELETE_FILES = f"""
mutation($input: DeleteFilesInput!) {{
  deleteFiles(input: $input) {{ deletedPaths modelVersion {{ fileCount }} {ERRORS} }}
}}"""

DELETE_VERSION = f"""
mutation($input: DeleteVersionInput!) {{ deleteVersion(input: $input) {{ deletedId {ERRORS} }} }}"""


@pytest.fixture
async def versions(gql: GraphQLClient) -> dict[str, str]:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    return {v: (await create_version(gql, model["id"], v))["id"] for v in ("1.0.0", "1.1.0")}


def _payload(size: int, seed: int = 1) -> bytes:
    block = hashlib.sha256(str(seed).encode()).digest()
    return (block * (size // len(block) + 1))[:size]


async def _counts(db: Database) -> tuple[int, int]:
    async with db.read() as session:
        counts = [
            (await session.exec(select(sa.func.count()).select_from(table))).one()
            for table in (Artifact, Blob)
        ]
    return counts[0], counts[1]


def _stored_objects(settings: Settings) -> list[Path]:
    root = settings.resolved_artifacts_dir
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_upload_download_round_trip(
    http: httpx.AsyncClient, gql: GraphQLClient, versions: dict[str, str]
) -> None:
    # given
    body = _payload(3 * 1024 * 1024 + 17)
    digest = hashlib.sha256(body).hexdigest()

    # when
    put = await http.put(f"{BASE}/1.0.0/files/config/params.json", content=body)

    # then
    assert put.status_code == 201, put.text
    assert put.json() | {"createdAt": None} == {
        "path": "config/params.json",
        "size": len(body),
        "sha256": digest,
        "contentType": "application/json",
        "createdAt": None,
        "createdBy": "admin",
    }
    get = await http.get(f"{BASE}/1.0.0/files/config/params.json")
    assert get.status_code == 200
    assert hashlib.sha256(get.content).hexdigest() == digest
    assert get.headers["etag"] == f'"{digest}"'
    assert get.headers["content-length"] == str(len(body))
    assert get.headers["accept-ranges"] == "bytes"
    assert "params.json" in get.headers["content-disposition"]
    head = await http.head(f"{BASE}/1.0.0/files/config/params.json")
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(body))
    assert head.content == b""

    data = await gql.execute(FILES, {"version": "1.0.0"})
    version = data["project"]["model"]["version"]
    assert version["fileCount"] == 1
    assert version["totalSize"] == len(body)
    assert version["filesZipUrl"] == f"{BASE}/1.0.0/files.zip"
    assert version["files"] == [
        {
            "path": "config/params.json",
            "size": len(body),
            "sha256": digest,
            "contentType": "application/json",
            "downloadUrl": f"{BASE}/1.0.0/files/config/params.json",
        }
    ]


async def test_listing_by_prefix(
    http: httpx.AsyncClient, gql: GraphQLClient, versions: Any
) -> None:
    for path in ("MLmodel", "config/a.json", "config/b.json", "configs/c.json"):
        assert (await http.put(f"{BASE}/1.0.0/files/{path}", content=b"x")).status_code == 201
    data = await gql.execute(FILES, {"version": "1.0.0", "prefix": "config/"})
    assert [f["path"] for f in data["project"]["model"]["version"]["files"]] == [
        "config/a.json",
        "config/b.json",
    ]
    data = await gql.execute(FILES, {"version": "1.0.0"})
    assert data["project"]["model"]["version"]["fileCount"] == 4


@pytest.mark.parametrize(
    ("header", "status", "expected", "content_range"),
    [
        ("bytes=0-9", 206, slice(0, 10), "bytes 0-9/1000"),
        ("bytes=990-", 206, slice(990, 1000), "bytes 990-999/1000"),
        ("bytes=-5", 206, slice(995, 1000), "bytes 995-999/1000"),
        ("bytes=100-99999", 206, slice(100, 1000), "bytes 100-999/1000"),
        ("bytes=0-0,5-6", 200, slice(0, 1000), None),
        ("pages=1-2", 200, slice(0, 1000), None),
    ],
)
async def test_range_requests(
    http: httpx.AsyncClient,
    versions: Any,
    header: str,
    status: int,
    expected: slice,
    content_range: str | None,
) -> None:
    body = _payload(1000)
    await http.put(f"{BASE}/1.0.0/files/model.bin", content=body)
    response = await http.get(f"{BASE}/1.0.0/files/model.bin", headers={"range": header})
    assert response.status_code == status
    assert response.content == body[expected]
    assert response.headers.get("content-range") == content_range


async def test_unsatisfiable_range_and_conditional_requests(
    http: httpx.AsyncClient, versions: Any
) -> None:
    body = _payload(1000)
    etag = (await http.put(f"{BASE}/1.0.0/files/model.bin", content=body)).json()["sha256"]
    url = f"{BASE}/1.0.0/files/model.bin"
    response = await http.get(url, headers={"range": "bytes=1000-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */1000"
    assert (await http.get(url, headers={"if-none-match": f'"{etag}"'})).status_code == 304
    stale = await http.get(url, headers={"range": "bytes=0-9", "if-range": '"other"'})
    assert (stale.status_code, len(stale.content)) == (200, 1000)
    fresh = await http.get(url, headers={"range": "bytes=0-9", "if-range": f'"{etag}"'})
    assert (fresh.status_code, fresh.content) == (206, body[:10])


@pytest.mark.parametrize(
    ("raw_path", "fragment"),
    [
        ("a/%2E%2E/%2E%2E/etc/passwd", "must not contain '..'"),
        ("%2E%2E", "must not contain '..'"),
        ("%2Fetc%2Fpasswd", "is absolute"),
        ("dir%5Cfile.txt", "backslash"),
        ("bad%01name", "control character U+0001"),
        ("a//b", "empty folder name"),
        ("folder/", "empty folder name"),
        ("%2E/x", "must not contain '.'"),
        ("x" * 256, "the limit is 255"),
        ("/".join(["abcdefghij"] * 100), "the limit is 1024"),
    ],
)
async def test_bad_paths_are_refused(
    http: httpx.AsyncClient,
    db: Database,
    settings: Settings,
    versions: Any,
    raw_path: str,
    fragment: str,
) -> None:
    url = httpx.URL(f"http://modelreg.test{BASE}/1.0.0/files/").copy_with(
        raw_path=f"{BASE}/1.0.0/files/{raw_path}".encode()
    )
    response = await http.put(url, content=b"secret")
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "INVALID_ARGUMENT"
    assert fragment in response.json()["error"]["message"]
    assert await _counts(db) == (0, 0)
    assert _stored_objects(settings) == []
    download = await http.get(url)
    assert download.status_code == 400


async def test_unknown_version_model_or_project(http: httpx.AsyncClient, versions: Any) -> None:
    root = "/api/v1/projects"
    cases = {
        f"{BASE}/9.9.9/files/a": "Model 'churn' has no version 9.9.9.",
        f"{root}/demo/models/nope/versions/1.0.0/files/a": (
            "Project 'demo' has no model named 'nope'."
        ),
        f"{root}/nope/models/churn/versions/1.0.0/files/a": "No project has the path 'nope'.",
    }
    for url, message in cases.items():
        for method in ("GET", "PUT", "DELETE"):
            response = await http.request(method, url, content=b"x" if method == "PUT" else None)
            assert response.status_code == 404
            assert response.json() == {"error": {"code": "NOT_FOUND", "message": message}}
    missing = await http.get(f"{BASE}/1.0.0/files/not-there.txt")
    assert missing.json()["error"]["message"] == "This version has no file 'not-there.txt'."


@pytest.fixture
def small_limit(settings: Settings) -> Settings:
    return settings.model_copy(update={"max_file_size": 1000})


@pytest.fixture
async def limited(
    small_limit: Settings, db: Database, admin_headers: dict[str, str]
) -> AsyncIterator[httpx.AsyncClient]:
    from modelreg.app import create_app

    transport = httpx.ASGITransport(app=create_app(small_limit, db=db))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://modelreg.test", headers=admin_headers
    ) as client:
        yield client


async def test_size_limit_from_content_length(
    limited: httpx.AsyncClient, versions: Any, db: Database, small_limit: Settings
) -> None:
    response = await limited.put(f"{BASE}/1.0.0/files/big.bin", content=b"x" * 1001)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "FILE_TOO_LARGE"
    assert "limit is 1000 bytes" in response.json()["error"]["message"]
    assert await _counts(db) == (0, 0)


async def test_size_limit_enforced_while_streaming(
    limited: httpx.AsyncClient, versions: Any, db: Database, small_limit: Settings
) -> None:
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(1000):  # 300 kB announced by nobody: no Content-Length
            pulled += 1
            yield b"y" * 300

    response = await limited.put(f"{BASE}/1.0.0/files/big.bin", content=body())
    assert response.status_code == 413
    assert "nothing was stored" in response.json()["error"]["message"]
    assert pulled < 20, "the server read far past the limit"
    assert await _counts(db) == (0, 0)
    assert _stored_objects(small_limit) == []
    ok = await limited.put(f"{BASE}/1.0.0/files/big.bin", content=b"z" * 1000)
    assert ok.status_code == 201


async def test_same_file_in_two_versions_is_stored_once(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    db: Database,
    settings: Settings,
    versions: dict[str, str],
) -> None:
    body = _payload(200_000)
    for version in ("1.0.0", "1.1.0"):
        response = await http.put(f"{BASE}/{version}/files/weights.bin", content=body)
        assert response.status_code == 201
    assert await _counts(db) == (2, 1)
    assert len(_stored_objects(settings)) == 1

    data = await gql.execute(
        DELETE_FILES, {"input": {"versionId": versions["1.0.0"], "paths": ["weights.bin"]}}
    )
    assert data["deleteFiles"] == {
        "deletedPaths": ["weights.bin"],
        "modelVersion": {"fileCount": 0},
        "errors": [],
    }
    still = await http.get(f"{BASE}/1.1.0/files/weights.bin")
    assert still.status_code == 200
    assert still.content == body
    assert len(_stored_objects(settings)) == 1

    data = await gql.execute(DELETE_VERSION, {"input": {"id": versions["1.1.0"]}})
    assert data["deleteVersion"]["errors"] == []
    assert await _counts(db) == (0, 0)
    assert _stored_objects(settings) == []


async def test_delete_files_is_all_or_nothing(
    http: httpx.AsyncClient, gql: GraphQLClient, versions: dict[str, str]
) -> None:
    for path in ("a.txt", "b/c.txt"):
        await http.put(f"{BASE}/1.0.0/files/{path}", content=path.encode())
    data = await gql.execute(
        DELETE_FILES, {"input": {"versionId": versions["1.0.0"], "paths": ["a.txt", "zzz"]}}
    )
    assert data["deleteFiles"]["errors"] == [
        {
            "code": "NOT_FOUND",
            "field": "paths",
            "message": "Version 1.0.0 has no file 'zzz'; nothing was deleted.",
        }
    ]
    data = await gql.execute(
        DELETE_FILES, {"input": {"versionId": versions["1.0.0"], "paths": ["a.txt", "b/c.txt"]}}
    )
    assert data["deleteFiles"]["deletedPaths"] == ["a.txt", "b/c.txt"]
    assert data["deleteFiles"]["modelVersion"]["fileCount"] == 0


async def test_rest_delete_and_replace(
    http: httpx.AsyncClient, db: Database, settings: Settings, versions: Any
) -> None:
    url = f"{BASE}/1.0.0/files/model.pkl"
    await http.put(url, content=b"first")
    await http.put(url, content=b"second")
    assert (await http.get(url)).content == b"second"
    assert await _counts(db) == (1, 1)
    assert (await http.delete(url)).status_code == 204
    assert (await http.get(url)).status_code == 404
    assert await _counts(db) == (0, 0)
    assert _stored_objects(settings) == []


async def test_zip_of_a_version(http: httpx.AsyncClient, versions: Any) -> None:
    files = {
        "MLmodel": b"flavors: {}\n",
        "config/params.json": b'{"a": 1}',
        "w.bin": _payload(70_000),
    }
    for path, content in files.items():
        await http.put(f"{BASE}/1.0.0/files/{path}", content=content)
    response = await http.get(f"{BASE}/1.0.0/files.zip")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "churn-1.0.0.zip" in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {name: archive.read(name) for name in archive.namelist()} == files


async def test_many_zip_downloads_at_once_all_finish(
    http: httpx.AsyncClient, versions: Any
) -> None:
    """More concurrent zips than the event loop's default executor has threads: each zip step
    waits for file reads, which must not queue behind the zips (they deadlocked once)."""
    files = {f"part-{i}.bin": _payload(40_000 + i) for i in range(4)}
    for path, content in files.items():
        await http.put(f"{BASE}/1.0.0/files/{path}", content=content)

    async def download() -> dict[str, bytes]:
        response = await http.get(f"{BASE}/1.0.0/files.zip")
        assert response.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        return {name: archive.read(name) for name in archive.namelist()}

    results = await asyncio.wait_for(asyncio.gather(*(download() for _ in range(16))), 60)
    assert all(found == files for found in results)


async def test_failed_upload_leaves_nothing(
    app: Starlette, db: Database, settings: Settings, versions: dict[str, str]
) -> None:
    """A body that breaks off mid-way (what a vanished client looks like to the service)."""
    from starlette.requests import ClientDisconnect

    from modelreg.domain.actor import SYSTEM
    from modelreg.graphql.ids import decode_id
    from modelreg.services.files import store_file

    async def body() -> AsyncIterator[bytes]:
        yield b"a" * 100_000
        yield b"b" * 100_000
        raise ClientDisconnect

    with pytest.raises(ClientDisconnect):
        await store_file(
            db=db,
            storage=app.state.storage,
            actor=SYSTEM,
            version_id=decode_id(versions["1.0.0"], "ModelVersion"),
            path="w.bin",
            chunks=body(),
            max_size=10**9,
        )
    assert await _counts(db) == (0, 0)
    assert _stored_objects(settings) == []


async def test_concurrent_uploads_of_the_same_new_bytes_share_one_blob(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database
) -> None:
    """On PostgreSQL the uploads' transactions run side by side and race to record the blob."""
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    versions = [f"1.{i}.0" for i in range(6)]
    for version in versions:
        await create_version(gql, model["id"], version)
    body = b"the same bytes" * 1000
    responses = await asyncio.gather(
        *(http.put(f"{BASE}/{v}/files/weights.bin", content=body) for v in versions)
    )
    assert [r.status_code for r in responses] == [201] * 6, [r.text for r in responses]
    async with db.read() as session:
        blobs = (await session.exec(select(Blob))).all()
        artifacts = (await session.exec(select(Artifact))).all()
    assert len(blobs) == 1 and len(artifacts) == 6
