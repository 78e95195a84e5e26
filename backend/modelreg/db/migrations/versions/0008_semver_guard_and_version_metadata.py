"""project.semver_guard; version_metadata: what a version's MLmodel and dependency files say

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 10:04:31.522318
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import modelreg.db.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "version_metadata",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("updated_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_version.id"],
            name=op.f("fk_version_metadata_version_id_model_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_version_metadata")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "semver_guard",
                sa.Enum("OFF", "WARN", "ENFORCE", name="semverguard", native_enum=False, length=16),
                server_default="WARN",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("semver_guard")

    op.drop_table("version_metadata")
