"""Serving the built web app: hashed assets, top-level files, history fallback, landing page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from modelreg.app import create_app
from modelreg.db import Database
from modelreg.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]

INDEX = (
    '<!doctype html><html><body><div id="root"></div>'
    '<script type="module" src="/assets/app-abc123.js"></script></body></html>'
)
SCRIPT = "console.log('modelreg');\n"
SECRET = "top secret: must never be served\n"
NOT_FOUND = {"error": {"code": "NOT_FOUND", "message": "Not Found"}}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A fake build: index.html, one hashed asset, a top-level file; a secret beside it."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX, encoding="utf-8")
    (root / "assets" / "app-abc123.js").write_text(SCRIPT, encoding="utf-8")
    (root / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    return root


def _client(app: Starlette) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://modelreg.test")


@asynccontextmanager
async def _app_client(
    tmp_path: Path, db: Database, ui_dir: Path | None
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(data_dir=tmp_path / "data", ui_dir=ui_dir), db=db)
    async with _client(app) as client:
        yield client


@pytest.fixture
async def ui(tmp_path: Path, db: Database, dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with _app_client(tmp_path, db, dist) as client:
        yield client


async def _raw_get(app: Starlette, path: str) -> tuple[int, dict[str, str], bytes]:
    """Send `path` to the app exactly as given (no client-side normalisation of `..`)."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("latin-1"),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"modelreg.test")],
        "client": ("127.0.0.1", 1234),
        "server": ("modelreg.test", 80),
    }
    messages: list[dict[str, Any]] = []
    requested = False
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body", False):
            done.set()

    await app(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], headers, body


def _is_index(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.text == INDEX


# --------------------------------------------------------------------------------------------
# history fallback


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/projects/demo/models/churn/versions/1.2.0",
        "/projects/demo/models/churn/versions/2.0.0-rc.1",
        "/projects/demo/models/mlflow",  # a model may be called "mlflow"
        "/projects",
        "/settings/",
        "/graphqlx",
        "/apis",
        "/projects/demo?tab=activity",
    ],
)
async def test_client_side_routes_get_index_html_uncached(ui: httpx.AsyncClient, path: str) -> None:
    response = await ui.get(path, headers={"accept": "text/html"})
    assert _is_index(response), (response.status_code, response.text[:200])
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"].startswith("text/html")


async def test_head_of_a_deep_link_is_index_html(ui: httpx.AsyncClient) -> None:
    response = await ui.head("/projects/demo/models/churn/versions/1.2.0")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-length"] == str(len(INDEX.encode()))


async def test_index_html_by_name_is_uncached_too(ui: httpx.AsyncClient) -> None:
    response = await ui.get("/index.html")
    assert _is_index(response)
    assert response.headers["cache-control"] == "no-cache"


async def test_other_methods_on_client_side_routes_are_json_404(ui: httpx.AsyncClient) -> None:
    response = await ui.post("/projects/demo", json={})
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


async def test_a_rebuilt_app_is_served_without_restart(ui: httpx.AsyncClient, dist: Path) -> None:
    (dist / "index.html").write_text("<!doctype html><p>v2</p>", encoding="utf-8")
    (dist / "assets" / "app-def456.js").write_text("v2()", encoding="utf-8")
    assert (await ui.get("/projects/demo")).text == "<!doctype html><p>v2</p>"
    assert (await ui.get("/assets/app-def456.js")).text == "v2()"


# --------------------------------------------------------------------------------------------
# files


