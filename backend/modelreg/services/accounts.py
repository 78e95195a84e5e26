"""Users, passwords, browser sessions and personal access tokens.

Secrets are random (`secrets.token_urlsafe`) and stored only as their SHA-256; passwords are
hashed with argon2id. No secret is ever logged, stored in the event log or returned twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import argon2
import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import Database
from modelreg.db.models import (
    Membership,
    PersonalAccessToken,
    Project,
    UserAccount,
    UserSession,
)
from modelreg.db.types import utcnow
from modelreg.domain import policy
from modelreg.domain.accounts import (
    format_scopes,
    parse_scopes,
    validate_display_name,
    validate_expiry,
    validate_password,
    validate_scopes,
    validate_token_name,
    validate_username,
)
from modelreg.domain.actor import ANONYMOUS, Actor
from modelreg.domain.events import EventType
from modelreg.domain.policy import Role
from modelreg.errors import (
    AlreadyExists,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unauthenticated,
)
from modelreg.services.access import check, remember_project
from modelreg.services.events import record_event
from modelreg.services.text import like_escape

TOKEN_PREFIX = "mrt_"
SESSION_LIFETIME = timedelta(days=14)
# A token's last use is written at most this often, so reads do not turn into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


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


# ---------------------------------------------------------------------------- tokens


@dataclass(frozen=True, slots=True)
class NewToken:
    token: PersonalAccessToken
    # The only time the secret exists outside the caller's hands.
    secret: str


async def create_token(
    session: AsyncSession,
    *,
    actor: Actor,
    name: str,
    scopes: Sequence[str],
    expires_at: datetime | None = None,
    username: str | None = None,
) -> NewToken:
    """A personal access token for the actor (or, for an admin, for `username`)."""
    if username is not None and username.strip().lower() != actor.name:
        check(policy.may_administer(actor))
        user = await get_user(session, username=username)
    else:
        check(policy.may_manage_own_account(actor))
        user = await _actor_user(session, actor)
    name = validate_token_name(name)
    chosen = validate_scopes(scopes)
    validate_expiry(expires_at, now=utcnow())
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    assert user.id is not None
    token = PersonalAccessToken(
        user_id=user.id,
        name=name,
        secret_hash=digest(secret),
        prefix=secret[:12],
        scopes=format_scopes(chosen),
        expires_at=expires_at,
    )
    session.add(token)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.TOKEN_CREATED,
        project_id=None,
        payload={"username": user.username, "token": name, "scopes": sorted(chosen)},
    )
    return NewToken(token=token, secret=secret)


async def _actor_user(session: AsyncSession, actor: Actor) -> UserAccount:
    if actor.user_id is None:
        raise Unauthenticated("Sign in to manage your account.")
    user = await session.get(UserAccount, actor.user_id)
    if user is None:
        raise Unauthenticated("Your account no longer exists; sign in again.")
    return user


async def list_tokens(
    session: AsyncSession, *, actor: Actor, username: str | None = None
) -> list[PersonalAccessToken]:
    """The actor's own tokens (or, for an admin, `username`'s), newest first (revoked ones
    included, marked)."""
    if username is not None:
        check(policy.may_administer(actor))
        user_id = (await get_user(session, username=username)).id
    else:
        check(policy.may_manage_own_account(actor) if actor.may_write else _read_own(actor))
        user_id = actor.user_id
    rows = await session.exec(
        select(PersonalAccessToken)
        .where(PersonalAccessToken.user_id == user_id)
        .order_by(col(PersonalAccessToken.id).desc())
    )
    return list(rows)


def _read_own(actor: Actor) -> policy.Decision:
    if actor.user_id is None:
        return policy.Decision(policy.Outcome.SIGN_IN, "Sign in to see your tokens.")
    return policy.Decision(policy.Outcome.ALLOW)


async def revoke_token(
    session: AsyncSession, *, actor: Actor, token_id: int
) -> PersonalAccessToken:
    """Revoke one of the actor's tokens (an admin may revoke anyone's). Revoking twice is fine."""
    if actor.user_id is None and not actor.is_admin:
        check(policy.may_manage_own_account(actor))
    token = await session.get(PersonalAccessToken, token_id)
    if token is None or (token.user_id != actor.user_id and not actor.is_admin):
        raise NotFound(f"No token has the id {token_id}.", field="id")
    own = token.user_id == actor.user_id
    check(policy.may_manage_own_account(actor) if own else policy.may_administer(actor))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        owner = await session.get(UserAccount, token.user_id)
        await record_event(
            session,
            actor=actor,
            type=EventType.TOKEN_REVOKED,
            project_id=None,
            payload={"username": owner.username if owner else "", "token": token.name},
        )
    return token


# Built once, reading only what an actor needs: every request with a token runs it.
_TOKEN_COLUMNS = (
    col(PersonalAccessToken.id),
    col(PersonalAccessToken.scopes),
    col(PersonalAccessToken.expires_at),
    col(PersonalAccessToken.last_used_at),
    col(PersonalAccessToken.revoked_at),
    col(UserAccount.id),
    col(UserAccount.username),
    col(UserAccount.is_admin),
)
_TOKEN_AND_USER: Any = (
    sa.select(*_TOKEN_COLUMNS)
    .join(UserAccount, col(UserAccount.id) == PersonalAccessToken.user_id)
    .where(col(PersonalAccessToken.secret_hash) == sa.bindparam("secret_hash"))
)
# The same, with the project at a path and the token owner's role in it (either may be missing).
_TOKEN_USER_AND_PROJECT: Any = (
    sa.select(*_TOKEN_COLUMNS, Project, col(Membership.role))
    .select_from(PersonalAccessToken)
    .join(UserAccount, col(UserAccount.id) == PersonalAccessToken.user_id)
    .outerjoin(Project, col(Project.path) == sa.bindparam("path"))
    .outerjoin(
        Membership,
        sa.and_(
            col(Membership.project_id) == col(Project.id),
            col(Membership.user_id) == col(UserAccount.id),
        ),
    )
    .where(col(PersonalAccessToken.secret_hash) == sa.bindparam("secret_hash"))
)


def _touch(token_id: int, now: datetime) -> Any:
    """Record a token's use, unless a use within LAST_USED_RESOLUTION is recorded already."""
    return (
        sa.update(PersonalAccessToken)
        .where(
            col(PersonalAccessToken.id) == token_id,
            sa.or_(
                col(PersonalAccessToken.last_used_at).is_(None),
                col(PersonalAccessToken.last_used_at) <= now - LAST_USED_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
    )


async def record_token_use(db: Database, actor: Actor) -> None:
    """Record the use of the actor's token in a transaction of its own: for a request whose
    transaction (where `authenticate(writable=True)` recorded it) failed and was rolled back."""
    if actor.token_id is not None:
        async with db.begin() as session:
            await session.exec(_touch(actor.token_id, utcnow()))


async def authenticate_token(
    db: Database,
    *,
    secret: str,
    session: AsyncSession | None = None,
    writable: bool = False,
    project_path: str | None = None,
) -> Actor:
    """The actor a bearer token stands for, or Unauthenticated saying what is wrong with it.

    Reads in `session` when given (the caller's transaction), else in one of its own. The
    token's last use is recorded in `session` when it is `writable`, else in a transaction of
    its own. With `project_path` and `session`, the project at that path and the actor's role
    in it are read in the same statement, for `get_project_by_path` in that session."""
    now = utcnow()
    params = {"secret_hash": digest(secret)}
    with_project = session is not None and project_path is not None and "\x00" not in project_path
    if session is None:
        async with db.read() as own:
            row = (await own.exec(_TOKEN_AND_USER, params=params)).first()
    elif with_project:
        params["path"] = project_path or ""
        row = (await session.exec(_TOKEN_USER_AND_PROJECT, params=params)).first()
    else:
        row = (await session.exec(_TOKEN_AND_USER, params=params)).first()
    if row is None:
        raise Unauthenticated(
            "The access token is not valid; create a personal access token and send it as "
            "'Authorization: Bearer <token>'."
        )
    token_id, scopes, expires_at, last_used_at, revoked_at, user_id, username, is_admin = row[:8]
    if revoked_at is not None:
        raise Unauthenticated("The access token was revoked; create a new one.")
    if expires_at is not None and expires_at <= now:
        raise Unauthenticated(
            f"The access token expired on {expires_at:%Y-%m-%d %H:%M} UTC; create a new one."
        )
    if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
        if session is not None and writable:
            # Rolled back with the caller's transaction if that fails: see `record_token_use`.
            await session.exec(_touch(token_id, now))
        else:
            async with db.begin() as writer:
                await writer.exec(_touch(token_id, now))
    actor = Actor(
        name=username,
        user_id=user_id,
        is_admin=is_admin,
        scopes=parse_scopes(scopes),
        token_id=token_id,
    )
    if with_project and session is not None and row[8] is not None:
        project, role = row[8], row[9]
        remember_project(session, actor, project, Role(role) if role is not None else None)
    return actor


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request carries, as its interface read it."""

    authorization: str | None = None  # the raw `Authorization` header
    session_secret: str | None = None  # the session cookie
    csrf_header: str | None = None
    # A state-changing request: when authenticated by cookie it must echo the CSRF token.
    needs_csrf: bool = False


async def authenticate(
    db: Database,
    credentials: Credentials,
    *,
    session: AsyncSession | None = None,
    writable: bool = False,
    project_path: str | None = None,
) -> Actor:
    """The actor behind a request: a bearer token wins over a session cookie; else anonymous.

    A bad token is an error (the caller meant to authenticate); a stale cookie is not (the
    browser simply is signed out). Reads in `session` when given; `writable` says the caller's
    transaction may also record the token's use (else that takes a transaction of its own).
    `project_path`: the project the request is about, read with a token in the same statement.
    """
    if credentials.authorization:
        scheme, _, value = credentials.authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthenticated(
                "Send a personal access token as 'Authorization: Bearer <token>'."
            )
        return await authenticate_token(
            db,
            secret=value.strip(),
            session=session,
            writable=writable,
            project_path=project_path,
        )
    if credentials.session_secret:
        if session is None:
            async with db.read() as own:
                found = await resolve_session(own, session_secret=credentials.session_secret)
        else:
            found = await resolve_session(session, session_secret=credentials.session_secret)
        if found is None:
            return ANONYMOUS
        if credentials.needs_csrf and not hmac.compare_digest(
            (credentials.csrf_header or "").encode(), found.csrf_token.encode()
        ):
            raise PermissionDenied(
                "This request carries your session cookie but not the matching X-CSRF-Token "
                "header, so it was refused; reload the page and try again."
            )
        return found.actor
    return ANONYMOUS
