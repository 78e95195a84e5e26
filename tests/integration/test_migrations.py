from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from modelreg.db import Database
from modelreg.db.migrate import alembic_config, pending_model_changes, upgrade
from modelreg.db.models import metadata
from modelreg.storage.memory import MemoryStorage


async def test_migrations_match_the_models(db: Database) -> None:
    assert await pending_model_changes(db.engine) == []


def test_migrations_have_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite://"))
    assert len(script.get_heads()) == 1


def test_downgrade_to_base_and_upgrade_again(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")

    async def tables() -> set[str]:
        db = Database(url)
        try:
            async with db.engine.connect() as conn:
                return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
        finally:
            await db.dispose()

    assert asyncio.run(tables()) == {"alembic_version"}
    upgrade(url)
    assert asyncio.run(tables()) == {"alembic_version", *metadata.tables}


def test_drift_is_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    extra = sa.Column("surprise", sa.Integer, nullable=True)
    table = metadata.tables["project"]
    table.append_column(extra)
    try:

        async def check() -> list[object]:
            db = Database(url)
            try:
                return await pending_model_changes(db.engine)
            finally:
                await db.dispose()

        changes = asyncio.run(check())
    finally:
        table._columns.remove(extra)  # undo, so other tests see the real models
    assert any("surprise" in repr(change) for change in changes)


def test_versions_existing_before_0003_start_in_stage_none(tmp_path: Path) -> None:
    # given a version written by the 0002 schema
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    upgrade(url, "0002")

    async def run(*statements: str) -> list[tuple[object, ...]]:
        db = Database(url)
        try:
            async with db.engine.begin() as conn:
                rows: list[tuple[object, ...]] = []
                for statement in statements:
                    result = await conn.execute(sa.text(statement))
                    if result.returns_rows:
                        rows = [tuple(r) for r in result]
                return rows
        finally:
            await db.dispose()

    now = "'2026-01-01 00:00:00.000000'"
    asyncio.run(
        run(
            "INSERT INTO project (id, path, name, description, visibility, created_by, "
            f"created_at, updated_at) VALUES (1, 'p', 'p', '', 'PRIVATE', 'a', {now}, {now})",
            "INSERT INTO registered_model (id, project_id, name, description, "
            "last_version_number, created_by, created_at, updated_at) "
            f"VALUES (1, 1, 'm', '', 1, 'a', {now}, {now})",
            "INSERT INTO model_version (id, model_id, number, version, sort_key, is_prerelease, "
            f"description, created_by, created_at, updated_at) "
            f"VALUES (1, 1, 1, '1.0.0', 'k', 0, '', 'a', {now}, {now})",
        )
    )

    # when
    upgrade(url)

    # then
    assert asyncio.run(run("SELECT version, stage FROM model_version")) == [("1.0.0", "NONE")]


async def test_ids_of_deleted_rows_are_never_reused(db: Database) -> None:
    """Events keep ids of deleted rows: a new model must not inherit a deleted one's history."""
    from modelreg.domain.actor import Actor
    from modelreg.services import models, projects, versions

    actor = Actor(name="alice", is_admin=True)
    async with db.begin() as s:
        project = await projects.create_project(s, actor=actor, path="demo")
        assert project.id is not None
        await models.create_model(s, actor=actor, project_id=project.id, name="a")
        old = await models.create_model(s, actor=actor, project_id=project.id, name="b")
        assert old.id is not None
        old_version = await versions.create_version(
            s, actor=actor, model_id=old.id, version="1.0.0"
        )
    async with db.begin() as s:
        await models.delete_model(s, actor=actor, storage=MemoryStorage(), model_id=old.id)
    async with db.begin() as s:
        new = await models.create_model(s, actor=actor, project_id=project.id, name="c")
        assert new.id is not None
        new_version = await versions.create_version(
            s, actor=actor, model_id=new.id, version="1.0.0"
        )
    assert new.id > old.id
    assert new_version.id is not None and old_version.id is not None
    assert new_version.id > old_version.id
