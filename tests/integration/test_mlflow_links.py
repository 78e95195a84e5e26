"""The links the MLflow client prints (`<tracking_uri>/#/experiments/<e>/runs/<r>`) open the web
app in a browser, while the tracking URI stays the MLflow API for everything else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from modelreg.app import create_app
from modelreg.db import Database
from modelreg.settings import Settings
from tests.support.accounts import Accounts

INDEX = '<!doctype html><html><body><div id="root"></div></body></html>'
BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def _client(
    tmp_path: Path, db: Database, accounts: Accounts, ui_dir: Path | None
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(data_dir=tmp_path / "data", ui_dir=ui_dir), db=db)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = await accounts.headers("admin", admin=True)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://modelreg.test", headers=headers
    ) as client:
        yield client


@pytest.fixture
async def ui(tmp_path: Path, db: Database, accounts: Accounts) -> AsyncIterator[httpx.AsyncClient]:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text(INDEX, encoding="utf-8")
    async for client in _client(tmp_path, db, accounts, dist):
        yield client


@pytest.fixture
async def unbuilt(
    tmp_path: Path, db: Database, accounts: Accounts
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(tmp_path, db, accounts, None):
        yield client


@pytest.mark.parametrize("path", ["/projects/demo/mlflow/", "/projects/demo/mlflow"])
async def test_a_browser_opening_a_printed_run_link_gets_the_web_app(
    ui: httpx.AsyncClient, path: str
) -> None:
    # when (the fragment `#/experiments/1/runs/<id>` stays in the browser)
    response = await ui.get(path, headers=BROWSER)
    head = await ui.head(path, headers=BROWSER)

    # then
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(INDEX))


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/projects/demo/mlflow/", {"accept": "*/*"}),  # the MLflow client, curl
        ("GET", "/projects/demo/mlflow/", {"accept": "application/json"}),
        ("POST", "/projects/demo/mlflow/", BROWSER),
        ("GET", "/projects/demo/mlflow/api/2.0/mlflow/experiments/get", BROWSER),
        ("GET", "/projects/demo/mlflow/ajax-api/2.0/mlflow/runs/get", BROWSER),
    ],
)
async def test_api_calls_under_the_tracking_uri_stay_json(
    ui: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> None:
    response = await ui.request(method, path, headers=headers)
    assert response.headers["content-type"].startswith("application/json"), response.text
    assert INDEX not in response.text
    assert "error_code" in response.json()


async def test_without_a_built_web_app_the_link_is_the_mlflow_api_as_before(
    unbuilt: httpx.AsyncClient,
) -> None:
    response = await unbuilt.get("/projects/demo/mlflow/", headers=BROWSER)
    assert response.headers["content-type"].startswith("application/json")
    assert "error_code" in response.json()
