from __future__ import annotations

from typing import Annotated

import strawberry
from graphql.validation import ASTValidationRule
from strawberry import relay
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

from modelreg.errors import InvalidArgument
from modelreg.graphql import compare, permissions
from modelreg.graphql.accounts import AccountQueries
from modelreg.graphql.context import Info
from modelreg.graphql.errors import ErrorPolicy, ReadSessionExtension
from modelreg.graphql.mutations import (
    AccountMutations,
    FileMutations,
    LifecycleMutations,
    ModelMutations,
    ProjectMutations,
    VersionMutations,
)
from modelreg.graphql.subscriptions import Subscription
from modelreg.graphql.types import (
    BIG_INT_SCALAR,
    BigInt,
    ModelVersionNode,
    ProjectConnection,
    ProjectNode,
    RegisteredModelNode,
    list_projects,
)
from modelreg.services import projects as project_service
from modelreg.settings import Settings

NODE_TYPES: dict[str, type[ProjectNode] | type[RegisteredModelNode] | type[ModelVersionNode]] = {
    "Project": ProjectNode,
    "RegisteredModel": RegisteredModelNode,
    "ModelVersion": ModelVersionNode,
}


@strawberry.type
class Query(AccountQueries):
    @strawberry.field(description="Any object by its global ID; null when it does not exist.")
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        try:
            gid = relay.GlobalID.from_id(id)
            node_type = NODE_TYPES[gid.type_name]
            pk = int(gid.node_id)
        except (relay.GlobalIDValueError, KeyError, ValueError):
            raise InvalidArgument(f"'{id}' is not a valid ID.", field="id") from None
        found = await node_type.resolve_nodes(info=info, node_ids=[str(pk)])
        return found[0]

    @strawberry.field(description="The project at this URL path, if it exists.")
    async def project(self, info: Info, path: str) -> ProjectNode | None:
        async with info.context.read() as session:
            row = await project_service.find_project_by_path(session, path=path)
        if row is None or row.id is None or not (await permissions.readable(info, [row]))[0]:
            return None  # a project the viewer may not read does not exist for them
        info.context.loaders.project.prime(row.id, row)
        return ProjectNode.from_row(row)

    compare_versions: compare.VersionComparison = strawberry.field(
        resolver=compare.compare_versions,
        description="Versions of a model side by side: parameters, metrics (with step history), "
        "signature, dependencies and files, each row marking whether it differs from the first "
        "version. NOT_FOUND for a model the viewer may not read or a version it does not have; "
        "INVALID_ARGUMENT (field `versions`) for fewer than 2, more than 10 or duplicates.",
    )

    @strawberry.field(description="Projects, sorted by path.")
    async def projects(
        self,
        info: Info,
        search: Annotated[
            str | None,
            strawberry.argument(description="Case-insensitive substring of the path or name."),
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ProjectConnection:
        return await list_projects(info, search, first, after)


@strawberry.type
class Mutation(
    AccountMutations,
    ProjectMutations,
    ModelMutations,
    VersionMutations,
    FileMutations,
    LifecycleMutations,
):
    pass


def create_schema(settings: Settings) -> strawberry.Schema:
    # Limit rules are built once per schema, so the validation cache can recognise them.
    limits: list[type[ASTValidationRule]] = [
        depth_rule(settings.query_max_depth, should_ignore=None),
        alias_rule(settings.query_max_aliases),
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides={BigInt: BIG_INT_SCALAR},
        extensions=[
            ErrorPolicy,
            ReadSessionExtension,
            lambda: MaxTokensLimiter(max_token_count=settings.query_max_tokens),
            lambda: AddValidationRules(limits),
            # Clients send the same few documents again and again: parse and validate each once.
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
        ],
    )


def export_schema() -> str:
    return create_schema(Settings()).as_str() + "\n"
