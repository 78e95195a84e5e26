"""A run search's `order_by` in SQL, as MLflow's server sorts runs.

Each clause sorts first by whether the run has the value (runs without it last, whichever the
direction; for a metric, a latest value that is NaN after the numbers and before no value), then
by the value. A metric's value is its latest (highest step, then time, as MLflow keeps it); params
and tags sort as text. After the clauses: `start_time` newest first (unless a clause ordered by
it), then the run id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from modelreg.db.models import Experiment, Run, RunMetric, RunParam, RunTag
from modelreg.domain.run_order import OrderKind, RunOrder, orders_by_start_time
from modelreg.domain.tracking import DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME
from modelreg.services.tracking.run_reads import LATEST_POINT_FIRST


def _attribute(key: str) -> Any:
    if key == "artifact_uri":
        # `mlflow-artifacts:/<experiment id>/<run id>/artifacts`: the same order as the URI.
        experiment = sa.case(
            (col(Experiment.name) == DEFAULT_EXPERIMENT_NAME, DEFAULT_EXPERIMENT_ID),
            else_=sa.cast(col(Experiment.id), sa.String),
        )
        return experiment + "/" + col(Run.uuid)
    return {
        "start_time": col(Run.start_time),
        "end_time": col(Run.end_time),
        "status": col(Run.status),
        "run_name": col(Run.name),
        "run_id": col(Run.uuid),
        "user_id": col(Run.user),
    }[key]


def _latest_metric(key: str, n: int) -> Any:
    """Per run, the latest point of metric `key` (run_id, value, is_nan)."""
    rank = (
        sa.func.row_number()
        .over(
            partition_by=col(RunMetric.run_id),
            order_by=LATEST_POINT_FIRST,
        )
        .label("rank")
    )
    ranked = (
        select(
            col(RunMetric.run_id).label("run_id"),
            col(RunMetric.value).label("value"),
            col(RunMetric.is_nan).label("is_nan"),
            rank,
        )
        .where(col(RunMetric.key) == key)
        .subquery(f"ranked_{n}")
    )
    return (
        select(ranked.c.run_id, ranked.c.value, ranked.c.is_nan)
        .where(ranked.c.rank == 1)
        .subquery(f"order_{n}")
    )


def _key_value(entity: type[RunParam] | type[RunTag], key: str, n: int) -> Any:
    return (
        select(col(entity.run_id).label("run_id"), col(entity.value).label("value"))
        .where(col(entity.key) == key)
        .subquery(f"order_{n}")
    )


def apply_run_order(statement: Any, orders: Sequence[RunOrder]) -> Any:
    """`statement` (runs joined with their experiments) joined with what `orders` sort by, and
    ordered by them, then by the default tie-break."""
    clauses: list[Any] = []
    for n, order in enumerate(orders):
        if order.kind is OrderKind.ATTRIBUTE:
            value = _attribute(order.key)
            missing: Any = sa.case((value.is_(None), 1), else_=0)
        elif order.kind is OrderKind.METRIC:
            metric = _latest_metric(order.key, n)
            statement = statement.outerjoin(metric, metric.c.run_id == col(Run.id))
            value = metric.c.value
            missing = sa.case((metric.c.is_nan == sa.true(), 1), (value.is_(None), 2), else_=0)
        else:
            entity = RunParam if order.kind is OrderKind.PARAM else RunTag
            pairs = _key_value(entity, order.key, n)
            statement = statement.outerjoin(pairs, pairs.c.run_id == col(Run.id))
            value = pairs.c.value
            missing = sa.case((value.is_(None), 1), else_=0)
        clauses += [missing.asc(), value.asc() if order.ascending else value.desc()]
    if not orders_by_start_time(orders):
        clauses.append(col(Run.start_time).desc())
    clauses.append(col(Run.uuid).asc())
    return statement.order_by(*clauses)
