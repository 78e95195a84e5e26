"""Experiments and runs of a project, for their pages in the web app: `Project.experiments`,
`Project.experiment(id)`, `Project.run(runId)`, and a run's experiment, files and the model
versions registered from it (fields of `Run`, defined in `tracking.py`, resolved here).

Reads need READ on the project (the project itself is only reachable when readable); an unknown
id is null. A version registered from a run may sit in another project: only those in projects
the viewer may read are listed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, Self

import strawberry
from strawberry import relay

from modelreg.db.models import Experiment
from modelreg.errors import NotFound
from modelreg.graphql import permissions
from modelreg.graphql.context import Info
from modelreg.graphql.node_common import BigInt, Tag, page_size, tag_list
from modelreg.graphql.tracking import RunType
from modelreg.graphql.version_node import ModelVersionNode
from modelreg.services import tracking as tracking_service
from modelreg.services.pagination import Page
from modelreg.services.tracking import browse


class _HasId(Protocol):
    id: int


def _time(millis: int | None) -> datetime | None:
    return datetime.fromtimestamp(millis / 1000, tz=UTC) if millis is not None else None


def _page_info(page: Page[Any]) -> relay.PageInfo:
    return relay.PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        start_cursor=page.cursors[0] if page.cursors else None,
        end_cursor=page.cursors[-1] if page.cursors else None,
    )


@strawberry.type(description="A run in a list, with its cursor.")
class RunEdge:
    cursor: str
    node: RunType


@strawberry.type(description="A page of runs, newest start first.")
class RunConnection:
    edges: list[RunEdge]
    page_info: relay.PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many runs match, across all pages.")
    async def total_count(self) -> int:
        return await self.count()


@strawberry.type(name="Experiment", description="An MLflow experiment: a group of runs.")
class ExperimentType:
    experiment_id: str = strawberry.field(
        description="MLflow's experiment id: '0' for the Default experiment."
    )
    name: str
    created_by: str
    created_at: datetime
    tags: list[Tag]
    run_count: int = strawberry.field(description="How many active runs it has.")
    last_run_start_time: datetime | None = strawberry.field(
        description="When its newest active run started; null when it has none."
    )
    row: strawberry.Private[Experiment]

    @classmethod
    def from_row(cls, row: Experiment, summary: browse.RunSummary | None) -> Self:
        return cls(
            experiment_id=tracking_service.experiment_id_of(row),
            name=row.name,
            created_by=row.created_by,
            created_at=row.created_at,
            tags=tag_list(row.tags),
            run_count=summary.count if summary else 0,
            last_run_start_time=_time(summary.last_start_time) if summary else None,
            row=row,
        )

    @strawberry.field(description="Its active runs, newest start first, paginated.")
    async def runs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> RunConnection:
        size = page_size(info, first)
        async with info.context.read() as session:
            page = await browse.list_runs(session, experiment=self.row, first=size, after=after)
        for run in page.items:
            info.context.loaders.run_by_uuid.prime(run.uuid, run)

        async def count() -> int:
            async with info.context.read() as session:
                return await browse.count_runs(session, experiment=self.row)

        return RunConnection(
            edges=[
                RunEdge(cursor=c, node=RunType.from_row(r))
                for r, c in zip(page.items, page.cursors, strict=True)
            ],
            page_info=_page_info(page),
            count=count,
        )


@strawberry.type(description="An experiment in a list, with its cursor.")
class ExperimentEdge:
    cursor: str
    node: ExperimentType


@strawberry.type(description="A page of experiments, newest first.")
class ExperimentConnection:
    edges: list[ExperimentEdge]
    page_info: relay.PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many experiments there are, across all pages.")
    async def total_count(self) -> int:
        return await self.count()


@strawberry.type(description="A file a run logged, below its `artifacts/` folder.")
class RunArtifact:
    path: str
    size: BigInt = strawberry.field(description="In bytes.")


@strawberry.type(description="The files a run logged through the artifact proxy.")
class RunArtifacts:
    files: list[RunArtifact] = strawberry.field(
        description=f"By path, at most {browse.ARTIFACT_LIST_MAX}."
    )
    truncated: bool = strawberry.field(description="Whether the run has more files than listed.")


async def _summaries(info: Info, rows: Sequence[Experiment]) -> dict[int, browse.RunSummary]:
    ids = [r.id for r in rows if r.id is not None]
    if not ids:
        return {}
    async with info.context.read() as session:
        return await browse.run_summaries(session, ids)


async def project_experiments(
    root: _HasId, info: Info, first: int | None = None, after: str | None = None
) -> ExperimentConnection:
    """`Project.experiments`."""
    size = page_size(info, first)
    actor = info.context.actor
    async with info.context.read() as session:
        page = await browse.list_experiments(
            session, actor=actor, project_id=root.id, first=size, after=after
        )
    summaries = await _summaries(info, page.items)

    async def count() -> int:
        async with info.context.read() as session:
            return await browse.count_experiments(session, actor=actor, project_id=root.id)

    return ExperimentConnection(
        edges=[
            ExperimentEdge(cursor=c, node=ExperimentType.from_row(e, summaries.get(e.id or 0)))
            for e, c in zip(page.items, page.cursors, strict=True)
        ],
        page_info=_page_info(page),
        count=count,
    )


async def project_experiment(root: _HasId, info: Info, id: str) -> ExperimentType | None:
    """`Project.experiment(id)`: by MLflow's experiment id; null when there is none."""
    async with info.context.read() as session:
        try:
            row = await tracking_service.get_experiment(
                session, actor=info.context.actor, project_id=root.id, experiment_id=id
            )
        except NotFound:
            return None
    summaries = await _summaries(info, [row])
    return ExperimentType.from_row(row, summaries.get(row.id or 0))


