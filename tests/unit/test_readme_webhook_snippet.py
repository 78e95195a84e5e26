"""The README's webhook documentation runs: the receiver's verification snippet accepts what the
registry signs (`domain/webhooks.sign`) and refuses what it must, and the example delivery is
JSON with the documented fields. So the documentation cannot drift from the code."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from modelreg.domain.webhooks import TOPICS, format_secret, sign, signature_header

README = Path(__file__).resolve().parents[2] / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _blocks(section: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)


@pytest.fixture(scope="module")
def verify() -> Callable[..., bool]:
    [snippet] = _blocks(_section("Webhook deliveries"), "python")
    namespace: dict[str, Any] = {}
    exec(compile(snippet, "README.md", "exec"), namespace)  # the documentation's own code
    found: Callable[..., bool] = namespace["verify"]
    return found


SECRET = format_secret(b"k" * 32)
PREVIOUS = format_secret(b"p" * 32)
BODY = b'{"id": "msg_1", "type": "version.created"}'


def _headers(
    secrets: list[str], *, body: bytes = BODY, timestamp: int | None = None
) -> dict[str, str]:
    moment = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(moment),
        "webhook-signature": signature_header(
            secrets, message_id="msg_1", timestamp=moment, body=body
        ),
    }


def test_the_snippet_accepts_what_the_registry_signs(verify: Callable[..., bool]) -> None:
    assert verify(SECRET, _headers([SECRET]), BODY) is True
    moment = int(time.time())
    single = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(moment),
        "webhook-signature": sign(SECRET, message_id="msg_1", timestamp=moment, body=BODY),
    }
    assert verify(SECRET, single, BODY) is True


def test_during_a_rotation_either_secret_verifies(verify: Callable[..., bool]) -> None:
    headers = _headers([SECRET, PREVIOUS])
    assert verify(SECRET, headers, BODY) is True
    assert verify(PREVIOUS, headers, BODY) is True


def test_the_snippet_refuses_tampering_other_secrets_and_old_messages(
    verify: Callable[..., bool],
) -> None:
    assert verify(SECRET, _headers([SECRET]), BODY + b" ") is False
    assert verify(format_secret(b"x" * 32), _headers([SECRET]), BODY) is False
    assert verify(SECRET, _headers([SECRET], timestamp=int(time.time()) - 3600), BODY) is False
    changed_id = {**_headers([SECRET]), "webhook-id": "msg_2"}
    assert verify(SECRET, changed_id, BODY) is False


def test_the_example_delivery_is_json_with_documented_fields() -> None:
    section = _section("Webhooks")
    [example] = _blocks(section, "text")
    head, body = example.split("\n\n", 1)
    assert "webhook-signature: v1," in head and "webhook-id: msg_" in head
    payload = json.loads(body)
    documented = set(re.findall(r"^\| `(\w+)`", _section("Webhook deliveries"), re.MULTILINE))
    documented |= {"from_stage", "to_stage"}
    assert set(payload) <= documented, set(payload) - documented
    assert payload["type"] in TOPICS
    assert payload["id"] in head


def test_every_topic_in_the_topic_table_exists() -> None:
    section = _section("Webhooks")
    table = section[section.index("| topic | when |") :].split("\n\n", 1)[0]
    named = set(re.findall(r"`([a-z_]+\.[a-z_.]+)`", table))
    assert named, table
    assert named <= set(TOPICS), named - set(TOPICS)
