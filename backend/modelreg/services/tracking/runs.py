"""MLflow runs: creating, updating, deleting and restoring them, logging params, metrics and tags
(`log_batch`), and searching them."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import (
    Experiment,
    Run,
    RunMetric,
    RunParam,
    RunTag,
)
from modelreg.domain import tracking as rules
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.filters import parse_filter
from modelreg.domain.policy import Ability
from modelreg.domain.run_order import parse_run_order
from modelreg.domain.tracking import (
    DEFAULT_EXPERIMENT_ID,
    LifecycleStage,
    RunStatus,
)
from modelreg.errors import InvalidArgument, NotFound
from modelreg.services import filters as sql_filters
from modelreg.services.events import record_event
from modelreg.services.tracking.common import (
    _project,
    _validated_params,
    _validated_tags,
    now_millis,
)
from modelreg.services.tracking.experiments import (
    _experiment_for_write,
    _find_experiment,
    experiment_id_of,
)
from modelreg.services.tracking.logged_model_data import append_model_metrics
from modelreg.services.tracking.run_order import apply_run_order

RUN_NAME_TAG = "mlflow.runName"


@dataclass(frozen=True, slots=True)
class MetricPoint:
    key: str
    value: float
    timestamp: int
    step: int = 0
    # Also a metric of this logged model (measured on this dataset), as MLflow 3 logs them.
    model_id: str | None = None
    dataset_name: str | None = None
    dataset_digest: str | None = None


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
        await append_model_metrics(
            session,
            project_id,
            run.uuid,
            [
                (m.model_id, m.key, m.value, m.timestamp, m.step, m.dataset_name, m.dataset_digest)
                for m in metrics
                if m.model_id
            ],
        )


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
    order_by: Sequence[str] = (),
) -> tuple[list[tuple[Run, Experiment]], bool]:
    """Runs of these experiments in MLflow's `order_by` (by default newest first); (page,
    whether more follow)."""
    await _project(session, actor, project_id, Ability.READ)
    ast = parse_filter(filter or "", fields=RUN_FILTER_FIELDS, numeric=RUN_FILTER_NUMBERS)
    orders = parse_run_order(order_by)
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
    # The given order, then newest first and by id, as MLflow's server orders them.
    statement = apply_run_order(statement, orders).offset(offset).limit(limit + 1)
    rows = list(await session.exec(statement))
    return [(r, e) for r, e in rows[:limit]], len(rows) > limit


def run_artifact_location(run: Run, experiment: Experiment) -> str:
    return rules.artifact_uri(rules.run_artifact_path(experiment_id_of(experiment), run.uuid))
