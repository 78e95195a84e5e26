"""lifecycle: stages, aliases, transition requests, comments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:49:25.372115
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import modelreg.db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("created_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_version.id"],
            name=op.f("fk_comment_version_id_model_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment")),
    )
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_version_id_id"), ["version_id", "id"], unique=False
        )

    op.create_table(
        "model_alias",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("alias", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("updated_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["registered_model.id"],
            name=op.f("fk_model_alias_model_id_registered_model"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_version.id"],
            name=op.f("fk_model_alias_version_id_model_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_alias")),
        sa.UniqueConstraint("model_id", "alias", name=op.f("uq_model_alias_model_id_alias")),
    )
    with op.batch_alter_table("model_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_alias_version_id"), ["version_id"], unique=False)

    op.create_table(
        "transition_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column(
            "target_stage",
            sa.Enum(
                "NONE",
                "STAGING",
                "PRODUCTION",
                "ARCHIVED",
                name="stage",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("requester", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "APPROVED",
                "REJECTED",
                "CANCELLED",
                name="requeststatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("resolver", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("resolution_comment", sa.Text(), nullable=False),
        sa.Column("archive_existing", sa.Boolean(), nullable=False),
        sa.Column("created_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_version.id"],
            name=op.f("fk_transition_request_version_id_model_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transition_request")),
    )
    with op.batch_alter_table("transition_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transition_request_version_id_status"),
            ["version_id", "status"],
            unique=False,
        )

    with op.batch_alter_table("model_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "stage",
                sa.Enum(
                    "NONE",
                    "STAGING",
                    "PRODUCTION",
                    "ARCHIVED",
                    name="stage",
                    native_enum=False,
                    length=16,
                ),
                server_default="NONE",
                nullable=False,
            )
        )
        batch_op.create_index(
            batch_op.f("ix_model_version_model_id_stage"), ["model_id", "stage"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("model_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_version_model_id_stage"))
        batch_op.drop_column("stage")

    with op.batch_alter_table("transition_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transition_request_version_id_status"))

    op.drop_table("transition_request")
    with op.batch_alter_table("model_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_alias_version_id"))

    op.drop_table("model_alias")
    with op.batch_alter_table("comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_version_id_id"))

    op.drop_table("comment")
