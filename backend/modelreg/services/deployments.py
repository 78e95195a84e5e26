"""Deployment records: `modelreg serve-model` processes report when they start and stop serving
a version. Each report that changes something is one record change and one event, so the
version's activity, webhooks and subscriptions hear of it; repeating a report changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Deployment, ModelVersion, RegisteredModel
from modelreg.db.types import utcnow
from modelreg.domain.actor import Actor
from modelreg.domain.deployments import DeploymentReport, DeploymentState, check_report
from modelreg.domain.events import EventType
from modelreg.domain.policy import Ability
from modelreg.errors import DeploymentRecordsDisabled, InvalidArgument
from modelreg.services.events import record_event
from modelreg.services.pagination import Page, decode_cursor, encode_cursor
from modelreg.services.versions import get_version

DISABLED_MESSAGE = (
    "This registry keeps no deployment records (its setting MODELREG_DEPLOYMENT_RECORDS is "
    "false); serve without --record, or ask the administrator to turn the setting on."
)


async def record_deployment(
    session: AsyncSession,
    *,
    actor: Actor,
    enabled: bool,
    version_id: int,
    state: DeploymentState,
    endpoint: str,
    reference: str,
    instance: str,
    role: str | None = None,
) -> Deployment:
    """Open (STARTED) or close (STOPPED) the record of `instance` serving the version.

    Needs the ability to comment on the version. STARTED while a record of the same instance
    and version is open, or STOPPED once it is closed, returns that record unchanged."""
    if not enabled:
        raise DeploymentRecordsDisabled(DISABLED_MESSAGE)
    version, model = await get_version(
        session, version_id=version_id, actor=actor, ability=Ability.COMMENT, field="versionId"
    )
    report = check_report(endpoint=endpoint, reference=reference, instance=instance, role=role)
    open_record = await _open_record(session, report.instance, version_id)
    if state == DeploymentState.STARTED:
        if open_record is not None:
            return open_record
        record = Deployment(
            version_id=version_id,
            instance=report.instance,
            endpoint=report.endpoint,
            reference=report.reference,
            role=report.role,
            started_by=actor.name,
        )
        session.add(record)
        await session.flush()
        event = EventType.DEPLOYMENT_STARTED
    else:
        if open_record is None:
            return await _closed_record(session, report.instance, version_id)
        record = open_record
        record.stopped_at = utcnow()
        record.stopped_by = actor.name
        session.add(record)
        await session.flush()
        event = EventType.DEPLOYMENT_STOPPED
    await record_event(
        session,
        actor=actor,
        type=event,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload=_payload(version, model, record, report),
    )
    return record


def _payload(
    version: ModelVersion, model: RegisteredModel, record: Deployment, report: DeploymentReport
) -> dict[str, object]:
    # What was reported when the event happened (a STOPPED names the endpoint it stops at).
    return {
        "version_id": version.id,
        "version": version.version,
        "model": model.name,
        "deployment_id": record.id,
        "endpoint": report.endpoint,
        "reference": report.reference,
        "instance": report.instance,
        "role": report.role,
    }


async def _open_record(session: AsyncSession, instance: str, version_id: int) -> Deployment | None:
    found = await session.exec(
        select(Deployment).where(
            Deployment.instance == instance,
            Deployment.version_id == version_id,
            col(Deployment.stopped_at).is_(None),
        )
    )
    return found.first()


async def _closed_record(session: AsyncSession, instance: str, version_id: int) -> Deployment:
    found = await session.exec(
        select(Deployment)
        .where(Deployment.instance == instance, Deployment.version_id == version_id)
        .order_by(col(Deployment.id).desc())
        .limit(1)
    )
    record = found.first()
    if record is None:
        raise InvalidArgument(
            f"Instance {instance} has no deployment of this version to stop; record STARTED first.",
            field="state",
        )
    return record


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which page of each version's deployments: the same for every version of one batch."""

    first: int
    after: str | None
    active: bool | None


def _after_id(after: str | None) -> int | None:
    if after is None:
        return None
    (value,) = decode_cursor(after, 1)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidArgument(
            "The cursor is not valid for this list; pass the endCursor of a previous page "
            "of deployments.",
            field="after",
        )
    return value


async def deployment_pages(
    session: AsyncSession, version_ids: Sequence[int], request: PageRequest
) -> dict[int, Page[Deployment]]:
    """Each version's deployments, newest first, one page each: one statement for them all
    (each version's rows numbered in a window, the first `first + 1` of each kept)."""
    after_id = _after_id(request.after)
    position = (
        sa.func.row_number()
        .over(partition_by=col(Deployment.version_id), order_by=col(Deployment.id).desc())
        .label("position")
    )
    numbered = select(col(Deployment.id), position).where(
        col(Deployment.version_id).in_(version_ids)
    )
    if after_id is not None:
        numbered = numbered.where(col(Deployment.id) < after_id)
    if request.active is not None:
        stopped = col(Deployment.stopped_at)
        numbered = numbered.where(stopped.is_(None) if request.active else stopped.is_not(None))
    ranked = numbered.subquery()
    rows = await session.exec(
        select(Deployment)
        .join(ranked, col(Deployment.id) == ranked.c.id)
        .where(ranked.c.position <= request.first + 1)
        .order_by(col(Deployment.version_id), col(Deployment.id).desc())
    )
    grouped: dict[int, list[Deployment]] = {}
    for row in rows:
        grouped.setdefault(row.version_id, []).append(row)
    pages: dict[int, Page[Deployment]] = {}
    for version_id in version_ids:
        found = grouped.get(version_id, [])
        items = found[: request.first]
        pages[version_id] = Page(
            items=items,
            cursors=[encode_cursor([d.id]) for d in items],
            has_next_page=len(found) > request.first,
            has_previous_page=after_id is not None,
        )
    return pages
