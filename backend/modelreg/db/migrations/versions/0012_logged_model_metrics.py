"""logged models: soft delete (lifecycle_stage) and their metrics (logged_model_metric)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 17:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("logged_model", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "lifecycle_stage", sa.String(length=16), nullable=False, server_default="active"
            )
        )
    op.create_table(
        "logged_model_metric",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("logged_model_id", sa.Integer(), nullable=False),
        sa.Column("run_uuid", sa.String(length=32), nullable=True),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("is_nan", sa.Boolean(), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("dataset_name", sa.String(length=500), nullable=True),
        sa.Column("dataset_digest", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["logged_model_id"],
            ["logged_model.id"],
            name=op.f("fk_logged_model_metric_logged_model_id_logged_model"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_logged_model_metric")),
    )
    with op.batch_alter_table("logged_model_metric", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_logged_model_metric_logged_model_id_key"),
            ["logged_model_id", "key"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("logged_model_metric", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_logged_model_metric_logged_model_id_key"))
    op.drop_table("logged_model_metric")
    with op.batch_alter_table("logged_model", schema=None) as batch_op:
        batch_op.drop_column("lifecycle_stage")
