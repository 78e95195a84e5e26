"""Signed one-click unsubscribe tokens: `<user id>.<model id>.<HMAC-SHA256>` (base64url).

The key is random, made once per installation and kept in the database (`instance_secret`), so
every server process signs and checks alike and a link keeps working across restarts. A token
names a user and a model (0: every model without a setting of its own); it lets anyone holding
the mail mute that model for that user, and nothing else. No sign-in is needed (RFC 8058).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import plain
from modelreg.db.mail_models import InstanceSecret
from modelreg.db.types import utcnow
from modelreg.errors import InvalidArgument

KEY_NAME = "unsubscribe"
_MAX_TOKEN = 200
# A database id: ASCII digits, small enough for a 32-bit integer column.
_ID = re.compile(r"[0-9]{1,9}")


async def signing_key(session: AsyncSession) -> bytes:
    """The installation's key, made on first use (a concurrent first use keeps one of them)."""
    found = await session.get(InstanceSecret, KEY_NAME)
    if found is None:
        conn = await plain(session)
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        table = InstanceSecret.__table__  # type: ignore[attr-defined]
        await conn.execute(
            dialect.insert(table)
            .values(name=KEY_NAME, value=secrets.token_hex(32), created_at=utcnow())
            .on_conflict_do_nothing()
        )
        found = await session.get(InstanceSecret, KEY_NAME, populate_existing=True)
        assert found is not None
    return bytes.fromhex(found.value)


async def existing_key(session: AsyncSession) -> bytes | None:
    """The key when one was made (for reads that must not write)."""
    found = await session.get(InstanceSecret, KEY_NAME)
    return bytes.fromhex(found.value) if found is not None else None


def _mac(key: bytes, user_id: int, model_id: int) -> str:
    digest = hmac.new(key, f"unsubscribe:{user_id}:{model_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_token(key: bytes, *, user_id: int, model_id: int) -> str:
    return f"{user_id}.{model_id}.{_mac(key, user_id, model_id)}"


@dataclass(frozen=True, slots=True)
class Subscription:
    user_id: int
    model_id: int


def invalid_link() -> InvalidArgument:
    return InvalidArgument(
        "This unsubscribe link is not valid (it may have been cut or changed); use the link "
        "of a recent mail, or change your notification settings in the web app.",
        field="token",
    )


def read_token(key: bytes, token: str) -> Subscription:
    """What a token names; INVALID_ARGUMENT when it is malformed or its signature is wrong."""
    refused = invalid_link()
    parts = token.split(".") if len(token) <= _MAX_TOKEN else []
    if len(parts) != 3 or not all(_ID.fullmatch(p) for p in parts[:2]):
        raise refused
    user_id, model_id = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(parts[2], _mac(key, user_id, model_id)):
        raise refused
    return Subscription(user_id, model_id)
