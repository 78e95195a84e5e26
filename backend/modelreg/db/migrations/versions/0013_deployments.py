"""deployments: what `modelreg serve-model` processes report they serve

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 23:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import modelreg.db.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("instance", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("endpoint", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("started_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("started_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("stopped_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_version.id"],
            name=op.f("fk_deployment_version_id_model_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("deployment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deployment_version_id_id"), ["version_id", "id"], unique=False
        )
        batch_op.create_index(
            "uq_deployment_open_instance_version",
            ["instance", "version_id"],
            unique=True,
            sqlite_where=sa.text("stopped_at IS NULL"),
            postgresql_where=sa.text("stopped_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("deployment", schema=None) as batch_op:
        batch_op.drop_index("uq_deployment_open_instance_version")
        batch_op.drop_index(batch_op.f("ix_deployment_version_id_id"))
    op.drop_table("deployment")
