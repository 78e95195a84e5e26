"""`/metrics`: requests by route template, status and GraphQL operation type, latency
histograms, stored upload bytes and the outbox backlog, without a project or model name; the
token that protects it; MODELREG_METRICS=false turns it off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from modelreg.app import create_app
from modelreg.db import Database
from modelreg.settings import Settings
from tests.support.server import cli_token, running_server
from tests.support.webhooks import add_webhook_sync

# Names that must never appear in the metrics.
PROJECT, MODEL = "zebra-secret-project", "okapi-model"
FILES = "/api/v1/projects/{project}/models/{model}/versions/{version}/files/{path:path}"
REGISTERED_MODEL_GET = "/projects/{project}/mlflow/api/2.0/mlflow/registered-models/get"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    """Every sample of a scrape: (name, labels) -> value."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def requests(found: Samples, method: str, route: str, status: int, operation: str = "") -> float:
    labels = {"method": method, "route": route, "operation": operation, "status": str(status)}
    return value(found, "modelreg_http_requests_total", **labels)


def _gql(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    body = client.post("/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _registry(client: httpx.Client, versions: int) -> str:
    """Project PROJECT, model MODEL with `versions` versions 1.0.0, 2.0.0...; the model's id."""
    project = _gql(
        client,
        "mutation($p: String!) { createProject(input: {path: $p}) { project { id } } }",
        p=PROJECT,
    )["createProject"]["project"]["id"]
    model = _gql(
        client,
        "mutation($p: ID!, $n: String!) { createModel(input: {projectId: $p, name: $n}) "
        "{ model { id } } }",
        p=project,
        n=MODEL,
    )["createModel"]["model"]["id"]
    for number in range(1, versions + 1):
        _create_version(client, model, f"{number}.0.0")
    return str(model)


def _create_version(client: httpx.Client, model: str, version: str) -> None:
    _gql(
        client,
        "mutation($m: ID!, $v: String!) { createVersion(input: {modelId: $m, version: $v}) "
        "{ modelVersion { id } } }",
        m=model,
        v=version,
    )


def test_a_served_registry_counts_requests_uploads_and_backlog(tmp_path: Path) -> None:
    # No webhook worker in this process: the deliveries stay in the outbox, as when workers
    # fall behind.
    with (
        running_server(tmp_path, MODELREG_WEBHOOKS_ENABLED="false") as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        client.headers["authorization"] = f"Bearer {cli_token(tmp_path)}"
        before = samples(client.get("/metrics").text)
        model = _registry(client, versions=1)  # 3 mutations
        url = f"/api/v1/projects/{PROJECT}/models/{MODEL}/versions/1.0.0/files"
        assert client.put(f"{url}/weights.bin", content=b"w" * 1234).status_code == 201
        # A refused upload stores nothing and counts no bytes.
        missing = f"/api/v1/projects/{PROJECT}/models/{MODEL}/versions/9.9.9/files/x.bin"
        assert client.put(missing, content=b"x" * 999).status_code == 404
        for _ in range(3):
            assert client.get(f"{url}/weights.bin").status_code == 200
        mlflow = f"/projects/{PROJECT}/mlflow/api/2.0/mlflow/registered-models/get"
        assert client.get(mlflow, params={"name": MODEL}).status_code == 200
        assert client.get(mlflow, params={"name": "nope"}).status_code == 404
        assert client.get(f"/projects/{PROJECT}/mlflow/api/2.0/mlflow/no/such").status_code == 404
        assert client.post("/graphql", json={"query": "{ __typename }"}).status_code == 200
        assert client.post("/graphql", json={"query": "{ projects {"}).status_code == 200
        assert client.get(f"/{PROJECT}/nowhere/{MODEL}").status_code == 404
        # A webhook on the project, then an event for it: one delivery waits in the outbox.
        database = f"sqlite:///{tmp_path / 'data' / 'registry.db'}"
        add_webhook_sync(database, PROJECT, "http://127.0.0.1:9/hook")
        _create_version(client, model, "2.0.0")

        response = client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text
        after = samples(text)

    def grew(method: str, route: str, status: int, operation: str = "") -> float:
        return requests(after, method, route, status, operation) - requests(
            before, method, route, status, operation
        )

    assert grew("POST", "/graphql", 200, "mutation") == 4
    assert grew("POST", "/graphql", 200, "query") == 1
    assert grew("POST", "/graphql", 200, "invalid") == 1  # a syntax error
    assert grew("PUT", FILES, 201) == 1
    assert grew("PUT", FILES, 404) == 1
    assert grew("GET", FILES, 200) == 3
    assert grew("GET", REGISTERED_MODEL_GET, 200) == 1
    assert grew("GET", REGISTERED_MODEL_GET, 404) == 1
    # An endpoint MLflow does not have: the tracking URI's template, not the path asked.
    assert grew("GET", "/projects/{project}/mlflow/{rest:path}", 404) == 1
    assert grew("GET", "(unmatched)", 404) == 1
    assert grew("GET", "/metrics", 200) == 1  # the first scrape

    # Latency: every bucket of the route, the +Inf one holding every request.
    labels = {"route": FILES, "operation": ""}
    buckets = {
        dict(labels_)["le"]: v
        for (name, labels_), v in after.items()
        if name == "modelreg_http_request_duration_seconds_bucket"
        and {k: v for k, v in labels_ if k != "le"} == labels
    }
    assert {"0.005", "0.1", "1.0", "120.0", "+Inf"} <= set(buckets)
    assert buckets["+Inf"] == 5
    count = value(after, "modelreg_http_request_duration_seconds_count", **labels)
    assert count == 5
    assert value(after, "modelreg_http_request_duration_seconds_sum", **labels) > 0

    # The stored upload once; not the refused one.
    assert (
        value(after, "modelreg_upload_bytes_total") - value(before, "modelreg_upload_bytes_total")
        == 1234
    )
    assert value(after, "modelreg_uploads_total") - value(before, "modelreg_uploads_total") == 1
    # Downloads: the bytes of the three GETs of the file, as sent.
    downloaded = {"method": "GET", "route": FILES}
    assert value(after, "modelreg_http_response_body_bytes_total", **downloaded) == 3 * 1234

    assert value(after, "modelreg_webhook_deliveries_pending") == 1
    assert value(after, "modelreg_webhook_deliveries_due") == 1
    assert 0 <= value(after, "modelreg_webhook_deliveries_oldest_pending_seconds") < 60
    assert value(before, "modelreg_webhook_deliveries_pending") == 0
    assert ("modelreg_mail_jobs_pending", frozenset()) in after
    assert value(after, "modelreg_process_resident_memory_bytes") > 0

    for name in (PROJECT, MODEL, "weights.bin", "nowhere", "no/such"):
        assert name not in text, name


@pytest.fixture
async def metrics_app(tmp_path: Path, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process app whose settings the test passes: call the yielded factory."""
    clients: list[httpx.AsyncClient] = []

    async def make(**fields: Any) -> httpx.AsyncClient:
        app = create_app(Settings(data_dir=tmp_path / "data", ui_dir=None, **fields), db=db)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url="http://modelreg.test")
        clients.append(client)
        return client

    yield make  # type: ignore[misc]
    for client in clients:
        await client.aclose()


async def test_a_metrics_token_is_required_when_set(metrics_app: Any) -> None:
    client = await metrics_app(metrics_token=SecretStr("scrape-me-42"))
    refused = await client.get("/metrics")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
    assert "scrape-me-42" not in refused.text
    wrong = await client.get("/metrics", headers={"authorization": "Bearer scrape-me-43"})
    assert wrong.status_code == 401
    basic = await client.get("/metrics", headers={"authorization": "Basic scrape-me-42"})
    assert basic.status_code == 401
    ok = await client.get("/metrics", headers={"authorization": "Bearer scrape-me-42"})
    assert ok.status_code == 200
    assert "modelreg_http_requests_total" in ok.text
    # The refusals were counted, as any request.
    found = samples(ok.text)
    assert requests(found, "GET", "/metrics", 401) >= 3


async def test_metrics_off_serves_no_endpoint_and_counts_nothing(metrics_app: Any) -> None:
    on = await metrics_app()
    before = samples((await on.get("/metrics")).text)
    off = await metrics_app(metrics=False)
    refused = await off.get("/metrics")
    assert refused.status_code == 404
    assert "modelreg_" not in refused.text
    assert (await off.get("/healthz")).status_code == 200
    after = samples((await on.get("/metrics")).text)
    assert requests(after, "GET", "/healthz", 200) == requests(before, "GET", "/healthz", 200)
    assert requests(after, "GET", "/metrics", 200) - requests(before, "GET", "/metrics", 200) == 1


async def test_methods_outside_http_s_usual_ones_share_one_label(metrics_app: Any) -> None:
    client = await metrics_app()
    before = samples((await client.get("/metrics")).text)
    for method in ("BREW", "BREW2", "PROPFIND"):
        assert (await client.request(method, "/healthz")).status_code == 405
    text = (await client.get("/metrics")).text
    grew = requests(samples(text), "OTHER", "/healthz", 405) - requests(
        before, "OTHER", "/healthz", 405
    )
    assert grew == 3
    assert "BREW" not in text and "PROPFIND" not in text


def test_every_scrape_of_several_processes_adds_up_all_of_them(tmp_path: Path) -> None:
    """`serve --workers 2`: whichever process answers /metrics counts the other's requests too."""
    query = {"query": "{ __typename }"}
    with running_server(tmp_path, "--workers", "2") as base:
        for _ in range(20):  # a new connection each: either process may take it
            assert httpx.post(f"{base}/graphql", json=query).status_code == 200
        scrapes = [samples(httpx.get(f"{base}/metrics").text) for _ in range(6)]
    for found in scrapes:
        assert requests(found, "POST", "/graphql", 200, "query") == 20
    # Each process's own counters were written to the shared directory.
    pids = {
        dict(labels).get("pid")
        for found in scrapes
        for (name, labels) in found
        if name == "modelreg_http_requests_total"
    }
    assert pids == {None}  # summed over processes, not one series per process
