from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strawberry.types import Info as StrawberryInfo

from modelreg.db import Database
from modelreg.domain.actor import Actor
from modelreg.graphql.loaders import Loaders
from modelreg.settings import Settings


@dataclass
class Context:
    """Built fresh for every request: its loaders cache only for the life of that request."""

    db: Database
    settings: Settings
    actor: Actor
    loaders: Loaders = field(init=False)
    request: Any = None
    response: Any = None

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.db)


Info = StrawberryInfo[Context, None]
