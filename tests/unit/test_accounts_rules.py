"""Usernames, passwords, token names, scopes and expiry (modelreg.domain.accounts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from modelreg.domain.accounts import (
    format_scopes,
    parse_scopes,
    validate_expiry,
    validate_password,
    validate_scopes,
    validate_token_name,
    validate_username,
)
from modelreg.domain.actor import Scope
from modelreg.errors import InvalidArgument

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "kept"),
    [("ada", "ada"), ("Ada.Lovelace", "ada.lovelace"), (" bob ", "bob"), ("a1_b-c", "a1_b-c")],
)
def test_usernames_are_kept_lower_case(given: str, kept: str) -> None:
    assert validate_username(given) == kept


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("", "must not be empty"),
        ("-ada", "must start and end with a letter or digit"),
        ("ada/x", "may use letters, digits"),
        ("ad a", "may use letters, digits"),
        ("a" * 65, "limit is 64"),
        ("system", "reserved"),
        ("Anonymous", "reserved"),
    ],
)
def test_bad_usernames_are_refused_with_a_reason(given: str, says: str) -> None:
    with pytest.raises(InvalidArgument, match=says) as caught:
        validate_username(given)
    assert caught.value.field == "username"


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("short", "at least 12 characters"),
        (" leading space here", "whitespace"),
        ("x" * 1025, "at most 1024"),
    ],
)
def test_weak_or_odd_passwords_are_refused(given: str, says: str) -> None:
    with pytest.raises(InvalidArgument, match=says):
        validate_password(given)


def test_a_long_passphrase_is_accepted() -> None:
    assert validate_password("correct horse battery staple") == "correct horse battery staple"


def test_scopes_are_validated_and_round_trip() -> None:
    assert validate_scopes(["api", "read_api", "api"]) == {Scope.API, Scope.READ_API}
    assert parse_scopes(format_scopes({Scope.API, Scope.READ_API})) == {Scope.API, Scope.READ_API}
    with pytest.raises(InvalidArgument, match="Unknown scope 'write'"):
        validate_scopes(["write"])
    with pytest.raises(InvalidArgument, match="at least one scope"):
        validate_scopes([])


def test_token_names_and_expiry() -> None:
    assert validate_token_name("  ci-pipeline ") == "ci-pipeline"
    with pytest.raises(InvalidArgument, match="Give the token a name"):
        validate_token_name("  ")
    validate_expiry(None, now=NOW)
    validate_expiry(NOW + timedelta(days=1), now=NOW)
    with pytest.raises(InvalidArgument, match="in the future"):
        validate_expiry(NOW - timedelta(seconds=1), now=NOW)
    with pytest.raises(InvalidArgument, match="time zone"):
        validate_expiry(datetime(2027, 1, 1), now=NOW)
