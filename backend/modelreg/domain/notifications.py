"""Who hears about what: e-mail notification levels and the events that may send mail. Pure."""

from __future__ import annotations

from enum import StrEnum

from modelreg.domain.events import EventType


class NotificationLevel(StrEnum):
    ALL = "ALL"  # every new version, request, transition, decision and comment of the model
    PARTICIPATING = "PARTICIPATING"  # only versions the user created, requested, commented, follows
    MUTED = "MUTED"  # nothing


DEFAULT_LEVEL = NotificationLevel.PARTICIPATING


class FollowReason(StrEnum):
    """Why a user follows a version; acting on a version follows it."""

    FOLLOWED = "FOLLOWED"  # one click on the version page
    CREATED = "CREATED"
    REQUESTED = "REQUESTED"
    COMMENTED = "COMMENTED"


# Events that may send mail. Everything else reaches people through the activity feed only.
MAIL_TYPES: frozenset[str] = frozenset(
    {
        EventType.VERSION_CREATED.value,
        EventType.TRANSITION_REQUESTED.value,
        EventType.TRANSITION_APPROVED.value,
        EventType.TRANSITION_REJECTED.value,
        EventType.TRANSITION_CANCELLED.value,
        EventType.VERSION_STAGE_CHANGED.value,
        EventType.COMMENT_ADDED.value,
        EventType.WEBHOOK_DISABLED.value,
    }
)
