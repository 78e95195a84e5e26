"""mail worker state: daily counters, digest items, recipients done per job, instance secret

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:35:00.387340
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import modelreg.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "instance_secret",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_secret")),
    )
    op.create_table(
        "mail_counter",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_mail_counter_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_mail_counter")),
    )
    op.create_table(
        "mail_digest_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("created_at", modelreg.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_mail_digest_item_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_digest_item")),
        sa.UniqueConstraint(
            "user_id", "event_id", name=op.f("uq_mail_digest_item_user_id_event_id")
        ),
    )
    with op.batch_alter_table("mail_digest_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mail_digest_item_day_user_id"), ["day", "user_id"], unique=False
        )

    op.create_table(
        "mail_job_sent",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["mail_job.id"],
            name=op.f("fk_mail_job_sent_job_id_mail_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "user_id", name=op.f("pk_mail_job_sent")),
    )


def downgrade() -> None:

    op.drop_table("mail_job_sent")
    with op.batch_alter_table("mail_digest_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_digest_item_day_user_id"))

    op.drop_table("mail_digest_item")
    op.drop_table("mail_counter")
    op.drop_table("instance_secret")
