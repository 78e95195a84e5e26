"""Compression: the web app's precompressed assets (spa.py) and gzip of API documents
(http/compression.py), while file downloads, ranges and validators stay exact."""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from modelreg.app import create_app
from modelreg.db import Database
from modelreg.http import compression
from modelreg.http.compression import CompressResponses
from modelreg.settings import Settings
from tests.support.graphql import GraphQLClient
from tests.support.registry import create_model, create_project, create_version

SCRIPT = b"console.log('modelreg');\n" * 200
INDEX = b'<!doctype html><html><body><div id="root"></div></body></html>\n' * 20
# The server never decodes the copies, so any bytes do (Python has no Brotli encoder here).
SCRIPT_BR = b"brotli bytes of the script"
INDEX_BR = b"brotli bytes of index.html"
BROWSER = {"accept-encoding": "gzip, deflate, br, zstd"}
GZIP_ONLY = {"accept-encoding": "gzip"}
IDENTITY = {"accept-encoding": "identity"}
BIG_QUERY = "{ __schema { types { name kind description } } }"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A build as `vite build` leaves it: each text file with .gz and .br beside it, and one
    asset (a font) without copies."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    for path, body, br in (
        (root / "index.html", INDEX, INDEX_BR),
        (root / "assets" / "app-abc123.js", SCRIPT, SCRIPT_BR),
    ):
        path.write_bytes(body)
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(body))
        path.with_name(path.name + ".br").write_bytes(br)
    (root / "assets" / "font-abc123.woff2").write_bytes(b"\x00font" * 400)
    return root


@pytest.fixture
async def client(
    tmp_path: Path, db: Database, dist: Path, admin_headers: dict[str, str]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(data_dir=tmp_path / "data", ui_dir=dist), db=db)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://modelreg.test", headers=admin_headers
    ) as http:
        yield http


async def _raw(client: httpx.AsyncClient, method: str, url: str, **kw: object) -> httpx.Response:
    """A response with its body as sent (httpx would decode gzip and fail on br)."""
    request = client.build_request(method, url, **kw)  # type: ignore[arg-type]
    response = await client.send(request, stream=True)
    body = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    response._content = body  # keep the raw bytes as the content
    return response


# --- the web app's assets ---------------------------------------------------------------------


async def test_asset_as_brotli_when_accepted(client: httpx.AsyncClient) -> None:
    response = await _raw(client, "GET", "/assets/app-abc123.js", headers=BROWSER)
    assert response.status_code == 200
    assert response.content == SCRIPT_BR
    assert response.headers["content-encoding"] == "br"
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["content-length"] == str(len(SCRIPT_BR))
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["etag"].endswith('-br"')


async def test_asset_as_gzip_or_identity(client: httpx.AsyncClient) -> None:
    gz = await _raw(client, "GET", "/assets/app-abc123.js", headers=GZIP_ONLY)
    assert gz.headers["content-encoding"] == "gzip"
    assert gzip.decompress(gz.content) == SCRIPT
    assert gz.headers["etag"].endswith('-gzip"')

    refused = await _raw(
        client, "GET", "/assets/app-abc123.js", headers={"accept-encoding": "br;q=0, gzip;q=0"}
    )
    plain = await _raw(client, "GET", "/assets/app-abc123.js", headers=IDENTITY)
    for response in (refused, plain):
        assert response.content == SCRIPT
        assert "content-encoding" not in response.headers
        assert response.headers["vary"] == "Accept-Encoding"
    etags = {r.headers["etag"] for r in (gz, plain)}
    br = await _raw(client, "GET", "/assets/app-abc123.js", headers=BROWSER)
    assert len(etags | {br.headers["etag"]}) == 3  # one validator per representation


async def test_index_html_and_client_routes_precompressed(client: httpx.AsyncClient) -> None:
    for path in ("/", "/projects/demo/models/churn"):
        response = await _raw(client, "GET", path, headers=BROWSER)
        assert response.status_code == 200
        assert response.content == INDEX_BR
        assert response.headers["content-encoding"] == "br"
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-cache"


async def test_conditional_requests_per_encoding(client: httpx.AsyncClient) -> None:
    br = await _raw(client, "GET", "/assets/app-abc123.js", headers=BROWSER)
    etag = br.headers["etag"]

    same = await _raw(
        client, "GET", "/assets/app-abc123.js", headers={**BROWSER, "if-none-match": etag}
    )
    assert same.status_code == 304
    assert same.content == b""
    assert same.headers["etag"] == etag
    assert same.headers["vary"] == "Accept-Encoding"

    # The Brotli copy's validator does not stand for the gzip copy.
    other = await _raw(
        client, "GET", "/assets/app-abc123.js", headers={**GZIP_ONLY, "if-none-match": etag}
    )
    assert other.status_code == 200
    assert other.headers["content-encoding"] == "gzip"


async def test_head_matches_get(client: httpx.AsyncClient) -> None:
    get = await _raw(client, "GET", "/assets/app-abc123.js", headers=BROWSER)
    head = await _raw(client, "HEAD", "/assets/app-abc123.js", headers=BROWSER)
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-encoding", "content-length", "content-type", "etag", "vary"):
        assert head.headers[name] == get.headers[name]


async def test_range_gets_the_original_bytes(client: httpx.AsyncClient) -> None:
    response = await _raw(
        client, "GET", "/assets/app-abc123.js", headers={**BROWSER, "range": "bytes=8-15"}
    )
    assert response.status_code == 206
    assert response.content == SCRIPT[8:16]
    assert "content-encoding" not in response.headers
    assert response.headers["content-range"] == f"bytes 8-15/{len(SCRIPT)}"


