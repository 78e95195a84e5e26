"""Tables of the mail worker's own state: per-user daily counters, digest items deferred past
the daily cap, which recipients of a mail job were already mailed (so a retry mails only the
rest), and the instance secret that signs unsubscribe links.

Imported by `db/models.py`, so these tables share its metadata (migrations, drift check).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from modelreg.db.types import UTCDateTime, utcnow


def _now() -> datetime:
    return utcnow()


class MailCounter(SQLModel, table=True):
    """Mails (notifications and the one "limit reached" notice) a user got on one UTC day."""

    __tablename__ = "mail_counter"

    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    )
    day: date = Field(sa_column=sa.Column(sa.Date(), primary_key=True))
    sent: int = 0


class MailDigestItem(SQLModel, table=True):
    """An event a user was not mailed about because of the daily cap; sent in one digest mail
    once the day is over."""

    __tablename__ = "mail_digest_item"
    __table_args__ = (sa.Index(None, "day", "user_id"), sa.UniqueConstraint("user_id", "event_id"))

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False)
    )
    event_id: int
    # The UTC day it was deferred on: the digest goes out on a later day.
    day: date = Field(sa_type=sa.Date)
    # Why the user gets it ("you follow this version"), decided when it was deferred.
    reason: str = Field(default="", max_length=255)
    created_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime, nullable=False)


class MailJobSent(SQLModel, table=True):
    """A recipient a mail job has been dealt with for (mailed, or deferred to a digest)."""

    __tablename__ = "mail_job_sent"

    job_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("mail_job.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: int = Field(sa_column=sa.Column(sa.Integer(), primary_key=True))


class InstanceSecret(SQLModel, table=True):
    """Random keys made once per installation (the key signing unsubscribe links)."""

    __tablename__ = "instance_secret"

    name: str = Field(max_length=64, primary_key=True)
    value: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime, nullable=False)
