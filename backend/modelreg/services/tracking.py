"""MLflow tracking: experiments, runs (params, metrics with their history, tags, inputs and
outputs), MLflow 3 logged models, the files of the artifact proxy, and what a model version
registered from them starts with (`source_files`).

Ids, names, limits and artifact paths are the rules of `domain.tracking`. Reads need READ on the
project, writes EDIT (a REPORTER may log runs). Logged values and artifact uploads record no
event (a training loop logs thousands); creating experiments, runs and logged models, ending or
deleting runs and finalizing logged models do.
"""

from __future__ import annotations

import math
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import Database
from modelreg.db.models import (
    Artifact,
    Blob,
    Experiment,
    LoggedModel,
    Project,
    Run,
    RunMetric,
    RunParam,
    RunTag,
    TrackedFile,
)
from modelreg.db.types import utcnow
from modelreg.domain import tracking as rules
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.filters import parse_filter
from modelreg.domain.paths import validate_file_path
from modelreg.domain.policy import Ability
from modelreg.domain.tracking import (
    DEFAULT_EXPERIMENT_ID,
    DEFAULT_EXPERIMENT_NAME,
    LifecycleStage,
    ListedFile,
    LoggedModelStatus,
    RunStatus,
)
from modelreg.errors import AlreadyExists, Conflict, FileTooLarge, InvalidArgument, NotFound
from modelreg.services import access
from modelreg.services import filters as sql_filters
from modelreg.services.blobs import collect_garbage_after_commit
from modelreg.services.events import record_event
from modelreg.services.files import list_files
from modelreg.services.projects import get_project_by_path
from modelreg.services.versions import get_version
from modelreg.storage import ObjectTooLarge, Storage

RUN_NAME_TAG = "mlflow.runName"


def now_millis() -> int:
    return int(time.time() * 1000)


async def _project(
    session: AsyncSession, actor: Actor, project_id: int, ability: Ability
) -> Project:
    return await access.require(session, actor, project_id, ability)


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


# --- experiments ---------------------------------------------------------------------------


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


# --- runs ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetricPoint:
    key: str
    value: float
    timestamp: int
    step: int = 0


