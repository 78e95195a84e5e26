"""File transfers over real HTTP: a client that vanishes mid-upload leaves nothing behind."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.server import cli_token, running_server

URL = "/api/v1/projects/demo/models/churn/versions/1.0.0/files/weights.bin"


def _mutation(client: httpx.Client, query: str, **variables: str) -> dict[str, Any]:
    data: dict[str, Any] = client.post(
        "/graphql", json={"query": query, "variables": variables}
    ).json()["data"]
    return data


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with running_server(tmp_path) as base, httpx.Client(base_url=base) as client:
        client.headers["authorization"] = f"Bearer {cli_token(tmp_path)}"
        project = _mutation(
            client, 'mutation { createProject(input: {path: "demo"}) { project { id } } }'
        )["createProject"]["project"]["id"]
        model = _mutation(
            client,
            'mutation($p: ID!) { createModel(input: {projectId: $p, name: "churn"}) '
            "{ model { id } } }",
            p=project,
        )["createModel"]["model"]["id"]
        _mutation(
            client,
            'mutation($m: ID!) { createVersion(input: {modelId: $m, version: "1.0.0"}) '
            "{ modelVersion { id } } }",
            m=model,
        )
        yield base


def _files_on_disk(tmp_path: Path) -> list[Path]:
    root = tmp_path / "data" / "artifacts"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _storing(tmp_path: Path) -> bool:
    """Whether the server has begun writing an upload (its `.part` file has bytes)."""
    return any(p.suffix == ".part" and p.stat().st_size > 0 for p in _files_on_disk(tmp_path))


def test_client_disconnect_mid_upload_leaves_no_file_and_no_row(
    server: str, tmp_path: Path
) -> None:
    host, port = urlsplit(server).hostname, urlsplit(server).port
    assert host and port
    announced = 50 * 1024 * 1024
    token = cli_token(tmp_path, name="disconnect")
    with socket.create_connection((host, port)) as sock:
        sock.sendall(
            f"PUT {URL} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {announced}\r\n"
            f"Authorization: Bearer {token}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n".encode()
        )
        chunk = b"x" * (1024 * 1024)
        for _ in range(5):  # 5 MiB of the announced 50, then the client vanishes
            sock.sendall(chunk)
        storing_by = time.monotonic() + 10
        while not _storing(tmp_path):  # vanish mid-upload: once the server is writing it
            assert time.monotonic() < storing_by, "the server never began storing the upload"
            time.sleep(0.01)
    deadline = time.monotonic() + 10
    with httpx.Client(base_url=server, headers={"authorization": f"Bearer {token}"}) as client:
        while True:
            listed = client.post(
                "/graphql",
                json={
                    "query": (
                        '{ project(path: "demo") { model(name: "churn") { '
                        'version(version: "1.0.0") { fileCount } } } }'
                    )
                },
            ).json()
            left = _files_on_disk(tmp_path)
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert listed["data"]["project"]["model"]["version"]["fileCount"] == 0
        assert left == []
        assert client.get(URL).status_code == 404
        # The next attempt works.
        retry = client.put(URL, content=b"y" * 1000)
        assert retry.status_code == 201
        assert client.get(URL).content == b"y" * 1000
