"""Webhook rules, pure: which events a webhook receives, how a delivery is signed, when a failed
delivery is tried again, and which addresses a webhook may never reach.

- **Topics.** A webhook subscribes to topics: the event log's project-scoped types
  (`version.created`, `model.alias_set`…), with a trailing `*` wildcard (`version.*`, `*`). A
  stage change is also published per target stage, `version.stage_changed.production`, so a
  deployment pipeline can ask for exactly "a version reached Production".
- **Signatures** follow Standard Webhooks: the signed content is `<id>.<timestamp>.<body>`, the
  signature `v1,<base64 HMAC-SHA256>` with the secret's bytes (`whsec_<base64>`) as the key; while
  a secret is rotated, both are valid and the header carries both signatures, space-separated.
- **Retries** happen on a network error, 429 and 5xx, on a fixed schedule that spans a day;
  any other answer is final.
- **Addresses** a webhook resolves to must be global unicast: loopback, private, link-local (where
  cloud metadata services live), carrier-grade NAT, multicast and reserved ranges are refused
  unless the operator allows private addresses.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from modelreg.domain.events import EventType
from modelreg.domain.lifecycle import Stage
from modelreg.errors import InvalidArgument


class WebhookStatus(StrEnum):
    ACTIVE = "ACTIVE"  # receives every matching event
    TEST_MODE = "TEST_MODE"  # receives only test events sent on request
    DISABLED = "DISABLED"  # receives nothing (set by hand, or after repeated failures)


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"  # waiting for its first or next attempt
    DELIVERED = "DELIVERED"  # the receiver answered 2xx
    FAILED = "FAILED"  # a final refusal, or retries ran out


# Instance-wide events (users, tokens) and webhook management are not sent to webhooks.
_NOT_PUBLISHED = frozenset(
    {
        EventType.USER_CREATED,
        EventType.USER_PASSWORD_CHANGED,
        EventType.TOKEN_CREATED,
        EventType.TOKEN_REVOKED,
        EventType.WEBHOOK_CREATED,
        EventType.WEBHOOK_UPDATED,
        EventType.WEBHOOK_DELETED,
        EventType.WEBHOOK_DISABLED,
    }
)
PUBLISHED_TYPES: tuple[str, ...] = tuple(t.value for t in EventType if t not in _NOT_PUBLISHED)
STAGE_TOPICS: tuple[str, ...] = tuple(
    f"{EventType.VERSION_STAGE_CHANGED.value}.{stage.value.lower()}" for stage in Stage
)
TOPICS: tuple[str, ...] = PUBLISHED_TYPES + STAGE_TOPICS
TEST_TOPIC = "webhook.test"

MAX_TOPICS = 50
MAX_TOPIC_LENGTH = 100


def event_topics(event_type: str, payload: Mapping[str, Any]) -> list[str]:
    """The topics an event is published under: its type, and for a stage change also
    `version.stage_changed.<target stage>`."""
    topics = [event_type]
    if event_type == EventType.VERSION_STAGE_CHANGED.value:
        target = str(payload.get("to") or "").lower()
        if f"{event_type}.{target}" in STAGE_TOPICS:
            topics.append(f"{event_type}.{target}")
    return topics


def _pattern_matches(pattern: str, topic: str) -> bool:
    if pattern.endswith("*"):
        return topic.startswith(pattern[:-1])
    return pattern == topic


def matches(patterns: Iterable[str], topics: Sequence[str]) -> bool:
    """Whether any of a webhook's patterns covers any of an event's topics."""
    return any(_pattern_matches(p, t) for p in patterns for t in topics)


def validate_topics(patterns: Sequence[str], *, field: str = "events") -> list[str]:
    """Normalised patterns; each must name at least one topic, so a typo is caught when the
    webhook is saved rather than silently receiving nothing."""
    if not patterns:
        raise InvalidArgument(
            "Choose at least one event type, such as 'version.created' or 'version.*'.",
            field=field,
        )
    if len(patterns) > MAX_TOPICS:
        raise InvalidArgument(f"A webhook takes at most {MAX_TOPICS} event types.", field=field)
    chosen: list[str] = []
    for raw in patterns:
        pattern = raw.strip().lower()
        if not pattern or len(pattern) > MAX_TOPIC_LENGTH:
            raise InvalidArgument("An event type must be 1 to 100 characters.", field=field)
        if "*" in pattern[:-1]:
            raise InvalidArgument(
                f"'{raw}': a wildcard may only end a pattern ('version.*').", field=field
            )
        if not any(_pattern_matches(pattern, topic) for topic in TOPICS):
            raise InvalidArgument(
                f"'{raw}' matches no event type. Known types: {', '.join(TOPICS)}.", field=field
            )
        if pattern not in chosen:
            chosen.append(pattern)
    return chosen


# --- signatures ----------------------------------------------------------------------------

SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES = 24
MAX_SECRET_BYTES = 64


def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_<base64>` secret."""
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidArgument("A webhook secret starts with 'whsec_'.", field="secret")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidArgument(
            "A webhook secret is 'whsec_' followed by base64.", field="secret"
        ) from None
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise InvalidArgument(
            f"A webhook secret holds {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes.",
            field="secret",
        )
    return key


