"""MLflow experiments of a project: the Default experiment ("0", stored on first use), creating,
tagging, renaming, deleting and restoring, finding and searching them."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import (
    Experiment,
    Project,
    Run,
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


async def delete_experiment_tag(
    session: AsyncSession, *, actor: Actor, project_id: int, experiment_id: str, key: str
) -> Experiment:
    """Removes one tag of an active experiment; a tag it does not have is NOT_FOUND (as MLflow)."""
    await _project(session, actor, project_id, Ability.EDIT)
    experiment = await _experiment_for_write(
        session, actor=actor, project_id=project_id, experiment_id=experiment_id
    )
    if key not in experiment.tags:
        raise NotFound(
            f"No tag with name: {key} in experiment with id {experiment_id}", field="key"
        )
    experiment.tags = {k: v for k, v in experiment.tags.items() if k != key}
    experiment.updated_at = utcnow()
    session.add(experiment)
    return experiment


async def _stored_experiment(
    session: AsyncSession, *, actor: Actor, project_id: int, experiment_id: str, what: str
) -> Experiment:
    """An experiment other than the Default one, for deleting, restoring or renaming."""
    await _project(session, actor, project_id, Ability.EDIT)
    if experiment_id == DEFAULT_EXPERIMENT_ID:
        # Clients fall back on "0" when no experiment is set: it is always there, under its name.
        raise InvalidArgument(
            f"The Default experiment ('{DEFAULT_EXPERIMENT_ID}') cannot be {what}: it is where "
            "runs go when no experiment is set.",
            field="experiment_id",
        )
    found = await _find_experiment(session, project_id, experiment_id)
    if found is None:
        raise _not_found_experiment(experiment_id)
    return found


async def set_experiment_lifecycle(
    session: AsyncSession, *, actor: Actor, project_id: int, experiment_id: str, deleted: bool
) -> Experiment:
    """Delete (soft, as MLflow does) or restore an experiment, and with it all its runs.

    As in MLflow, deleting marks every run of the experiment deleted and restoring marks every
    run active again (a run deleted on its own before comes back too). Deleting a deleted
    experiment, or restoring an active one, is NOT_FOUND, as MLflow answers."""
    experiment = await _stored_experiment(
        session,
        actor=actor,
        project_id=project_id,
        experiment_id=experiment_id,
        what="deleted" if deleted else "restored",
    )
    current = LifecycleStage.ACTIVE if deleted else LifecycleStage.DELETED
    if experiment.lifecycle_stage != current:
        raise NotFound(
            f"No {current.value} experiment with id '{experiment_id}' in this project: it is "
            f"already {'deleted' if deleted else 'active'}.",
            field="experiment_id",
        )
    stage = LifecycleStage.DELETED if deleted else LifecycleStage.ACTIVE
    experiment.lifecycle_stage = stage
    experiment.updated_at = utcnow()
    session.add(experiment)
    await session.exec(
        sa.update(Run)
        .where(col(Run.experiment_id) == experiment.id, col(Run.lifecycle_stage) != stage)
        .values(lifecycle_stage=stage)
    )
    await record_event(
        session,
        actor=actor,
        type=EventType.EXPERIMENT_DELETED if deleted else EventType.EXPERIMENT_RESTORED,
        project_id=project_id,
        payload={"experiment_id": experiment_id_of(experiment), "name": experiment.name},
    )
    return experiment


async def rename_experiment(
    session: AsyncSession, *, actor: Actor, project_id: int, experiment_id: str, new_name: str
) -> Experiment:
    """Rename an active experiment (its id, runs and artifact locations stay)."""
    new_name = rules.validate_experiment_name(new_name, field="new_name")
    experiment = await _stored_experiment(
        session, actor=actor, project_id=project_id, experiment_id=experiment_id, what="renamed"
    )
    if experiment.lifecycle_stage != LifecycleStage.ACTIVE:
        raise InvalidArgument(
            f"Experiment '{experiment_id}' is deleted; restore it before renaming it.",
            field="experiment_id",
        )
    if new_name == experiment.name:
        return experiment
    if new_name == DEFAULT_EXPERIMENT_NAME:
        raise InvalidArgument(
            f"The name '{DEFAULT_EXPERIMENT_NAME}' is the Default experiment's.", field="new_name"
        )
    taken = select(Experiment.id).where(
        Experiment.project_id == project_id, Experiment.name == new_name
    )
    if (await session.exec(taken)).first() is not None:
        raise AlreadyExists(
            f"Experiment '{new_name}' already exists in this project.", field="new_name"
        )
    old_name, experiment.name = experiment.name, new_name
    experiment.updated_at = utcnow()
    session.add(experiment)
    await record_event(
        session,
        actor=actor,
        type=EventType.EXPERIMENT_RENAMED,
        project_id=project_id,
        payload={
            "experiment_id": experiment_id_of(experiment),
            "name": new_name,
            "old_name": old_name,
        },
    )
    return experiment


EXPERIMENT_FILTER_FIELDS = frozenset({"name", "experiment_id"})
EXPERIMENT_FILTER_NUMBERS = frozenset({"creation_time", "last_update_time"})
# What search results can be ordered by (MLflow's attributes of an experiment).
EXPERIMENT_ORDER_FIELDS = frozenset({"name", "experiment_id", "creation_time", "last_update_time"})
# MLflow's order when none is given: newest first, then by id.
DEFAULT_EXPERIMENT_ORDER = (("creation_time", True), ("experiment_id", False))


def _attributes(experiment: Experiment) -> dict[str, str | int]:
    return {
        "name": experiment.name,
        "experiment_id": experiment_id_of(experiment),
        "creation_time": int(experiment.created_at.timestamp() * 1000),
        "last_update_time": int(experiment.updated_at.timestamp() * 1000),
    }


def _sorted(experiments: list[Experiment], order: Sequence[tuple[str, bool]]) -> list[Experiment]:
    """Sorted by each (field, descending) in turn, the id last as MLflow's tie-break."""
    keys = list(order)
    if not any(field == "experiment_id" for field, _ in keys):
        keys.append(("experiment_id", False))
    for field, descending in reversed(keys):  # stable sorts, the last key first
        if field not in EXPERIMENT_ORDER_FIELDS:
            raise InvalidArgument(
                f"Cannot order experiments by '{field}'; use one of "
                f"{', '.join(sorted(EXPERIMENT_ORDER_FIELDS))}.",
                field="order_by",
            )

        def key(e: Experiment, field: str = field) -> str | int:
            value = _attributes(e)[field]
            return int(value) if field == "experiment_id" else value

        experiments.sort(key=key, reverse=descending)
    return experiments


async def search_experiments(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    filter: str | None = None,
    view: str = "ACTIVE_ONLY",
    order: Sequence[tuple[str, bool]] = DEFAULT_EXPERIMENT_ORDER,
) -> list[Experiment]:
    """The project's experiments (the Default one too, stored or not) in this view, filtered by
    name, id, times and tags, in `order`: (field, descending) pairs, MLflow's by default."""
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
    stages = {
        "ACTIVE_ONLY": {LifecycleStage.ACTIVE},
        "DELETED_ONLY": {LifecycleStage.DELETED},
    }.get(view.upper(), set(LifecycleStage))
    found = [
        r
        for r in rows
        if r.lifecycle_stage in stages and rules.matches(ast, fields=_attributes(r), tags=r.tags)
    ]
    return _sorted(found, order or DEFAULT_EXPERIMENT_ORDER)


async def experiments_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Experiment]:
    rows = await session.exec(select(Experiment).where(col(Experiment.id).in_(ids)))
    return {r.id: r for r in rows if r.id is not None}
