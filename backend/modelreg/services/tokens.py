"""Personal access tokens: created for a user (the secret is shown once), listed, revoked.

How a request authenticates with one is `services/authentication.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import (
    PersonalAccessToken,
    UserAccount,
)
from modelreg.db.types import utcnow
from modelreg.domain import policy
from modelreg.domain.accounts import (
    format_scopes,
    validate_expiry,
    validate_scopes,
    validate_token_name,
)
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.errors import (
    NotFound,
    Unauthenticated,
)
from modelreg.services.access import check
from modelreg.services.accounts import digest, get_user
from modelreg.services.events import record_event

TOKEN_PREFIX = "mrt_"


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
