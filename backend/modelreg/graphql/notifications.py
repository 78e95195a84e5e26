"""E-mail notifications in GraphQL: the viewer's address and default level, a model's level for
the viewer, following versions, and the mutations that change them (`services/notifications`).

The fields are resolvers mounted on existing types with one line each (`Viewer.email`,
`RegisteredModel.viewerNotificationLevel`, `ModelVersion.viewerFollowing`); the mutations are a
mixin of `Mutation`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Protocol

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import UserAccount
from modelreg.domain.notifications import NotificationLevel
from modelreg.graphql.context import Info
from modelreg.graphql.errors import UserError, run_mutation
from modelreg.graphql.ids import decode_id
from modelreg.services import notifications as service

if TYPE_CHECKING:
    from modelreg.graphql.types import RegisteredModelNode
    from modelreg.graphql.version_node import ModelVersionNode

strawberry.enum(
    NotificationLevel,
    name="NotificationLevel",
    description="Which e-mail notifications a user gets about a model. ALL: every new version, "
    "request, transition, decision and comment. PARTICIPATING: only about versions they follow "
    "(created, requested a transition of, commented on, or followed). MUTED: none.",
)

ModelRef = Annotated["RegisteredModelNode", strawberry.lazy("modelreg.graphql.types")]
VersionRef = Annotated["ModelVersionNode", strawberry.lazy("modelreg.graphql.version_node")]


class _HasId(Protocol):
    id: int


@strawberry.type(description="The viewer's e-mail level for one model.")
class ModelNotificationLevel:
    level: NotificationLevel
    explicit: bool = strawberry.field(
        description="True when chosen for this model; false when it is the viewer's default."
    )


# ------------------------------------------------------------------------ fields on types


async def _viewer_row(info: Info) -> UserAccount | None:
    user_id = info.context.actor.user_id
    if user_id is None:
        return None
    async with info.context.read() as session:
        return await session.get(UserAccount, user_id)


async def viewer_email(info: Info) -> str | None:
    row = await _viewer_row(info)
    return row.email if row is not None else None


async def viewer_notification_level(info: Info) -> NotificationLevel | None:
    row = await _viewer_row(info)
    return row.notification_level if row is not None else None


VIEWER_EMAIL = strawberry.field(
    resolver=viewer_email,
    description="Where your notification mail goes; empty for none, null when anonymous.",
)
VIEWER_LEVEL = strawberry.field(
    resolver=viewer_notification_level,
    description="Your level for models without a level of their own; null when anonymous.",
)


async def model_level(root: strawberry.Parent[_HasId], info: Info) -> ModelNotificationLevel | None:
    user_id = info.context.actor.user_id
    if user_id is None:
        return None
    async with info.context.read() as session:
        found = await service.model_levels(session, user_id=user_id, model_ids=[root.id])
    level = found[root.id]
    return ModelNotificationLevel(level=level.level, explicit=level.explicit)


async def version_following(root: strawberry.Parent[_HasId], info: Info) -> bool:
    user_id = info.context.actor.user_id
    if user_id is None:
        return False
    async with info.context.read() as session:
        return root.id in await service.followed_versions(
            session, user_id=user_id, version_ids=[root.id]
        )


MODEL_LEVEL = strawberry.field(
    resolver=model_level,
    description="The viewer's e-mail level for this model; null when anonymous.",
)
VERSION_FOLLOWING = strawberry.field(
    resolver=version_following,
    description="Whether the viewer follows this version (gets mail about it at the "
    "PARTICIPATING level); false when anonymous.",
)


# ----------------------------------------------------------------------------- mutations


@strawberry.input
class SetEmailInput:
    email: str = strawberry.field(description="An address such as ada@example.com; empty: none.")


@strawberry.input
class UpdateNotificationSettingsInput:
    level: NotificationLevel = strawberry.field(
        description="Your level for models without a level of their own."
    )


@strawberry.type
class NotificationSettingsPayload:
    email: str | None
    notification_level: NotificationLevel | None
    errors: list[UserError]


@strawberry.input
class SetModelNotificationLevelInput:
    model_id: strawberry.ID
    level: NotificationLevel | None = strawberry.field(
        default=None, description="Null: back to your default level."
    )


@strawberry.type
class ModelNotificationLevelPayload:
    model: ModelRef | None
    level: ModelNotificationLevel | None
    errors: list[UserError]


@strawberry.input
class FollowVersionInput:
    version_id: strawberry.ID


@strawberry.type
class FollowVersionPayload:
    model_version: VersionRef | None
    following: bool | None
    errors: list[UserError]


def _settings(row: UserAccount | None, errors: list[UserError]) -> NotificationSettingsPayload:
    return NotificationSettingsPayload(
        email=row.email if row else None,
        notification_level=row.notification_level if row else None,
        errors=errors,
    )


async def _follow(info: Info, version_id: str, follow: bool) -> FollowVersionPayload:
    from modelreg.graphql.version_node import ModelVersionNode

    action = service.follow_version if follow else service.unfollow_version
    row, errors = await run_mutation(
        info,
        lambda s: action(
            s,
            actor=info.context.actor,
            version_id=decode_id(version_id, "ModelVersion", field="versionId"),
        ),
    )
    if row is None:
        return FollowVersionPayload(model_version=None, following=None, errors=errors)
    return FollowVersionPayload(
        model_version=ModelVersionNode.from_row(row), following=follow, errors=[]
    )


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(description="Set where your notification mail goes (empty: no mail).")
    async def set_email(self, info: Info, input: SetEmailInput) -> NotificationSettingsPayload:
        row, errors = await run_mutation(
            info, lambda s: service.set_email(s, actor=info.context.actor, email=input.email)
        )
        return _settings(row, errors)

    @strawberry.mutation(description="Set your e-mail level for models without their own.")
    async def update_notification_settings(
        self, info: Info, input: UpdateNotificationSettingsInput
    ) -> NotificationSettingsPayload:
        row, errors = await run_mutation(
            info,
            lambda s: service.set_default_level(s, actor=info.context.actor, level=input.level),
        )
        return _settings(row, errors)

    @strawberry.mutation(
        description="Set your e-mail level for one model (null: back to your default)."
    )
    async def set_model_notification_level(
        self, info: Info, input: SetModelNotificationLevelInput
    ) -> ModelNotificationLevelPayload:
        from modelreg.graphql.types import RegisteredModelNode

        model_id = 0

        async def action(session: AsyncSession) -> service.ModelLevel:
            nonlocal model_id
            model_id = decode_id(input.model_id, "RegisteredModel", field="modelId")
            return await service.set_model_level(
                session, actor=info.context.actor, model_id=model_id, level=input.level
            )

        level, errors = await run_mutation(info, action)
        if level is None:
            return ModelNotificationLevelPayload(model=None, level=None, errors=errors)
        model = await info.context.loaders.model.load(model_id)
        return ModelNotificationLevelPayload(
            model=RegisteredModelNode.from_row(model, info.context) if model else None,
            level=ModelNotificationLevel(level=level.level, explicit=level.explicit),
            errors=[],
        )

    @strawberry.mutation(description="Follow a version: get mail about it at PARTICIPATING.")
    async def follow_version(self, info: Info, input: FollowVersionInput) -> FollowVersionPayload:
        return await _follow(info, input.version_id, True)

    @strawberry.mutation(description="Stop following a version.")
    async def unfollow_version(self, info: Info, input: FollowVersionInput) -> FollowVersionPayload:
        return await _follow(info, input.version_id, False)
