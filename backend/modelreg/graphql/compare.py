"""`compareVersions`: 2..10 versions side by side, each row marking whether it differs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from modelreg.domain import compare as rules
from modelreg.graphql.context import Info
from modelreg.graphql.ids import decode_id
from modelreg.graphql.metadata import SignatureColumn, column_or_none
from modelreg.graphql.node_common import BigInt
from modelreg.graphql.tracking import MetricPoint
from modelreg.graphql.version_node import ModelVersionNode
from modelreg.services import compare as compare_service

strawberry.enum(
    rules.RowStatus,
    description="Against the first version compared (the baseline): ADDED when the baseline "
    "lacks the row and a later version has it, REMOVED when the baseline has it and a later "
    "version lacks it, CHANGED when all have it with different values, SAME otherwise.",
)
strawberry.enum(rules.SignatureSection)


@strawberry.type(description="A run parameter: one value per version, null when absent.")
class ComparedParam:
    key: str
    values: list[str | None]
    status: rules.RowStatus
    differs: bool


@strawberry.type(description="Every logged value of a metric for one version.")
class MetricSeries:
    version: str
    points: list[MetricPoint]


@strawberry.type(description="A metric: the latest value and the step history per version.")
class ComparedMetric:
    key: str
    latest: list[float | None] = strawberry.field(
        description="Per version: the value at the highest step; null when absent or NaN."
    )
    present: list[bool]
    history: list[MetricSeries] = strawberry.field(
        description="One per compared version, in the same order."
    )
    status: rules.RowStatus
    differs: bool


@strawberry.type(description="A signature column: one per version, null when absent.")
class ComparedSignatureColumn:
    section: rules.SignatureSection
    name: str = strawberry.field(description="The column's name, or '#<position>'.")
    columns: list[SignatureColumn | None]
    status: rules.RowStatus
    differs: bool


@strawberry.type(description="A dependency: the requirement and pinned version per version.")
class ComparedDependency:
    name: str
    specifiers: list[str | None]
    versions: list[str | None]
    status: rules.RowStatus
    differs: bool


@strawberry.type(name="FileDigest")
class FileDigestType:
    sha256: str
    size: BigInt


@strawberry.type(description="A file path: its digest per version, null when absent.")
class ComparedFile:
    path: str
    files: list[FileDigestType | None]
    status: rules.RowStatus
    differs: bool


@strawberry.type(description="Versions side by side.")
class VersionComparison:
    versions: list[ModelVersionNode] = strawberry.field(description="In the requested order.")
    params: list[ComparedParam]
    metrics: list[ComparedMetric]
    signature: list[ComparedSignatureColumn]
    dependencies: list[ComparedDependency]
    files: list[ComparedFile]


def _time(millis: int) -> datetime:
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def _points(points: tuple[rules.MetricPoint, ...]) -> list[MetricPoint]:
    return [
        MetricPoint(value=p.value, step=p.step, timestamp=_time(p.timestamp_ms)) for p in points
    ]


def _digest(found: rules.FileDigest | None) -> FileDigestType | None:
    return FileDigestType(sha256=found.sha256, size=BigInt(found.size)) if found else None


def to_graphql(found: compare_service.ComparedVersions) -> VersionComparison:
    c = found.comparison
    return VersionComparison(
        versions=[ModelVersionNode.from_row(r) for r in found.rows],
        params=[
            ComparedParam(key=r.key, values=list(r.values), status=r.status, differs=r.differs)
            for r in c.params
        ],
        metrics=[
            ComparedMetric(
                key=r.key,
                latest=list(r.latest),
                present=list(r.present),
                history=[
                    MetricSeries(version=v, points=_points(h))
                    for v, h in zip(c.versions, r.history, strict=True)
                ],
                status=r.status,
                differs=r.differs,
            )
            for r in c.metrics
        ],
        signature=[
            ComparedSignatureColumn(
                section=r.section,
                name=r.name,
                columns=[column_or_none(col) for col in r.columns],
                status=r.status,
                differs=r.differs,
            )
            for r in c.signature
        ],
        dependencies=[
            ComparedDependency(
                name=r.name,
                specifiers=list(r.specifiers),
                versions=list(r.versions),
                status=r.status,
                differs=r.differs,
            )
            for r in c.dependencies
        ],
        files=[
            ComparedFile(
                path=r.path,
                files=[_digest(f) for f in r.files],
                status=r.status,
                differs=r.differs,
            )
            for r in c.files
        ],
    )


async def compare_versions(
    info: Info,
    model: Annotated[strawberry.ID, strawberry.argument(description="A RegisteredModel ID.")],
    versions: Annotated[
        list[str],
        strawberry.argument(description="2 to 10 SemVer strings, compared in this order."),
    ],
) -> VersionComparison:
    model_id = decode_id(model, "RegisteredModel", field="model")
    async with info.context.read() as session:
        found = await compare_service.compare_versions(
            session, actor=info.context.actor, model_id=model_id, versions=versions
        )
    for row in found.rows:
        if row.id is not None:
            info.context.loaders.version.prime(row.id, row)
    return to_graphql(found)
