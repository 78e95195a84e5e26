"""Accounts in GraphQL: the viewer, users, personal access tokens, project members."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry

from modelreg.db.models import Membership, PersonalAccessToken, UserAccount
from modelreg.db.types import utcnow
from modelreg.domain.accounts import parse_scopes
from modelreg.domain.actor import Scope
from modelreg.domain.notifications import NotificationLevel
from modelreg.domain.policy import Role
from modelreg.graphql import notifications
from modelreg.graphql.context import Info
from modelreg.graphql.ids import encode_id
from modelreg.services import accounts as account_service
from modelreg.services import tokens as token_service

strawberry.enum(
    Scope,
    name="TokenScope",
    description="read_api: read everything the user may read. api: also change it.",
)


@strawberry.type(description="A person (or robot account) who signs in.")
class User:
    id: strawberry.ID
    username: str
    display_name: str
    is_admin: bool
    created_at: datetime

    @classmethod
    def from_row(cls, row: UserAccount) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_id("User", row.id)),
            username=row.username,
            display_name=row.display_name,
            is_admin=row.is_admin,
            created_at=row.created_at,
        )


@strawberry.type(
    name="PersonalAccessToken",
    description="A personal access token; its secret is shown only once, at creation.",
)
class PersonalAccessTokenType:
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The first characters, to tell tokens apart.")
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @strawberry.field(description="Neither revoked nor expired.")
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > utcnow())

    @classmethod
    def from_row(cls, row: PersonalAccessToken) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_id("PersonalAccessToken", row.id)),
            name=row.name,
            prefix=row.prefix,
            scopes=sorted(parse_scopes(row.scopes)),
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
        )


@strawberry.type(description="A user's role in a project.")
class Member:
    user: User
    role: Role
    added_by: str
    added_at: datetime

    @classmethod
    def from_rows(cls, membership: Membership, user: UserAccount) -> Self:
        return cls(
            user=User.from_row(user),
            role=membership.role,
            added_by=membership.created_by,
            added_at=membership.created_at,
        )


@strawberry.type(description="Who is asking: the signed-in user, or nobody.")
class Viewer:
    user: User | None = strawberry.field(description="Null when not signed in.")
    token_scopes: list[Scope] | None = strawberry.field(
        description="When authenticated by a token: its scopes (null for a browser session)."
    )
    email: str | None = notifications.VIEWER_EMAIL
    notification_level: NotificationLevel | None = notifications.VIEWER_LEVEL

    @strawberry.field(description="The viewer's personal access tokens, newest first.")
    async def personal_access_tokens(self, info: Info) -> list[PersonalAccessTokenType]:
        if self.user is None:
            return []
        async with info.context.read() as session:
            rows = await token_service.list_tokens(session, actor=info.context.actor)
        return [PersonalAccessTokenType.from_row(r) for r in rows]


@strawberry.type
class AccountQueries:
    @strawberry.field(description="The signed-in user (null `user` when anonymous).")
    async def viewer(self, info: Info) -> Viewer:
        actor = info.context.actor
        if actor.user_id is None:
            return Viewer(user=None, token_scopes=None)
        async with info.context.read() as session:
            user = await session.get(UserAccount, actor.user_id)
        return Viewer(
            user=User.from_row(user) if user else None,
            token_scopes=sorted(actor.scopes) if actor.scopes is not None else None,
        )

    @strawberry.field(
        description="Users whose username starts with `search`, for picking members; "
        "signed-in users only."
    )
    async def users(self, info: Info, search: str = "", first: int = 20) -> list[User]:
        async with info.context.read() as session:
            rows = await account_service.list_users(
                session, actor=info.context.actor, search=search, limit=max(1, min(first, 100))
            )
        return [User.from_row(r) for r in rows]
