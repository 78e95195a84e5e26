"""Users, passwords and browser sessions. Personal access tokens are `tokens.py`; how a request
authenticates with either is `authentication.py`.

Secrets are random (`secrets.token_urlsafe`) and stored only as their SHA-256; passwords are
hashed with argon2id. No secret is ever logged, stored in the event log or returned twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import argon2
import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import (
    PersonalAccessToken,
    UserAccount,
    UserSession,
)
from modelreg.db.types import utcnow
from modelreg.domain import policy
from modelreg.domain.accounts import (
    parse_scopes,
    validate_display_name,
    validate_password,
    validate_username,
)
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.errors import (
    AlreadyExists,
    InvalidArgument,
    NotFound,
)
from modelreg.services.access import check
from modelreg.services.events import record_event
from modelreg.services.text import like_escape

SESSION_LIFETIME = timedelta(days=14)


class Hasher:
    """argon2id with the library's recommended parameters; tests may swap in cheaper ones."""

    hasher = argon2.PasswordHasher()

    @classmethod
    async def hash(cls, password: str) -> str:
        return await asyncio.to_thread(cls.hasher.hash, password)

    @classmethod
    async def verify(cls, password_hash: str, password: str) -> bool:
        def run() -> bool:
            try:
                return cls.hasher.verify(password_hash, password)
            except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
                return False

        return await asyncio.to_thread(run)


def digest(secret: str) -> str:
    """What is stored of a secret (a session cookie, a token): its SHA-256."""
    return hashlib.sha256(secret.encode()).hexdigest()


def generate_password() -> str:
    return secrets.token_urlsafe(18)


# ---------------------------------------------------------------------------------- users


async def find_user(session: AsyncSession, *, username: str) -> UserAccount | None:
    name = username.strip().lower()
    return (await session.exec(select(UserAccount).where(UserAccount.username == name))).first()


async def get_user(session: AsyncSession, *, username: str, field: str = "username") -> UserAccount:
    user = await find_user(session, username=username)
    if user is None:
        raise NotFound(f"No user is called '{username}'.", field=field)
    return user


async def list_users(
    session: AsyncSession, *, actor: Actor, search: str | None = None, limit: int | None = 20
) -> list[UserAccount]:
    """Users whose name starts with `search`: signed-in people pick members from this.

    `limit=None` lists them all (the operator's `modelreg user list`).
    """
    if not actor.authenticated:
        check(policy.Decision(policy.Outcome.SIGN_IN, "Sign in to look up users."))
    statement = select(UserAccount).order_by(col(UserAccount.username))
    if limit is not None:
        statement = statement.limit(limit)
    if search:
        prefix = like_escape(search.strip().lower())
        statement = statement.where(col(UserAccount.username).like(f"{prefix}%", escape="\\"))
    return list(await session.exec(statement))


async def count_users(session: AsyncSession) -> int:
    return (await session.exec(select(sa.func.count()).select_from(UserAccount))).one()


async def create_user(
    session: AsyncSession,
    *,
    actor: Actor,
    username: str,
    password: str | None = None,
    display_name: str = "",
    is_admin: bool = False,
) -> tuple[UserAccount, str | None]:
    """Create an account. Without `password`, one is generated and returned (to show once)."""
    check(policy.may_administer(actor))
    name = validate_username(username)
    display = validate_display_name(display_name)
    generated = None
    if password is None:
        password = generated = generate_password()
    validate_password(password)
    if await find_user(session, username=name) is not None:
        raise AlreadyExists(f"A user called '{name}' already exists.", field="username")
    user = UserAccount(
        username=name,
        display_name=display,
        password_hash=await Hasher.hash(password),
        is_admin=is_admin,
    )
    session.add(user)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.USER_CREATED,
        project_id=None,
        payload={"username": name, "admin": is_admin},
    )
    return user, generated


async def set_password(
    session: AsyncSession,
    *,
    actor: Actor,
    username: str,
    password: str | None = None,
    current_password: str | None = None,
) -> str | None:
    """Change a password: admins for anyone, a person for themselves with the current one.

    Signs the user out everywhere (their browser sessions end). Returns a generated password when
    none was given.
    """
    if not actor.is_admin:
        check(policy.may_manage_own_account(actor))
    user = await get_user(session, username=username)
    if actor.user_id == user.id and not actor.is_admin:
        check(policy.may_manage_own_account(actor))
        if current_password is None or not await Hasher.verify(
            user.password_hash, current_password
        ):
            raise InvalidArgument("The current password is wrong.", field="currentPassword")
    else:
        check(policy.may_administer(actor))
    generated = None
    if password is None:
        password = generated = generate_password()
    validate_password(password)
    user.password_hash = await Hasher.hash(password)
    user.password_changed_at = utcnow()
    session.add(user)
    await session.exec(sa.delete(UserSession).where(col(UserSession.user_id) == user.id))
    await record_event(
        session,
        actor=actor,
        type=EventType.USER_PASSWORD_CHANGED,
        project_id=None,
        payload={"username": user.username},
    )
    return generated


async def ensure_initial_admin(
    session: AsyncSession, *, password: str | None, username: str = "admin"
) -> tuple[UserAccount, str | None] | None:
    """On first start (no users at all), create the admin account.

    Returns the account and the generated password (None when `password` was given), or None
    when users exist already.
    """
    if await count_users(session) > 0:
        return None
    system = Actor(name="system", is_admin=True)
    return await create_user(
        session, actor=system, username=username, password=password, is_admin=True
    )


def actor_for(user: UserAccount, token: PersonalAccessToken | None = None) -> Actor:
    assert user.id is not None
    return Actor(
        name=user.username,
        user_id=user.id,
        is_admin=user.is_admin,
        scopes=parse_scopes(token.scopes) if token is not None else None,
        token_id=token.id if token is not None else None,
    )


# ---------------------------------------------------------------------------- sessions
# Signing in (and its rate limit) is in services/signin.py.


async def sign_out(session: AsyncSession, *, session_secret: str) -> bool:
    result = await session.exec(
        sa.delete(UserSession).where(col(UserSession.secret_hash) == digest(session_secret))
    )
    return bool(result.rowcount)


@dataclass(frozen=True, slots=True)
class BrowserSession:
    actor: Actor
    csrf_token: str


async def resolve_session(session: AsyncSession, *, session_secret: str) -> BrowserSession | None:
    """The signed-in user of a session cookie; None when it is unknown or expired."""
    row = (
        await session.exec(
            select(UserSession, UserAccount)
            .join(UserAccount, col(UserAccount.id) == UserSession.user_id)
            .where(UserSession.secret_hash == digest(session_secret))
        )
    ).first()
    if row is None:
        return None
    browser, user = row
    if browser.expires_at <= utcnow():
        return None
    return BrowserSession(actor=actor_for(user), csrf_token=browser.csrf_token)
