"""Finding things by their human names, as URLs and the MLflow client name them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import ModelVersion, Project, RegisteredModel
from modelreg.domain.actor import Actor
from modelreg.errors import NotFound
from modelreg.services.models import find_model_by_name
from modelreg.services.projects import get_project_by_path
from modelreg.services.versions import find_version


@dataclass(frozen=True, slots=True)
class VersionRef:
    project: Project
    model: RegisteredModel
    version: ModelVersion


async def version_by_names(
    session: AsyncSession, *, actor: Actor, project: str, model: str, version: str
) -> VersionRef:
    """The version `project/model/version`, or NotFound naming the first part that is missing.

    A project `actor` may not read counts as missing.
    """
    found_project = await get_project_by_path(session, path=project, actor=actor, field="project")
    assert found_project.id is not None
    found_model = await find_model_by_name(session, project_id=found_project.id, name=model)
    if found_model is None or found_model.id is None:
        raise NotFound(f"Project '{project}' has no model named '{model}'.", field="model")
    found_version = await find_version(session, model_id=found_model.id, version=version)
    if found_version is None:
        raise NotFound(f"Model '{model}' has no version {version}.", field="version")
    return VersionRef(found_project, found_model, found_version)
