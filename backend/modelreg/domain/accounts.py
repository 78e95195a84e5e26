"""Rules for accounts: usernames, passwords, token names, scopes and expiry. Pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from modelreg.domain.actor import Scope
from modelreg.errors import InvalidArgument

USERNAME_MAX = 64
PASSWORD_MIN = 12
PASSWORD_MAX = 1024
TOKEN_NAME_MAX = 255
DISPLAY_NAME_MAX = 255

# Names the registry itself acts under (events, `created_by`).
RESERVED_USERNAMES = frozenset({"anonymous", "system", "demo"})

_USERNAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?")


def validate_username(username: str, *, field: str = "username") -> str:
    """Lower-case letters, digits, '.', '_' and '-'; stored lower-case so `Alice` is `alice`."""
    name = username.strip().lower()
    if not name:
        raise InvalidArgument("Username must not be empty.", field=field)
    if len(name) > USERNAME_MAX:
        raise InvalidArgument(
            f"Username is {len(name)} characters long; the limit is {USERNAME_MAX}.", field=field
        )
    if name in RESERVED_USERNAMES:
        raise InvalidArgument(
            f"'{name}' is reserved for the registry's own use; choose another username.",
            field=field,
        )
    if not _USERNAME.fullmatch(name):
        raise InvalidArgument(
            "Username may use letters, digits, '.', '_' and '-', and must start and end with a "
            f"letter or digit (for example 'ada.lovelace'); got '{username}'.",
            field=field,
        )
    return name


def validate_password(password: str, *, field: str = "password") -> str:
    if len(password) < PASSWORD_MIN:
        raise InvalidArgument(
            f"Password must be at least {PASSWORD_MIN} characters long; a phrase of a few words "
            "is easy to remember and hard to guess.",
            field=field,
        )
    if len(password) > PASSWORD_MAX:
        raise InvalidArgument(
            f"Password must be at most {PASSWORD_MAX} characters long.", field=field
        )
    if password.strip() != password:
        raise InvalidArgument(
            "Password must not start or end with whitespace (it is easy to lose when pasting).",
            field=field,
        )
    return password


def validate_display_name(name: str, *, field: str = "displayName") -> str:
    stripped = name.strip()
    if len(stripped) > DISPLAY_NAME_MAX:
        raise InvalidArgument(
            f"Display name is {len(stripped)} characters long; the limit is {DISPLAY_NAME_MAX}.",
            field=field,
        )
    return stripped


def validate_token_name(name: str, *, field: str = "name") -> str:
    stripped = name.strip()
    if not stripped:
        raise InvalidArgument(
            "Give the token a name that says where it is used (for example 'ci-pipeline').",
            field=field,
        )
    if len(stripped) > TOKEN_NAME_MAX:
        raise InvalidArgument(
            f"Token name is {len(stripped)} characters long; the limit is {TOKEN_NAME_MAX}.",
            field=field,
        )
    return stripped


def validate_scopes(scopes: Iterable[str], *, field: str = "scopes") -> frozenset[Scope]:
    found: set[Scope] = set()
    for scope in scopes:
        try:
            found.add(Scope(scope))
        except ValueError:
            choices = ", ".join(s.value for s in Scope)
            raise InvalidArgument(
                f"Unknown scope '{scope}'; choose from {choices}.", field=field
            ) from None
    if not found:
        raise InvalidArgument(
            "Choose at least one scope: read_api (read only) or api (read and write).",
            field=field,
        )
    return frozenset(found)


def validate_expiry(
    expires_at: datetime | None, *, now: datetime, field: str = "expiresAt"
) -> None:
    if expires_at is None:
        return
    if expires_at.tzinfo is None:
        raise InvalidArgument(
            "Give the expiry with a time zone (for example '2027-01-31T00:00:00Z').", field=field
        )
    if expires_at <= now:
        raise InvalidArgument("The expiry must be in the future.", field=field)


def format_scopes(scopes: Iterable[Scope]) -> str:
    return " ".join(sorted(s.value for s in scopes))


def parse_scopes(stored: str) -> frozenset[Scope]:
    return frozenset(Scope(s) for s in stored.split())
