"""Live events over websockets (`graphql-transport-ws`, on the same `/graphql` route).

Each subscription follows the event table by id (see `modelreg.events.follow`): it starts after
the newest event at subscribe time, or after `after` when given, and yields every later event of
its project or model in id order. It polls every MODELREG_EVENT_POLL_SECONDS (0.5 s), each poll
one short read transaction; a change committed by this process, through any interface, wakes it
at once (`db/after_commit.py`); changes made by other server processes wake it through
PostgreSQL's LISTEN/NOTIFY (`db/wakeup.py`), and on SQLite arrive within one poll.
Nothing is missed: an event whose transaction commits after a higher id was already delivered
is still found and delivered.

Rights are checked for as long as events flow, not only at subscribe time: before each batch of
events is sent (in the transaction that read them) and every few seconds while idle, the
subscription asks whether its viewer may still read the project (`services.viewers`). A project
made private, deleted, or a member removed ends the subscription with NOT_FOUND; credentials
that no longer hold (a revoked or expired token, a signed-out session) close the whole
websocket with 4401.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.errors import NotFound, Unauthenticated
from modelreg.events import EventFollower, latest_event_id
from modelreg.graphql.context import Info
from modelreg.graphql.ids import decode_id
from modelreg.graphql.lifecycle import EventType
from modelreg.services.models import find_model_by_name
from modelreg.services.projects import get_project_by_path
from modelreg.services.viewers import require_readable

AfterArgument = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="Resume after this event (the `id` of the last one received); "
        "without it, only events from now on."
    ),
]


async def _start(
    info: Info, project_path: str, model_name: str | None, after: strawberry.ID | None
) -> EventFollower:
    after_id = decode_id(after, "Event", field="after") if after is not None else None
    context = info.context
    async with context.db.read() as session:
        await context.recheck_viewer(session)
        # Only readers of the project may follow it; to others it does not exist.
        project = await get_project_by_path(
            session, path=project_path, actor=info.context.actor, field="projectPath"
        )
        assert project.id is not None
        model_id: int | None = None
        if model_name is not None:
            model = await find_model_by_name(session, project_id=project.id, name=model_name)
            if model is None or model.id is None:
                raise NotFound(
                    f"Project '{project_path}' has no model named '{model_name}'.",
                    field="modelName",
                )
            model_id = model.id
        if after_id is None:
            after_id = await latest_event_id(session)
    project_id = project.id

    async def guard(session: AsyncSession) -> None:
        await context.recheck_viewer(session)
        await require_readable(
            session, actor=context.actor, project_id=project_id, path=project_path
        )

    return EventFollower(
        context.db,
        context.db.notifier,
        project_id=project_id,
        model_id=model_id,
        after=after_id,
        poll_seconds=context.settings.event_poll_seconds,
        guard=guard,
    )


async def _events(
    info: Info, project_path: str, model_name: str | None, after: strawberry.ID | None
) -> AsyncIterator[EventType]:
    """The stream. Its errors are shaped and logged like every other GraphQL error
    (`Schema.process_errors`, see `graphql/reporting.py`): a domain error keeps its code."""
    try:
        follower = await _start(info, project_path, model_name, after)
        async for event in _stream(follower, info):
            yield event
    except Unauthenticated:
        if info.context.connection_closed:
            # The websocket was closed because its credentials ended: nothing more is sent, and
            # the connection's shutdown cancels this operation.
            await asyncio.Event().wait()
        raise


async def _stream(follower: EventFollower, info: Info) -> AsyncIterator[EventType]:
    try:
        async for row in follower.follow():
            yield EventType.from_row(row)
            # The fields of the event have been resolved: end their read transaction, so none is
            # held open while waiting, and forget cached rows so the next event shows fresh ones.
            await info.context.end_reads()
    finally:
        await info.context.end_reads()


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Every new event of a model, in order, as it happens.")
    async def model_events(
        self, info: Info, project_path: str, model_name: str, after: AfterArgument = None
    ) -> AsyncGenerator[EventType, None]:
        async for event in _events(info, project_path, model_name, after):
            yield event

    @strawberry.subscription(
        description="Every new event of a project and its models, in order, as it happens."
    )
    async def project_events(
        self, info: Info, project_path: str, after: AfterArgument = None
    ) -> AsyncGenerator[EventType, None]:
        async for event in _events(info, project_path, None, after):
            yield event