async def get_run(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    run_uuid: str,
    ability: Ability = Ability.READ,
) -> tuple[Run, Experiment]:
    """The run and its experiment, when the run is in the project and `actor` may `ability`."""
    await _project(session, actor, project_id, ability)
    row = (
        await session.exec(
            select(Run, Experiment)
            .join(Experiment, col(Experiment.id) == col(Run.experiment_id))
            .where(Run.uuid == run_uuid, Experiment.project_id == project_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"Run with id={run_uuid} not found in this project.", field="run_id")
    return row


async def _active_run(
    session: AsyncSession, *, actor: Actor, project_id: int, run_uuid: str
) -> tuple[Run, Experiment]:
    run, experiment = await get_run(
        session, actor=actor, project_id=project_id, run_uuid=run_uuid, ability=Ability.EDIT
    )
    if run.lifecycle_stage != LifecycleStage.ACTIVE:
        raise InvalidArgument(
            f"The run {run_uuid} must be in the 'active' state; it is deleted. Restore it first.",
            field="run_id",
        )
    return run, experiment


async def create_run(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    experiment_id: str | None = None,
    name: str | None = None,
    start_time: int | None = None,
    tags: Sequence[tuple[str, str]] = (),
    user: str | None = None,
) -> tuple[Run, Experiment]:
    await _project(session, actor, project_id, Ability.EDIT)
    tag_map = _validated_tags(tags)
    tagged_name = tag_map.get(RUN_NAME_TAG)
    if name and tagged_name and name != tagged_name:
        raise InvalidArgument(
            f"Both run_name '{name}' and the tag '{RUN_NAME_TAG}' '{tagged_name}' are given, "
            "with different values; give one, or the same value.",
            field="run_name",
        )
    name = rules.validate_text(
        name or tagged_name or f"run-{uuid.uuid4().hex[:8]}",
        what="Run name",
        limit=rules.RUN_NAME_MAX,
        field="run_name",
    )
    tag_map[RUN_NAME_TAG] = name
    user = rules.validate_text(user or actor.name, what="User", limit=rules.USER_MAX, field="user")
    experiment = await _experiment_for_write(
        session,
        actor=actor,
        project_id=project_id,
        experiment_id=experiment_id or DEFAULT_EXPERIMENT_ID,
    )
    assert experiment.id is not None
    run = Run(
        uuid=uuid.uuid4().hex,
        experiment_id=experiment.id,
        name=name,
        status=RunStatus.RUNNING,
        user=user,
        start_time=start_time if start_time is not None else now_millis(),
        created_by=actor.name,
    )
    session.add(run)
    await session.flush()
    assert run.id is not None
    session.add_all(RunTag(run_id=run.id, key=k, value=v) for k, v in tag_map.items())
    await record_event(
        session,
        actor=actor,
        type=EventType.RUN_CREATED,
        project_id=project_id,
        payload={
            "run_id": run.uuid,
            "name": name,
            "experiment_id": experiment_id_of(experiment),
            "experiment": experiment.name,
        },
    )
    return run, experiment


async def update_run(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    run_uuid: str,
    status: RunStatus | None = None,
    end_time: int | None = None,
    name: str | None = None,
) -> tuple[Run, Experiment]:
    run, experiment = await _active_run(
        session, actor=actor, project_id=project_id, run_uuid=run_uuid
    )
    changes: dict[str, Any] = {}
    if status is not None and status != run.status:
        changes["status"] = run.status = status
    if end_time is not None and end_time != run.end_time:
        changes["end_time"] = run.end_time = end_time
    if name:
        name = rules.validate_text(
            name, what="Run name", limit=rules.RUN_NAME_MAX, field="run_name"
        )
        if name != run.name:
            changes["name"] = run.name = name
        await _upsert_tags(session, run, {RUN_NAME_TAG: name})
    if changes:
        session.add(run)
        await record_event(
            session,
            actor=actor,
            type=EventType.RUN_UPDATED,
            project_id=project_id,
            payload={"run_id": run.uuid, "name": run.name, **changes},
        )
    return run, experiment


async def set_run_lifecycle(
    session: AsyncSession, *, actor: Actor, project_id: int, run_uuid: str, deleted: bool
) -> Run:
    """Delete (soft, as MLflow does: the run stays, hidden from searches) or restore a run."""
    run, _ = await get_run(
        session, actor=actor, project_id=project_id, run_uuid=run_uuid, ability=Ability.EDIT
    )
    stage = LifecycleStage.DELETED if deleted else LifecycleStage.ACTIVE
    if run.lifecycle_stage != stage:
        run.lifecycle_stage = stage
        session.add(run)
        await record_event(
            session,
            actor=actor,
            type=EventType.RUN_DELETED if deleted else EventType.RUN_RESTORED,
            project_id=project_id,
            payload={"run_id": run.uuid, "name": run.name},
        )
    return run


async def _upsert_tags(session: AsyncSession, run: Run, tags: Mapping[str, str]) -> None:
    if not tags:
        return
    assert run.id is not None
    existing = {
        t.key: t
        for t in await session.exec(
            select(RunTag).where(RunTag.run_id == run.id, col(RunTag.key).in_(list(tags)))
        )
    }
    for key, value in tags.items():
        row = existing.get(key) or RunTag(run_id=run.id, key=key, value=value)
        row.value = value
        session.add(row)
    if (name := tags.get(RUN_NAME_TAG)) and name != run.name:
        run.name = rules.validate_text(
            name, what="Run name", limit=rules.RUN_NAME_MAX, field="tags.value"
        )
        session.add(run)


async def log_batch(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    run_uuid: str,
    metrics: Sequence[MetricPoint] = (),
    params: Sequence[tuple[str, str]] = (),
    tags: Sequence[tuple[str, str]] = (),
) -> None:
    """Log metrics (appended to their history), params (immutable: the same value again is
    fine, another value is refused) and tags (set) in one go; all or nothing."""
    if len(metrics) > rules.BATCH_METRICS_MAX:
        raise InvalidArgument(
            f"A batch may log at most {rules.BATCH_METRICS_MAX} metrics; got {len(metrics)}.",
            field="metrics",
        )
    if len(params) > rules.BATCH_PARAMS_MAX:
        raise InvalidArgument(
            f"A batch may log at most {rules.BATCH_PARAMS_MAX} params; got {len(params)}.",
            field="params",
        )
    if len(tags) > rules.BATCH_TAGS_MAX:
        raise InvalidArgument(
            f"A batch may log at most {rules.BATCH_TAGS_MAX} tags; got {len(tags)}.",
            field="tags",
        )
    if len(metrics) + len(params) + len(tags) > rules.BATCH_ENTITIES_MAX:
        raise InvalidArgument(
            f"A batch may log at most {rules.BATCH_ENTITIES_MAX} metrics, params and tags in all.",
            field="metrics",
        )
    for metric in metrics:
        rules.validate_key(metric.key, what="Metric name", field="metrics.key")
        if metric.timestamp < 0:
            raise InvalidArgument(
                f"Metric '{metric.key}' has a negative timestamp.", field="metrics.timestamp"
            )
    param_map = _validated_params(params, field="params")
    tag_map = _validated_tags(tags)
    run, _ = await _active_run(session, actor=actor, project_id=project_id, run_uuid=run_uuid)
    assert run.id is not None
    if param_map:
        logged = dict(
            (
                await session.exec(
                    select(RunParam.key, RunParam.value).where(
                        RunParam.run_id == run.id, col(RunParam.key).in_(list(param_map))
                    )
                )
            ).all()
        )
        changed = {k: v for k, v in param_map.items() if k in logged and logged[k] != v}
        if changed:
            key, value = next(iter(changed.items()))
            raise InvalidArgument(
                f"Changing param values is not allowed. Param with key='{key}' was already "
                f"logged with value='{logged[key]}' for run ID='{run_uuid}'. Attempted logging "
                f"new value '{value}'.",
                field="params",
            )
        session.add_all(
            RunParam(run_id=run.id, key=k, value=v) for k, v in param_map.items() if k not in logged
        )
    await _upsert_tags(session, run, tag_map)
    if metrics:
        await _append_metrics(session, run.id, metrics)


async def _append_metrics(
    session: AsyncSession, run_id: int, metrics: Sequence[MetricPoint]
) -> None:
    """Append to the history; a point already logged (same key, step, time and value) is not
    logged twice (the client re-sends a step's metrics when it logs a model)."""

    def identity(
        key: str, value: float, is_nan: bool, timestamp: int, step: int
    ) -> tuple[Any, ...]:
        return (key, 0.0 if is_nan else value, is_nan, timestamp, step)

    rows = await session.exec(
        select(RunMetric).where(
            RunMetric.run_id == run_id,
            col(RunMetric.key).in_({m.key for m in metrics}),
            col(RunMetric.step).in_({m.step for m in metrics}),
        )
    )
    existing = {identity(r.key, r.value, r.is_nan, r.timestamp, r.step) for r in rows}
    for metric in metrics:
        is_nan = math.isnan(metric.value)
        point = identity(metric.key, metric.value, is_nan, metric.timestamp, metric.step)
        if point in existing:
            continue
        existing.add(point)
        session.add(
            RunMetric(
                run_id=run_id,
                key=metric.key,
                value=0.0 if is_nan else metric.value,
                is_nan=is_nan,
                timestamp=metric.timestamp,
                step=metric.step,
            )
        )


async def delete_run_tag(
    session: AsyncSession, *, actor: Actor, project_id: int, run_uuid: str, key: str
) -> None:
    run, _ = await _active_run(session, actor=actor, project_id=project_id, run_uuid=run_uuid)
    result = await session.exec(
        sa.delete(RunTag).where(col(RunTag.run_id) == run.id, col(RunTag.key) == key)
    )
    if not result.rowcount:
        raise NotFound(f"No tag with name: {key} in run with id {run_uuid}.", field="key")


def _dataset_input(item: Any) -> dict[str, Any]:
    """A dataset input as MLflow sends it, checked against MLflow's limits."""
    if not isinstance(item, dict) or not isinstance(item.get("dataset"), dict):
        raise InvalidArgument("Each dataset input needs a 'dataset' object.", field="datasets")
    given = item["dataset"]
    dataset: dict[str, str] = {}
    for name, limit in rules.DATASET_FIELD_MAX.items():
        if given.get(name) is None:
            continue
        dataset[name] = rules.validate_text(
            given[name], what=f"Dataset {name}", limit=limit, field="datasets"
        )
    for name in ("name", "digest"):
        if not dataset.get(name):
            raise InvalidArgument(
                f"Missing value for required parameter 'datasets.dataset.{name}'.",
                field="datasets",
            )
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, dict) for t in tags):
        raise InvalidArgument("Dataset input tags must be {key, value} objects.", field="datasets")
    return {
        "dataset": dataset,
        "tags": [
            {
                "key": rules.validate_key(t.get("key"), what="Input tag key", field="datasets"),
                "value": rules.validate_text(
                    t.get("value"),
                    what="Input tag value",
                    limit=rules.INPUT_TAG_VALUE_MAX,
                    field="datasets",
                ),
            }
            for t in tags
        ],
    }


