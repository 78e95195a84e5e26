"""What every lifecycle change starts with: the version and its model, with the model row
locked so changes to a model's versions run one after another; and the version reference
each lifecycle event carries."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import queues_writers
from modelreg.db.models import ModelVersion, RegisteredModel
from modelreg.domain.actor import Actor
from modelreg.domain.policy import Ability
from modelreg.errors import NotFound
from modelreg.services import access


async def _locked_version(
    session: AsyncSession,
    version_id: int,
    *,
    actor: Actor,
    hidden: NotFound | None = None,
) -> tuple[ModelVersion, RegisteredModel]:
    """The version and its model, with the model row locked and the version read after the lock.

    Every lifecycle change of a model's versions takes this lock first, so concurrent changes
    run one after another and each sees what the previous one committed. The actor must be able
    to read the project; callers then check the ability, which depends on the version's stage.
    """
    hidden = hidden or NotFound(f"No model version has the id {version_id}.", field="versionId")
    if queues_writers(session):
        # Nobody else writes until this transaction ends: rows as read are current.
        found = await session.get(ModelVersion, version_id)
        if found is None:
            raise hidden
        locked = await session.get(RegisteredModel, found.model_id)
        assert locked is not None
        await access.require(session, actor, locked.project_id, Ability.READ, hidden=hidden)
        return found, locked
    model_id = (
        await session.exec(select(ModelVersion.model_id).where(ModelVersion.id == version_id))
    ).first()
    if model_id is None:
        raise hidden
    model = (
        await session.exec(
            select(RegisteredModel)
            .where(RegisteredModel.id == model_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()
    await access.require(session, actor, model.project_id, Ability.READ, hidden=hidden)
    version = (
        await session.exec(
            select(ModelVersion)
            .where(ModelVersion.id == version_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    return version, model


def _version_ref(version: ModelVersion) -> dict[str, Any]:
    return {"version_id": version.id, "version": version.version, "number": version.number}
