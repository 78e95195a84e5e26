"""Lifecycle types: stages, transition requests, aliases, comments and the activity feed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from modelreg.db.models import Comment, Event, ModelAlias, TransitionRequest
from modelreg.domain import policy
from modelreg.domain.lifecycle import RequestStatus, Stage
from modelreg.graphql.context import Info
from modelreg.graphql.ids import encode_id
from modelreg.services import events as event_service
from modelreg.services.pagination import check_page_size

if TYPE_CHECKING:
    from modelreg.graphql.types import RegisteredModelNode
    from modelreg.graphql.version_node import ModelVersionNode

strawberry.enum(Stage, description="Where a version is in its lifecycle.")
strawberry.enum(
    RequestStatus, name="TransitionRequestStatus", description="A transition request's state."
)
strawberry.enum(
    policy.RequestAction,
    name="TransitionRequestAction",
    description="What the viewer may do with a transition request.",
)

VersionRef = Annotated["ModelVersionNode", strawberry.lazy("modelreg.graphql.version_node")]
ModelRef = Annotated["RegisteredModelNode", strawberry.lazy("modelreg.graphql.types")]


async def _version(info: Info, version_id: int | None) -> ModelVersionNode | None:
    from modelreg.graphql.version_node import ModelVersionNode

    if version_id is None:
        return None
    row = await info.context.loaders.version.load(version_id)
    return ModelVersionNode.from_row(row) if row else None


async def _model(info: Info, model_id: int | None) -> RegisteredModelNode | None:
    from modelreg.graphql.types import RegisteredModelNode

    if model_id is None:
        return None
    row = await info.context.loaders.model.load(model_id)
    return RegisteredModelNode.from_row(row, info.context) if row else None


@strawberry.type(description="A request to move a version to another stage, and its outcome.")
class TransitionRequestType:
    id: strawberry.ID
    target_stage: Stage
    requester: str
    comment: str = strawberry.field(description="Markdown, from the requester.")
    status: RequestStatus
    resolver: str | None = strawberry.field(description="Who approved, rejected or cancelled.")
    resolution_comment: str
    archive_existing: bool = strawberry.field(
        description="Whether approving archives the other versions in the target stage."
    )
    created_at: datetime
    resolved_at: datetime | None
    version_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: TransitionRequest) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_id("TransitionRequest", row.id)),
            target_stage=row.target_stage,
            requester=row.requester,
            comment=row.comment,
            status=row.status,
            resolver=row.resolver,
            resolution_comment=row.resolution_comment,
            archive_existing=row.archive_existing,
            created_at=row.created_at,
            resolved_at=row.resolved_at,
            version_id=row.version_id,
        )

    @strawberry.field
    async def version(self, info: Info) -> VersionRef:
        found = await _version(info, self.version_id)
        assert found is not None
        return found

    @strawberry.field(description="What the viewer may do with this request now.")
    async def available_actions(self, info: Info) -> list[policy.RequestAction]:
        from modelreg.graphql import permissions

        pending = self.status == RequestStatus.PENDING
        may_approve = False
        version = await info.context.loaders.version.load(self.version_id)
        model = await info.context.loaders.model.load(version.model_id) if version else None
        if pending and version is not None and model is not None:
            decision = await permissions.decide(
                info,
                model.project_id,
                policy.Ability.APPROVE_TRANSITION,
                stages=[version.stage, self.target_stage],
            )
            may_approve = decision.allowed
        return policy.available_request_actions(
            info.context.actor, pending=pending, requester=self.requester, may_approve=may_approve
        )


@strawberry.type(name="Comment", description="A Markdown comment on a version.")
class CommentType:
    id: strawberry.ID
    author: str
    body: str = strawberry.field(description="Markdown.")
    edited: bool
    created_at: datetime
    updated_at: datetime
    version_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Comment) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_id("Comment", row.id)),
            author=row.author,
            body=row.body,
            edited=row.edited,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version_id=row.version_id,
        )

    @strawberry.field(description="Whether the viewer may edit or delete this comment.")
    async def viewer_can_change(self, info: Info) -> bool:
        from modelreg.graphql import permissions

        if not policy.is_author(info.context.actor, author=self.author):
            return False
        version = await info.context.loaders.version.load(self.version_id)
        model = await info.context.loaders.model.load(version.model_id) if version else None
        if model is None:
            return False
        decision = await permissions.decide(info, model.project_id, policy.Ability.COMMENT)
        return decision.allowed

    @strawberry.field
    async def version(self, info: Info) -> VersionRef:
        found = await _version(info, self.version_id)
        assert found is not None
        return found


@strawberry.type(name="ModelAlias", description="A name such as `champion` for one version.")
class ModelAliasType:
    alias: str
    updated_at: datetime
    version_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: ModelAlias) -> Self:
        return cls(alias=row.alias, updated_at=row.updated_at, version_id=row.version_id)

    @strawberry.field
    async def version(self, info: Info) -> VersionRef:
        found = await _version(info, self.version_id)
        assert found is not None
        return found


@strawberry.type(name="Event", description="One entry of the append-only activity log.")
class EventType:
    id: strawberry.ID
    type: str = strawberry.field(description="For example `version.stage_changed`.")
    actor: str
    created_at: datetime
    payload: JSON = strawberry.field(description="What changed; its keys depend on `type`.")
    model_id: strawberry.Private[int | None]
    version_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Event) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_id("Event", row.id)),
            type=row.type,
            actor=row.actor,
            created_at=row.created_at,
            payload=JSON(row.payload),
            model_id=row.model_id,
            version_id=row.version_id,
        )

    @strawberry.field(description="The model concerned; null if none or since deleted.")
    async def model(self, info: Info) -> ModelRef | None:
        return await _model(info, self.model_id)

    @strawberry.field(description="The version concerned; null if none or since deleted.")
    async def version(self, info: Info) -> VersionRef | None:
        return await _version(info, self.version_id)


@strawberry.type
class EventEdge:
    cursor: str
    node: EventType


@strawberry.type(description="Events, newest first.")
class EventConnection:
    edges: list[EventEdge]
    page_info: relay.PageInfo


async def activity(
    info: Info,
    *,
    first: int | None,
    after: str | None,
    project_id: int | None = None,
    model_id: int | None = None,
    version_id: int | None = None,
) -> EventConnection:
    size = check_page_size(first, maximum=info.context.settings.page_size_max)
    async with info.context.read() as session:
        page = await event_service.list_events(
            session,
            project_id=project_id,
            model_id=model_id,
            version_id=version_id,
            first=size,
            after=after,
        )
    edges = [
        EventEdge(cursor=cursor, node=EventType.from_row(item))
        for item, cursor in zip(page.items, page.cursors, strict=True)
    ]
    return EventConnection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
    )