def _model_ref(item: Any, *, field: str, with_step: bool) -> dict[str, Any]:
    model_id = item.get("model_id") if isinstance(item, dict) else None
    if not isinstance(model_id, str) or not model_id:
        raise InvalidArgument(f"Missing value for required parameter '{field}.model_id'.")
    found: dict[str, Any] = {"model_id": model_id}
    if with_step:
        found["step"] = rules.parse_int64(item.get("step"), field=f"{field}.step", default=0)
    return found


async def _check_logged_models(
    session: AsyncSession, project_id: int, model_ids: Sequence[str]
) -> None:
    if not model_ids:
        return
    present = set(
        (
            await session.exec(
                select(LoggedModel.uuid)
                .join(Experiment, col(Experiment.id) == col(LoggedModel.experiment_id))
                .where(
                    col(LoggedModel.uuid).in_(list(model_ids)),
                    Experiment.project_id == project_id,
                )
            )
        ).all()
    )
    missing = [m for m in model_ids if m not in present]
    if missing:
        raise NotFound(f"Logged model with ID '{missing[0]}' not found.", field="models")


async def log_inputs(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    run_uuid: str,
    datasets: Sequence[Any] = (),
    models: Sequence[Any] = (),
) -> None:
    """Record the datasets and logged models a run used (each once)."""
    if len(datasets) + len(models) > rules.INPUTS_MAX:
        raise InvalidArgument(
            f"At most {rules.INPUTS_MAX} inputs may be logged at once.", field="datasets"
        )
    entries = [{"dataset_input": _dataset_input(d)} for d in datasets]
    entries += [{"model_input": _model_ref(m, field="models", with_step=False)} for m in models]
    run, _ = await _active_run(session, actor=actor, project_id=project_id, run_uuid=run_uuid)
    await _check_logged_models(
        session, project_id, [e["model_input"]["model_id"] for e in entries if "model_input" in e]
    )
    _add_io(session, run, entries)


async def log_outputs(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    run_uuid: str,
    models: Sequence[Any],
) -> None:
    """Record the logged models a run produced, with the step at which each was logged."""
    if not models:
        raise InvalidArgument("Missing value for required parameter 'models'.", field="models")
    if len(models) > rules.INPUTS_MAX:
        raise InvalidArgument(
            f"At most {rules.INPUTS_MAX} outputs may be logged at once.", field="models"
        )
    entries = [{"model_output": _model_ref(m, field="models", with_step=True)} for m in models]
    run, _ = await _active_run(session, actor=actor, project_id=project_id, run_uuid=run_uuid)
    await _check_logged_models(
        session, project_id, [e["model_output"]["model_id"] for e in entries]
    )
    _add_io(session, run, entries)


