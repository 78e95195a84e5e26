"""Stages, aliases and transition requests: pure rules, no I/O."""

from __future__ import annotations

import re
from enum import StrEnum

from modelreg.errors import InvalidArgument

ALIAS_MAX = 255
COMMENT_MAX = 100_000

_ALIAS = re.compile(r"[A-Za-z0-9_-]+")
_VERSION_ALIAS = re.compile(r"v[0-9]+", re.IGNORECASE)


class Stage(StrEnum):
    NONE = "NONE"
    STAGING = "STAGING"
    PRODUCTION = "PRODUCTION"
    ARCHIVED = "ARCHIVED"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# Versions in these stages serve someone: they block deleting and renaming.
ACTIVE_STAGES = frozenset({Stage.STAGING, Stage.PRODUCTION})


class RequestStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


def validate_alias(alias: str, *, field: str = "alias") -> str:
    """`[A-Za-z0-9_-]`, 1 to 255 characters; `latest` and `v<digits>` are reserved."""
    if not alias:
        raise InvalidArgument("Alias must not be empty.", field=field)
    if len(alias) > ALIAS_MAX:
        raise InvalidArgument(
            f"Alias is {len(alias)} characters long; the limit is {ALIAS_MAX}.", field=field
        )
    if not _ALIAS.fullmatch(alias):
        raise InvalidArgument(
            "Alias may use only letters, digits, '_' and '-' (for example 'champion' or "
            f"'prod-eu'); got '{alias}'.",
            field=field,
        )
    if alias.lower() == "latest":
        raise InvalidArgument(
            "Alias 'latest' is reserved: it always means the latest version; choose another.",
            field=field,
        )
    if _VERSION_ALIAS.fullmatch(alias):
        raise InvalidArgument(
            f"Alias '{alias}' is reserved: 'v<number>' names the version with that number; "
            "choose another.",
            field=field,
        )
    return alias


def check_target_stage(current: Stage, target: Stage, *, field: str = "stage") -> None:
    if current == target:
        raise InvalidArgument(f"The version is already in {target.label}.", field=field)


def validate_comment(body: str, *, field: str = "comment", required: bool = False) -> str:
    if "\x00" in body:
        raise InvalidArgument("Comment must not contain the NUL character.", field=field)
    if required and not body.strip():
        raise InvalidArgument("Comment must not be empty.", field=field)
    if len(body) > COMMENT_MAX:
        raise InvalidArgument(
            f"Comment is {len(body)} characters long; the limit is {COMMENT_MAX}.", field=field
        )
    return body


def blocking_message(version: str, stage: Stage, action: str) -> str:
    return (
        f"Version {version} is in {stage.label}; transition it to None or Archived first, "
        f"then {action}."
    )
