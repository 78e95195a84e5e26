"""transition_request indexes for the inbox: pending requests in id order, and by requester

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transition_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transition_request_status_id"), ["status", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_transition_request_requester_status"),
            ["requester", "status"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("transition_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transition_request_requester_status"))
        batch_op.drop_index(batch_op.f("ix_transition_request_status_id"))