def _io_identity(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    if "dataset_input" in entry:
        dataset = entry["dataset_input"]["dataset"]
        return ("dataset", dataset.get("name"), dataset.get("digest"))
    if "model_input" in entry:
        return ("model_input", entry["model_input"]["model_id"])
    output = entry.get("model_output") or {}
    return ("model_output", output.get("model_id"), output.get("step"))


def _add_io(session: AsyncSession, run: Run, entries: Sequence[dict[str, Any]]) -> None:
    current = list(run.inputs or [])
    seen = {_io_identity(e) for e in current}
    for entry in entries:
        identity = _io_identity(entry)
        if identity not in seen:
            seen.add(identity)
            current.append(entry)
    # A new list: JSON columns do not notice changes made in place.
    run.inputs = current
    session.add(run)


RUN_FILTER_FIELDS = frozenset({"run_name", "status", "run_id", "user_id", "lifecycle_stage"})
RUN_FILTER_NUMBERS = frozenset({"start_time", "end_time"})


async def search_runs(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    experiment_ids: Sequence[str],
    filter: str | None = None,
    view: str = "ACTIVE_ONLY",
    limit: int = 1000,
    offset: int = 0,
) -> tuple[list[tuple[Run, Experiment]], bool]:
    """Runs of these experiments, newest first; (page, whether more follow)."""
    await _project(session, actor, project_id, Ability.READ)
    ast = parse_filter(filter or "", fields=RUN_FILTER_FIELDS, numeric=RUN_FILTER_NUMBERS)
    experiments = [
        e
        for e in [
            await _find_experiment(session, project_id, i) for i in dict.fromkeys(experiment_ids)
        ]
        if e is not None
    ]
    if not experiments:
        return [], False
    statement = (
        select(Run, Experiment)
        .join(Experiment, col(Experiment.id) == col(Run.experiment_id))
        .where(col(Run.experiment_id).in_([e.id for e in experiments]))
    )
    if view.upper() in ("ACTIVE_ONLY", "DELETED_ONLY"):
        stage = LifecycleStage.ACTIVE if view.upper() == "ACTIVE_ONLY" else LifecycleStage.DELETED
        statement = statement.where(Run.lifecycle_stage == stage)
    if ast is not None:
        columns = {
            "run_name": col(Run.name),
            "status": col(Run.status),
            "run_id": col(Run.uuid),
            "user_id": col(Run.user),
            "lifecycle_stage": col(Run.lifecycle_stage),
            "start_time": col(Run.start_time),
            "end_time": col(Run.end_time),
        }

        def tag_clause(key: str, condition: Any) -> sa.ColumnElement[bool]:
            return sa.exists().where(
                col(RunTag.run_id) == col(Run.id),
                col(RunTag.key) == key,
                condition(col(RunTag.value)),
            )

        statement = statement.where(
            sql_filters.where(
                ast,
                columns=columns,
                tag_clause=tag_clause,
                dialect=session.bind.dialect.name if session.bind else "sqlite",
            )
        )
    statement = (
        statement.order_by(col(Run.start_time).desc(), col(Run.id).desc())
        .offset(offset)
        .limit(limit + 1)
    )
    rows = list(await session.exec(statement))
    return [(r, e) for r, e in rows[:limit]], len(rows) > limit


# --- batched reads (one statement per call: DataLoaders use them) --------------------------


async def runs_by_uuids(session: AsyncSession, uuids: Sequence[str]) -> dict[str, Run]:
    rows = await session.exec(select(Run).where(col(Run.uuid).in_(list(uuids))))
    return {r.uuid: r for r in rows}


async def params_by_runs(
    session: AsyncSession, run_ids: Sequence[int]
) -> dict[int, dict[str, str]]:
    rows = await session.exec(
        select(RunParam.run_id, RunParam.key, RunParam.value)
        .where(col(RunParam.run_id).in_(list(run_ids)))
        .order_by(col(RunParam.run_id), col(RunParam.key))
    )
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for run_id, key, value in rows:
        found[run_id][key] = value
    return dict(found)


async def tags_by_runs(session: AsyncSession, run_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    rows = await session.exec(
        select(RunTag.run_id, RunTag.key, RunTag.value)
        .where(col(RunTag.run_id).in_(list(run_ids)))
        .order_by(col(RunTag.run_id), col(RunTag.key))
    )
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for run_id, key, value in rows:
        found[run_id][key] = value
    return dict(found)


def metric_value(metric: RunMetric) -> float:
    return math.nan if metric.is_nan else metric.value


async def latest_metrics_by_runs(
    session: AsyncSession, run_ids: Sequence[int]
) -> dict[int, list[RunMetric]]:
    """Per run, the latest value of each metric (highest step, then time, then value, as
    MLflow), ordered by key."""
    rank = (
        sa.func.row_number()
        .over(
            partition_by=(col(RunMetric.run_id), col(RunMetric.key)),
            order_by=(
                col(RunMetric.step).desc(),
                col(RunMetric.timestamp).desc(),
                col(RunMetric.is_nan).asc(),
                col(RunMetric.value).desc(),
                col(RunMetric.id).desc(),
            ),
        )
        .label("rank")
    )
    ranked = (
        select(col(RunMetric.id).label("id"), rank)
        .where(col(RunMetric.run_id).in_(list(run_ids)))
        .subquery()
    )
    rows = await session.exec(
        select(RunMetric)
        .join(ranked, ranked.c.id == RunMetric.id)
        .where(ranked.c.rank == 1)
        .order_by(col(RunMetric.run_id), col(RunMetric.key))
    )
    found: dict[int, list[RunMetric]] = defaultdict(list)
    for row in rows:
        found[row.run_id].append(row)
    return dict(found)


async def metric_history(session: AsyncSession, run_id: int, key: str) -> list[RunMetric]:
    """Every logged value of one metric of a run, by step then time."""
    rows = await session.exec(
        select(RunMetric)
        .where(RunMetric.run_id == run_id, RunMetric.key == key)
        .order_by(col(RunMetric.step), col(RunMetric.timestamp), col(RunMetric.id))
    )
    return list(rows)


# --- logged models (MLflow 3) --------------------------------------------------------------


def logged_model_artifact_location(model: LoggedModel, experiment: Experiment) -> str:
    return rules.artifact_uri(
        rules.logged_model_artifact_path(experiment_id_of(experiment), model.uuid)
    )


def run_artifact_location(run: Run, experiment: Experiment) -> str:
    return rules.artifact_uri(rules.run_artifact_path(experiment_id_of(experiment), run.uuid))


async def create_logged_model(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    experiment_id: str,
    name: str | None = None,
    model_type: str = "",
    source_run_uuid: str | None = None,
    params: Sequence[tuple[str, str]] = (),
    tags: Sequence[tuple[str, str]] = (),
) -> tuple[LoggedModel, Experiment]:
    await _project(session, actor, project_id, Ability.EDIT)
    model_id = f"m-{uuid.uuid4().hex}"
    name = rules.validate_logged_model_name(name) if name is not None else model_id
    model_type = rules.validate_text(
        model_type, what="Model type", limit=rules.MODEL_TYPE_MAX, field="model_type"
    )
    param_map = _validated_params(params, field="params")
    tag_map = _validated_tags(tags)
    experiment = await _experiment_for_write(
        session, actor=actor, project_id=project_id, experiment_id=experiment_id
    )
    if source_run_uuid:
        _, run_experiment = await get_run(
            session, actor=actor, project_id=project_id, run_uuid=source_run_uuid
        )
        if run_experiment.id != experiment.id:
            raise InvalidArgument(
                f"Run {source_run_uuid} is in experiment '{experiment_id_of(run_experiment)}', "
                f"not '{experiment_id}'.",
                field="source_run_id",
            )
    assert experiment.id is not None
    now = now_millis()
    model = LoggedModel(
        uuid=model_id,
        experiment_id=experiment.id,
        name=name,
        source_run_uuid=source_run_uuid or None,
        status=LoggedModelStatus.PENDING,
        model_type=model_type,
        params=param_map,
        tags=tag_map,
        created_by=actor.name,
        creation_time=now,
        last_updated_time=now,
    )
    session.add(model)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.LOGGED_MODEL_CREATED,
        project_id=project_id,
        payload={
            "model_id": model_id,
            "name": name,
            "experiment_id": experiment_id_of(experiment),
            **({"run_id": source_run_uuid} if source_run_uuid else {}),
        },
    )
    return model, experiment


async def get_logged_model(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    model_id: str,
    ability: Ability = Ability.READ,
) -> tuple[LoggedModel, Experiment]:
    await _project(session, actor, project_id, ability)
    row = (
        await session.exec(
            select(LoggedModel, Experiment)
            .join(Experiment, col(Experiment.id) == col(LoggedModel.experiment_id))
            .where(LoggedModel.uuid == model_id, Experiment.project_id == project_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"Logged model with ID '{model_id}' not found.", field="model_id")
    return row


async def _changed(session: AsyncSession, model: LoggedModel) -> None:
    model.last_updated_time = now_millis()
    session.add(model)


async def finalize_logged_model(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    model_id: str,
    status: LoggedModelStatus,
) -> tuple[LoggedModel, Experiment]:
    model, experiment = await get_logged_model(
        session, actor=actor, project_id=project_id, model_id=model_id, ability=Ability.EDIT
    )
    if model.status != status:
        model.status = status
        await record_event(
            session,
            actor=actor,
            type=EventType.LOGGED_MODEL_FINALIZED,
            project_id=project_id,
            payload={"model_id": model_id, "name": model.name, "status": status.value},
        )
    await _changed(session, model)
    return model, experiment


async def set_logged_model_tags(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    model_id: str,
    tags: Sequence[tuple[str, str]],
) -> None:
    tag_map = _validated_tags(tags)
    model, _ = await get_logged_model(
        session, actor=actor, project_id=project_id, model_id=model_id, ability=Ability.EDIT
    )
    model.tags = {**model.tags, **tag_map}
    await _changed(session, model)


async def delete_logged_model_tag(
    session: AsyncSession, *, actor: Actor, project_id: int, model_id: str, key: str
) -> None:
    model, _ = await get_logged_model(
        session, actor=actor, project_id=project_id, model_id=model_id, ability=Ability.EDIT
    )
    if key not in model.tags:
        raise NotFound(f"No tag with key '{key}' on logged model '{model_id}'.", field="tag_key")
    model.tags = {k: v for k, v in model.tags.items() if k != key}
    await _changed(session, model)


async def log_logged_model_params(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    model_id: str,
    params: Sequence[tuple[str, str]],
) -> None:
    param_map = _validated_params(params, field="params")
    model, _ = await get_logged_model(
        session, actor=actor, project_id=project_id, model_id=model_id, ability=Ability.EDIT
    )
    for key, value in param_map.items():
        if key in model.params and model.params[key] != value:
            raise InvalidArgument(
                f"Changing param values is not allowed. Param '{key}' of logged model "
                f"'{model_id}' is already '{model.params[key]}'.",
                field="params",
            )
    model.params = {**model.params, **param_map}
    await _changed(session, model)


LOGGED_MODEL_FILTER_FIELDS = frozenset(
    {"name", "model_id", "source_run_id", "status", "model_type"}
)
LOGGED_MODEL_FILTER_NUMBERS = frozenset({"creation_time", "last_updated_time"})


async def search_logged_models(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    experiment_ids: Sequence[str],
    filter: str | None = None,
) -> list[tuple[LoggedModel, Experiment]]:
    """Logged models of these experiments matching the filter, newest first."""
    await _project(session, actor, project_id, Ability.READ)
    ast = parse_filter(
        filter or "", fields=LOGGED_MODEL_FILTER_FIELDS, numeric=LOGGED_MODEL_FILTER_NUMBERS
    )
    experiments = {
        e.id: e
        for e in [
            await _find_experiment(session, project_id, i) for i in dict.fromkeys(experiment_ids)
        ]
        if e is not None
    }
    if not experiments:
        return []
    rows = await session.exec(
        select(LoggedModel)
        .where(col(LoggedModel.experiment_id).in_(list(experiments)))
        .order_by(col(LoggedModel.creation_time).desc(), col(LoggedModel.id).desc())
    )
    return [
        (m, experiments[m.experiment_id])
        for m in rows
        if rules.matches(
            ast,
            fields={
                "name": m.name,
                "model_id": m.uuid,
                "source_run_id": m.source_run_uuid,
                "status": m.status,
                "model_type": m.model_type,
                "creation_time": m.creation_time,
                "last_updated_time": m.last_updated_time,
            },
            tags=m.tags,
        )
    ]


# --- files of the artifact proxy -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredFile:
    path: str
    size: int
    sha256: str
    storage_key: str
    content_type: str


def _stored(path: str, blob: Blob) -> StoredFile:
    return StoredFile(
        path=path,
        size=blob.size,
        sha256=blob.sha256,
        storage_key=blob.storage_key,
        content_type=rules.guess_content_type(path),
    )


def _file_path(path: str) -> str:
    path = rules.normalize_artifact_path(path)
    validate_file_path(path)
    if path.split("/", 1)[0] == rules.REGISTRY_ROOT:
        raise InvalidArgument(
            f"'{rules.REGISTRY_ROOT}/' holds the files of model versions, which are changed "
            "through the registry, not the artifact proxy.",
            field="path",
        )
    return path


async def store_tracked_file(
    *,
    db: Database,
    storage: Storage,
    actor: Actor,
    project_id: int,
    path: str,
    chunks: AsyncIterable[bytes],
    max_size: int,
) -> StoredFile:
    """Stream a file into the project's artifact root at `path` (replacing what was there),
    as `services.files.store_file` does for versions: bytes first, then one short transaction
    that records them, reusing a blob with the same SHA-256."""
    path = _file_path(path)
    async with db.read() as session:
        await _project(session, actor, project_id, Ability.EDIT)
    key = f"blobs/{uuid.uuid4().hex}"
    try:
        stored = await storage.put(key, chunks, max_size=max_size)
    except ObjectTooLarge as exc:
        raise FileTooLarge(
            f"'{path}' is larger than the limit of {exc.limit} bytes "
            "(MODELREG_MAX_FILE_SIZE); nothing was stored.",
            field="file",
        ) from None
    keep_fresh_object = False
    try:
        for attempt in (1, 2):
            try:
                async with db.begin() as session:
                    await _project(session, actor, project_id, Ability.EDIT)
                    blob = (
                        await session.exec(select(Blob).where(Blob.sha256 == stored.sha256))
                    ).first()
                    fresh = blob is None
                    if blob is None:
                        blob = Blob(sha256=stored.sha256, size=stored.size, storage_key=key)
                        session.add(blob)
                        await session.flush()
                    assert blob.id is not None
                    existing = (
                        await session.exec(
                            select(TrackedFile).where(
                                TrackedFile.project_id == project_id, TrackedFile.path == path
                            )
                        )
                    ).first()
                    row = existing or TrackedFile(
                        project_id=project_id, path=path, blob_id=blob.id, created_by=actor.name
                    )
                    if existing is not None and existing.blob_id != blob.id:
                        collect_garbage_after_commit(session, storage)
                    row.blob_id = blob.id
                    row.created_by = actor.name
                    row.created_at = utcnow()
                    session.add(row)
                    result = _stored(path, blob)
                keep_fresh_object = fresh
                break
            except Conflict:
                # Someone stored the same bytes or the same path at the same moment: once more,
                # now seeing their rows.
                if attempt == 2:
                    raise
    finally:
        if not keep_fresh_object:
            await storage.delete(key)
    return result


def _at_or_below(path: str) -> sa.ColumnElement[bool]:
    """The file `path` or the files in folder `path`. A range, not LIKE: SQLite's LIKE ignores
    case, and paths compare in binary order on both engines ('0' follows '/')."""
    column = col(TrackedFile.path)
    return sa.or_(column == path, sa.and_(column > f"{path}/", column < f"{path}0"))


async def _tracked_under(
    session: AsyncSession, project_id: int, path: str
) -> list[tuple[TrackedFile, Blob]]:
    """The file at `path`, or every file below the folder `path` (all for the root)."""
    statement = (
        select(TrackedFile, Blob)
        .join(Blob, col(Blob.id) == col(TrackedFile.blob_id))
        .where(TrackedFile.project_id == project_id)
    )
    if path:
        statement = statement.where(_at_or_below(path))
    return list(await session.exec(statement.order_by(col(TrackedFile.path))))


async def list_tracked(
    session: AsyncSession, *, actor: Actor, project_id: int, path: str
) -> list[ListedFile]:
    """What is directly in the folder `path` of the artifact root."""
    await _project(session, actor, project_id, Ability.READ)
    path = rules.normalize_artifact_path(path)
    found = await _tracked_under(session, project_id, path)
    return rules.children({f.path: b.size for f, b in found}, path)


async def get_tracked_file(
    session: AsyncSession, *, actor: Actor, project_id: int, path: str
) -> StoredFile:
    await _project(session, actor, project_id, Ability.READ)
    path = rules.normalize_artifact_path(path)
    row = (
        await session.exec(
            select(TrackedFile, Blob)
            .join(Blob, col(Blob.id) == col(TrackedFile.blob_id))
            .where(TrackedFile.project_id == project_id, TrackedFile.path == path)
        )
    ).first()
    if row is None:
        raise NotFound(f"No such artifact: '{path}'.", field="path")
    return _stored(path, row[1])


async def delete_tracked(
    session: AsyncSession, *, actor: Actor, storage: Storage, project_id: int, path: str
) -> int:
    """Delete the file at `path` or the folder `path` with everything in it (nothing there is
    not an error, as in MLflow); their contents are collected after the commit."""
    await _project(session, actor, project_id, Ability.EDIT)
    path = rules.normalize_artifact_path(path)
    if path.split("/", 1)[0] == rules.REGISTRY_ROOT:
        _file_path(path)  # raises: version files are not the proxy's to delete
    condition = col(TrackedFile.project_id) == project_id
    if path:
        condition = sa.and_(condition, _at_or_below(path))
    result = await session.exec(sa.delete(TrackedFile).where(condition))
    if result.rowcount:
        collect_garbage_after_commit(session, storage)
    return int(result.rowcount)


async def version_files(
    session: AsyncSession, *, actor: Actor, project_id: int, version_id: int
) -> dict[str, StoredFile]:
    """The files of a model version of this project, by path (`_registry/<id>/` of the proxy)."""
    _, model = await get_version(session, version_id=version_id, actor=actor, field="path")
    if model.project_id != project_id:
        raise NotFound(f"No model version has the id {version_id}.", field="path")
    return {
        f.path: StoredFile(
            path=f.path,
            size=f.size,
            sha256=f.sha256,
            storage_key=f.storage_key,
            content_type=f.content_type,
        )
        for f in await list_files(session, version_id=version_id)
    }


# --- what a model version registered from a run or logged model starts with ----------------


@dataclass(frozen=True, slots=True)
class SourceFiles:
    """What a version created from `source` refers to and the files it starts with:
    (path relative to the source folder, blob id, content type)."""

    run_uuid: str | None
    logged_model_uuid: str | None
    files: list[tuple[str, int, str]]


def _relative(found: Sequence[tuple[TrackedFile, Blob]], path: str) -> list[tuple[str, int, str]]:
    files: list[tuple[str, int, str]] = []
    for tracked, blob in found:
        assert blob.id is not None
        if tracked.path == path:
            relative = path.rsplit("/", 1)[-1]
        else:
            relative = tracked.path[len(path) + 1 :] if path else tracked.path
        files.append((relative, blob.id, rules.guess_content_type(tracked.path)))
    return files


def _join(*parts: str) -> str:
    return "/".join(p for p in parts if p)


async def _run_of(
    session: AsyncSession, project_id: int, run_uuid: str
) -> tuple[Run, Experiment] | None:
    return (
        await session.exec(
            select(Run, Experiment)
            .join(Experiment, col(Experiment.id) == col(Run.experiment_id))
            .where(Run.uuid == run_uuid, Experiment.project_id == project_id)
        )
    ).first()


async def _logged_model_of(
    session: AsyncSession, project_id: int, model_id: str
) -> LoggedModel | None:
    return (
        await session.exec(
            select(LoggedModel)
            .join(Experiment, col(Experiment.id) == col(LoggedModel.experiment_id))
            .where(LoggedModel.uuid == model_id, Experiment.project_id == project_id)
        )
    ).first()


async def source_files(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    source: str,
    run_uuid: str | None,
) -> SourceFiles:
    """The files of a version's `source`, for the registry to start the version with.

    Ours: `mlflow-artifacts:/<exp>/<run>/artifacts/<sub>`, `runs:/<run>/<sub>` (or, as MLflow 3
    resolves it, the logged model `<sub>` of that run), `models:/m-<hex>[/<sub>]`,
    `mlflow-artifacts:/<exp>/models/<m-id>/artifacts`, `mlflow-artifacts:/_registry/<version>`
    and the proxy's http(s) URL of any of these (in another project: if `actor` may read it).
    Anything else (s3://, file://, `models:/<name>/<version>`) has no files here: not an error.
    A run or logged model named by the source that does not exist is NOT_FOUND.
    """
    project = await _project(session, actor, project_id, Ability.READ)
    parsed = rules.parse_source(source)
    if isinstance(parsed, rules.RunSource):
        found_run = await _run_of(session, project_id, parsed.run_uuid)
        if found_run is None:
            raise NotFound(
                f"Run with id={parsed.run_uuid} not found in this project.", field="source"
            )
        run, experiment = found_run
        folder = _join(rules.run_artifact_path(experiment_id_of(experiment), run.uuid), parsed.path)
        files = _relative(await _tracked_under(session, project_id, folder), folder)
        logged_model: str | None = None
        if not files and parsed.path:
            # MLflow 3 logs a model's files under the logged model, not the run: `runs:/<run>/
            # <name>` then means the run's logged model `<name>`, as the client resolves it.
            name, _, rest = parsed.path.partition("/")
            model = (
                await session.exec(
                    select(LoggedModel)
                    .where(
                        LoggedModel.experiment_id == experiment.id,
                        LoggedModel.name == name,
                        LoggedModel.source_run_uuid == run.uuid,
                    )
                    .order_by(col(LoggedModel.creation_time).desc(), col(LoggedModel.id).desc())
                )
            ).first()
            if model is not None:
                logged_model = model.uuid
                folder = _join(
                    rules.logged_model_artifact_path(experiment_id_of(experiment), model.uuid),
                    rest,
                )
                files = _relative(await _tracked_under(session, project_id, folder), folder)
        return SourceFiles(run_uuid or run.uuid, logged_model, files)
    if isinstance(parsed, rules.LoggedModelSource):
        model, experiment = await get_logged_model(
            session, actor=actor, project_id=project_id, model_id=parsed.model_id
        )
        folder = _join(
            rules.logged_model_artifact_path(experiment_id_of(experiment), model.uuid),
            parsed.path,
        )
        files = _relative(await _tracked_under(session, project_id, folder), folder)
        return SourceFiles(run_uuid or model.source_run_uuid, model.uuid, files)
    if isinstance(parsed, rules.ArtifactSource):
        where = project
        if parsed.project is not None and parsed.project != project.path:
            where = await get_project_by_path(
                session, path=parsed.project, actor=actor, field="source"
            )
        assert where.id is not None
        head, _, rest = parsed.path.partition("/")
        if head == rules.REGISTRY_ROOT:
            return await _version_source(session, actor, where.id, rest, run_uuid)
        files = _relative(await _tracked_under(session, where.id, parsed.path), parsed.path)
        owner_run, owner_model = rules.owner_of_artifact_path(parsed.path)
        if owner_model is not None:
            model_row = await _logged_model_of(session, where.id, owner_model)
            if model_row is None:
                owner_model = None
            elif owner_run is None:
                owner_run = model_row.source_run_uuid
        if (
            owner_run is not None
            and run_uuid is None
            and await _run_of(session, where.id, owner_run) is None
        ):
            owner_run = None
        return SourceFiles(run_uuid or owner_run, owner_model, files)
    return SourceFiles(run_uuid, None, [])


async def _version_source(
    session: AsyncSession, actor: Actor, project_id: int, rest: str, run_uuid: str | None
) -> SourceFiles:
    """`_registry/<version id>[/<sub>]`: the files of another version (copying a version)."""
    version_id, _, sub = rest.partition("/")
    if not (version_id.isascii() and version_id.isdigit()) or len(version_id) > 18:
        raise NotFound(f"No model version has the id '{version_id}'.", field="source")
    version, model = await get_version(
        session, version_id=int(version_id), actor=actor, field="source"
    )
    if model.project_id != project_id:
        raise NotFound(f"No model version has the id {version_id}.", field="source")
    rows = await session.exec(
        select(Artifact.path, Artifact.blob_id, Artifact.content_type)
        .where(Artifact.version_id == version.id)
        .order_by(col(Artifact.path))
    )
    files: list[tuple[str, int, str]] = []
    for path, blob_id, content_type in rows:
        if not sub:
            files.append((path, blob_id, content_type))
        elif path == sub:
            files.append((path.rsplit("/", 1)[-1], blob_id, content_type))
        elif path.startswith(sub + "/"):
            files.append((path[len(sub) + 1 :], blob_id, content_type))
    return SourceFiles(run_uuid or version.run_uuid, version.logged_model_uuid, files)
