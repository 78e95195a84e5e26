"""MLflow experiments of a project: the Default experiment ("0", stored on first use), creating,
tagging, finding and searching them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import (
    Experiment,
    Project,
)
from modelreg.db.types import utcnow
from modelreg.domain import tracking as rules
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.filters import parse_filter
from modelreg.domain.policy import Ability
from modelreg.domain.tracking import (
    DEFAULT_EXPERIMENT_ID,
    DEFAULT_EXPERIMENT_NAME,
    LifecycleStage,
)
from modelreg.errors import AlreadyExists, InvalidArgument, NotFound
from modelreg.services.events import record_event
from modelreg.services.tracking.common import _project, _validated_tags


def experiment_id_of(experiment: Experiment) -> str:
    """The id MLflow clients see: "0" for the project's Default experiment, else the row id."""
    if experiment.name == DEFAULT_EXPERIMENT_NAME:
        return DEFAULT_EXPERIMENT_ID
    return str(experiment.id)


def _not_found_experiment(experiment_id: str) -> NotFound:
    return NotFound(
        f"No experiment with id '{experiment_id}' in this project.", field="experiment_id"
    )


async def _default_experiment(session: AsyncSession, project_id: int) -> Experiment | None:
    statement = select(Experiment).where(
        Experiment.project_id == project_id, Experiment.name == DEFAULT_EXPERIMENT_NAME
    )
    return (await session.exec(statement)).first()


def _unsaved_default(project: Project) -> Experiment:
    """The Default experiment before its first run: shown, not stored (reads never write)."""
    assert project.id is not None
    return Experiment(
        project_id=project.id,
        name=DEFAULT_EXPERIMENT_NAME,
        created_by=project.created_by,
        created_at=project.created_at,
        updated_at=project.created_at,
    )


async def _insert_experiment(
    session: AsyncSession, *, actor: Actor, project_id: int, name: str, tags: dict[str, str]
) -> Experiment:
    now = utcnow()
    row = Experiment(
        project_id=project_id,
        name=name,
        tags=tags,
        created_by=actor.name,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.EXPERIMENT_CREATED,
        project_id=project_id,
        payload={"experiment_id": experiment_id_of(row), "name": name},
    )
    return row


async def _find_experiment(
    session: AsyncSession, project_id: int, experiment_id: str
) -> Experiment | None:
    if experiment_id == DEFAULT_EXPERIMENT_ID:
        return await _default_experiment(session, project_id)
    if not (experiment_id.isascii() and experiment_id.isdigit()) or len(experiment_id) > 18:
        return None
    found = await session.get(Experiment, int(experiment_id))
    if found is None or found.project_id != project_id or found.name == DEFAULT_EXPERIMENT_NAME:
        return None
    return found


async def get_experiment(
    session: AsyncSession, *, actor: Actor, project_id: int, experiment_id: str
) -> Experiment:
    project = await _project(session, actor, project_id, Ability.READ)
    found = await _find_experiment(session, project_id, experiment_id)
    if found is None and experiment_id == DEFAULT_EXPERIMENT_ID:
        return _unsaved_default(project)
    if found is None:
        raise _not_found_experiment(experiment_id)
    return found


async def _experiment_for_write(
    session: AsyncSession, *, actor: Actor, project_id: int, experiment_id: str
) -> Experiment:
    """The experiment runs and models are added to (the Default one is created on first use)."""
    found = await _find_experiment(session, project_id, experiment_id)
    if found is None and experiment_id == DEFAULT_EXPERIMENT_ID:
        found = await _insert_experiment(
            session, actor=actor, project_id=project_id, name=DEFAULT_EXPERIMENT_NAME, tags={}
        )
    if found is None:
        raise _not_found_experiment(experiment_id)
    if found.lifecycle_stage != LifecycleStage.ACTIVE:
        raise InvalidArgument(
            f"Experiment '{experiment_id}' is deleted; restore it before adding to it.",
            field="experiment_id",
        )
    return found


async def get_experiment_by_name(
    session: AsyncSession, *, actor: Actor, project_id: int, name: str
) -> Experiment:
    project = await _project(session, actor, project_id, Ability.READ)
    statement = select(Experiment).where(
        Experiment.project_id == project_id, Experiment.name == name
    )
    found = (await session.exec(statement)).first()
    if found is None and name == DEFAULT_EXPERIMENT_NAME:
        return _unsaved_default(project)
    if found is None:
        raise NotFound(
            f"Could not find experiment with name '{name}' in this project.",
            field="experiment_name",
        )
    return found


async def create_experiment(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    name: str,
    tags: Sequence[tuple[str, str]] = (),
) -> Experiment:
    await _project(session, actor, project_id, Ability.EDIT)
    name = rules.validate_experiment_name(name)
    tag_map = _validated_tags(tags, limit=rules.EXPERIMENT_TAG_VALUE_MAX)
    statement = select(Experiment.id).where(
        Experiment.project_id == project_id, Experiment.name == name
    )
    if (await session.exec(statement)).first() is not None:
        raise AlreadyExists(f"Experiment '{name}' already exists in this project.", field="name")
    return await _insert_experiment(
        session, actor=actor, project_id=project_id, name=name, tags=tag_map
    )


async def set_experiment_tag(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    experiment_id: str,
    key: str,
    value: str,
) -> Experiment:
    await _project(session, actor, project_id, Ability.EDIT)
    tags = _validated_tags([(key, value)], limit=rules.EXPERIMENT_TAG_VALUE_MAX, field="key")
    experiment = await _experiment_for_write(
        session, actor=actor, project_id=project_id, experiment_id=experiment_id
    )
    experiment.tags = {**experiment.tags, **tags}
    experiment.updated_at = utcnow()
    session.add(experiment)
    return experiment


EXPERIMENT_FILTER_FIELDS = frozenset({"name"})
EXPERIMENT_FILTER_NUMBERS = frozenset({"creation_time", "last_update_time"})


async def search_experiments(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    filter: str | None = None,
    view: str = "ACTIVE_ONLY",
) -> list[Experiment]:
    """The project's experiments (the Default one first), filtered by name, times and tags."""
    project = await _project(session, actor, project_id, Ability.READ)
    ast = parse_filter(
        filter or "", fields=EXPERIMENT_FILTER_FIELDS, numeric=EXPERIMENT_FILTER_NUMBERS
    )
    rows = list(
        await session.exec(
            select(Experiment)
            .where(Experiment.project_id == project_id)
            .order_by(col(Experiment.id))
        )
    )
    if not any(r.name == DEFAULT_EXPERIMENT_NAME for r in rows):
        rows.insert(0, _unsaved_default(project))
    rows.sort(key=lambda r: r.name != DEFAULT_EXPERIMENT_NAME)
    stages = {
        "ACTIVE_ONLY": {LifecycleStage.ACTIVE},
        "DELETED_ONLY": {LifecycleStage.DELETED},
    }.get(view.upper(), set(LifecycleStage))
    return [
        r
        for r in rows
        if r.lifecycle_stage in stages
        and rules.matches(
            ast,
            fields={
                "name": r.name,
                "creation_time": int(r.created_at.timestamp() * 1000),
                "last_update_time": int(r.updated_at.timestamp() * 1000),
            },
            tags=r.tags,
        )
    ]


async def experiments_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Experiment]:
    rows = await session.exec(select(Experiment).where(col(Experiment.id).in_(ids)))
    return {r.id: r for r in rows if r.id is not None}
