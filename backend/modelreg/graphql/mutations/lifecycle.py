from __future__ import annotations

import strawberry

from modelreg.db.models import Comment, ModelAlias, TransitionRequest
from modelreg.domain.lifecycle import Stage
from modelreg.graphql.context import Info
from modelreg.graphql.errors import UserError, run_mutation
from modelreg.graphql.ids import decode_id, encode_id
from modelreg.graphql.lifecycle import CommentType, ModelAliasType, TransitionRequestType
from modelreg.graphql.mutations.common import DeletePayload
from modelreg.graphql.mutations.versions import VersionPayload
from modelreg.graphql.version_node import ModelVersionNode
from modelreg.services import comments as comment_service
from modelreg.services import lifecycle as lifecycle_service


@strawberry.input(description="Moves a version to a stage now (for those allowed to).")
class TransitionStageInput:
    version_id: strawberry.ID
    stage: Stage
    comment: str = strawberry.field(default="", description="Markdown; shown in the activity.")
    archive_existing: bool = strawberry.field(
        default=False,
        description="Move the model's other versions in `stage` to ARCHIVED in the same step.",
    )


@strawberry.input(description="Asks someone allowed to transition the version to do it.")
class RequestTransitionInput:
    version_id: strawberry.ID
    stage: Stage
    comment: str = ""
    archive_existing: bool = False


@strawberry.input
class ApproveTransitionRequestInput:
    id: strawberry.ID
    comment: str = ""
    archive_existing: bool | None = strawberry.field(
        default=None, description="Overrides the requester's choice when given."
    )


@strawberry.input
class ResolveTransitionRequestInput:
    id: strawberry.ID
    comment: str = ""


@strawberry.input(description="Points the alias at the version, moving it if it is elsewhere.")
class SetAliasInput:
    version_id: strawberry.ID
    alias: str


@strawberry.input
class DeleteAliasInput:
    model_id: strawberry.ID
    alias: str


@strawberry.input
class AddCommentInput:
    version_id: strawberry.ID
    body: str = strawberry.field(description="Markdown.")


@strawberry.input
class EditCommentInput:
    id: strawberry.ID
    body: str


@strawberry.input
class DeleteCommentInput:
    id: strawberry.ID


@strawberry.type
class TransitionRequestPayload:
    transition_request: TransitionRequestType | None
    errors: list[UserError]


@strawberry.type
class ModelAliasPayload:
    model_alias: ModelAliasType | None
    errors: list[UserError]


@strawberry.type
class CommentPayload:
    comment: CommentType | None
    errors: list[UserError]


def _request(row: TransitionRequest | None, errors: list[UserError]) -> TransitionRequestPayload:
    return TransitionRequestPayload(
        transition_request=TransitionRequestType.from_row(row) if row else None, errors=errors
    )


def _alias(row: ModelAlias | None, errors: list[UserError]) -> ModelAliasPayload:
    return ModelAliasPayload(
        model_alias=ModelAliasType.from_row(row) if row else None, errors=errors
    )


def _comment(row: Comment | None, errors: list[UserError]) -> CommentPayload:
    return CommentPayload(comment=CommentType.from_row(row) if row else None, errors=errors)


def _version_id(value: strawberry.ID) -> int:
    return decode_id(value, "ModelVersion", field="versionId")


def _request_id(value: strawberry.ID) -> int:
    return decode_id(value, "TransitionRequest")


