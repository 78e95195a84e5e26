"""export/import: this instance's identity and the origin map of imported rows

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import modelreg.db.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "instance_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_identity")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_instance_identity_instance_id")),
    )
    op.create_table(
        "transfer_origin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_instance", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_origin")),
        sa.UniqueConstraint(
            "source_instance",
            "kind",
            "source_id",
            name=op.f("uq_transfer_origin_source_instance_kind_source_id"),
        ),
    )
    op.create_index(
        op.f("ix_transfer_origin_kind_target_id"),
        "transfer_origin",
        ["kind", "target_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_transfer_origin_kind_target_id"), table_name="transfer_origin")
    op.drop_table("transfer_origin")
    op.drop_table("instance_identity")
