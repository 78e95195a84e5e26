"""Stage transitions: moving a version to a stage (checked against the lifecycle rules and the
production release policy), archiving the versions it replaces, and their events."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import plain
from modelreg.db.models import ModelVersion, RegisteredModel
from modelreg.db.types import utcnow
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.lifecycle import Stage, check_target_stage, validate_comment
from modelreg.domain.policy import Ability
from modelreg.services import access
from modelreg.services.compatibility import enforce_production_release
from modelreg.services.events import record_event
from modelreg.services.lifecycle.locking import _locked_version, _version_ref

_SET_STAGE = (
    sa.update(ModelVersion)
    .where(col(ModelVersion.id) == sa.bindparam("version_id"))
    .values(stage=sa.bindparam("stage"), updated_at=sa.bindparam("now"))
)
_TOUCH_MODEL = (
    sa.update(RegisteredModel)
    .where(col(RegisteredModel.id) == sa.bindparam("model_id"))
    .values(updated_at=sa.bindparam("now"))
)


async def _apply_transition(
    session: AsyncSession,
    *,
    actor: Actor,
    model: RegisteredModel,
    version: ModelVersion,
    stage: Stage,
    comment: str,
    archive_existing: bool,
    request_id: int | None = None,
) -> None:
    check_target_stage(version.stage, stage)
    await enforce_production_release(session, version=version, model=model, stage=stage)
    now = utcnow()
    archived: list[ModelVersion] = []
    if archive_existing and stage != Stage.ARCHIVED:
        others = await session.exec(
            select(ModelVersion)
            .where(
                ModelVersion.model_id == model.id,
                ModelVersion.stage == stage,
                ModelVersion.id != version.id,
            )
            .order_by(col(ModelVersion.id))
            .execution_options(populate_existing=True)
        )
        archived = list(others)
    previous = version.stage
    # Plain statements instead of the unit of work (a transition is a hot write); the session
    # then holds the rows as they now are in the database.
    changes = [(version, stage), *((other, Stage.ARCHIVED) for other in archived)]
    connection = await plain(session)
    await connection.execute(
        _SET_STAGE, [{"version_id": v.id, "stage": s, "now": now} for v, s in changes]
    )
    await connection.execute(_TOUCH_MODEL, {"model_id": model.id, "now": now})
    for changed, new_stage in changes:
        set_committed_value(changed, "stage", new_stage)
        set_committed_value(changed, "updated_at", now)
    set_committed_value(model, "updated_at", now)
    await record_event(
        session,
        actor=actor,
        type=EventType.VERSION_STAGE_CHANGED,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={
            **_version_ref(version),
            "from": previous.value,
            "to": stage.value,
            "comment": comment,
            "archive_existing": archive_existing,
            "archived": [_version_ref(v) for v in archived],
            "request_id": request_id,
        },
    )
    for other in archived:
        await record_event(
            session,
            actor=actor,
            type=EventType.VERSION_STAGE_CHANGED,
            project_id=model.project_id,
            model_id=model.id,
            version_id=other.id,
            payload={
                **_version_ref(other),
                "from": stage.value,
                "to": Stage.ARCHIVED.value,
                "comment": f"Archived when version {version.version} moved to {stage.label}.",
                "archive_existing": False,
                "archived": [],
                "archived_by_version_id": version.id,
                "request_id": request_id,
            },
        )


async def transition_stage(
    session: AsyncSession,
    *,
    actor: Actor,
    version_id: int,
    stage: Stage,
    comment: str = "",
    archive_existing: bool = False,
) -> ModelVersion:
    """Move a version to `stage`; `archive_existing` archives the model's other versions there."""
    comment = validate_comment(comment)
    version, model = await _locked_version(session, version_id, actor=actor)
    await access.require(
        session, actor, model.project_id, Ability.TRANSITION_STAGE, stages=[version.stage, stage]
    )
    await _apply_transition(
        session,
        actor=actor,
        model=model,
        version=version,
        stage=stage,
        comment=comment,
        archive_existing=archive_existing,
    )
    return version