@strawberry.type
class LifecycleMutations:
    @strawberry.mutation
    async def transition_stage(self, info: Info, input: TransitionStageInput) -> VersionPayload:
        row, errors = await run_mutation(
            info,
            lambda s: lifecycle_service.transition_stage(
                s,
                actor=info.context.actor,
                version_id=_version_id(input.version_id),
                stage=input.stage,
                comment=input.comment,
                archive_existing=input.archive_existing,
            ),
        )
        return VersionPayload(
            model_version=ModelVersionNode.from_row(row) if row else None, errors=errors
        )

    @strawberry.mutation
    async def request_transition(
        self, info: Info, input: RequestTransitionInput
    ) -> TransitionRequestPayload:
        row, errors = await run_mutation(
            info,
            lambda s: lifecycle_service.request_transition(
                s,
                actor=info.context.actor,
                version_id=_version_id(input.version_id),
                stage=input.stage,
                comment=input.comment,
                archive_existing=input.archive_existing,
            ),
        )
        return _request(row, errors)

    @strawberry.mutation(description="Approves a pending request and performs the transition.")
    async def approve_transition_request(
        self, info: Info, input: ApproveTransitionRequestInput
    ) -> TransitionRequestPayload:
        row, errors = await run_mutation(
            info,
            lambda s: lifecycle_service.approve_request(
                s,
                actor=info.context.actor,
                request_id=_request_id(input.id),
                comment=input.comment,
                archive_existing=input.archive_existing,
            ),
        )
        return _request(row, errors)

    @strawberry.mutation
    async def reject_transition_request(
        self, info: Info, input: ResolveTransitionRequestInput
    ) -> TransitionRequestPayload:
        row, errors = await run_mutation(
            info,
            lambda s: lifecycle_service.reject_request(
                s, actor=info.context.actor, request_id=_request_id(input.id), comment=input.comment
            ),
        )
        return _request(row, errors)

    @strawberry.mutation(description="Withdraws a pending request; only its requester may.")
    async def cancel_transition_request(
        self, info: Info, input: ResolveTransitionRequestInput
    ) -> TransitionRequestPayload:
        row, errors = await run_mutation(
            info,
            lambda s: lifecycle_service.cancel_request(
                s, actor=info.context.actor, request_id=_request_id(input.id), comment=input.comment
            ),
        )
        return _request(row, errors)

    @strawberry.mutation
    async def set_alias(self, info: Info, input: SetAliasInput) -> ModelAliasPayload:
        row, errors = await run_mutation(
            info,
            lambda s: lifecycle_service.set_alias(
                s,
                actor=info.context.actor,
                version_id=_version_id(input.version_id),
                alias=input.alias,
            ),
        )
        return _alias(row, errors)

    @strawberry.mutation(description="Removes the alias; the payload shows what it pointed at.")
    async def delete_alias(self, info: Info, input: DeleteAliasInput) -> ModelAliasPayload:
        row, errors = await run_mutation(
            info,
            lambda s: lifecycle_service.delete_alias(
                s,
                actor=info.context.actor,
                model_id=decode_id(input.model_id, "RegisteredModel", field="modelId"),
                alias=input.alias,
            ),
        )
        return _alias(row, errors)

    @strawberry.mutation
    async def add_comment(self, info: Info, input: AddCommentInput) -> CommentPayload:
        row, errors = await run_mutation(
            info,
            lambda s: comment_service.add_comment(
                s,
                actor=info.context.actor,
                version_id=_version_id(input.version_id),
                body=input.body,
            ),
        )
        return _comment(row, errors)

    @strawberry.mutation(description="Changes a comment's text; only its author may.")
    async def edit_comment(self, info: Info, input: EditCommentInput) -> CommentPayload:
        row, errors = await run_mutation(
            info,
            lambda s: comment_service.edit_comment(
                s,
                actor=info.context.actor,
                comment_id=decode_id(input.id, "Comment"),
                body=input.body,
            ),
        )
        return _comment(row, errors)

    @strawberry.mutation(description="Deletes a comment; only its author may.")
    async def delete_comment(self, info: Info, input: DeleteCommentInput) -> DeletePayload:
        row, errors = await run_mutation(
            info,
            lambda s: comment_service.delete_comment(
                s, actor=info.context.actor, comment_id=decode_id(input.id, "Comment")
            ),
        )
        deleted = strawberry.ID(encode_id("Comment", row.id)) if row and row.id else None
        return DeletePayload(deleted_id=deleted, errors=errors)
