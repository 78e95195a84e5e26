"""Compare 2..10 versions of a model side by side, in a constant number of SQL statements:
the model (and the viewer's access), the versions, their runs' params, their runs' metric
history, their metadata, their files.

Params and metrics come from the MLflow run each version names (`run_uuid`), and only from runs
in projects the viewer may read (a client may name any run when it registers a version).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import (
    Artifact,
    Blob,
    Experiment,
    ModelVersion,
    Project,
    Run,
    RunMetric,
    RunParam,
)
from modelreg.domain.actor import Actor
from modelreg.domain.compare import (
    MAX_COMPARED,
    MIN_COMPARED,
    Comparison,
    FileDigest,
    MetricPoint,
    VersionData,
    compare,
)
from modelreg.errors import InvalidArgument, NotFound
from modelreg.services import access
from modelreg.services.metadata import metadata_by_versions
from modelreg.services.models import get_model
from modelreg.services.tracking import metric_value


@dataclass(frozen=True, slots=True)
class ComparedVersions:
    rows: tuple[ModelVersion, ...]  # in the requested order
    comparison: Comparison


def _check_request(versions: Sequence[str]) -> None:
    if not MIN_COMPARED <= len(versions) <= MAX_COMPARED:
        raise InvalidArgument(
            f"Compare {MIN_COMPARED} to {MAX_COMPARED} versions; {len(versions)} "
            f"{'was' if len(versions) == 1 else 'were'} given.",
            field="versions",
        )
    seen: set[str] = set()
    for version in versions:
        if version in seen:
            raise InvalidArgument(
                f"Version {version} is given more than once; name each version once.",
                field="versions",
            )
        seen.add(version)


async def compare_versions(
    session: AsyncSession, *, actor: Actor, model_id: int, versions: Sequence[str]
) -> ComparedVersions:
    """The versions named (SemVer strings, compared in that order; the first is the baseline).

    NOT_FOUND for a model the actor may not read, exactly as for a missing one, and for a
    version the model does not have; INVALID_ARGUMENT (field "versions") for fewer than 2, more
    than 10 or the same version twice.
    """
    _check_request(versions)
    await get_model(session, model_id=model_id, actor=actor, field="model")
    found = {
        v.version: v
        for v in await session.exec(
            select(ModelVersion).where(
                ModelVersion.model_id == model_id, col(ModelVersion.version).in_(list(versions))
            )
        )
    }
    missing = [v for v in versions if v not in found]
    if missing:
        names = ", ".join(missing)
        raise NotFound(
            f"The model has no version {names}; compare versions it has.", field="versions"
        )
    rows = tuple(found[v] for v in versions)
    ids = [r.id for r in rows if r.id is not None]
    run_uuids = sorted({r.run_uuid for r in rows if r.run_uuid})

    params: dict[str, dict[str, str]] = defaultdict(dict)
    metrics: dict[str, dict[str, list[MetricPoint]]] = defaultdict(lambda: defaultdict(list))
    if run_uuids:
        readable_runs = (
            select(Run.id)
            .join(Experiment, col(Experiment.id) == col(Run.experiment_id))
            .join(Project, col(Project.id) == col(Experiment.project_id))
            .where(col(Run.uuid).in_(run_uuids), access.readable_projects(actor))
        )
        for uuid, key, value in await session.exec(
            select(Run.uuid, RunParam.key, RunParam.value)
            .join(Run, col(Run.id) == col(RunParam.run_id))
            .where(col(RunParam.run_id).in_(readable_runs))
        ):
            params[uuid][key] = value
        for uuid, metric in await session.exec(
            select(Run.uuid, RunMetric)
            .join(Run, col(Run.id) == col(RunMetric.run_id))
            .where(col(RunMetric.run_id).in_(readable_runs))
        ):
            metrics[uuid][metric.key].append(
                MetricPoint(
                    step=metric.step,
                    timestamp_ms=metric.timestamp,
                    value=metric_value(metric),  # NaN and infinities: None in compare()
                )
            )
    metadata = await metadata_by_versions(session, ids)
    files: dict[int, dict[str, FileDigest]] = defaultdict(dict)
    for version_id, path, sha256, size in await session.exec(
        select(Artifact.version_id, Artifact.path, Blob.sha256, Blob.size)
        .join(Blob, col(Blob.id) == col(Artifact.blob_id))
        .where(col(Artifact.version_id).in_(ids))
    ):
        files[version_id][path] = FileDigest(sha256=sha256, size=size)

    data = []
    for row in rows:
        assert row.id is not None
        run = row.run_uuid or ""
        data.append(
            VersionData(
                version=row.version,
                params=dict(params.get(run, {})),
                metrics={k: tuple(v) for k, v in metrics.get(run, {}).items()},
                metadata=metadata.get(row.id),
                files=dict(files.get(row.id, {})),
            )
        )
    return ComparedVersions(rows=rows, comparison=compare(data))
