"""Whether the viewer of a long-lived channel may still see what flows through it.

A websocket is authenticated once, when it opens, yet it may stay open for days: meanwhile a
token can be revoked or expire, a browser session be signed out, a member be removed and a
project be made private. Channels (subscriptions, and every operation sent over a websocket)
therefore ask again here before they send anything, with the credentials the channel opened with.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import Database
from modelreg.domain.actor import Actor
from modelreg.domain.policy import Ability
from modelreg.errors import NotFound, Unauthenticated
from modelreg.services import access, authentication


async def current_viewer(
    db: Database, session: AsyncSession, *, credentials: authentication.Credentials, was: Actor
) -> Actor:
    """Who the channel's credentials stand for now, read in `session`.

    Unauthenticated when they no longer stand for the user they stood for when the channel
    opened: a revoked, expired or unknown token, a session that was signed out or expired, a
    deleted account. An anonymous channel stays anonymous. The actor returned carries the
    user's current administrator flag.
    """
    now = await authentication.authenticate(db, credentials, session=session)
    if was.user_id is not None and now.user_id != was.user_id:
        raise Unauthenticated("Your session has ended; sign in again to follow live changes.")
    return now


async def require_readable(
    session: AsyncSession, *, actor: Actor, project_id: int, path: str
) -> None:
    """NOT_FOUND, exactly as for a project that never existed, unless `actor` may still read
    the project (it may have been deleted, made private, or the actor removed from it)."""
    hidden = NotFound(
        f"No project has the path '{path}' (or you may no longer read it); "
        "the subscription has ended.",
        field="projectPath",
    )
    await access.require(session, actor, project_id, Ability.READ, hidden=hidden)
