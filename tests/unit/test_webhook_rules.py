"""Webhook rules (domain/webhooks.py): topics, Standard Webhooks signatures, retries, addresses."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from modelreg.domain import webhooks as rules
from modelreg.errors import InvalidArgument

SECRET = rules.format_secret(b"k" * 32)
OLD_SECRET = rules.format_secret(b"o" * 32)
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


# --- topics --------------------------------------------------------------------------------


def test_a_stage_change_is_published_under_its_target_stage_too() -> None:
    topics = rules.event_topics("version.stage_changed", {"from": "STAGING", "to": "PRODUCTION"})
    assert topics == ["version.stage_changed", "version.stage_changed.production"]
    assert rules.event_topics("version.created", {"to": "PRODUCTION"}) == ["version.created"]


@pytest.mark.parametrize(
    ("patterns", "event_type", "payload", "expected"),
    [
        (["version.*"], "version.created", {}, True),
        (["version.*"], "model.created", {}, False),
        (["*"], "model.alias_set", {}, True),
        (["version.stage_changed.production"], "version.stage_changed", {"to": "PRODUCTION"}, True),
        (["version.stage_changed.production"], "version.stage_changed", {"to": "STAGING"}, False),
        (["version.stage_changed"], "version.stage_changed", {"to": "STAGING"}, True),
        (["version.created"], "version.created_later", {}, False),
    ],
)
def test_patterns_match_topics(
    patterns: list[str], event_type: str, payload: dict[str, str], expected: bool
) -> None:
    assert rules.matches(patterns, rules.event_topics(event_type, payload)) is expected


def test_patterns_are_checked_and_normalised_when_saved() -> None:
    assert rules.validate_topics([" Version.* ", "version.*", "model.created"]) == [
        "version.*",
        "model.created",
    ]
    for bad, says in [
        ([], "at least one"),
        (["version.creatd"], "matches no event type"),
        (["*.created"], "may only end"),
        (["user.token_created"], "matches no event type"),  # instance-wide: never sent
        (["x" * 101], "1 to 100"),
    ]:
        with pytest.raises(InvalidArgument, match=says):
            rules.validate_topics(bad)


# --- signatures ----------------------------------------------------------------------------


def _reference_signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks, written out independently of the code under test."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def test_a_delivery_is_signed_the_standard_webhooks_way() -> None:
    body = b'{"type":"version.created"}'
    headers = rules.delivery_headers(
        [SECRET], message_id="msg_1", timestamp=1_700_000_000, body=body
    )
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-timestamp"] == "1700000000"
    assert headers["webhook-signature"] == _reference_signature(
        SECRET, "msg_1", 1_700_000_000, body
    )
    assert rules.verify(SECRET, headers=headers, body=body, now=1_700_000_100)


def test_while_a_secret_rotates_both_signatures_are_sent_and_either_verifies() -> None:
    body = b"{}"
    headers = rules.delivery_headers(
        [SECRET, OLD_SECRET], message_id="msg_2", timestamp=1_700_000_000, body=body
    )
    assert len(headers["webhook-signature"].split()) == 2
    assert rules.verify(SECRET, headers=headers, body=body, now=1_700_000_000)
    assert rules.verify(OLD_SECRET, headers=headers, body=body, now=1_700_000_000)


def test_a_receiver_refuses_tampering_replays_and_other_secrets() -> None:
    body = b'{"a":1}'
    headers = rules.delivery_headers([SECRET], message_id="m", timestamp=1_700_000_000, body=body)
    assert not rules.verify(SECRET, headers=headers, body=b'{"a":2}', now=1_700_000_000)
    assert not rules.verify(SECRET, headers=headers, body=body, now=1_700_000_000 + 301)
    assert not rules.verify(OLD_SECRET, headers=headers, body=body, now=1_700_000_000)
    assert not rules.verify(
        SECRET, headers={**headers, "webhook-id": "other"}, body=body, now=1_700_000_000
    )
    assert not rules.verify(SECRET, headers={}, body=body, now=1_700_000_000)


def test_secrets_must_be_whsec_base64_of_a_sensible_length() -> None:
    assert rules.secret_key(SECRET) == b"k" * 32
    for bad in [
        "k" * 40,
        "whsec_not base64!",
        rules.format_secret(b"short"),
        rules.format_secret(b"x" * 65),
    ]:
        with pytest.raises(InvalidArgument):
            rules.secret_key(bad)


# --- retries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (None, True),
        (429, True),
        (500, True),
        (503, True),
        (200, False),
        (204, False),
        (400, False),
        (404, False),
        (410, False),
        (301, False),
    ],
)
def test_what_is_retried(status: int | None, retry: bool) -> None:
    assert rules.is_retryable(status) is retry


def test_the_schedule_spans_about_a_day_then_gives_up() -> None:
    at = NOW
    for attempt in range(1, rules.MAX_ATTEMPTS):
        following = rules.next_attempt_at(attempt, now=at)
        assert following is not None and following > at
        at = following
    assert timedelta(hours=20) <= at - NOW <= timedelta(hours=26)
    assert rules.next_attempt_at(rules.MAX_ATTEMPTS, now=at) is None


def test_retry_after_is_honoured_within_bounds() -> None:
    first = rules.next_attempt_at(1, now=NOW, retry_after=timedelta(seconds=20))
    assert first == NOW + timedelta(seconds=20)
    capped = rules.next_attempt_at(1, now=NOW, retry_after=timedelta(days=30))
    assert capped == NOW + rules.RETRY_DELAYS[1]
    shorter = rules.next_attempt_at(3, now=NOW, retry_after=timedelta(seconds=1))
    assert shorter == NOW + rules.RETRY_DELAYS[2]


# --- addresses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "::1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "fe80::1",
        "fd00::1",
        "100.64.0.1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert rules.address_refusal(address, allow_private=False) is not None


def test_metadata_addresses_are_named_as_such() -> None:
    reason = rules.address_refusal("169.254.169.254", allow_private=False)
    assert reason is not None and "metadata" in reason


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1111", "8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert rules.address_refusal(address, allow_private=False) is None


def test_the_operator_may_allow_private_receivers_but_never_unspecified_or_multicast() -> None:
    assert rules.address_refusal("127.0.0.1", allow_private=True) is None
    assert rules.address_refusal("10.0.0.5", allow_private=True) is None
    assert rules.address_refusal("0.0.0.0", allow_private=True) is not None
    assert rules.address_refusal("ff02::1", allow_private=True) is not None


def test_urls_are_http_with_a_host_and_no_credentials() -> None:
    target = rules.parse_url(" https://hooks.example.com/deploy?x=1 ")
    assert (target.scheme, target.host, target.port) == ("https", "hooks.example.com", 443)
    assert rules.parse_url("http://10.0.0.1:8080/h").port == 8080
    for bad, says in [
        ("ftp://example.com/", "https://"),
        ("https://user:pw@example.com/", "no user or password"),
        ("https:///path", "names a host"),
        ("https://example.com:99999/", "not a valid URL"),
        ("", "Give the URL"),
        ("https://example.com/a b", "no spaces"),
    ]:
        with pytest.raises(InvalidArgument, match=says):
            rules.parse_url(bad)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://hooks.slack.com/services/T0/B0/secretpart", "https://hooks.slack.com"),
        ("https://hooks.example.com:8443/x?token=abc#frag", "https://hooks.example.com:8443"),
        ("http://user:pw@10.0.0.1/hook", "http://10.0.0.1"),
        ("https://[2001:db8::1]:9000/h", "https://[2001:db8::1]:9000"),
    ],
)
def test_events_name_only_a_urls_origin(url: str, origin: str) -> None:
    assert rules.url_origin(url) == origin
