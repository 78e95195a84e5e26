"""Users and tokens for tests, made through the services (as the CLI and GraphQL do)."""

from __future__ import annotations

from dataclasses import dataclass, field

from modelreg.db import Database
from modelreg.domain.actor import SYSTEM
from modelreg.services import accounts
from modelreg.services import tokens as token_service

PASSWORD = "correct horse battery staple"


@dataclass
class Accounts:
    """Creates users on first use and remembers an `api` token for each."""

    db: Database
    tokens: dict[str, str] = field(default_factory=dict)

    async def user(self, username: str, *, admin: bool = False, password: str = PASSWORD) -> int:
        async with self.db.begin() as session:
            found = await accounts.find_user(session, username=username)
            if found is None:
                found, _ = await accounts.create_user(
                    session, actor=SYSTEM, username=username, password=password, is_admin=admin
                )
            assert found.id is not None
            return found.id

    async def token(
        self, username: str, *, admin: bool = False, scopes: tuple[str, ...] = ("api",)
    ) -> str:
        key = f"{username}:{','.join(scopes)}"
        if key not in self.tokens:
            await self.user(username, admin=admin)
            async with self.db.begin() as session:
                created = await token_service.create_token(
                    session, actor=SYSTEM, name="tests", scopes=scopes, username=username
                )
            self.tokens[key] = created.secret
        return self.tokens[key]

    async def headers(self, username: str, *, admin: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(username, admin=admin)}"}
