from __future__ import annotations

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import ModelVersion
from modelreg.graphql.context import Info
from modelreg.graphql.errors import UserError, run_mutation
from modelreg.graphql.ids import decode_id, encode_id
from modelreg.graphql.mutations.common import DeletePayload, TagInput, tag_pairs
from modelreg.graphql.version_node import ModelVersionNode
from modelreg.services import files as file_service
from modelreg.services import versions as version_service


@strawberry.input
class CreateVersionInput:
    model_id: strawberry.ID
    version: str = strawberry.field(description="A SemVer 2.0 string such as 1.0.0 or 2.0.1-rc2.")
    description: str = ""
    tags: list[TagInput] | None = None


@strawberry.input
class UpdateVersionInput:
    id: strawberry.ID
    description: str | None = None


@strawberry.input
class DeleteVersionInput:
    id: strawberry.ID


@strawberry.input
class SetVersionTagsInput:
    id: strawberry.ID
    tags: list[TagInput]


@strawberry.input
class DeleteVersionTagsInput:
    id: strawberry.ID
    keys: list[str]


@strawberry.type
class VersionPayload:
    model_version: ModelVersionNode | None
    errors: list[UserError]


def _payload(row: ModelVersion | None, errors: list[UserError]) -> VersionPayload:
    return VersionPayload(
        model_version=ModelVersionNode.from_row(row) if row else None, errors=errors
    )


@strawberry.type
class VersionMutations:
    @strawberry.mutation
    async def create_version(self, info: Info, input: CreateVersionInput) -> VersionPayload:
        row, errors = await run_mutation(
            info,
            lambda s: version_service.create_version(
                s,
                actor=info.context.actor,
                model_id=decode_id(input.model_id, "RegisteredModel", field="modelId"),
                version=input.version,
                description=input.description,
                tags=tag_pairs(input.tags),
            ),
        )
        return _payload(row, errors)

    @strawberry.mutation
    async def update_version(self, info: Info, input: UpdateVersionInput) -> VersionPayload:
        row, errors = await run_mutation(
            info,
            lambda s: version_service.update_version(
                s,
                actor=info.context.actor,
                version_id=decode_id(input.id, "ModelVersion"),
                description=input.description,
            ),
        )
        return _payload(row, errors)

    @strawberry.mutation
    async def delete_version(self, info: Info, input: DeleteVersionInput) -> DeletePayload:
        row, errors = await run_mutation(
            info,
            lambda s: version_service.delete_version(
                s,
                actor=info.context.actor,
                storage=info.context.storage,
                version_id=decode_id(input.id, "ModelVersion"),
            ),
        )
        deleted = strawberry.ID(encode_id("ModelVersion", row.id)) if row and row.id else None
        return DeletePayload(deleted_id=deleted, errors=errors)

    @strawberry.mutation
    async def set_version_tags(self, info: Info, input: SetVersionTagsInput) -> VersionPayload:
        row, errors = await run_mutation(
            info,
            lambda s: version_service.set_version_tags(
                s,
                actor=info.context.actor,
                version_id=decode_id(input.id, "ModelVersion"),
                tags=tag_pairs(input.tags),
            ),
        )
        return _payload(row, errors)

    @strawberry.mutation
    async def delete_version_tags(
        self, info: Info, input: DeleteVersionTagsInput
    ) -> VersionPayload:
        row, errors = await run_mutation(
            info,
            lambda s: version_service.delete_version_tags(
                s,
                actor=info.context.actor,
                version_id=decode_id(input.id, "ModelVersion"),
                keys=input.keys,
            ),
        )
        return _payload(row, errors)


@strawberry.input(description="Deletes several files of a version at once: all or none.")
class DeleteFilesInput:
    version_id: strawberry.ID
    paths: list[str]


@strawberry.type
class DeleteFilesPayload:
    model_version: ModelVersionNode | None
    deleted_paths: list[str]
    errors: list[UserError]


@strawberry.type
class FileMutations:
    @strawberry.mutation
    async def delete_files(self, info: Info, input: DeleteFilesInput) -> DeleteFilesPayload:
        async def action(session: AsyncSession) -> tuple[ModelVersion, list[str]]:
            version_id = decode_id(input.version_id, "ModelVersion", field="versionId")
            deleted = await file_service.delete_files(
                session,
                actor=info.context.actor,
                storage=info.context.storage,
                version_id=version_id,
                paths=input.paths,
            )
            found, _ = await version_service.get_version(
                session, version_id=version_id, actor=info.context.actor
            )
            return found, deleted

        result, errors = await run_mutation(info, action)
        if result is None:
            return DeleteFilesPayload(model_version=None, deleted_paths=[], errors=errors)
        row, deleted = result
        return DeleteFilesPayload(
            model_version=ModelVersionNode.from_row(row), deleted_paths=deleted, errors=errors
        )
