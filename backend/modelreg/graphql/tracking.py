"""The MLflow run a model version was registered from: its params, metrics and tags.

A version names its run by id (`run_uuid`); the run is shown only if the viewer may read the
project the run is in (a client may name any run id when it registers a version).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Self

import strawberry

from modelreg.db.models import Experiment, Run
from modelreg.db.models import RunMetric as MetricRow
from modelreg.domain import tracking as rules
from modelreg.domain.tracking import RunStatus
from modelreg.graphql import permissions
from modelreg.graphql.context import Info
from modelreg.services import tracking as tracking_service

if TYPE_CHECKING:
    from modelreg.graphql.runs import ExperimentType, RunArtifacts
    from modelreg.graphql.version_node import ModelVersionNode

strawberry.enum(RunStatus, description="The state of an MLflow run.")


def _time(millis: int) -> datetime:
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def _number(value: float) -> float | None:
    """GraphQL's Float has no NaN or infinities: those are null."""
    return value if value == value and value not in (float("inf"), float("-inf")) else None


@strawberry.type(description="A parameter of a run: set once, never changed.")
class RunParam:
    key: str
    value: str


@strawberry.type(description="A tag of a run.")
class RunTag:
    key: str
    value: str


@strawberry.type(
    name="RunMetric",
    description="The latest value of a metric of a run (highest step, then time).",
)
class RunMetricType:
    key: str
    value: float | None = strawberry.field(description="Null when NaN or infinite.")
    step: int
    timestamp: datetime

    @classmethod
    def from_row(cls, row: MetricRow) -> Self:
        return cls(
            key=row.key,
            value=_number(tracking_service.metric_value(row)),
            step=row.step,
            timestamp=_time(row.timestamp),
        )


@strawberry.type(description="One logged value of a metric.")
class MetricPoint:
    value: float | None = strawberry.field(description="Null when NaN or infinite.")
    step: int
    timestamp: datetime


@strawberry.type(name="Run", description="An MLflow run: what trained a model version.")
class RunType:
    run_id: str = strawberry.field(description="MLflow's run id (32 hex digits).")
    name: str
    status: RunStatus
    user: str = strawberry.field(description="Who ran it, as the MLflow client reported.")
    start_time: datetime
    end_time: datetime | None
    id_: strawberry.Private[int]
    experiment_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Run) -> Self:
        assert row.id is not None
        return cls(
            run_id=row.uuid,
            name=row.name,
            status=RunStatus(row.status),
            user=row.user,
            start_time=_time(row.start_time),
            end_time=_time(row.end_time) if row.end_time is not None else None,
            id_=row.id,
            experiment_id=row.experiment_id,
        )

    async def _experiment(self, info: Info) -> Experiment:
        found = await info.context.loaders.experiment.load(self.experiment_id)
        assert found is not None
        return found

    @strawberry.field
    async def experiment_name(self, info: Info) -> str:
        return (await self._experiment(info)).name

    @strawberry.field(description="`mlflow-artifacts:/<experiment>/<run>/artifacts`.")
    async def artifact_uri(self, info: Info) -> str:
        experiment = await self._experiment(info)
        experiment_id = tracking_service.experiment_id_of(experiment)
        return rules.artifact_uri(rules.run_artifact_path(experiment_id, self.run_id))

    @strawberry.field
    async def params(self, info: Info) -> list[RunParam]:
        found = await info.context.loaders.run_params.load(self.id_) or {}
        return [RunParam(key=k, value=v) for k, v in sorted(found.items())]

    @strawberry.field
    async def tags(self, info: Info) -> list[RunTag]:
        found = await info.context.loaders.run_tags.load(self.id_) or {}
        return [RunTag(key=k, value=v) for k, v in sorted(found.items())]

    @strawberry.field(description="The latest value of each metric, by key.")
    async def metrics(self, info: Info) -> list[RunMetricType]:
        found = await info.context.loaders.run_metrics.load(self.id_) or []
        return [RunMetricType.from_row(m) for m in found]

    @strawberry.field(description="The experiment the run belongs to.")
    async def experiment(
        self, info: Info
    ) -> Annotated[ExperimentType, strawberry.lazy("modelreg.graphql.runs")]:
        from modelreg.graphql.runs import run_experiment

        return await run_experiment(self, info)

    @strawberry.field(
        description="The model versions registered from this run, oldest first (those the "
        "viewer may read)."
    )
    async def model_versions(
        self, info: Info
    ) -> list[Annotated[ModelVersionNode, strawberry.lazy("modelreg.graphql.version_node")]]:
        from modelreg.graphql.runs import run_model_versions

        return await run_model_versions(self, info)

    @strawberry.field(description="The files the run logged through the artifact proxy.")
    async def artifacts(
        self, info: Info
    ) -> Annotated[RunArtifacts, strawberry.lazy("modelreg.graphql.runs")]:
        from modelreg.graphql.runs import run_artifacts

        return await run_artifacts(self, info)

    @strawberry.field(description="Every logged value of one metric, by step then time.")
    async def metric_history(self, info: Info, key: str) -> list[MetricPoint]:
        async with info.context.read() as session:
            found = await tracking_service.metric_history(session, self.id_, key)
        return [
            MetricPoint(
                value=_number(tracking_service.metric_value(m)),
                step=m.step,
                timestamp=_time(m.timestamp),
            )
            for m in found
        ]


async def run_for_version(info: Info, run_uuid: str | None) -> RunType | None:
    """The run `run_uuid` (a version's `run_uuid`), or None when there is none or the viewer
    may not read its project."""
    if not run_uuid:
        return None
    run = await info.context.loaders.run_by_uuid.load(run_uuid)
    if run is None:
        return None
    experiment = await info.context.loaders.experiment.load(run.experiment_id)
    if experiment is None:
        return None
    if not (await permissions.readable_project_ids(info, [experiment.project_id]))[0]:
        return None
    return RunType.from_row(run)
