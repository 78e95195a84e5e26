"""`modelreg import-mlflow` against a real `mlflow server` filled by the real MLflow client.

Asserted through modelreg's GraphQL API: numbers, SemVer (patch order, or the modelreg.version
tag), stages, aliases, tags, descriptions, timestamps, authors, run links and files' bytes by
SHA-256; a version whose run was deleted or whose files were removed comes anyway and the import
says what was missing; a dry run writes nothing; an interrupted run resumes; a second run brings
only what is new (downloading only its files) and removes the tags and aliases MLflow deleted.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from modelreg.db import Database
from modelreg.services.transfer.mlflow_rest import MlflowRest
from modelreg.services.transfer.mlflow_source import MlflowImport, import_mlflow
from modelreg.storage import create_storage
from tests.support.mlflow_server import MlflowServer, mlflow_server, server_executable
from tests.support.registry import create_project
from tests.support.transfer import Instance, instance, rows

pytestmark = pytest.mark.anyio

QUERY = """query { project(path: "ml") { models(first: 10) { edges { node {
  name description createdBy tags { key value } aliases { alias version { version } }
  versions(first: 10) { edges { node {
    number version stage description createdBy createdAt runId source
    tags { key value } files { path size sha256 }
  } } }
} } } } }"""


@pytest.fixture
def server(tmp_path: Path) -> Any:
    server_executable()  # skip before anything else when the environment is absent
    with mlflow_server(tmp_path / "mlflow") as running:
        yield running


async def _import(
    target: Instance,
    url: str,
    *,
    dry_run: bool = False,
    on_record: Callable[[int], None] | None = None,
) -> MlflowImport:
    storage = create_storage(target.settings)
    try:
        return await import_mlflow(
            target.db, storage, MlflowRest(url), into="ml", dry_run=dry_run, on_record=on_record
        )
    finally:
        await storage.close()


def _stop_at(count: int) -> Callable[[int], None]:
    def stop(written: int) -> None:
        if written == count:
            raise RuntimeError("interrupted")

    return stop


async def _models(target: Instance) -> dict[str, dict[str, Any]]:
    data = await target.gql.execute(QUERY)
    models = {e["node"]["name"]: e["node"] for e in data["project"]["models"]["edges"]}
    for model in models.values():
        versions = [e["node"] for e in model.pop("versions")["edges"]]
        model["versions"] = {v["number"]: v for v in versions}
    return models


@asynccontextmanager
async def _target(db: Database, tmp_path: Path) -> AsyncIterator[Instance]:
    """The instance imported into; the test's connections go with it (the `db` fixture's
    teardown may run in another event loop, where asyncpg's could not be used)."""
    try:
        async with instance(db, tmp_path / "data") as target:
            yield target
    finally:
        await db.engine.dispose()


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _ms(iso: str) -> int:
    return round(datetime.fromisoformat(iso).astimezone(UTC).timestamp() * 1000)


async def test_registry_comes_over_with_what_mlflow_still_has(
    db: Database, server: MlflowServer, tmp_path: Path
) -> None:
    # given: MLflow with two models; version 2's run deleted, version 3's files removed
    made = server.populate("initial")
    v3_root = made["v3_uri"].removeprefix("mlflow-artifacts:").strip("/")
    shutil.rmtree(server.artifacts / v3_root)
    async with _target(db, tmp_path) as target:
        await create_project(target.gql, "ml")

        # when: a dry run, an import interrupted half-way, the same import again
        dry = await _import(target, server.url, dry_run=True)
        written_by_dry_run = await rows(db, "model_version") + await rows(db, "blob")
        records = sum(dry.result.plan.create.values()) + sum(dry.result.plan.update.values())
        with pytest.raises(RuntimeError):  # at the last record: fraud's, churn is before it
            await _import(target, server.url, on_record=_stop_at(records))
        interrupted_at = await rows(db, "model_version")
        resumed = await _import(target, server.url)

        # then
        planned, missing = dry.result.plan, resumed.missing
        assert not dry.result.applied and written_by_dry_run == 0
        assert planned.create["model_version"] == 4 and planned.create["model_alias"] == 2
        assert planned.create["blob"] == 3  # churn 1 and fraud 1 share model.pkl's bytes
        assert interrupted_at == 3  # churn's chunk was written, fraud's was not
        assert resumed.result.applied
        assert resumed.result.plan.create["model_version"] == 4 - interrupted_at
        models = await _models(target)
        churn, fraud = models["churn"], models["fraud"]
        assert churn["description"] == "churn model"
        assert churn["tags"] == [{"key": "team", "value": "growth"}]
        assert sorted((a["alias"], a["version"]["version"]) for a in churn["aliases"]) == [
            ("challenger", "1.0.1"),
            ("champion", "1.0.0"),
        ]
        versions = churn["versions"]
        assert {n: (v["version"], v["stage"]) for n, v in versions.items()} == {
            1: ("1.0.0", "PRODUCTION"),
            2: ("1.0.1", "STAGING"),
            3: ("2.0.0", "NONE"),  # its tag modelreg.version=2.0.0
        }
        assert fraud["versions"][1]["stage"] == "ARCHIVED"
        first = versions[1]
        assert first["description"] == "first"
        assert {"key": "commit", "value": "abc123"} in first["tags"]
        assert _ms(first["createdAt"]) == made["versions"]["churn/1"]["created"]
        assert first["runId"] is not None and first["source"].startswith("mlflow-artifacts:")
        assert {f["path"]: f["sha256"] for f in first["files"]} == {
            "model.pkl": _sha(b"weights-1" * 1000),
            "conf/p.json": _sha(b"{}"),
        }
        # The deleted run: the version and its files came, the link did not, and it was said.
        assert versions[2]["runId"] is None
        assert [f["sha256"] for f in versions[2]["files"]] == [_sha(b"weights-2" * 1000)]
        # The removed files: the version came without them, and it was said.
        assert versions[3]["files"] == []
        assert any("version 2: run" in m and "was deleted" in m for m in missing)
        assert any("churn version 3: no files" in m for m in missing)

        # when: MLflow gets a fourth version, and the import runs again
        server.populate("more")
        again = await _import(target, server.url)

        # then: only what is new is created, and only its file is downloaded
        assert again.downloaded == 1
        assert dict(again.result.plan.create) == {
            "model_version": 1,
            "blob": 1,
            "artifact": 1,
            "model_alias": 1,
        }
        # Labels MLflow no longer has go; versions and files stay.
        assert dict(again.result.plan.delete) == {"model_alias": 1, "version_tag": 1}
        churn = (await _models(target))["churn"]
        assert "challenger" not in [a["alias"] for a in churn["aliases"]]
        assert churn["versions"][1]["tags"] == []
        assert churn["versions"][4]["version"] == "1.0.3"
        assert [f["sha256"] for f in churn["versions"][4]["files"]] == [_sha(b"weights-4")]
        assert ("next", "1.0.3") in [
            (a["alias"], a["version"]["version"]) for a in churn["aliases"]
        ]
        assert await rows(db, "model_version") == 5
