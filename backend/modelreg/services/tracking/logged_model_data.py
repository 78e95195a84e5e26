"""What is recorded on a logged model besides its own fields: the metrics logged for it (by
`log-metric` / `log-batch` with a `model_id`) and the versions registered from it (the tag
`mlflow.modelVersions`, as MLflow's server sets it).

Free of the other tracking modules (runs.py logs through here; logged_models.py reads here).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Experiment, LoggedModel, LoggedModelMetric
from modelreg.domain.tracking import LifecycleStage
from modelreg.errors import NotFound
from modelreg.services.tracking.common import now_millis

# MLflow's tag on a logged model listing the versions registered from it (JSON list of
# {"name": ..., "version": ...}).
MODEL_VERSIONS_TAG = "mlflow.modelVersions"


@dataclass(frozen=True, slots=True)
class ModelMetric:
    """One value of a metric logged for a logged model."""

    model_id: str
    key: str
    value: float
    timestamp: int
    step: int
    run_id: str | None
    dataset_name: str | None
    dataset_digest: str | None


@dataclass(frozen=True, slots=True)
class DatasetFilter:
    """`logged-models/search`'s `datasets`: a name, and a digest when given."""

    name: str
    digest: str | None = None


async def active_logged_model(
    session: AsyncSession, project_id: int, model_id: str, *, field: str = "model_id"
) -> LoggedModel:
    """The logged model `model_id` of the project, unless deleted; else NOT_FOUND."""
    model = (
        await session.exec(
            select(LoggedModel)
            .join(Experiment, col(Experiment.id) == col(LoggedModel.experiment_id))
            .where(
                LoggedModel.uuid == model_id,
                Experiment.project_id == project_id,
                LoggedModel.lifecycle_stage != LifecycleStage.DELETED,
            )
        )
    ).first()
    if model is None:
        raise NotFound(f"Logged model with ID '{model_id}' not found.", field=field)
    return model


async def _active_or_none(
    session: AsyncSession, project_id: int, model_id: str
) -> LoggedModel | None:
    try:
        return await active_logged_model(session, project_id, model_id)
    except NotFound:
        return None


def _identity(model_id: str, row: LoggedModelMetric) -> tuple[object, ...]:
    return (
        model_id,
        row.key,
        row.value,
        row.is_nan,
        row.timestamp,
        row.step,
        row.run_uuid,
        row.dataset_name,
        row.dataset_digest,
    )


async def append_model_metrics(
    session: AsyncSession,
    project_id: int,
    run_uuid: str,
    metrics: Sequence[tuple[str, str, float, int, int, str | None, str | None]],
) -> None:
    """Record (model id, key, value, timestamp, step, dataset name, dataset digest) points
    logged in run `run_uuid` on their logged models. A model id the project does not have (a
    model of another tracking server, or deleted) records nothing here: the run has the metric.
    A point already recorded is not recorded twice (the client re-sends a run's metrics to the
    model it logs)."""
    models: dict[str, LoggedModel | None] = {}
    seen: set[tuple[object, ...]] = set()
    for model_id, key, value, timestamp, step, dataset_name, dataset_digest in metrics:
        if model_id not in models:
            models[model_id] = found = await _active_or_none(session, project_id, model_id)
            seen |= {
                _identity(model_id, r)
                for r in await session.exec(
                    select(LoggedModelMetric).where(
                        LoggedModelMetric.logged_model_id == (found.id if found else None),
                        col(LoggedModelMetric.key).in_({m[1] for m in metrics}),
                        col(LoggedModelMetric.step).in_({m[4] for m in metrics}),
                    )
                )
            }
        model = models[model_id]
        if model is None:
            continue
        assert model.id is not None
        is_nan = math.isnan(value)
        row = LoggedModelMetric(
            logged_model_id=model.id,
            run_uuid=run_uuid,
            key=key,
            value=0.0 if is_nan else value,
            is_nan=is_nan,
            timestamp=timestamp,
            step=step,
            dataset_name=dataset_name or None,
            dataset_digest=dataset_digest or None,
        )
        if _identity(model_id, row) in seen:
            continue
        seen.add(_identity(model_id, row))
        session.add(row)


async def metrics_by_models(
    session: AsyncSession, models: Iterable[LoggedModel]
) -> dict[int, list[ModelMetric]]:
    """Every metric value logged for these logged models, by model row id, oldest first."""
    uuids = {m.id: m.uuid for m in models if m.id is not None}
    found: dict[int, list[ModelMetric]] = {i: [] for i in uuids}
    if not uuids:
        return found
    rows = await session.exec(
        select(LoggedModelMetric)
        .where(col(LoggedModelMetric.logged_model_id).in_(list(uuids)))
        .order_by(col(LoggedModelMetric.id))
    )
    for row in rows:
        found[row.logged_model_id].append(
            ModelMetric(
                model_id=uuids[row.logged_model_id],
                key=row.key,
                value=math.nan if row.is_nan else row.value,
                timestamp=row.timestamp,
                step=row.step,
                run_id=row.run_uuid,
                dataset_name=row.dataset_name,
                dataset_digest=row.dataset_digest,
            )
        )
    return found


def on_datasets(metrics: Sequence[ModelMetric], datasets: Sequence[DatasetFilter]) -> bool:
    """Whether any metric was measured on one of `datasets` (MLflow's `datasets` search filter
    without a metric filter)."""
    return any(
        m.dataset_name == d.name and (d.digest is None or m.dataset_digest == d.digest)
        for m in metrics
        for d in datasets
    )


async def add_model_version(
    session: AsyncSession, project_id: int, model_id: str, name: str, version: int
) -> None:
    """Add version `version` of registered model `name` to the logged model's
    `mlflow.modelVersions` tag, in MLflow's format (a JSON list of {"name", "version"}).
    A logged model this project does not have (an external one) has no tag to set."""
    model = await _active_or_none(session, project_id, model_id)
    if model is None:
        return
    entry: dict[str, object] = {"name": name, "version": version}
    try:
        listed = json.loads(model.tags.get(MODEL_VERSIONS_TAG, "[]"))
    except ValueError:
        listed = []
    if not isinstance(listed, list):
        listed = []
    if entry not in listed:
        listed.append(entry)
    model.tags = {**model.tags, MODEL_VERSIONS_TAG: json.dumps(listed)}
    model.last_updated_time = now_millis()
    session.add(model)
