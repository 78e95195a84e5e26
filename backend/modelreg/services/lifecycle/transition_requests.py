"""Transition requests: asking for a stage move, and approving (which performs it),
rejecting or cancelling a pending request; and each version's requests."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import ModelVersion, RegisteredModel, TransitionRequest
from modelreg.db.types import utcnow
from modelreg.domain import policy
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.lifecycle import (
    RequestStatus,
    Stage,
    check_target_stage,
    validate_comment,
)
from modelreg.domain.notifications import FollowReason
from modelreg.domain.policy import Ability
from modelreg.errors import Conflict, NotFound, PermissionDenied
from modelreg.services import access
from modelreg.services.compatibility import enforce_production_release
from modelreg.services.events import record_event
from modelreg.services.lifecycle.locking import _locked_version, _version_ref
from modelreg.services.lifecycle.transitions import _apply_transition
from modelreg.services.notifications import follow_on_action


def _no_request(request_id: int) -> NotFound:
    return NotFound(f"No transition request has the id {request_id}.", field="id")


async def _get_request(session: AsyncSession, *, request_id: int) -> TransitionRequest:
    found = await session.get(TransitionRequest, request_id)
    if found is None:
        raise _no_request(request_id)
    return found


async def request_transition(
    session: AsyncSession,
    *,
    actor: Actor,
    version_id: int,
    stage: Stage,
    comment: str = "",
    archive_existing: bool = False,
) -> TransitionRequest:
    comment = validate_comment(comment)
    version, model = await _locked_version(session, version_id, actor=actor)
    await access.require(session, actor, model.project_id, Ability.REQUEST_TRANSITION)
    check_target_stage(version.stage, stage)
    # A request no one could approve is refused up front.
    await enforce_production_release(session, version=version, model=model, stage=stage)
    row = TransitionRequest(
        version_id=version_id,
        target_stage=stage,
        requester=actor.name,
        comment=comment,
        archive_existing=archive_existing,
    )
    session.add(row)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.TRANSITION_REQUESTED,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={
            **_version_ref(version),
            "request_id": row.id,
            "from": version.stage.value,
            "to": stage.value,
            "comment": comment,
            "archive_existing": archive_existing,
        },
    )
    await follow_on_action(session, actor, version.id, FollowReason.REQUESTED)
    return row


async def _pending_request(
    session: AsyncSession, request_id: int, verb: str, *, actor: Actor
) -> tuple[TransitionRequest, ModelVersion, RegisteredModel]:
    request = await _get_request(session, request_id=request_id)
    version, model = await _locked_version(
        session, request.version_id, actor=actor, hidden=_no_request(request_id)
    )
    # Read again after the lock: a concurrent resolution has committed by now.
    request = (
        await session.exec(
            select(TransitionRequest)
            .where(TransitionRequest.id == request_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    if request.status != RequestStatus.PENDING:
        by = f" by {request.resolver}" if request.resolver else ""
        raise Conflict(
            f"This request to move version {version.version} to {request.target_stage.label} "
            f"was already {request.status.value.lower()}{by}, so it cannot be {verb}; "
            "make a new request if the transition is still wanted.",
            field="id",
        )
    return request, version, model


async def _resolve(
    session: AsyncSession,
    *,
    actor: Actor,
    request: TransitionRequest,
    version: ModelVersion,
    model: RegisteredModel,
    status: RequestStatus,
    comment: str,
    event: EventType,
) -> None:
    request.status = status
    request.resolver = actor.name
    request.resolution_comment = comment
    request.resolved_at = utcnow()
    session.add(request)
    await record_event(
        session,
        actor=actor,
        type=event,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={
            **_version_ref(version),
            "request_id": request.id,
            "to": request.target_stage.value,
            "requester": request.requester,
            "comment": comment,
            "archive_existing": request.archive_existing,
        },
    )


async def _require_approver(
    session: AsyncSession,
    actor: Actor,
    request: TransitionRequest,
    version: ModelVersion,
    model: RegisteredModel,
) -> None:
    await access.require(
        session,
        actor,
        model.project_id,
        Ability.APPROVE_TRANSITION,
        stages=[version.stage, request.target_stage],
    )


async def approve_request(
    session: AsyncSession,
    *,
    actor: Actor,
    request_id: int,
    comment: str = "",
    archive_existing: bool | None = None,
) -> TransitionRequest:
    """Approve and perform the transition; `archive_existing` None keeps the requester's choice."""
    comment = validate_comment(comment)
    request, version, model = await _pending_request(session, request_id, "approved", actor=actor)
    await _require_approver(session, actor, request, version, model)
    if archive_existing is not None:
        request.archive_existing = archive_existing
    await _resolve(
        session,
        actor=actor,
        request=request,
        version=version,
        model=model,
        status=RequestStatus.APPROVED,
        comment=comment,
        event=EventType.TRANSITION_APPROVED,
    )
    await _apply_transition(
        session,
        actor=actor,
        model=model,
        version=version,
        stage=request.target_stage,
        comment=comment,
        archive_existing=request.archive_existing,
        request_id=request.id,
    )
    return request


async def reject_request(
    session: AsyncSession, *, actor: Actor, request_id: int, comment: str = ""
) -> TransitionRequest:
    comment = validate_comment(comment)
    request, version, model = await _pending_request(session, request_id, "rejected", actor=actor)
    await _require_approver(session, actor, request, version, model)
    await _resolve(
        session,
        actor=actor,
        request=request,
        version=version,
        model=model,
        status=RequestStatus.REJECTED,
        comment=comment,
        event=EventType.TRANSITION_REJECTED,
    )
    await session.flush()
    return request


async def cancel_request(
    session: AsyncSession, *, actor: Actor, request_id: int, comment: str = ""
) -> TransitionRequest:
    comment = validate_comment(comment)
    request, version, model = await _pending_request(session, request_id, "cancelled", actor=actor)
    await access.require(session, actor, model.project_id, Ability.REQUEST_TRANSITION)
    if not policy.is_author(actor, author=request.requester):
        raise PermissionDenied(
            f"Only {request.requester}, who made this request, can cancel it; "
            "reject it instead if you may approve transitions.",
            field="id",
        )
    await _resolve(
        session,
        actor=actor,
        request=request,
        version=version,
        model=model,
        status=RequestStatus.CANCELLED,
        comment=comment,
        event=EventType.TRANSITION_CANCELLED,
    )
    await session.flush()
    return request


async def requests_by_versions(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, list[TransitionRequest]]:
    """Every request of each version, newest first."""
    rows = await session.exec(
        select(TransitionRequest)
        .where(col(TransitionRequest.version_id).in_(version_ids))
        .order_by(col(TransitionRequest.id).desc())
    )
    found: dict[int, list[TransitionRequest]] = {}
    for row in rows:
        found.setdefault(row.version_id, []).append(row)
    return found
