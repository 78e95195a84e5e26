"""Alembic, driven from code: `upgrade(url)` and the model/migration drift check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from modelreg.db import models

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply migrations. Runs its own event loop, so call it outside of one."""
    command.upgrade(alembic_config(url), revision)


async def pending_model_changes(engine: AsyncEngine) -> list[Any]:
    """Differences between the tables in code and the migrated database; empty when in step."""

    def compare(sync_conn: Any) -> list[Any]:
        context = MigrationContext.configure(
            sync_conn, opts={"compare_type": True, "render_as_batch": True}
        )
        return list(compare_metadata(context, models.metadata))

    async with engine.connect() as conn:
        return await conn.run_sync(compare)
