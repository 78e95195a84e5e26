"""Who performs an action: a signed-in user (by session or token), the system, or nobody."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    """What a personal access token may do. A browser session may do everything its user may."""

    READ_API = "read_api"
    API = "api"


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    user_id: int | None = None
    is_admin: bool = False
    # None: not limited by a token (a browser session, the CLI). Otherwise the token's scopes.
    scopes: frozenset[Scope] | None = None
    token_id: int | None = None

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None or self.is_admin

    @property
    def may_write(self) -> bool:
        """False for a token without the `api` scope: it may only read."""
        return self.scopes is None or Scope.API in self.scopes


ANONYMOUS = Actor(name="anonymous")
# Commands run by the operator on the server's own machine (`modelreg demo`, migrations).
SYSTEM = Actor(name="system", is_admin=True)