async def test_hashed_asset_is_cached_forever(ui: httpx.AsyncClient) -> None:
    response = await ui.get("/assets/app-abc123.js")
    assert response.status_code == 200
    assert response.text == SCRIPT
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in response.headers["content-type"]
    assert response.headers["x-content-type-options"] == "nosniff"
    again = await ui.get(
        "/assets/app-abc123.js", headers={"if-none-match": response.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_top_level_file_is_served_with_a_short_cache(ui: httpx.AsyncClient) -> None:
    response = await ui.get("/favicon.svg")
    assert response.status_code == 200
    assert response.text == "<svg/>"
    assert response.headers["content-type"].startswith("image/svg+xml")
    cache = response.headers["cache-control"]
    assert cache.startswith("public, max-age=")
    assert "immutable" not in cache
    assert int(cache.rsplit("=", 1)[1]) <= 3600


@pytest.mark.parametrize("path", ["/assets/app-missing.js", "/assets/", "/assets", "/assets/x/y"])
async def test_missing_asset_is_a_json_404_not_index_html(ui: httpx.AsyncClient, path: str) -> None:
    response = await ui.get(path)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


async def test_assets_refuse_other_methods(ui: httpx.AsyncClient) -> None:
    response = await ui.post("/assets/app-abc123.js")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


# --------------------------------------------------------------------------------------------
# the API keeps its routes and its JSON errors


@pytest.mark.parametrize(
    "path",
    [
        "/api",
        "/api/",
        "/api/x",
        "/api/v1/projects/demo/models/churn/versions/1.0.0/files/model.pkl",
        "/projects/demo/mlflow/api",  # (the tracking URI itself: test_mlflow_links.py)
        "/projects/demo/mlflow/api/2.0/mlflow/registered-models/get",
        "/graphql/x",
        "/healthz/extra",
    ],
)
async def test_unknown_api_paths_are_json_404(ui: httpx.AsyncClient, path: str) -> None:
    response = await ui.get(path, headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    if "/mlflow" in path:  # MLflow's own error shape
        assert response.json()["error_code"] in ("RESOURCE_DOES_NOT_EXIST", "ENDPOINT_NOT_FOUND")
    else:
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert INDEX not in response.text


async def test_graphql_and_health_still_work(ui: httpx.AsyncClient) -> None:
    response = await ui.post("/graphql", json={"query": "{ projects { totalCount } }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"projects": {"totalCount": 0}}}
    ide = await ui.get("/graphql", headers={"accept": "text/html"})
    assert ide.status_code == 200
    assert "graphiql" in ide.text.lower()
    assert (await ui.get("/healthz")).json()["status"] == "ok"
    wrong_method = await ui.delete("/healthz")
    assert wrong_method.status_code == 405


# --------------------------------------------------------------------------------------------
# nothing outside the build leaks


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../../secret.txt",
        "/assets/../../../../../../../../etc/passwd",
        "/../secret.txt",
        "/../../../../../../../../etc/passwd",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/assets/....//....//secret.txt",
        "/%00/secret.txt",
        "/assets/%00.js",
    ],
)
async def test_traversal_does_not_escape_the_build(
    tmp_path: Path, db: Database, dist: Path, path: str
) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data", ui_dir=dist), db=db)
    status, _, body = await _raw_get(app, path)
    assert status in (200, 404), (status, body[:200])
    assert SECRET.encode() not in body
    assert b"root:" not in body
    if status == 200:
        assert body == INDEX.encode()
    if path.startswith("/assets/"):
        assert status == 404


@pytest.mark.parametrize(
    "path",
    [
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/assets/..%5c..%5csecret.txt",
        "/assets/../../secret.txt",
    ],
)
async def test_encoded_traversal_through_a_client_does_not_leak(
    ui: httpx.AsyncClient, path: str
) -> None:
    response = await ui.get(path)
    assert response.status_code in (200, 404)
    assert SECRET not in response.text
    if response.status_code == 200:
        assert response.text == INDEX


async def test_symlinks_out_of_the_build_are_not_followed(
    ui: httpx.AsyncClient, dist: Path, tmp_path: Path
) -> None:
    (dist / "assets" / "leak.js").symlink_to(tmp_path / "secret.txt")
    (dist / "leak.txt").symlink_to(tmp_path / "secret.txt")
    assert (await ui.get("/assets/leak.js")).status_code == 404
    response = await ui.get("/leak.txt")
    assert SECRET not in response.text
    assert _is_index(response)


# --------------------------------------------------------------------------------------------
# no build: the landing page


@pytest.mark.parametrize("build", ["missing dir", "dir without index.html", "switched off"])
async def test_landing_page_when_the_app_is_not_built(
    tmp_path: Path, db: Database, build: str
) -> None:
    ui_dir: Path | None = tmp_path / "no-such-dist"
    if build == "dir without index.html":
        assert ui_dir is not None
        (ui_dir / "assets").mkdir(parents=True)
        (ui_dir / "assets" / "app-abc123.js").write_text(SCRIPT, encoding="utf-8")
    elif build == "switched off":
        ui_dir = None
    async with _app_client(tmp_path, db, ui_dir) as client:
        landing = await client.get("/")
        assert landing.status_code == 200
        assert landing.headers["content-type"].startswith("text/html")
        assert 'href="/graphql"' in landing.text
        assert "make run" in landing.text
        for path in ("/projects/demo/models/churn", "/nothing-here", "/api/x"):
            missing = await client.get(path)
            assert missing.status_code == 404, path
            assert missing.json() == NOT_FOUND
        graphql = await client.post("/graphql", json={"query": "{ projects { totalCount } }"})
        assert graphql.json() == {"data": {"projects": {"totalCount": 0}}}


async def test_the_build_appearing_later_replaces_the_landing_page(
    tmp_path: Path, db: Database
) -> None:
    ui_dir = tmp_path / "dist"
    async with _app_client(tmp_path, db, ui_dir) as client:
        assert "make run" in (await client.get("/")).text
        ui_dir.mkdir()
        (ui_dir / "index.html").write_text(INDEX, encoding="utf-8")
        assert _is_index(await client.get("/"))
        assert _is_index(await client.get("/projects/demo"))


# --------------------------------------------------------------------------------------------
# the setting


def test_ui_dir_defaults_to_frontend_dist_of_the_checkout() -> None:
    assert load_settings(environ={}).ui_dir == ROOT / "frontend" / "dist"


def test_ui_dir_is_read_from_the_environment(tmp_path: Path) -> None:
    assert load_settings(environ={"MODELREG_UI_DIR": str(tmp_path)}).ui_dir == tmp_path
    assert load_settings(environ={"MODELREG_UI_DIR": ""}).ui_dir == ROOT / "frontend" / "dist"