async def project_run(root: _HasId, info: Info, run_id: str) -> RunType | None:
    """`Project.run(runId)`: a run of one of the project's experiments; null when there is none."""
    async with info.context.read() as session:
        try:
            run, experiment = await tracking_service.get_run(
                session, actor=info.context.actor, project_id=root.id, run_uuid=run_id
            )
        except NotFound:
            return None
    info.context.loaders.experiment.prime(run.experiment_id, experiment)
    return RunType.from_row(run)


async def run_experiment(run: RunType, info: Info) -> ExperimentType:
    """`Run.experiment` (the run was shown, so its project is readable)."""
    row = await info.context.loaders.experiment.load(run.experiment_id)
    assert row is not None
    summaries = await _summaries(info, [row])
    return ExperimentType.from_row(row, summaries.get(run.experiment_id))


async def run_model_versions(run: RunType, info: Info) -> list[ModelVersionNode]:
    """`Run.modelVersions`: oldest first, in projects the viewer may read."""
    async with info.context.read() as session:
        found = await browse.versions_from_run(session, run.run_id)
    readable = await permissions.readable_project_ids(info, [m.project_id for _, m in found])
    shown = []
    for (version, model), ok in zip(found, readable, strict=True):
        if ok and model.id is not None:
            info.context.loaders.model.prime(model.id, model)
            shown.append(ModelVersionNode.from_row(version))
    return shown


async def run_artifacts(run: RunType, info: Info) -> RunArtifacts:
    """`Run.artifacts`."""
    experiment = await info.context.loaders.experiment.load(run.experiment_id)
    row = await info.context.loaders.run_by_uuid.load(run.run_id)
    assert experiment is not None and row is not None
    async with info.context.read() as session:
        files, truncated = await browse.run_artifacts(
            session, project_id=experiment.project_id, run=row, experiment=experiment
        )
    return RunArtifacts(
        files=[RunArtifact(path=p, size=BigInt(s)) for p, s in files], truncated=truncated
    )
