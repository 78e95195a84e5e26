"""The inbox: the pending transition requests the viewer may approve, across every project, and
the viewer's own pending requests; and each model's pending requests (the models table).

Who may approve a request is `policy.required_role` for APPROVE_TRANSITION over the version's
current stage and the target stage. `approver_condition` turns that table into one SQL condition
on the viewer's membership row, so an inbox is one statement (and its count another) however many
projects the viewer is in; `ix_transition_request_status_id` keeps it to the pending requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from modelreg.db.models import Membership, ModelVersion, Project, RegisteredModel, TransitionRequest
from modelreg.domain.actor import Actor
from modelreg.domain.lifecycle import RequestStatus, Stage
from modelreg.domain.policy import Ability, Role, Visibility, required_role
from modelreg.services.pagination import Page, SortKey, keyset_page

_BY_ID: list[SortKey[TransitionRequest]] = [SortKey(TransitionRequest.id, lambda r: r.id)]


def approver_condition(role: Any, current: Any, target: Any) -> sa.ColumnElement[bool]:
    """SQL: a member with `role` may approve moving a version in stage `current` to `target`.

    Built from the policy's table (every pair of stages), so the SQL cannot drift from it."""
    pairs_by_role: dict[Role, list[tuple[Stage, Stage]]] = {}
    for now in Stage:
        for to in Stage:
            needed = required_role(Ability.APPROVE_TRANSITION, [now, to])
            pairs_by_role.setdefault(needed, []).append((now, to))
    return sa.or_(
        *(
            sa.and_(
                role.in_([r for r in Role if r >= needed]),
                sa.or_(*(sa.and_(current == now, target == to) for now, to in pairs)),
            )
            for needed, pairs in sorted(pairs_by_role.items())
        )
    )


def _pending(statement: SelectOfScalar[Any]) -> SelectOfScalar[Any]:
    return (
        statement.join(ModelVersion, col(ModelVersion.id) == col(TransitionRequest.version_id))
        .join(RegisteredModel, col(RegisteredModel.id) == col(ModelVersion.model_id))
        .where(TransitionRequest.status == RequestStatus.PENDING)
    )


def _to_approve(actor: Actor, statement: SelectOfScalar[Any]) -> SelectOfScalar[Any] | None:
    """Pending requests `actor` may approve, others' only (their own are in `own`); None: none.

    A read-only token approves nothing, so its inbox has nothing to approve."""
    if not actor.authenticated or not actor.may_write:
        return None
    statement = _pending(statement).where(TransitionRequest.requester != actor.name)
    if actor.is_admin:
        return statement
    if actor.user_id is None:
        return None
    return statement.join(
        Membership,
        sa.and_(
            col(Membership.project_id) == col(RegisteredModel.project_id),
            col(Membership.user_id) == actor.user_id,
        ),
    ).where(
        approver_condition(col(Membership.role), ModelVersion.stage, TransitionRequest.target_stage)
    )


def _own(actor: Actor, statement: SelectOfScalar[Any]) -> SelectOfScalar[Any] | None:
    """`actor`'s own pending requests, in projects they can still read."""
    if not actor.authenticated:
        return None
    statement = _pending(statement).where(TransitionRequest.requester == actor.name)
    if actor.is_admin:
        return statement
    # Signed in: public and internal projects are readable, private ones to members only.
    return (
        statement.join(Project, col(Project.id) == col(RegisteredModel.project_id))
        .outerjoin(
            Membership,
            sa.and_(
                col(Membership.project_id) == col(Project.id),
                col(Membership.user_id) == actor.user_id,
            ),
        )
        .where(
            sa.or_(
                col(Project.visibility).in_([Visibility.PUBLIC, Visibility.INTERNAL]),
                col(Membership.id).is_not(None),
            )
        )
    )


async def _page(
    session: AsyncSession, statement: SelectOfScalar[Any] | None, *, first: int, after: str | None
) -> Page[TransitionRequest]:
    if statement is None:
        return Page(items=[], cursors=[], has_next_page=False, has_previous_page=after is not None)
    return await keyset_page(
        session, statement, keys=_BY_ID, descending=False, first=first, after=after
    )


async def _count(session: AsyncSession, statement: SelectOfScalar[Any] | None) -> int:
    if statement is None:
        return 0
    return int((await session.exec(statement)).one())


def _count_of() -> SelectOfScalar[Any]:
    return select(sa.func.count(col(TransitionRequest.id)))


async def requests_to_approve(
    session: AsyncSession, *, actor: Actor, first: int, after: str | None = None
) -> Page[TransitionRequest]:
    """Pending requests of others that `actor` may approve, oldest first."""
    return await _page(
        session, _to_approve(actor, select(TransitionRequest)), first=first, after=after
    )


async def count_to_approve(session: AsyncSession, *, actor: Actor) -> int:
    return await _count(session, _to_approve(actor, _count_of()))


async def own_requests(
    session: AsyncSession, *, actor: Actor, first: int, after: str | None = None
) -> Page[TransitionRequest]:
    """`actor`'s own pending requests, oldest first."""
    return await _page(session, _own(actor, select(TransitionRequest)), first=first, after=after)


async def count_own(session: AsyncSession, *, actor: Actor) -> int:
    return await _count(session, _own(actor, _count_of()))


async def pending_requests_by_models(
    session: AsyncSession, model_ids: Sequence[int]
) -> dict[int, list[TransitionRequest]]:
    """Each model's pending requests, oldest first (one statement for a page of models)."""
    rows = await session.exec(
        select(ModelVersion.model_id, TransitionRequest)
        .join(ModelVersion, col(ModelVersion.id) == col(TransitionRequest.version_id))
        .where(
            col(ModelVersion.model_id).in_(model_ids),
            TransitionRequest.status == RequestStatus.PENDING,
        )
        .order_by(col(TransitionRequest.id))
    )
    found: dict[int, list[TransitionRequest]] = {}
    for model_id, request in rows.all():
        found.setdefault(model_id, []).append(request)
    return found
