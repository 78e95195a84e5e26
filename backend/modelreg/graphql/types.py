"""Node types: Project and RegisteredModel, and the connections of all three node types (the
ModelVersion node is `version_node.py`; what they share, `node_common.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from modelreg.db.models import Project, RegisteredModel
from modelreg.domain.compatibility import SemverGuard
from modelreg.domain.lifecycle import Stage
from modelreg.domain.policy import Role, Visibility
from modelreg.domain.versions import Bump
from modelreg.errors import NotFound
from modelreg.graphql import inbox, model_page, notifications, permissions, runs, stages
from modelreg.graphql.accounts import Member
from modelreg.graphql.context import Context, Info
from modelreg.graphql.lifecycle import (
    EventConnection,
    ModelAliasType,
    TransitionRequestType,
    activity,
)
from modelreg.graphql.metadata import (
    CompatibilityType,
)
from modelreg.graphql.model_page import Deferred
from modelreg.graphql.node_common import (
    CountedConnection,
    OrderDirection,
    Tag,
    TagFilterInput,
    connection_parts,
    page_size,
    tag_list,
)
from modelreg.graphql.tracking import RunType
from modelreg.graphql.version_node import ModelVersionNode
from modelreg.graphql.webhooks import WebhookNode, project_webhooks
from modelreg.services import compatibility as compatibility_service
from modelreg.services import lifecycle as lifecycle_service
from modelreg.services import models as model_service
from modelreg.services import projects as project_service
from modelreg.services import version_reads
from modelreg.services import versions as version_service

if TYPE_CHECKING:
    pass

strawberry.enum(
    Visibility,
    description="PRIVATE: members only. INTERNAL: any signed-in user. PUBLIC: anyone.",
)
strawberry.enum(model_service.ModelOrderField, name="ModelOrderField")


@strawberry.enum(name="VersionOrderField")
class VersionListOrderField(Enum):
    """How one model's versions may be ordered (the service's NAME orders across models only)."""

    VERSION = version_reads.VersionOrderField.VERSION.value
    NUMBER = version_reads.VersionOrderField.NUMBER.value
    CREATED_AT = version_reads.VersionOrderField.CREATED_AT.value
    UPDATED_AT = version_reads.VersionOrderField.UPDATED_AT.value


@strawberry.input
class ModelOrder:
    field: model_service.ModelOrderField = model_service.ModelOrderField.UPDATED_AT
    direction: OrderDirection = OrderDirection.DESC


@strawberry.input
class VersionOrder:
    field: VersionListOrderField = VersionListOrderField.VERSION
    direction: OrderDirection = OrderDirection.DESC


@strawberry.type(name="Project", description="A namespace of models with its own members.")
class ProjectNode(relay.Node):
    id: relay.NodeID[int]
    path: str = strawberry.field(description="URL slug, unique across the instance.")
    name: str
    description: str = strawberry.field(description="Markdown.")
    visibility: Visibility
    semver_guard: SemverGuard = strawberry.field(
        description="What the SemVer guard does with a version numbered lower than its changes "
        "require: OFF, WARN (default) or ENFORCE."
    )
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Project) -> Self:
        assert row.id is not None
        return cls(
            id=row.id,
            path=row.path,
            name=row.name,
            description=row.description,
            visibility=row.visibility,
            semver_guard=row.semver_guard,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await info.context.loaders.project.load_many([int(i) for i in node_ids])
        visible = await permissions.readable(info, rows)
        return [cls.from_row(r) if r and ok else None for r, ok in zip(rows, visible, strict=True)]

    @strawberry.field(description="The viewer's role in the project; null when not a member.")
    async def viewer_role(self, info: Info) -> Role | None:
        return await info.context.loaders.role.load(self.id)

    @strawberry.field(
        description="Every ability, with whether the viewer has it here and why not. Stage-"
        "dependent abilities are given for versions in None; see `ModelVersion.viewerPermissions`."
    )
    async def viewer_permissions(self, info: Info) -> list[permissions.Permission]:
        return await permissions.permissions(info, self.id)

    @strawberry.field(
        description="The id of the project's latest event; null before the first. An export "
        "with `since_event` set to it later holds only what changed after today."
    )
    async def latest_event_id(self, info: Info) -> int | None:
        return await info.context.loaders.latest_event_id.load(self.id)

    @strawberry.field(description="Members and their roles, highest role first.")
    async def members(self, info: Info) -> list[Member]:
        rows = await info.context.loaders.members.load(self.id)
        return [Member.from_rows(m, u) for m, u in rows or []]

    webhooks: list[WebhookNode] | None = strawberry.field(
        resolver=project_webhooks,
        description="The project's webhooks, oldest first: MAINTAINERs only (others get null "
        "and a PERMISSION_DENIED error).",
    )

    experiments: runs.ExperimentConnection = strawberry.field(
        resolver=runs.project_experiments,
        description="The project's MLflow experiments, newest first (deleted ones left out).",
    )
    experiment: runs.ExperimentType | None = strawberry.field(
        resolver=runs.project_experiment,
        description="The experiment with this MLflow id ('0': Default); null if none.",
    )
    run: RunType | None = strawberry.field(
        resolver=runs.project_run,
        description="The MLflow run with this id in one of the project's experiments; null "
        "if none.",
    )

    @strawberry.field(description="Models of the project, filtered, sorted and paginated.")
    async def models(
        self,
        info: Info,
        search: Annotated[
            str | None,
            strawberry.argument(description="Case-insensitive substring of the model name."),
        ] = None,
        tags: list[TagFilterInput] | None = None,
        filter: Annotated[
            str | None,
            strawberry.argument(
                description="MLflow filter syntax with OR and parentheses: "
                "`name LIKE 'churn%' AND tags.team = 'growth'`; fields `name` and `tags.<key>`; "
                "`=`, `!=`, `LIKE` (case-sensitive), `ILIKE`, `IN (...)`, `NOT IN (...)`."
            ),
        ] = None,
        order_by: ModelOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        offset: Annotated[
            int | None,
            strawberry.argument(
                description="Skip this many models (after `after`, if given): a table's page "
                "number, `offset = (page - 1) * first`."
            ),
        ] = None,
    ) -> RegisteredModelConnection:
        order = order_by or ModelOrder()
        filters = [model_service.TagFilter(t.key, t.value) for t in tags or []]
        size = page_size(info, first)
        async with info.context.read() as session:
            page = await model_service.list_models(
                session,
                project_id=self.id,
                search=search,
                tags=filters,
                filter=filter,
                order_by=order.field,
                descending=order.direction == OrderDirection.DESC,
                first=size,
                after=after,
                offset=offset or 0,
                # Core rows: the page only renders them (an ORM object each was about a tenth
                # of the page's CPU). The model loader is therefore not primed with them; the
                # few fields that load a model by id batch their own statement.
                core_rows=True,
            )

        async def count() -> int:
            async with info.context.read() as session:
                return await model_service.count_models(
                    session, project_id=self.id, search=search, tags=filters, filter=filter
                )

        parts = connection_parts(
            page,
            partial(RegisteredModelNode.from_row, context=info.context),
            edge_cursors=model_page.selects_edge_cursor(info),
        )
        nodes: list[RegisteredModelNode] = [edge.node for edge in parts["edges"]]
        fetched = await model_page.fetch_row_fields(info, [node.id for node in nodes])
        for node in nodes:
            node.use_row_fields(fetched)
        return RegisteredModelConnection(**parts, count=count)

    @strawberry.field(description="Everything that happened in the project, newest first.")
    async def activity(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> EventConnection:
        return await activity(info, first=first, after=after, project_id=self.id)

    @strawberry.field(description="The model with this exact name, if any.")
    async def model(self, info: Info, name: str) -> RegisteredModelNode | None:
        async with info.context.read() as session:
            row = await model_service.find_model_by_name(session, project_id=self.id, name=name)
        return RegisteredModelNode.from_row(row, info.context) if row else None


async def _load_tags(context: Context, model_id: int) -> list[Tag]:
    return tag_list(await context.loaders.model_tags.load(model_id))


async def _load_latest_version(context: Context, model_id: int) -> ModelVersionNode | None:
    row = await context.loaders.latest_version.load(model_id)
    return ModelVersionNode.from_row(row) if row else None


async def _load_version_count(context: Context, model_id: int) -> int:
    return await context.loaders.version_count.load(model_id) or 0


@strawberry.type(name="RegisteredModel", description="A model and its versions.")
class RegisteredModelNode(relay.Node):
    id: relay.NodeID[int]
    name: str
    description: str = strawberry.field(description="The model card, in Markdown.")
    created_by: str
    created_at: datetime
    updated_at: datetime
    project_id: strawberry.Private[int]
    # The fields a list page shows on every row: plain values when a page fetched them for all
    # its rows, else `Deferred`, loaded if selected (see `model_page` for why).
    tags: list[Tag] | Deferred[list[Tag]] = strawberry.field(graphql_type=list[Tag])
    latest_version: ModelVersionNode | Deferred[ModelVersionNode | None] | None = strawberry.field(
        graphql_type=ModelVersionNode | None,
        description="The highest release by SemVer precedence, else the highest prerelease.",
    )
    version_count: int | Deferred[int] = strawberry.field(graphql_type=int)
    viewer_notification_level: notifications.ModelNotificationLevel | None = (
        notifications.MODEL_LEVEL
    )

    @classmethod
    def from_row(cls, row: RegisteredModel | model_service.ModelRow, context: Context) -> Self:
        """From an ORM object or a Core row of the same columns (`list_models(core_rows=...)`)."""
        assert row.id is not None
        return cls(
            id=row.id,
            name=row.name,
            description=row.description,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
            project_id=row.project_id,
            tags=Deferred(_load_tags, context, row.id),
            latest_version=Deferred(_load_latest_version, context, row.id),
            version_count=Deferred(_load_version_count, context, row.id),
        )

    def use_row_fields(self, fetched: model_page.RowFields) -> None:
        """Take the row fields a page fetched for all its rows."""
        if fetched.tags is not None:
            self.tags = tag_list(fetched.tags[self.id])
        if fetched.latest_versions is not None:
            row = fetched.latest_versions[self.id]
            self.latest_version = ModelVersionNode.from_row(row) if row else None
        if fetched.version_counts is not None:
            self.version_count = fetched.version_counts[self.id]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await info.context.loaders.model.load_many([int(i) for i in node_ids])
        visible = await permissions.readable_project_ids(
            info, [r.project_id if r else 0 for r in rows]
        )
        return [
            cls.from_row(r, info.context) if r and ok else None
            for r, ok in zip(rows, visible, strict=True)
        ]

    @strawberry.field
    async def project(self, info: Info) -> ProjectNode:
        row = await info.context.loaders.project.load(self.project_id)
        assert row is not None
        return ProjectNode.from_row(row)

    @strawberry.field(description="Versions, by SemVer precedence (highest first) by default.")
    async def versions(
        self,
        info: Info,
        order_by: VersionOrder | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ModelVersionConnection:
        order = order_by or VersionOrder()
        size = page_size(info, first)
        async with info.context.read() as session:
            page = await version_reads.list_versions(
                session,
                model_id=self.id,
                order_by=version_reads.VersionOrderField(order.field.value),
                descending=order.direction == OrderDirection.DESC,
                first=size,
                after=after,
            )

        async def count() -> int:
            return await info.context.loaders.version_count.load(self.id) or 0

        return ModelVersionConnection(
            **connection_parts(page, ModelVersionNode.from_row), count=count
        )

    @strawberry.field(description="The version with this exact SemVer string, if any.")
    async def version(self, info: Info, version: str) -> ModelVersionNode | None:
        async with info.context.read() as session:
            row = await version_service.find_version(session, model_id=self.id, version=version)
        return ModelVersionNode.from_row(row) if row else None

    stage_versions: list[ModelVersionNode] = strawberry.field(
        resolver=stages.model_stage_versions,
        description="The versions now in Production or Staging: Production first, then "
        "Staging, highest SemVer precedence first in each (batched over a page of models).",
    )
    pending_requests: list[TransitionRequestType] = strawberry.field(
        resolver=inbox.model_pending_requests,
        description="Pending transition requests of the model's versions, oldest first.",
    )
    pending_request_count: int = strawberry.field(
        resolver=inbox.model_pending_request_count,
        description="How many transition requests of the model's versions are pending.",
    )

    @strawberry.field(description="The model's aliases, by name.")
    async def aliases(self, info: Info) -> list[ModelAliasType]:
        found = await info.context.loaders.model_aliases.load(self.id) or []
        return [ModelAliasType.from_row(a) for a in found]

    @strawberry.field(
        description="The version `model@alias` names: an alias, `latest`, or `v<number>`."
    )
    async def version_by_alias(self, info: Info, alias: str) -> ModelVersionNode | None:
        async with info.context.read() as session:
            try:
                row = await lifecycle_service.resolve_alias(session, model_id=self.id, alias=alias)
            except NotFound:
                return None
        return ModelVersionNode.from_row(row)

    @strawberry.field(
        description=(
            "History: the versions that were in `stage` at time `at` (several may share a "
            "stage), or the version `alias` pointed at then (at most one). Give exactly one "
            "of `stage` and `alias`. Versions deleted since are left out."
        )
    )
    async def version_at(
        self, info: Info, at: datetime, stage: Stage | None = None, alias: str | None = None
    ) -> list[ModelVersionNode]:
        async with info.context.read() as session:
            rows = await lifecycle_service.versions_at(
                session, model_id=self.id, at=at, stage=stage, alias=alias
            )
        return [ModelVersionNode.from_row(r) for r in rows]

    @strawberry.field(description="Everything that happened to the model, newest first.")
    async def activity(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> EventConnection:
        return await activity(info, first=first, after=after, model_id=self.id)

    @strawberry.field(
        description="What the SemVer guard would say of a version before it is created: "
        "`version` is the number typed so far (null or empty: the next patch; "
        "`suggestedVersion` tells what to use), `mlmodel` the text of the MLmodel file "
        "attached (null if none). Assessed against the previous release by SemVer precedence."
    )
    async def check_version(
        self, info: Info, version: str | None = None, mlmodel: str | None = None
    ) -> CompatibilityType:
        async with info.context.read() as session:
            found = await compatibility_service.check_version(
                session,
                actor=info.context.actor,
                model_id=self.id,
                version=version,
                mlmodel=mlmodel,
            )
        return CompatibilityType.from_service(found)

    @strawberry.field(
        description="The next version after the latest one for a MAJOR, MINOR or PATCH bump."
    )
    async def suggested_next_version(self, info: Info, bump: Bump) -> str:
        async with info.context.read() as session:
            return await version_service.suggest_next_version(
                session, actor=info.context.actor, model_id=self.id, part=bump
            )


@strawberry.type(name="ProjectConnection")
class ProjectConnection(CountedConnection[ProjectNode]):
    pass


@strawberry.type(name="RegisteredModelConnection")
class RegisteredModelConnection(CountedConnection[RegisteredModelNode]):
    pass


@strawberry.type(name="ModelVersionConnection")
class ModelVersionConnection(CountedConnection[ModelVersionNode]):
    pass


async def list_projects(
    info: Info, search: str | None, first: int | None, after: str | None
) -> ProjectConnection:
    size = page_size(info, first)
    async with info.context.read() as session:
        page = await project_service.list_projects(
            session, actor=info.context.actor, search=search, first=size, after=after
        )

    async def count() -> int:
        async with info.context.read() as session:
            return await project_service.count_projects(
                session, actor=info.context.actor, search=search
            )

    return ProjectConnection(**connection_parts(page, ProjectNode.from_row), count=count)
