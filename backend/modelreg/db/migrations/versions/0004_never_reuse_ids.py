"""SQLite: never reuse the ids of deleted projects, models, versions, requests and comments

The event log keeps ids of deleted rows; with plain INTEGER PRIMARY KEY, SQLite gives a deleted
row's id to the next new row, which then shows the old row's history. AUTOINCREMENT prevents it.
PostgreSQL sequences never reuse ids, so nothing changes there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 13:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("project", "registered_model", "model_version", "transition_request", "comment")


def _recreate(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _recreate(True)


def downgrade() -> None:
    _recreate(False)
