from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.types import Info as StrawberryInfo

from modelreg.db import Database
from modelreg.domain.actor import Actor
from modelreg.errors import Unauthenticated
from modelreg.graphql.loaders import Loaders
from modelreg.services import viewers
from modelreg.services.authentication import Credentials
from modelreg.settings import Settings
from modelreg.storage import Storage


@dataclass
class Context:
    """Built fresh for every request: its loaders cache only for the life of that request.

    All reads of a request share one read transaction, opened on first use and closed when the
    operation ends (see `ReadSessionExtension`): a page costs one connection checkout and one
    BEGIN/COMMIT, not one per loader batch.
    """

    db: Database
    settings: Settings
    actor: Actor
    storage: Storage
    request: Any = None
    response: Any = None
    # What the request or websocket authenticated with: a websocket asks again with them.
    credentials: Credentials | None = None
    loaders: Loaders = field(init=False)
    _closed: bool = field(default=False, init=False)
    _session: AsyncSession | None = field(default=None, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.read, self.actor)

    def adopt_reads(self, session: AsyncSession) -> None:
        """Take `session`, already in a read transaction (the one the request was authenticated
        in), as this context's read transaction: one BEGIN for the caller and the page."""
        assert self._session is None
        self._session = session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        # Loader batches run as concurrent tasks; one session must not be used by two at once.
        async with self._lock:
            if self._session is None:
                self._session = self.db.read_session()
                await self._session.begin()
            yield self._session

    async def end_reads(self) -> None:
        """Close the read transaction and forget cached rows (after a write, or at the end)."""
        async with self._lock:
            session, self._session = self._session, None
            if session is not None:
                await session.close()
        self.loaders = Loaders(self.read, self.actor)

    def set_actor(self, actor: Actor) -> None:
        """The viewer as it is now (its admin flag may have changed); loaders follow it."""
        if actor != self.actor:
            self.actor = actor
            self.loaders = Loaders(self.read, self.actor)

    async def recheck_viewer(self, session: AsyncSession) -> None:
        """A websocket's credentials must still stand for its user (see `services.viewers`);
        else the whole websocket is closed and Unauthenticated raised."""
        if self.credentials is None:
            return
        try:
            self.set_actor(
                await viewers.current_viewer(
                    self.db, session, credentials=self.credentials, was=self.actor
                )
            )
        except Unauthenticated as error:
            await self.close_connection(4401, error.message)
            raise

    async def close_connection(self, code: int, reason: str) -> None:
        """Close this context's websocket (once); nothing is sent on it afterwards."""
        if self._closed:
            return
        self._closed = True
        close = getattr(self.response, "close", None)
        if close is not None:
            # Close reasons travel in a control frame: at most 123 bytes.
            await close(code=code, reason=reason.encode()[:120].decode(errors="ignore"))

    @property
    def connection_closed(self) -> bool:
        return self._closed


Info = StrawberryInfo[Context, None]
