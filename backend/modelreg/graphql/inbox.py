"""The inbox in GraphQL: `Query.inbox` (requests to approve, and the viewer's own) and
`Query.inboxCount` (the header badge); `RegisteredModel.pendingRequests` for the models table.

Reads are in `services/inbox.py`; each list is one statement, and the versions, models and
projects the web app shows with a request come through the request's DataLoaders.
"""

from __future__ import annotations

from typing import Protocol

import strawberry
from strawberry import relay

from modelreg.db.models import TransitionRequest
from modelreg.graphql.context import Info
from modelreg.graphql.lifecycle import TransitionRequestType
from modelreg.graphql.node_common import page_size
from modelreg.services import inbox as inbox_service
from modelreg.services.pagination import Page


@strawberry.type(name="TransitionRequestEdge")
class TransitionRequestEdge:
    cursor: str
    node: TransitionRequestType


@strawberry.type(name="TransitionRequestConnection", description="Requests, oldest first.")
class TransitionRequestConnection:
    edges: list[TransitionRequestEdge]
    page_info: relay.PageInfo
    total_count: int = strawberry.field(description="How many there are, across all pages.")


def _connection(page: Page[TransitionRequest], total: int) -> TransitionRequestConnection:
    return TransitionRequestConnection(
        edges=[
            TransitionRequestEdge(cursor=cursor, node=TransitionRequestType.from_row(row))
            for row, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=relay.PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        total_count=total,
    )


@strawberry.type(description="Pending transition requests that wait on the viewer, or are theirs.")
class Inbox:
    @strawberry.field(
        description="Other people's pending requests the viewer may approve, across every "
        "project, oldest first: a request involving Production needs a MAINTAINER, others a "
        "DEVELOPER. Empty when signed out or for a read_api token."
    )
    async def to_approve(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> TransitionRequestConnection:
        size = page_size(info, first)
        actor = info.context.actor
        async with info.context.read() as session:
            page = await inbox_service.requests_to_approve(
                session, actor=actor, first=size, after=after
            )
            total = await inbox_service.count_to_approve(session, actor=actor)
        return _connection(page, total)

    @strawberry.field(
        description="The viewer's own pending requests, oldest first, in projects they can "
        "still read."
    )
    async def own_requests(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> TransitionRequestConnection:
        size = page_size(info, first)
        actor = info.context.actor
        async with info.context.read() as session:
            page = await inbox_service.own_requests(session, actor=actor, first=size, after=after)
            total = await inbox_service.count_own(session, actor=actor)
        return _connection(page, total)


@strawberry.type
class InboxQueries:
    @strawberry.field(description="Pending transition requests for the viewer: to approve, own.")
    def inbox(self) -> Inbox:
        return Inbox()

    @strawberry.field(
        description="How many pending requests the viewer may approve (`inbox.toApprove`'s "
        "total): one cheap statement, for a badge to poll. 0 when signed out."
    )
    async def inbox_count(self, info: Info) -> int:
        actor = info.context.actor
        if not actor.authenticated:
            return 0
        async with info.context.read() as session:
            return await inbox_service.count_to_approve(session, actor=actor)


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


async def model_pending_requests(root: _HasId, info: Info) -> list[TransitionRequestType]:
    """`RegisteredModel.pendingRequests`: batched over a page of models."""
    found = await info.context.loaders.model_pending_requests.load(root.id) or []
    return [TransitionRequestType.from_row(r) for r in found]


async def model_pending_request_count(root: _HasId, info: Info) -> int:
    """`RegisteredModel.pendingRequestCount`: the same batch."""
    return len(await info.context.loaders.model_pending_requests.load(root.id) or [])
