"""Export a project and import it into a fresh instance: the GraphQL API answers the same.

Compared: the project, its experiments, models (tags, aliases, latest version, activity) and
versions (numbers, SemVer, stages, descriptions, authors, timestamps, tags, aliases, transition
requests, comments, files, the run with params, metrics and history, activity). Not compared:
ids (renumbered; `runId` is kept and compared), experiment ids, payload keys naming ids, and the
target's own `project.imported` event.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from modelreg.db import Database
from tests.support.transfer import (
    export_to,
    import_from,
    instances,
    populate,
    rows,
    snapshot,
    target_database_url,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def target_url(
    request: pytest.FixtureRequest, db_kind: str, database_url: str, tmp_path: Path
) -> str:
    """The target's database; `database_url` first makes the session's template."""
    return target_database_url(request, db_kind, tmp_path)


async def test_import_into_a_fresh_instance_answers_the_same(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        # given
        await populate(source)
        before = await snapshot(source.gql)
        archive = await export_to(source, tmp_path / "demo.tar")

        # when
        result = await import_from(target, archive)

        # then
        assert result.applied
        assert await snapshot(target.gql) == before
        assert result.plan.unknown_users == {"alice"}
        # Each file once: the same bytes of two versions are one blob in the archive and the target.
        assert await rows(target.db, "blob") == await rows(source.db, "blob") == 2
        # The target's log ends with one event saying what was imported, from where.
        async with target.db.read() as session:
            last = (
                await session.exec(  # type: ignore[call-overload]
                    sa.text("SELECT type, actor, payload FROM event ORDER BY id DESC LIMIT 1")
                )
            ).one()
        payload = json.loads(last.payload) if isinstance(last.payload, str) else last.payload
        assert (last.type, last.actor) == ("project.imported", "system")
        assert payload["created"]["model_version"] == 3
        assert len(payload["source_instance"]) == 32


async def test_dry_run_plans_and_writes_nothing(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        # given
        await populate(source)
        archive = await export_to(source, tmp_path / "demo.tar")
        tables = (
            "project",
            "registered_model",
            "model_version",
            "event",
            "blob",
            "transfer_origin",
        )
        counts = {table: await rows(target.db, table) for table in (*tables, "user_account")}

        # when
        result = await import_from(target, archive, dry_run=True)

        # then
        assert not result.applied
        assert result.plan.create["model_version"] == 3
        assert result.plan.create["registered_model"] == 2
        assert result.plan.blobs_new == 2
        assert {table: await rows(target.db, table) for table in counts} == counts
        assert counts["model_version"] == counts["blob"] == 0
        assert not any((tmp_path / "target").rglob("blobs/*"))


async def test_an_interrupted_import_resumes_to_the_same_result(
    db: Database, target_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        # given: chunks of 7 records, and an import that fails after 20 records
        monkeypatch.setattr("modelreg.services.transfer.archive.CHUNK_RECORDS", 7)
        await populate(source)
        before = await snapshot(source.gql)
        archive = await export_to(source, tmp_path / "demo.tar")

        def fail_at_20(written: int) -> None:
            if written == 20:
                raise RuntimeError("power cut")

        with pytest.raises(RuntimeError, match="power cut"):
            await import_from(target, archive, on_record=fail_at_20)
        partial = await rows(target.db, "transfer_origin")
        assert 0 < partial < 20  # whole chunks kept, the interrupted chunk rolled back

        # when
        await import_from(target, archive)

        # then
        assert await snapshot(target.gql) == before
        assert await rows(target.db, "model_version") == 3


async def test_an_incremental_archive_applies_on_top(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        # given: a full import, then more happens in the source
        await populate(source)
        await import_from(target, await export_to(source, tmp_path / "full.tar"))
        async with source.db.read() as session:
            last = (await session.exec(sa.text("SELECT max(id) FROM event"))).scalar_one()  # type: ignore[call-overload]
        ids = await source.gql.execute(
            'query { project(path: "demo") { model(name: "churn") { id'
            ' version(version: "2.0.0-rc.1") { id } } } }'
        )
        model = ids["project"]["model"]
        new = await source.gql.execute(
            "mutation($i: CreateVersionInput!) { createVersion(input: $i) { errors { code } } }",
            {"i": {"modelId": model["id"], "version": "2.0.0"}},
        )
        assert new["createVersion"]["errors"] == []
        await source.gql.execute(
            "mutation($i: SetAliasInput!) { setAlias(input: $i) { errors { code } } }",
            {"i": {"versionId": model["version"]["id"], "alias": "challenger"}},
        )
        await source.gql.execute(
            "mutation($i: UpdateVersionInput!) { updateVersion(input: $i) { errors { code } } }",
            {"i": {"id": model["version"]["id"], "description": "now described"}},
        )
        before = await snapshot(source.gql)

        # when
        archive = await export_to(source, tmp_path / "since.tar", since_event=int(last))
        result = await import_from(target, archive)

        # then
        assert result.plan.create["model_version"] == 1
        assert result.plan.create["event"] == 3, result.plan.create  # created, alias set, updated
        assert "registered_model" not in result.plan.create
        assert await snapshot(target.gql) == before
