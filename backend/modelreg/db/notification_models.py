"""Tables of what leaves the registry: webhooks with their outbox and attempt log, and e-mail
notification settings, follows and the mail outbox.

Imported by `db/models.py`, so these tables share its metadata (migrations, drift check).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from modelreg.db.types import UTCDateTime, utcnow
from modelreg.domain.notifications import FollowReason, NotificationLevel
from modelreg.domain.webhooks import DeliveryStatus, WebhookStatus

_NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


def _now() -> datetime:
    return utcnow()


class Webhook(SQLModel, table=True):
    """A project's HTTP endpoint for events. The secret signs deliveries; during a rotation the
    previous one signs too, until `previous_secret_expires_at`."""

    __tablename__ = "webhook"
    __table_args__ = (sa.Index(None, "project_id", "status"), _NEVER_REUSE_IDS)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False)
    )
    # Only events of this model, when set. No foreign key: the webhook outlives the model (it
    # still hears of its deletion) and shows it as deleted.
    model_id: int | None = None
    url: str = Field(max_length=2000)
    description: str = Field(default="", sa_type=sa.Text)
    # Topic patterns (`domain/webhooks.py`): event types, `version.stage_changed.production`,
    # wildcards such as `version.*`.
    events: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    status: WebhookStatus = Field(
        default=WebhookStatus.ACTIVE,
        sa_type=sa.Enum(WebhookStatus, native_enum=False, length=16, validate_strings=True),
    )
    secret: str = Field(max_length=128)
    previous_secret: str | None = Field(default=None, max_length=128)
    previous_secret_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Deliveries that ran out of retries in a row; reset by a success.
    consecutive_failures: int = 0
    # Why the worker disabled it (empty when a person did, or it is enabled).
    disabled_reason: str = Field(default="", sa_type=sa.Text)
    created_by: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime, nullable=False)


class WebhookDelivery(SQLModel, table=True):
    """The outbox: one row per (event, webhook), written in the event's transaction.

    A worker claims a due row by moving `next_attempt_at` past the attempt's deadline in its own
    short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL), sends, and records the outcome.
    A worker that dies mid-send leaves the row due again once the claim lapses."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.Index(None, "status", "next_attempt_at"),
        sa.Index(None, "webhook_id", "id"),
        _NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("webhook.id", ondelete="CASCADE"), nullable=False)
    )
    # The event delivered; None for a test event.
    event_id: int | None = None
    topic: str = Field(max_length=100)
    # `webhook-id`: the same on every attempt of this delivery, so receivers can deduplicate.
    message_id: str = Field(max_length=64, unique=True)
    # The exact body sent, fixed at the first attempt so retries send the same bytes.
    body: str | None = Field(default=None, sa_type=sa.Text)
    status: DeliveryStatus = Field(
        default=DeliveryStatus.PENDING,
        sa_type=sa.Enum(DeliveryStatus, native_enum=False, length=16, validate_strings=True),
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime, nullable=False)
    last_status_code: int | None = None
    last_error: str = Field(default="", sa_type=sa.Text)
    # Who asked for it when a person did (redeliver, test, replay); None for the outbox.
    requested_by: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime, nullable=False)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookAttempt(SQLModel, table=True):
    """One HTTP attempt of a delivery: what the receiver answered, and how fast."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (sa.Index(None, "delivery_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("webhook_delivery.id", ondelete="CASCADE"), nullable=False
        )
    )
    attempt: int
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    duration_ms: int
    # None when no HTTP answer came (refused address, connection error, timeout).
    status_code: int | None = None
    error: str = Field(default="", sa_type=sa.Text)
    # The start of the response body, at most 1 KiB of text.
    response_excerpt: str = Field(default="", sa_type=sa.Text)


class ModelNotificationSetting(SQLModel, table=True):
    """A user's e-mail level for one model; without a row, the user's own default applies."""

    __tablename__ = "model_notification_setting"
    __table_args__ = (sa.Index(None, "model_id"),)

    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    )
    model_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("registered_model.id", ondelete="CASCADE"), primary_key=True
        )
    )
    level: NotificationLevel = Field(
        sa_type=sa.Enum(NotificationLevel, native_enum=False, length=16, validate_strings=True)
    )
    updated_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime, nullable=False)


class VersionFollow(SQLModel, table=True):
    """A user follows a version: they created, requested or commented on it, or clicked Follow."""

    __tablename__ = "version_follow"
    __table_args__ = (sa.Index(None, "version_id"),)

    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    )
    version_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("model_version.id", ondelete="CASCADE"), primary_key=True)
    )
    reason: FollowReason = Field(
        sa_type=sa.Enum(FollowReason, native_enum=False, length=16, validate_strings=True)
    )
    created_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime, nullable=False)


class MailJob(SQLModel, table=True):
    """The mail outbox: one row per event that may send mail, written in the event's
    transaction. The mail worker claims it as the webhook worker claims deliveries, decides the
    recipients at send time, and deletes it when done."""

    __tablename__ = "mail_job"
    __table_args__ = (sa.Index(None, "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(unique=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime, nullable=False)
    created_at: datetime = Field(default_factory=_now, sa_type=UTCDateTime, nullable=False)
