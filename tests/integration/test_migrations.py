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
