from __future__ import annotations

from functools import cached_property
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.extensions import MaxTokensLimiter
from strawberry.types import ExecutionContext

from modelreg.errors import InvalidArgument
from modelreg.graphql import compare, permissions
from modelreg.graphql.accounts import AccountQueries
from modelreg.graphql.context import Info
from modelreg.graphql.deployments import DeploymentMutations, DeploymentQueries
from modelreg.graphql.document_cache import DocumentCache
from modelreg.graphql.errors import ReadSessionExtension
from modelreg.graphql.execution import LeafFastExecutor
from modelreg.graphql.guard import RequestGuard
from modelreg.graphql.inbox import InboxQueries
from modelreg.graphql.limits import DocumentLimits
from modelreg.graphql.mutations import (
    AccountMutations,
    FileMutations,
    LifecycleMutations,
    ModelMutations,
    ProjectMutations,
    VersionMutations,
)
from modelreg.graphql.mutations.webhooks import WebhookMutations
from modelreg.graphql.node_common import BIG_INT_SCALAR, BigInt
from modelreg.graphql.notifications import NotificationMutations
from modelreg.graphql.redaction import SecretInputs
from modelreg.graphql.reporting import report_errors
from modelreg.graphql.subscriptions import Subscription
from modelreg.graphql.types import (
    ProjectConnection,
    ProjectNode,
    RegisteredModelNode,
    list_projects,
)
from modelreg.graphql.version_node import ModelVersionNode
from modelreg.graphql.webhooks import WebhookNode, WebhookQueries
from modelreg.services import projects as project_service
from modelreg.settings import Settings

NODE_TYPES: dict[
    str,
    type[ProjectNode] | type[RegisteredModelNode] | type[ModelVersionNode] | type[WebhookNode],
] = {
    "Project": ProjectNode,
    "RegisteredModel": RegisteredModelNode,
    "ModelVersion": ModelVersionNode,
    "Webhook": WebhookNode,
}


@strawberry.type
class Query(AccountQueries, InboxQueries, WebhookQueries, DeploymentQueries):
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
            # Its role read with it: the permission check below needs no statement of its own.
            row = await project_service.find_project_and_role(
                session, path=path, actor=info.context.actor
            )
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
    WebhookMutations,
    NotificationMutations,
    DeploymentMutations,
):
    pass


class RegistrySchema(strawberry.Schema):
    document_cache: DocumentCache | None = None

    @cached_property
    def secret_inputs(self) -> SecretInputs:
        return SecretInputs.from_schema(self._schema)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Instead of strawberry's logging (each error at ERROR, with the document's text):
        # shape what the client gets, and log it as `reporting` explains.
        report_errors(errors, execution_context, self.secret_inputs)


# Parsed and validated documents kept per schema: clients send the same few again and again.
# A document weighing more than CACHE_ENTRY_BYTES (about 500 KiB of text, or 1,600 tokens) is
# not kept: it is rarely sent twice.
CACHE_BYTES = 32 * 1024 * 1024
CACHE_ENTRY_BYTES = 1024 * 1024
CACHE_ENTRIES = 512


def create_schema(settings: Settings) -> RegistrySchema:
    cache = DocumentCache(
        max_bytes=CACHE_BYTES, max_entries=CACHE_ENTRIES, max_entry_bytes=CACHE_ENTRY_BYTES
    )
    document_limits = DocumentLimits(
        max_depth=settings.query_max_depth,
        max_aliases=settings.query_max_aliases,
        max_complexity=settings.query_max_complexity,
    )
    schema = RegistrySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        scalar_overrides={BigInt: BIG_INT_SCALAR},
        execution_context_class=LeafFastExecutor,
        extensions=[
            ReadSessionExtension,
            lambda: MaxTokensLimiter(max_token_count=settings.query_max_tokens),
            lambda: RequestGuard(
                cache=cache, document_limits=document_limits, secret_inputs=schema.secret_inputs
            ),
        ],
    )
    schema.document_cache = cache
    return schema


def export_schema() -> str:
    return create_schema(Settings()).as_str() + "\n"