def format_secret(key: bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(key).decode()


def sign(secret: str, *, message_id: str, timestamp: int, body: bytes) -> str:
    """One `v1,<base64>` signature of `<id>.<timestamp>.<body>`."""
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(
    secrets: Sequence[str], *, message_id: str, timestamp: int, body: bytes
) -> str:
    """The `webhook-signature` header: one signature per valid secret, space-separated."""
    return " ".join(sign(s, message_id=message_id, timestamp=timestamp, body=body) for s in secrets)


def delivery_headers(
    secrets: Sequence[str], *, message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            secrets, message_id=message_id, timestamp=timestamp, body=body
        ),
    }


def verify(
    secret: str,
    *,
    headers: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance_seconds: int = 300,
) -> bool:
    """What a receiver does: the timestamp is recent and one of the signatures is ours."""
    try:
        message_id = headers["webhook-id"]
        timestamp = int(headers["webhook-timestamp"])
        offered = headers["webhook-signature"].split()
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance_seconds:
        return False
    expected = sign(secret, message_id=message_id, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


# --- retries -------------------------------------------------------------------------------

# Wait before attempt 2, 3, …: about a day in all, then the delivery has failed.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=8),
    timedelta(hours=8),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# Failed deliveries in a row (each after all its attempts) after which a webhook is disabled.
DISABLE_AFTER_FAILURES = 5


def is_retryable(status: int | None) -> bool:
    """A network error or timeout (None), 429 and 5xx are worth trying again; 2xx is done and
    any other answer (a 4xx: the receiver refuses it) is final."""
    return status is None or status == 429 or 500 <= status <= 599


def is_success(status: int | None) -> bool:
    return status is not None and 200 <= status <= 299


def next_attempt_at(
    attempt: int, *, now: datetime, retry_after: timedelta | None = None
) -> datetime | None:
    """When to try again after failed attempt number `attempt` (1-based); None after the last.
    A receiver's `Retry-After` is honoured when it asks for longer, up to the step after."""
    if attempt < 1 or attempt > len(RETRY_DELAYS):
        return None
    delay = RETRY_DELAYS[attempt - 1]
    if retry_after is not None and retry_after > delay:
        ceiling = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
        delay = min(retry_after, max(ceiling, delay))
    return now + delay


# --- addresses -----------------------------------------------------------------------------

MAX_URL_LENGTH = 2000


@dataclass(frozen=True, slots=True)
class Target:
    """A webhook URL, checked: where to connect."""

    url: str
    scheme: str
    host: str
    port: int


def url_origin(url: str) -> str:
    """`scheme://host[:port]` of a webhook URL: what events and mail may say of it. The path and
    query stay out: receivers such as chat services put their credential there, and events are
    read by everyone who can read the project."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{parts.scheme}://{host}:{port}" if port else f"{parts.scheme}://{host}"


def parse_url(url: str, *, field: str = "url") -> Target:
    """An http(s) URL with a host and no credentials in it (the secret signs, URLs leak)."""
    text = url.strip()
    if not text or len(text) > MAX_URL_LENGTH:
        raise InvalidArgument(
            f"Give the URL to send to (at most {MAX_URL_LENGTH} characters).", field=field
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidArgument(f"'{text[:200]}' is not a valid URL.", field=field) from None
    if parts.scheme not in ("http", "https"):
        raise InvalidArgument("A webhook URL starts with https:// (or http://).", field=field)
    if not parts.hostname:
        raise InvalidArgument("A webhook URL names a host.", field=field)
    if parts.username is not None or parts.password is not None:
        raise InvalidArgument(
            "Put no user or password in the URL; the receiver checks the signature instead.",
            field=field,
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise InvalidArgument("A webhook URL has no spaces or control characters.", field=field)
    return Target(
        url=text,
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or (443 if parts.scheme == "https" else 80),
    )


def address_refusal(address: str, *, allow_private: bool) -> str | None:
    """Why a webhook may not connect to `address` (an IP), or None when it may.

    Only global unicast addresses are allowed; `allow_private` (an operator's setting, for
    receivers inside their network) lifts that for all but unspecified and multicast addresses.
    IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"'{address}' is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified or ip.is_multicast:
        return f"{ip} is not a host address"
    if allow_private or ip.is_global:
        return None
    if ip.is_loopback:
        kind = "a loopback address"
    elif ip.is_link_local:
        kind = "a link-local address (where cloud metadata services answer)"
    elif ip.is_private:
        kind = "a private address"
    else:
        kind = "not a public address"
    return f"{ip} is {kind}"
