"""What the tracking services share: the project check (READ or EDIT on the project), MLflow's
millisecond clock, finding a run of the project by its id, and the validation of tags and params
given as (key, value) pairs."""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Experiment, Project, Run
from modelreg.domain import tracking as rules
from modelreg.domain.actor import Actor
from modelreg.domain.policy import Ability
from modelreg.errors import InvalidArgument
from modelreg.services import access


def now_millis() -> int:
    return int(time.time() * 1000)


async def _project(
    session: AsyncSession, actor: Actor, project_id: int, ability: Ability
) -> Project:
    return await access.require(session, actor, project_id, ability)


async def run_in_project(
    session: AsyncSession, project_id: int, run_uuid: str
) -> tuple[Run, Experiment] | None:
    """The run with this id in one of the project's experiments (any lifecycle), if any."""
    return (
        await session.exec(
            select(Run, Experiment)
            .join(Experiment, col(Experiment.id) == col(Run.experiment_id))
            .where(Run.uuid == run_uuid, Experiment.project_id == project_id)
        )
    ).first()


def _validated_tags(
    tags: Sequence[tuple[str, str]], *, limit: int = rules.TAG_VALUE_MAX, field: str = "tags"
) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in tags:
        key = rules.validate_key(key, what="Tag key", field=f"{field}.key")
        found[key] = rules.validate_text(
            value, what=f"The value of tag '{key}'", limit=limit, field=f"{field}.value"
        )
    return found


def _validated_params(params: Sequence[tuple[str, str]], *, field: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in params:
        key = rules.validate_key(key, what="Param key", field=f"{field}.key")
        value = rules.validate_text(
            value,
            what=f"The value of param '{key}'",
            limit=rules.PARAM_VALUE_MAX,
            field=f"{field}.value",
        )
        if key in found and found[key] != value:
            raise InvalidArgument(
                f"Param '{key}' is given twice with different values in one request.",
                field=field,
            )
        found[key] = value
    return found
