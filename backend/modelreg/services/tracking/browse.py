"""Browsing tracking data in the web app: a project's experiments page by page, an experiment's
runs page by page, the files a run logged, and the model versions registered from a run.

Every read needs READ on the project (as the MLflow API's reads). Pages are keyset pages
(`services.pagination`): experiments newest first, runs by start time, newest first. Deleted
experiments and runs are left out, as the MLflow UI does by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import (
    Blob,
    Experiment,
    ModelVersion,
    RegisteredModel,
    Run,
    TrackedFile,
)
from modelreg.domain import tracking as rules
from modelreg.domain.actor import Actor
from modelreg.domain.policy import Ability
from modelreg.domain.tracking import LifecycleStage
from modelreg.services.pagination import Page, SortKey, keyset_page
from modelreg.services.tracking.common import _project
from modelreg.services.tracking.experiments import experiment_id_of

# A run page lists at most this many logged files (a run may log thousands of checkpoints).
ARTIFACT_LIST_MAX = 500

_EXPERIMENT_KEYS: list[SortKey[Experiment]] = [SortKey(col(Experiment.id), lambda e: e.id)]
_RUN_KEYS: list[SortKey[Run]] = [
    SortKey(col(Run.start_time), lambda r: r.start_time),
    SortKey(col(Run.id), lambda r: r.id),
]


@dataclass(frozen=True)
class RunSummary:
    """How many active runs an experiment has and when the newest started (epoch ms)."""

    count: int
    last_start_time: int | None


async def list_experiments(
    session: AsyncSession, *, actor: Actor, project_id: int, first: int, after: str | None
) -> Page[Experiment]:
    """The project's active experiments, newest first. A Default experiment that has never
    been used is not stored and not listed (it has no runs)."""
    await _project(session, actor, project_id, Ability.READ)
    statement = select(Experiment).where(
        Experiment.project_id == project_id,
        Experiment.lifecycle_stage == LifecycleStage.ACTIVE,
    )
    return await keyset_page(
        session, statement, keys=_EXPERIMENT_KEYS, descending=True, first=first, after=after
    )


async def count_experiments(session: AsyncSession, *, actor: Actor, project_id: int) -> int:
    await _project(session, actor, project_id, Ability.READ)
    statement = select(func.count()).where(
        Experiment.project_id == project_id,
        Experiment.lifecycle_stage == LifecycleStage.ACTIVE,
    )
    return (await session.exec(statement)).one()


async def run_summaries(
    session: AsyncSession, experiment_ids: Sequence[int]
) -> dict[int, RunSummary]:
    """Per experiment (by row id), its number of active runs and newest start; one statement."""
    rows = await session.exec(
        select(Run.experiment_id, func.count(), func.max(Run.start_time))
        .where(
            col(Run.experiment_id).in_(list(experiment_ids)),
            Run.lifecycle_stage == LifecycleStage.ACTIVE,
        )
        .group_by(col(Run.experiment_id))
    )
    return {eid: RunSummary(count, last) for eid, count, last in rows}


def _active_runs(experiment: Experiment) -> sa.ColumnElement[bool]:
    return sa.and_(
        col(Run.experiment_id) == experiment.id,
        col(Run.lifecycle_stage) == LifecycleStage.ACTIVE,
    )


async def list_runs(
    session: AsyncSession, *, experiment: Experiment, first: int, after: str | None
) -> Page[Run]:
    """The experiment's active runs, newest start first. `experiment` comes from
    `get_experiment`, which checked READ; the unsaved Default experiment has no runs."""
    if experiment.id is None:
        return Page(items=[], cursors=[], has_next_page=False, has_previous_page=False)
    statement = select(Run).where(_active_runs(experiment))
    return await keyset_page(
        session, statement, keys=_RUN_KEYS, descending=True, first=first, after=after
    )


async def count_runs(session: AsyncSession, *, experiment: Experiment) -> int:
    if experiment.id is None:
        return 0
    return (await session.exec(select(func.count()).where(_active_runs(experiment)))).one()


async def run_artifacts(
    session: AsyncSession, *, project_id: int, run: Run, experiment: Experiment
) -> tuple[list[tuple[str, int]], bool]:
    """The files the run logged through the artifact proxy, as (path below the run's
    `artifacts/` folder, size), by path; at most ARTIFACT_LIST_MAX, and whether more exist.
    The caller has read the run (READ checked)."""
    root = rules.run_artifact_path(experiment_id_of(experiment), run.uuid)
    column = col(TrackedFile.path)
    rows = list(
        await session.exec(
            select(TrackedFile.path, Blob.size)
            .join(Blob, col(Blob.id) == col(TrackedFile.blob_id))
            .where(
                TrackedFile.project_id == project_id,
                column > f"{root}/",
                column < f"{root}0",  # every path below `root/` ('0' follows '/')
            )
            .order_by(column)
            .limit(ARTIFACT_LIST_MAX + 1)
        )
    )
    files = [(path[len(root) + 1 :], size) for path, size in rows[:ARTIFACT_LIST_MAX]]
    return files, len(rows) > ARTIFACT_LIST_MAX


async def versions_from_run(
    session: AsyncSession, run_uuid: str
) -> list[tuple[ModelVersion, RegisteredModel]]:
    """Every model version registered from the run, in any project, oldest first, with its
    model. The caller shows only those in projects the viewer may read."""
    rows = await session.exec(
        select(ModelVersion, RegisteredModel)
        .join(RegisteredModel, col(RegisteredModel.id) == col(ModelVersion.model_id))
        .where(ModelVersion.run_uuid == run_uuid)
        .order_by(col(ModelVersion.created_at), col(ModelVersion.id))
    )
    return [(v, m) for v, m in rows]
