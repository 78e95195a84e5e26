"""Batched reads of runs and what they logged (one statement per call: DataLoaders use them)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import (
    Run,
    RunMetric,
    RunParam,
    RunTag,
)


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


# The order in which a metric's points are "latest" (MLflow's rule): highest step, then time,
# then a number before NaN, then the larger value; the row id settles exact duplicates.
LATEST_POINT_FIRST = (
    col(RunMetric.step).desc(),
    col(RunMetric.timestamp).desc(),
    col(RunMetric.is_nan).asc(),
    col(RunMetric.value).desc(),
    col(RunMetric.id).desc(),
)


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
            order_by=LATEST_POINT_FIRST,
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
