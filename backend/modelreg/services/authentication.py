"""Who is calling: the credentials a request carries (bearer token or session cookie) → Actor.

Every interface asks here, once per request (`auth.py` reads the credentials off HTTP); a
websocket asks again with what it opened with (`services/viewers.py`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import Database
from modelreg.db.models import (
    Membership,
    PersonalAccessToken,
    Project,
    UserAccount,
)
from modelreg.db.types import utcnow
from modelreg.domain.accounts import (
    parse_scopes,
)
from modelreg.domain.actor import ANONYMOUS, Actor
from modelreg.domain.policy import Role
from modelreg.errors import (
    PermissionDenied,
    Unauthenticated,
)
from modelreg.services.access import remember_project
from modelreg.services.accounts import digest, resolve_session

# A token's last use is written at most this often, so reads do not turn into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)

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
