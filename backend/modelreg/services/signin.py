"""Signing in with a password, and the limit on failed attempts.

An attempt is reserved before its password is checked: one statement counts the recent failures
of the account and of the client address and, when both are under their limits, records the
attempt as a failure. A successful check then removes the account's failures. So attempts sent in
parallel, or to several server processes, cannot all pass the count before any is recorded: at
most the limit get an argon2 check, whatever the concurrency.

The statement is atomic on both engines. On SQLite a writing statement takes the database's one
write lock before it reads, and it is the first statement of its transaction, so it counts what
every earlier writer committed. On PostgreSQL (READ COMMITTED) two such statements could count
the same snapshot, so the transaction first takes advisory locks on the account and on the
address (always in that order, so two sign-ins never wait on each other in a cycle); the
statement after them sees every attempt committed before.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import Database
from modelreg.db.models import LoginFailure, UserAccount, UserSession
from modelreg.db.types import UTCDateTime, utcnow
from modelreg.errors import RateLimited, Unauthenticated
from modelreg.services.accounts import SESSION_LIFETIME, Hasher, digest, find_user

# Failed sign-ins: an account is locked after this many failures within the window, a client
# address after more (it may be a NAT for a whole office).
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 30

# Advisory lock namespaces (the first key of `pg_advisory_xact_lock(int, int)`).
_ACCOUNT_LOCKS = 0x6D720001
_ADDRESS_LOCKS = 0x6D720002


def _recent(column: Any, name: str) -> Any:
    return (
        sa.select(sa.func.count())
        .select_from(LoginFailure)
        .where(column == sa.bindparam(name), col(LoginFailure.at) > sa.bindparam("since"))
        .scalar_subquery()
    )


# Records the attempt as a failure when the account and the address are both under their limits;
# returns its id, or no row when either is over.
_RESERVE: Any = (
    sa.insert(LoginFailure)
    .from_select(
        ["username", "address", "at"],
        sa.select(
            sa.bindparam("username", type_=sa.String()),
            sa.bindparam("address", type_=sa.String()),
            sa.bindparam("now", type_=UTCDateTime()),
        ).where(
            _recent(col(LoginFailure.username), "username") < MAX_FAILURES_PER_ACCOUNT,
            _recent(col(LoginFailure.address), "address") < MAX_FAILURES_PER_ADDRESS,
        ),
    )
    .returning(col(LoginFailure.id))
)
_LOCK: Any = sa.select(
    sa.func.pg_advisory_xact_lock(_ACCOUNT_LOCKS, sa.bindparam("account", type_=sa.Integer())),
    sa.func.pg_advisory_xact_lock(_ADDRESS_LOCKS, sa.bindparam("address", type_=sa.Integer())),
)


def _lock_key(value: str) -> int:
    """A 32-bit key for an advisory lock (two values sharing one only wait for each other)."""
    return int.from_bytes(hashlib.sha256(value.encode()).digest()[:4], "big", signed=True)


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: UserAccount
    # The cookie value: shown to the browser once, stored here only as a hash.
    session_secret: str
    csrf_token: str
    expires_at: datetime


async def _failures_since(
    session: AsyncSession, column: Any, value: str, since: datetime
) -> list[datetime]:
    rows = await session.exec(
        select(LoginFailure.at)
        .where(column == value, col(LoginFailure.at) > since)
        .order_by(col(LoginFailure.at))
    )
    return list(rows)


def _locked(failures: list[datetime], limit: int, now: datetime) -> int | None:
    """Seconds until the oldest counted failure leaves the window, when over the limit."""
    if len(failures) < limit:
        return None
    oldest = failures[-limit]
    return max(1, int((oldest + FAILURE_WINDOW - now).total_seconds()) + 1)


async def _refusal(session: AsyncSession, name: str, address: str, now: datetime) -> RateLimited:
    """The error for an attempt the limit refused: which limit, and how long until it lifts."""
    since = now - FAILURE_WINDOW
    who, wait = "this account", 1
    for column, value, limit, whose in (
        (col(LoginFailure.username), name, MAX_FAILURES_PER_ACCOUNT, "this account"),
        (col(LoginFailure.address), address, MAX_FAILURES_PER_ADDRESS, "your address"),
    ):
        locked = _locked(await _failures_since(session, column, value, since), limit, now)
        if locked is not None:
            who, wait = whose, locked
            break
    minutes = (wait + 59) // 60
    return RateLimited(
        f"Too many failed sign-ins for {who}; try again in {minutes} minute"
        f"{'s' if minutes != 1 else ''}.",
        retry_after=wait,
    )


async def _reserve(db: Database, name: str, address: str, now: datetime) -> UserAccount | None:
    """Record the attempt as a failure, or raise RateLimited; the account, if it exists."""
    async with db.begin() as session:
        connection = await session.connection()
        if connection.dialect.name == "postgresql":
            await connection.execute(
                _LOCK, {"account": _lock_key(name), "address": _lock_key(address)}
            )
        reserved = (
            await connection.execute(
                _RESERVE,
                {
                    "username": name,
                    "address": address,
                    "now": now,
                    "since": now - FAILURE_WINDOW,
                },
            )
        ).first()
        if reserved is None:
            raise await _refusal(session, name, address, now)
        return await find_user(session, username=name)


async def sign_in(db: Database, *, username: str, password: str, address: str) -> SignedIn:
    """Check a password and open a browser session. Opens its own transactions.

    The attempt counts as a failure from before its check (committed even though sign-in
    fails); a success clears the account's failures. Rate-limited per account and per client
    address; the answers never tell whether the account exists.
    """
    name = username.strip().lower()[:255]
    address = address[:64]
    now = utcnow()
    user = await _reserve(db, name, address, now)
    if user is None:
        # Spend the same time as a real check, so timing does not reveal which names exist.
        await Hasher.verify(_dummy_hash(), password)
        raise Unauthenticated("Wrong username or password.", field="password")
    if not await Hasher.verify(user.password_hash, password):
        raise Unauthenticated("Wrong username or password.", field="password")
    async with db.begin() as session:
        await session.exec(sa.delete(LoginFailure).where(col(LoginFailure.username) == name))
        await session.exec(
            sa.delete(UserSession).where(
                col(UserSession.user_id) == user.id, col(UserSession.expires_at) < now
            )
        )
        secret = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        expires = now + SESSION_LIFETIME
        assert user.id is not None
        session.add(
            UserSession(
                user_id=user.id,
                secret_hash=digest(secret),
                csrf_token=csrf,
                expires_at=expires,
            )
        )
    return SignedIn(user=user, session_secret=secret, csrf_token=csrf, expires_at=expires)


@functools.cache
def _dummy_hash() -> str:
    return Hasher.hasher.hash("not a real password, only spends time")
