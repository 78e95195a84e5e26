from __future__ import annotations

import strawberry

from modelreg.db.models import Project
from modelreg.domain.compatibility import SemverGuard
from modelreg.domain.policy import Visibility
from modelreg.graphql.context import Info
from modelreg.graphql.errors import UserError, run_mutation
from modelreg.graphql.ids import decode_id, encode_id
from modelreg.graphql.mutations.common import DeletePayload
from modelreg.graphql.types import ProjectNode
from modelreg.services import projects as project_service


@strawberry.input
class CreateProjectInput:
    path: str = strawberry.field(description="URL slug: lowercase letters, digits, '.', '_', '-'.")
    name: str | None = strawberry.field(default=None, description="Defaults to the path.")
    description: str = ""
    visibility: Visibility = Visibility.PRIVATE


@strawberry.input
class UpdateProjectInput:
    id: strawberry.ID
    path: str | None = None
    name: str | None = None
    description: str | None = None
    visibility: Visibility | None = None
    semver_guard: SemverGuard | None = strawberry.field(
        default=None,
        description="What the SemVer guard does with a version numbered lower than its "
        "changes require (OWNER, like visibility).",
    )


@strawberry.input
class DeleteProjectInput:
    id: strawberry.ID


@strawberry.type
class ProjectPayload:
    project: ProjectNode | None
    errors: list[UserError]


def _payload(row: Project | None, errors: list[UserError]) -> ProjectPayload:
    return ProjectPayload(project=ProjectNode.from_row(row) if row else None, errors=errors)


@strawberry.type
class ProjectMutations:
    @strawberry.mutation
    async def create_project(self, info: Info, input: CreateProjectInput) -> ProjectPayload:
        row, errors = await run_mutation(
            info,
            lambda s: project_service.create_project(
                s,
                actor=info.context.actor,
                path=input.path,
                name=input.name,
                description=input.description,
                visibility=input.visibility,
            ),
        )
        return _payload(row, errors)

    @strawberry.mutation
    async def update_project(self, info: Info, input: UpdateProjectInput) -> ProjectPayload:
        row, errors = await run_mutation(
            info,
            lambda s: project_service.update_project(
                s,
                actor=info.context.actor,
                project_id=decode_id(input.id, "Project"),
                path=input.path,
                name=input.name,
                description=input.description,
                visibility=input.visibility,
                semver_guard=input.semver_guard,
            ),
        )
        return _payload(row, errors)

    @strawberry.mutation(description="Deletes the project with all its models and versions.")
    async def delete_project(self, info: Info, input: DeleteProjectInput) -> DeletePayload:
        row, errors = await run_mutation(
            info,
            lambda s: project_service.delete_project(
                s,
                actor=info.context.actor,
                storage=info.context.storage,
                project_id=decode_id(input.id, "Project"),
            ),
        )
        deleted = strawberry.ID(encode_id("Project", row.id)) if row and row.id else None
        return DeletePayload(deleted_id=deleted, errors=errors)
