from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from modelreg.graphql.context import Info
from modelreg.graphql.errors import ErrorPolicy
from modelreg.graphql.mutations import ModelMutations, ProjectMutations, VersionMutations
from modelreg.graphql.types import ProjectConnection, ProjectNode, list_projects
from modelreg.services import projects as project_service
from modelreg.settings import Settings


@strawberry.type
class Query:
    node: relay.Node | None = relay.node(description="Any object by its global ID.")

    @strawberry.field(description="The project at this URL path, if it exists.")
    async def project(self, info: Info, path: str) -> ProjectNode | None:
        async with info.context.db.read() as session:
            row = await project_service.find_project_by_path(session, path=path)
        return ProjectNode.from_row(row) if row else None

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
class Mutation(ProjectMutations, ModelMutations, VersionMutations):
    pass


def create_schema(settings: Settings) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[
            ErrorPolicy(),
            QueryDepthLimiter(max_depth=settings.query_max_depth),
            MaxAliasesLimiter(max_alias_count=settings.query_max_aliases),
            MaxTokensLimiter(max_token_count=settings.query_max_tokens),
        ],
    )


def export_schema() -> str:
    return create_schema(Settings()).as_str() + "\n"
