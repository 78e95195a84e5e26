"""The `modelreg` command and a real server process on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import cli_token, run_modelreg, running_server

ROOT = Path(__file__).resolve().parents[2]


def test_export_schema_prints_the_committed_schema(tmp_path: Path) -> None:
    result = run_modelreg("export-schema", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "schema.graphql").read_text(encoding="utf-8")


def test_db_upgrade_creates_the_default_sqlite_file(tmp_path: Path) -> None:
    result = run_modelreg("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".modelreg" / "registry.db").stat().st_size > 0
    other = run_modelreg("db", "upgrade", "--data-dir", "elsewhere", cwd=tmp_path)
    assert other.returncode == 0, other.stderr
    assert (tmp_path / "elsewhere" / "registry.db").exists()


@pytest.mark.parametrize(
    ("env", "args", "named"),
    [
        ({"MODELREG_PROT": "9000"}, [], "MODELREG_PROT"),
        ({"MODELREG_PORT": "eighty"}, [], "MODELREG_PORT"),
        ({}, ["--port", "70000"], "MODELREG_PORT"),
        ({"MODELREG_DATABASE_URL": "mysql://db/x"}, [], "MODELREG_DATABASE_URL"),
        ({"MODELREG_LOG_LEVEL": "chatty"}, [], "MODELREG_LOG_LEVEL"),
    ],
)
def test_bad_settings_stop_the_server_naming_the_setting(
    tmp_path: Path, env: dict[str, str], args: list[str], named: str
) -> None:
    result = run_modelreg("serve", *args, cwd=tmp_path, **env)
    assert result.returncode != 0
    assert named in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / ".modelreg").exists()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with running_server(tmp_path) as base:
        yield base


def test_served_registry_answers_graphql_and_graphiql(server: str, tmp_path: Path) -> None:
    headers = {"Authorization": f"Bearer {cli_token(tmp_path)}"}
    with httpx.Client(base_url=server, timeout=10) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        create = (
            'mutation { createProject(input: {path: "demo"}) { project { id } errors { code } } }'
        )
        anonymous = client.post("/graphql", json={"query": create}).json()
        assert anonymous["data"]["createProject"]["errors"] == [{"code": "UNAUTHENTICATED"}]
        created = client.post("/graphql", json={"query": create}, headers=headers).json()
        assert created["data"]["createProject"]["errors"] == []
        listing = {"query": "{ projects { edges { node { path } } } }"}
        listed = client.post("/graphql", json=listing, headers=headers)
        assert listed.json()["data"]["projects"]["edges"] == [{"node": {"path": "demo"}}]
        # The project is private: anonymous callers do not see it.
        hidden = client.post("/graphql", json=listing)
        assert hidden.json()["data"]["projects"]["edges"] == []
        ide = client.get("/graphql", headers={"accept": "text/html"})
        assert ide.status_code == 200
        assert "graphiql" in ide.text.lower()
        landing = client.get("/")
        assert 'href="/graphql"' in landing.text
        missing = client.get("/nothing-here")
        assert missing.status_code == 404
        assert missing.json() == {"error": {"code": "NOT_FOUND", "message": "Not Found"}}
    assert (tmp_path / "data" / "registry.db").exists()
