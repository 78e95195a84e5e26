from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs an action. Accounts arrive later; until then everyone is `anonymous`."""

    name: str
    user_id: int | None = None


ANONYMOUS = Actor(name="anonymous")
