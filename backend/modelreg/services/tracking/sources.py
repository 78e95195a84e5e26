"""Source-URI resolution: what a model version registered from a run, a logged model, an artifact
path or another version (`runs:/`, `models:/m-...`, `mlflow-artifacts:/...`) starts with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import (
    Artifact,
    Blob,
    Experiment,
    LoggedModel,
    TrackedFile,
)
from modelreg.domain import tracking as rules
from modelreg.domain.actor import Actor
from modelreg.domain.policy import Ability
from modelreg.errors import NotFound
from modelreg.services.projects import get_project_by_path
from modelreg.services.tracking.artifacts import _tracked_under
from modelreg.services.tracking.common import _project, run_in_project
from modelreg.services.tracking.experiments import experiment_id_of
from modelreg.services.tracking.logged_models import get_logged_model
from modelreg.services.versions import get_version


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
    A run this project does not know (`runs:/<id>/...`) is accepted, as MLflow does: its tracking
    server may be another one; the version then keeps the run id and starts with no files.
    A logged model named by the source that does not exist is NOT_FOUND.
    """
    project = await _project(session, actor, project_id, Ability.READ)
    parsed = rules.parse_source(source)
    if isinstance(parsed, rules.RunSource):
        found_run = await run_in_project(session, project_id, parsed.run_uuid)
        if found_run is None:
            return SourceFiles(run_uuid or parsed.run_uuid, None, [])
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
            and await run_in_project(session, where.id, owner_run) is None
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
