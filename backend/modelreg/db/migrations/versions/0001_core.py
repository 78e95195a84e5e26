"""core: projects, models, versions, tags, events

Revision ID: 0001
Revises:
Create Date: 2026-11-25 11:09:42.719102
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import modelreg.db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("model_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_model_id_id"), ["model_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_project_id_id"), ["project_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_event_version_id_id"), ["version_id", "id"], unique=False
        )

    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "visibility",
            sa.Enum(
                "PRIVATE", "INTERNAL", "PUBLIC", name="visibility", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("created_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("path", name=op.f("uq_project_path")),
    )
    op.create_table(
        "registered_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("last_version_number", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("created_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_registered_model_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registered_model")),
        sa.UniqueConstraint("project_id", "name", name=op.f("uq_registered_model_project_id_name")),
    )
    with op.batch_alter_table("registered_model", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registered_model_project_id_created_at"),
            ["project_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_registered_model_project_id_updated_at"),
            ["project_id", "updated_at"],
            unique=False,
        )

    op.create_table(
        "model_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=250), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["registered_model.id"],
            name=op.f("fk_model_tag_model_id_registered_model"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_tag")),
        sa.UniqueConstraint("model_id", "key", name=op.f("uq_model_tag_model_id_key")),
    )
    with op.batch_alter_table("model_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_model_tag_key_value"), ["key", "value"], unique=False)

    op.create_table(
        "model_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column(
            "sort_key",
            sa.String(length=255).with_variant(sa.String(length=255, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_prerelease", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("created_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["registered_model.id"],
            name=op.f("fk_model_version_model_id_registered_model"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_version")),
        sa.UniqueConstraint("model_id", "number", name=op.f("uq_model_version_model_id_number")),
        sa.UniqueConstraint(
            "model_id", "sort_key", name=op.f("uq_model_version_model_id_sort_key")
        ),
        sa.UniqueConstraint("model_id", "version", name=op.f("uq_model_version_model_id_version")),
    )
    with op.batch_alter_table("model_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_model_version_model_id_created_at"),
            ["model_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_model_version_model_id_is_prerelease_sort_key"),
            ["model_id", "is_prerelease", "sort_key"],
            unique=False,
        )

    op.create_table(
        "version_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=250), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["model_version.id"],
            name=op.f("fk_version_tag_version_id_model_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_version_tag")),
        sa.UniqueConstraint("version_id", "key", name=op.f("uq_version_tag_version_id_key")),
    )


def downgrade() -> None:
    op.drop_table("version_tag")
    with op.batch_alter_table("model_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_version_model_id_is_prerelease_sort_key"))
        batch_op.drop_index(batch_op.f("ix_model_version_model_id_created_at"))

    op.drop_table("model_version")
    with op.batch_alter_table("model_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_model_tag_key_value"))

    op.drop_table("model_tag")
    with op.batch_alter_table("registered_model", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registered_model_project_id_updated_at"))
        batch_op.drop_index(batch_op.f("ix_registered_model_project_id_created_at"))

    op.drop_table("registered_model")
    op.drop_table("project")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_version_id_id"))
        batch_op.drop_index(batch_op.f("ix_event_project_id_id"))
        batch_op.drop_index(batch_op.f("ix_event_model_id_id"))

    op.drop_table("event")