async def test_asset_without_copies_is_sent_as_is(client: httpx.AsyncClient) -> None:
    response = await _raw(client, "GET", "/assets/font-abc123.woff2", headers=BROWSER)
    assert response.status_code == 200
    assert response.content == b"\x00font" * 400
    assert "content-encoding" not in response.headers


# --- API documents ------------------------------------------------------------------------------


async def test_graphql_gzip_when_accepted(client: httpx.AsyncClient) -> None:
    packed = await _raw(client, "POST", "/graphql", json={"query": BIG_QUERY}, headers=GZIP_ONLY)
    assert packed.status_code == 200
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"]
    document = json.loads(gzip.decompress(packed.content))
    assert int(packed.headers["content-length"]) == len(packed.content)

    plain = await _raw(client, "POST", "/graphql", json={"query": BIG_QUERY}, headers=IDENTITY)
    assert "content-encoding" not in plain.headers
    assert json.loads(plain.content) == document
    assert len(packed.content) < len(plain.content) / 3


async def test_small_documents_and_head_stay_plain(client: httpx.AsyncClient) -> None:
    small = await _raw(
        client, "POST", "/graphql", json={"query": "{ __typename }"}, headers=BROWSER
    )
    assert json.loads(small.content) == {"data": {"__typename": "Query"}}
    assert "content-encoding" not in small.headers
    assert "Accept-Encoding" in small.headers["vary"]

    health = await _raw(client, "HEAD", "/healthz", headers=BROWSER)
    assert "content-encoding" not in health.headers


async def test_file_download_not_compressed_and_ranges_work(client: httpx.AsyncClient) -> None:
    gql = GraphQLClient(client)
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    await create_version(gql, model["id"], "1.0.0")
    url = "/api/v1/projects/demo/models/churn/versions/1.0.0/files/config/params.json"
    body = json.dumps({"values": list(range(2000))}).encode()
    assert (await client.put(url, content=body)).status_code == 201

    whole = await _raw(client, "GET", url, headers=BROWSER)
    assert whole.status_code == 200
    assert whole.content == body
    assert "content-encoding" not in whole.headers
    assert whole.headers["content-length"] == str(len(body))

    part = await _raw(client, "GET", url, headers={**BROWSER, "range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == body[10:20]
    assert "content-encoding" not in part.headers

    archive = await _raw(client, "GET", url.rsplit("/files/", 1)[0] + "/files.zip", headers=BROWSER)
    assert archive.status_code == 200
    assert archive.content[:2] == b"PK"
    assert "content-encoding" not in archive.headers


# --- the middleware on its own ------------------------------------------------------------------


def _small_app() -> httpx.AsyncClient:
    async def stream(request: Request) -> Response:
        async def parts() -> AsyncIterator[bytes]:
            for i in range(50):
                yield json.dumps({"part": i, "pad": "x" * 100}).encode() + b"\n"

        return StreamingResponse(parts(), media_type="application/x-ndjson+json")

    async def events(request: Request) -> Response:
        async def parts() -> AsyncIterator[bytes]:
            for i in range(50):
                yield f"data: {i}{'x' * 100}\n\n".encode()

        return StreamingResponse(parts(), media_type="text/event-stream")

    async def typed(request: Request) -> Response:
        return PlainTextResponse("y" * 5000, headers={"content-disposition": "attachment"})

    async def problem(request: Request) -> Response:
        return JSONResponse({"detail": "z" * 5000}, media_type="application/problem+json")

    async def large(request: Request) -> Response:
        return JSONResponse({"rows": [{"i": i, "name": f"model-{i}"} for i in range(20_000)]})

    app = CompressResponses(
        Starlette(
            routes=[
                Route("/large", large),
                Route("/stream", stream),
                Route("/events", events),
                Route("/download", typed),
                Route("/problem", problem),
            ]
        )
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_streamed_document_compressed_as_it_streams() -> None:
    async with _small_app() as client:
        response = await _raw(client, "GET", "/stream", headers=GZIP_ONLY)
    assert response.headers["content-encoding"] == "gzip"
    assert "content-length" not in response.headers
    lines = gzip.decompress(response.content).splitlines()
    assert [json.loads(line)["part"] for line in lines] == list(range(50))


async def test_event_streams_downloads_pass_through_and_json_suffix_compressed() -> None:
    async with _small_app() as client:
        events = await _raw(client, "GET", "/events", headers=GZIP_ONLY)
        download = await _raw(client, "GET", "/download", headers=GZIP_ONLY)
        problem = await _raw(client, "GET", "/problem", headers=GZIP_ONLY)
    assert "content-encoding" not in events.headers
    assert events.content.startswith(b"data: 0")
    assert "content-encoding" not in download.headers
    assert download.content == b"y" * 5000
    assert problem.headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(problem.content)) == {"detail": "z" * 5000}


async def test_large_document_compressed_off_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[int] = []
    run_sync = anyio.to_thread.run_sync

    async def counting(*args: Any, **kwargs: Any) -> Any:
        threads.append(len(args[2]))
        return await run_sync(*args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    async with _small_app() as client:
        response = await _raw(client, "GET", "/large", headers=GZIP_ONLY)
        small = await _raw(client, "GET", "/problem", headers=GZIP_ONLY)
    assert response.headers["content-encoding"] == "gzip"
    rows = json.loads(gzip.decompress(response.content))["rows"]
    assert rows[-1] == {"i": 19_999, "name": "model-19999"}
    assert small.headers["content-encoding"] == "gzip"
    # The large body went to a worker thread; the 5 KB one was compressed in place.
    assert len(threads) == 1 and threads[0] > compression.THREAD_SIZE
