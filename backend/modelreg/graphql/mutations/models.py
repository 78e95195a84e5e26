from __future__ import annotations

import strawberry

from modelreg.db.models import RegisteredModel
from modelreg.graphql.context import Info
from modelreg.graphql.errors import UserError, run_mutation
from modelreg.graphql.ids import decode_id, encode_id
from modelreg.graphql.mutations.common import DeletePayload, TagInput, tag_pairs
from modelreg.graphql.types import RegisteredModelNode
from modelreg.services import models as model_service


@strawberry.input
class CreateModelInput:
    project_id: strawberry.ID
    name: str
    description: str = strawberry.field(default="", description="The model card, in Markdown.")
    tags: list[TagInput] | None = None


@strawberry.input(description="Fields left out stay as they are. Renaming keeps all versions.")
class UpdateModelInput:
    id: strawberry.ID
    name: str | None = None
    description: str | None = None


@strawberry.input
class DeleteModelInput:
    id: strawberry.ID


@strawberry.input(description="Adds tags, or changes the value of tags the model already has.")
class SetModelTagsInput:
    id: strawberry.ID
    tags: list[TagInput]


@strawberry.input
class DeleteModelTagsInput:
    id: strawberry.ID
    keys: list[str]


@strawberry.type
class ModelPayload:
    model: RegisteredModelNode | None
    errors: list[UserError]


def _payload(info: Info, row: RegisteredModel | None, errors: list[UserError]) -> ModelPayload:
    model = RegisteredModelNode.from_row(row, info.context) if row else None
    return ModelPayload(model=model, errors=errors)


@strawberry.type
class ModelMutations:
    @strawberry.mutation
    async def create_model(self, info: Info, input: CreateModelInput) -> ModelPayload:
        row, errors = await run_mutation(
            info,
            lambda s: model_service.create_model(
                s,
                actor=info.context.actor,
                project_id=decode_id(input.project_id, "Project", field="projectId"),
                name=input.name,
                description=input.description,
                tags=tag_pairs(input.tags),
            ),
        )
        return _payload(info, row, errors)

    @strawberry.mutation
    async def update_model(self, info: Info, input: UpdateModelInput) -> ModelPayload:
        row, errors = await run_mutation(
            info,
            lambda s: model_service.update_model(
                s,
                actor=info.context.actor,
                model_id=decode_id(input.id, "RegisteredModel"),
                name=input.name,
                description=input.description,
            ),
        )
        return _payload(info, row, errors)

    @strawberry.mutation(description="Deletes the model with all its versions.")
    async def delete_model(self, info: Info, input: DeleteModelInput) -> DeletePayload:
        row, errors = await run_mutation(
            info,
            lambda s: model_service.delete_model(
                s,
                actor=info.context.actor,
                storage=info.context.storage,
                model_id=decode_id(input.id, "RegisteredModel"),
            ),
        )
        deleted = strawberry.ID(encode_id("RegisteredModel", row.id)) if row and row.id else None
        return DeletePayload(deleted_id=deleted, errors=errors)

    @strawberry.mutation
    async def set_model_tags(self, info: Info, input: SetModelTagsInput) -> ModelPayload:
        row, errors = await run_mutation(
            info,
            lambda s: model_service.set_model_tags(
                s,
                actor=info.context.actor,
                model_id=decode_id(input.id, "RegisteredModel"),
                tags=tag_pairs(input.tags),
            ),
        )
        return _payload(info, row, errors)

    @strawberry.mutation
    async def delete_model_tags(self, info: Info, input: DeleteModelTagsInput) -> ModelPayload:
        row, errors = await run_mutation(
            info,
            lambda s: model_service.delete_model_tags(
                s,
                actor=info.context.actor,
                model_id=decode_id(input.id, "RegisteredModel"),
                keys=input.keys,
            ),
        )
        return _payload(info, row, errors)
