"""Incremental imports carry deletions; ids inside imported event payloads are the target's;
the MLflow artifact proxy's files make the round trip.

Deletions: a base archive is imported, then tags, an alias, a version, a comment, a file and a
model are deleted in the source and an alias moves; the --since-event archive imported on top
leaves the target answering as the source does, and a row the target made itself stays.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from modelreg.db import Database
from tests.support.registry import create_model, create_project, create_version
from tests.support.transfer import (
    Instance,
    export_to,
    gql_ok,
    import_from,
    instances,
    populate,
    snapshot,
    target_database_url,
)

pytestmark = pytest.mark.anyio

ARTIFACTS = "/projects/demo/mlflow/api/2.0/mlflow-artifacts/artifacts"
IDS = """query { project(path: "demo") {
  models(first: 10) { edges { node { id name } } }
  model(name: "churn") { id versions(first: 10) { edges { node { id version
    comments { id } } } } } } }"""


@pytest.fixture
def target_url(
    request: pytest.FixtureRequest, db_kind: str, database_url: str, tmp_path: Path
) -> str:
    """The target's database; `database_url` first makes the session's template."""
    return target_database_url(request, db_kind, tmp_path)


async def _ids(source: Instance) -> dict[str, Any]:
    data = (await source.gql.execute(IDS))["project"]
    churn = data["model"]
    versions = {e["node"]["version"]: e["node"] for e in churn["versions"]["edges"]}
    models = {e["node"]["name"]: e["node"]["id"] for e in data["models"]["edges"]}
    return {"churn": churn["id"], "versions": versions, "models": models}


async def _last_event(db: Database) -> int:
    async with db.read() as session:
        found = await session.exec(sa.text("SELECT max(id) FROM event"))  # type: ignore[call-overload]
        return int(found.scalar_one())


def _row_id(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


async def _sql(db: Database, statement: str, **params: Any) -> list[Any]:
    async with db.begin() as session:
        found = await session.exec(sa.text(statement), params=params)  # type: ignore[call-overload]
        return list(found.scalars()) if found.returns_rows else []


async def _mutate(
    source: Instance, name: str, kind: str, values: dict[str, Any], actor: str | None = None
) -> None:
    await gql_ok(
        source.gql if actor is None else source.gql.as_actor(actor),
        f"mutation($i: {kind}!) {{ {name}(input: $i) {{ errors {{ code }} }} }}",
        {"i": values},
    )


async def test_an_incremental_archive_carries_deletions(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        # given: a base import with a second alias, then the target adds a tag of its own
        await populate(source)
        ids = await _ids(source)
        first, second = ids["versions"]["1.0.0"], ids["versions"]["1.0.1"]
        await _mutate(
            source, "setAlias", "SetAliasInput", {"versionId": first["id"], "alias": "canary"}
        )
        await import_from(target, await export_to(source, tmp_path / "base.tar"))
        since = await _last_event(source.db)
        # a tag the target made itself (straight in its database: no event to compare)
        own = (await _ids(target))["versions"]["1.0.0"]["id"]
        await _sql(
            target.db,
            "INSERT INTO version_tag (version_id, key, value) VALUES (:v, 'own', '1')",
            v=_row_id(own),
        )
        # ... and in the source: deletions of every kind, and an alias moves
        await _mutate(
            source,
            "deleteModelTags",
            "DeleteModelTagsInput",
            {"id": ids["churn"], "keys": ["team"]},
        )
        await _mutate(
            source,
            "deleteVersionTags",
            "DeleteVersionTagsInput",
            {"id": first["id"], "keys": ["modelreg.commit"]},
        )
        await _mutate(
            source, "deleteAlias", "DeleteAliasInput", {"modelId": ids["churn"], "alias": "canary"}
        )
        await _mutate(
            source, "setAlias", "SetAliasInput", {"versionId": first["id"], "alias": "champion"}
        )
        await _mutate(
            source,
            "deleteVersion",
            "DeleteVersionInput",
            {"id": ids["versions"]["2.0.0-rc.1"]["id"]},
        )
        await _mutate(
            source,
            "deleteComment",
            "DeleteCommentInput",
            {"id": first["comments"][0]["id"]},
            "alice",
        )
        await _mutate(
            source,
            "deleteFiles",
            "DeleteFilesInput",
            {"versionId": second["id"], "paths": ["conf/p.json"]},
        )
        await _mutate(source, "deleteModel", "DeleteModelInput", {"id": ids["models"]["fraud"]})
        before = await snapshot(source.gql)
        archive = await export_to(source, tmp_path / "since.tar", since_event=since)

        # when: a dry run, then the import
        planned = await import_from(target, archive, dry_run=True)
        result = await import_from(target, archive)

        # then: the dry run lists the deletions it would make, the import makes them
        expected = {
            "model_tag": 1,
            "version_tag": 1,
            "model_alias": 1,
            "model_version": 1,
            "comment": 1,
            "artifact": 1,
            "registered_model": 1,
        }
        assert dict(planned.plan.delete) == expected
        assert sorted(k for k, _ in planned.plan.deletions) == sorted(expected)
        assert planned.plan.to_json()["delete"] == expected
        assert dict(result.plan.delete) == expected
        # the target's own tag survived; without it the target answers as the source does
        assert await _sql(target.db, "SELECT key FROM version_tag WHERE key = 'own'") == ["own"]
        await _sql(target.db, "DELETE FROM version_tag WHERE key = 'own'")
        assert await snapshot(target.gql) == before
        # a second import of the same archive deletes nothing more
        again = await import_from(target, archive, dry_run=True)
        assert dict(again.plan.delete) == {}


async def _events(db: Database) -> list[tuple[str, int | None, dict[str, Any]]]:
    async with db.read() as session:
        found = await session.exec(  # type: ignore[call-overload]
            sa.text("SELECT type, version_id, payload FROM event ORDER BY id")
        )
        rows = found.all()
    return [
        (r.type, r.version_id, json.loads(r.payload) if isinstance(r.payload, str) else r.payload)
        for r in rows
    ]


async def _exists(db: Database, table: str, row_id: int, version_id: int | None) -> bool:
    async with db.read() as session:
        found = await session.exec(  # type: ignore[call-overload]
            sa.text(f"SELECT version_id FROM {table} WHERE id = :i"), params={"i": row_id}
        )
        row = found.first()
    return row is not None and row.version_id == version_id


async def test_ids_in_imported_event_payloads_are_the_targets(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        # given: a target whose ids differ from the source's (rows of its own first)
        other = await create_project(target.gql, "other")
        model = await create_model(target.gql, other["id"], "m")
        for n in range(4):
            await create_version(target.gql, model["id"], f"0.0.{n}")
        await populate(source)
        archive = await export_to(source, tmp_path / "demo.tar")

        # when
        await import_from(target, archive)

        # then: every id a payload names is the target's row of the same event
        events = [e for e in await _events(target.db) if e[0] != "project.imported"]
        checked = {"version_id": 0, "request_id": 0, "comment_id": 0}
        for kind, version_id, payload in events:
            if payload.get("version_id") is not None:
                assert payload["version_id"] == version_id, (kind, payload)
                checked["version_id"] += 1
            if payload.get("request_id") is not None:
                assert await _exists(
                    target.db, "transition_request", payload["request_id"], version_id
                ), (kind, payload)
                checked["request_id"] += 1
            if payload.get("comment_id") is not None:
                assert await _exists(target.db, "comment", payload["comment_id"], version_id)
                checked["comment_id"] += 1
        assert all(checked.values()), checked
        source_events = await _events(source.db)
        assert [e[2].get("version_id") for e in source_events] != [
            e[2].get("version_id") for e in events
        ]


async def test_mlflow_proxy_files_make_the_round_trip_and_their_deletion_follows(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        # given: two files stored through the MLflow artifact proxy
        await populate(source)
        for name, body in (("a.bin", b"alpha" * 50), ("b.txt", b"beta")):
            put = await source.http.put(f"{ARTIFACTS}/0/run1/artifacts/{name}", content=body)
            assert put.status_code == 200, put.text
        since = await _last_event(source.db)

        # when
        await import_from(target, await export_to(source, tmp_path / "full.tar"))

        # then
        for name, body in (("a.bin", b"alpha" * 50), ("b.txt", b"beta")):
            got = await target.http.get(f"{ARTIFACTS}/0/run1/artifacts/{name}")
            assert (got.status_code, got.content) == (200, body)

        # when: one is deleted in the source, and an incremental archive follows
        assert (await source.http.delete(f"{ARTIFACTS}/0/run1/artifacts/b.txt")).status_code == 200
        result = await import_from(
            target, await export_to(source, tmp_path / "since.tar", since_event=since)
        )

        # then
        assert dict(result.plan.delete) == {"tracked_file": 1}
        assert (await target.http.get(f"{ARTIFACTS}/0/run1/artifacts/b.txt")).status_code == 404
        kept = await target.http.get(f"{ARTIFACTS}/0/run1/artifacts/a.bin")
        assert kept.content == b"alpha" * 50


async def test_imported_rows_never_take_the_id_of_a_deleted_row(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        # given: the target's newest version and its comment deleted (ids its history keeps;
        # tables whose ids are never reused)
        other = await create_project(target.gql, "other")
        model = await create_model(target.gql, other["id"], "m")
        await create_version(target.gql, model["id"], "0.0.1")
        doomed = await create_version(target.gql, model["id"], "0.0.2")
        await _mutate(
            target, "addComment", "AddCommentInput", {"versionId": doomed["id"], "body": "x"}
        )
        highest = {t: max(await _sql(target.db, f"SELECT id FROM {t}")) for t in TABLES}
        await _mutate(target, "deleteVersion", "DeleteVersionInput", {"id": doomed["id"]})
        await populate(source)

        # when
        await import_from(target, await export_to(source, tmp_path / "demo.tar"))

        # then: every imported row has an id above the highest the table ever handed out
        for table, before in highest.items():
            imported = await _sql(
                target.db,
                f"SELECT target_id FROM transfer_origin WHERE kind = '{table}'",
            )
            assert imported and min(imported) > before, (table, before, imported)


TABLES = ("model_version", "comment")


async def test_an_archive_of_some_models_deletes_no_other_model(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        # given: the whole project imported
        await populate(source)
        await import_from(target, await export_to(source, tmp_path / "all.tar"))

        ids = await _ids(source)
        await _mutate(source, "deleteModel", "DeleteModelInput", {"id": ids["models"]["fraud"]})

        # when: an archive of one model of it, after the other was deleted in the source
        churn_only = await export_to(source, tmp_path / "churn.tar", models=("churn",))
        result = await import_from(target, churn_only)

        # then: it speaks for that model only (a whole-project archive would delete fraud)
        assert dict(result.plan.delete) == {}
        assert set((await _ids(target))["models"]) == {"churn", "fraud"}
