"""Node types: Project, RegisteredModel, ModelVersion, and their connections."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, NewType, Self
from urllib.parse import quote

import strawberry
from strawberry import relay

from modelreg.db.models import ModelVersion, Project, RegisteredModel
from modelreg.domain.compatibility import SemverGuard
from modelreg.domain.lifecycle import RequestStatus, Stage
from modelreg.domain.lineage import lineage_from_tags
from modelreg.domain.paths import validate_prefix
from modelreg.domain.policy import Ability, Role, Visibility
from modelreg.domain.versions import Bump
from modelreg.errors import NotFound
from modelreg.graphql import permissions
from modelreg.graphql.accounts import Member
from modelreg.graphql.context import Info
from modelreg.graphql.lifecycle import (
    CommentType,
    EventConnection,
    ModelAliasType,
    TransitionRequestType,
    activity,
)
from modelreg.graphql.metadata import (
    CompatibilityType,
    MetadataWarningType,
    ModelDependencies,
    ModelSignature,
)
from modelreg.services import compatibility as compatibility_service
from modelreg.services import lifecycle as lifecycle_service
from modelreg.services import models as model_service
from modelreg.services import projects as project_service
from modelreg.services import versions as version_service
from modelreg.services.files import VersionFile
from modelreg.services.pagination import Page, check_page_size

if TYPE_CHECKING:
    from modelreg.graphql.tracking import RunType

strawberry.enum(
    Visibility,
    description="PRIVATE: members only. INTERNAL: any signed-in user. PUBLIC: anyone.",
)
strawberry.enum(model_service.ModelOrderField, name="ModelOrderField")
strawberry.enum(version_service.VersionOrderField, name="VersionOrderField")


@strawberry.enum
class OrderDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.type
class Tag:
    key: str
    value: str


@strawberry.input(description="Matches models that have tag `key`, with `value` when given.")
class TagFilterInput:
    key: str
    value: str | None = None


@strawberry.input
class ModelOrder:
    field: model_service.ModelOrderField = model_service.ModelOrderField.UPDATED_AT
    direction: OrderDirection = OrderDirection.DESC


@strawberry.input
class VersionOrder:
    field: version_service.VersionOrderField = version_service.VersionOrderField.VERSION
    direction: OrderDirection = OrderDirection.DESC


@strawberry.type(description="A stage the version could move to, and what the viewer may do.")
class TransitionTarget:
    stage: Stage
    transition: permissions.Permission = strawberry.field(
        description="Moving the version there directly."
    )
    request: permissions.Permission = strawberry.field(
        description="Asking someone who may to move it there."
    )


@strawberry.type(description="Where a version came from.")
class VersionLineage:
    ci_job_id: str | None
    ci_job_url: str | None
    pipeline: str | None
    merge_request: str | None
    commit: str | None


def _tags(found: dict[str, str] | None) -> list[Tag]:
    return [Tag(key=k, value=v) for k, v in sorted((found or {}).items())]


def _page_size(info: Info, first: int | None) -> int:
    return check_page_size(first, maximum=info.context.settings.page_size_max)


CountFn = Callable[[], Awaitable[int]]


@strawberry.type
class CountedConnection(relay.Connection[relay.NodeType]):
    count: strawberry.Private[CountFn]

    @strawberry.field(description="How many items match, across all pages.")
    async def total_count(self) -> int:
        return await self.count()


def _connection_parts(page: Page[Any], to_node: Callable[[Any], Any]) -> dict[str, Any]:
    edges = [
        relay.Edge(cursor=cursor, node=to_node(item))
        for item, cursor in zip(page.items, page.cursors, strict=True)
    ]
    return {
        "edges": edges,
        "page_info": relay.PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
    }


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

    @strawberry.field(description="Members and their roles, highest role first.")
    async def members(self, info: Info) -> list[Member]:
        rows = await info.context.loaders.members.load(self.id)
        return [Member.from_rows(m, u) for m, u in rows or []]

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
    ) -> RegisteredModelConnection:
        order = order_by or ModelOrder()
        filters = [model_service.TagFilter(t.key, t.value) for t in tags or []]
        size = _page_size(info, first)
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
            )
        for row in page.items:
            if row.id is not None:
                info.context.loaders.model.prime(row.id, row)

        async def count() -> int:
            async with info.context.read() as session:
                return await model_service.count_models(
                    session, project_id=self.id, search=search, tags=filters, filter=filter
                )

        return RegisteredModelConnection(
            **_connection_parts(page, RegisteredModelNode.from_row), count=count
        )

    @strawberry.field(description="Everything that happened in the project, newest first.")
    async def activity(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> EventConnection:
        return await activity(info, first=first, after=after, project_id=self.id)

    @strawberry.field(description="The model with this exact name, if any.")
    async def model(self, info: Info, name: str) -> RegisteredModelNode | None:
        async with info.context.read() as session:
            row = await model_service.find_model_by_name(session, project_id=self.id, name=name)
        return RegisteredModelNode.from_row(row) if row else None


@strawberry.type(name="RegisteredModel", description="A model and its versions.")
class RegisteredModelNode(relay.Node):
    id: relay.NodeID[int]
    name: str
    description: str = strawberry.field(description="The model card, in Markdown.")
    created_by: str
    created_at: datetime
    updated_at: datetime
    project_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: RegisteredModel) -> Self:
        assert row.id is not None
        return cls(
            id=row.id,
            name=row.name,
            description=row.description,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
            project_id=row.project_id,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await info.context.loaders.model.load_many([int(i) for i in node_ids])
        visible = await permissions.readable_project_ids(
            info, [r.project_id if r else 0 for r in rows]
        )
        return [cls.from_row(r) if r and ok else None for r, ok in zip(rows, visible, strict=True)]

    @strawberry.field
    async def project(self, info: Info) -> ProjectNode:
        row = await info.context.loaders.project.load(self.project_id)
        assert row is not None
        return ProjectNode.from_row(row)

    @strawberry.field
    async def tags(self, info: Info) -> list[Tag]:
        return _tags(await info.context.loaders.model_tags.load(self.id))

    @strawberry.field(
        description="The highest release by SemVer precedence, else the highest prerelease."
    )
    async def latest_version(self, info: Info) -> ModelVersionNode | None:
        row = await info.context.loaders.latest_version.load(self.id)
        return ModelVersionNode.from_row(row) if row else None

    @strawberry.field
    async def version_count(self, info: Info) -> int:
        return await info.context.loaders.version_count.load(self.id) or 0

    @strawberry.field(description="Versions, by SemVer precedence (highest first) by default.")
    async def versions(
        self,
        info: Info,
        order_by: VersionOrder | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ModelVersionConnection:
        order = order_by or VersionOrder()
        size = _page_size(info, first)
        async with info.context.read() as session:
            page = await version_service.list_versions(
                session,
                model_id=self.id,
                order_by=order.field,
                descending=order.direction == OrderDirection.DESC,
                first=size,
                after=after,
            )

        async def count() -> int:
            return await info.context.loaders.version_count.load(self.id) or 0

        return ModelVersionConnection(
            **_connection_parts(page, ModelVersionNode.from_row), count=count
        )

    @strawberry.field(description="The version with this exact SemVer string, if any.")
    async def version(self, info: Info, version: str) -> ModelVersionNode | None:
        async with info.context.read() as session:
            row = await version_service.find_version(session, model_id=self.id, version=version)
        return ModelVersionNode.from_row(row) if row else None

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


@strawberry.type(name="ModelVersion", description="One semantically versioned release of a model.")
class ModelVersionNode(relay.Node):
    id: relay.NodeID[int]
    version: str = strawberry.field(description="SemVer 2.0 string, unique within the model.")
    number: int = strawberry.field(
        description="Per-model sequence 1, 2, 3… never reused; MLflow's version number."
    )
    is_prerelease: bool
    description: str = strawberry.field(description="Markdown.")
    stage: Stage
    created_by: str
    created_at: datetime
    updated_at: datetime
    source: str = strawberry.field(
        description="Where the model's files came from, as the MLflow client gave it "
        "(`runs:/…`, `mlflow-artifacts:/…`, `s3://…`); empty for uploads."
    )
    run_id: str | None = strawberry.field(description="The MLflow run it was registered from.")
    logged_model_id: str | None = strawberry.field(
        description="The MLflow 3 logged model (`m-…`) it was registered from."
    )
    model_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: ModelVersion) -> Self:
        assert row.id is not None
        return cls(
            id=row.id,
            version=row.version,
            number=row.number,
            is_prerelease=row.is_prerelease,
            description=row.description,
            stage=row.stage,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
            source=row.source,
            run_id=row.run_uuid,
            logged_model_id=row.logged_model_uuid,
            model_id=row.model_id,
        )

    @strawberry.field(
        description="The MLflow run the version was registered from: its params, metrics "
        "(with step history) and tags; null when there is none or the viewer may not read it."
    )
    async def run(
        self, info: Info
    ) -> Annotated[RunType, strawberry.lazy("modelreg.graphql.tracking")] | None:
        from modelreg.graphql.tracking import run_for_version

        return await run_for_version(info, self.run_id)

    @strawberry.field(
        description="CI job, pipeline, merge request and commit, from the `modelreg.*` tags."
    )
    async def lineage(self, info: Info) -> VersionLineage:
        tags = await info.context.loaders.version_tags.load(self.id)
        return VersionLineage(**asdict(lineage_from_tags(tags or {})))

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        rows = await info.context.loaders.version.load_many([int(i) for i in node_ids])
        models = await info.context.loaders.model.load_many([r.model_id if r else 0 for r in rows])
        visible = await permissions.readable_project_ids(
            info, [m.project_id if m else 0 for m in models]
        )
        return [cls.from_row(r) if r and ok else None for r, ok in zip(rows, visible, strict=True)]

    @strawberry.field(description="The MLmodel's signature; null without one.")
    async def signature(self, info: Info) -> ModelSignature | None:
        found = await info.context.loaders.version_metadata.load(self.id)
        if found is None or found.signature is None:
            return None
        return ModelSignature.from_domain(found.signature)

    @strawberry.field(
        description="The MLmodel's environment and dependency files; null when the version has "
        "no MLmodel and no dependency file."
    )
    async def dependencies(self, info: Info) -> ModelDependencies | None:
        found = await info.context.loaders.version_metadata.load(self.id)
        return ModelDependencies.from_domain(found) if found is not None else None

    @strawberry.field(
        description="Unpinned requirements, the conda `defaults` channel, missing dependency "
        "files, malformed files (the same as `dependencies.warnings`)."
    )
    async def metadata_warnings(self, info: Info) -> list[MetadataWarningType]:
        found = await info.context.loaders.version_metadata.load(self.id)
        return [MetadataWarningType.from_domain(w) for w in found.warnings] if found else []

    @strawberry.field(
        description="The SemVer guard's verdict on the version's number against the previous "
        "release."
    )
    async def compatibility(self, info: Info) -> CompatibilityType:
        found = await info.context.loaders.compatibility.load(self.id)
        assert found is not None
        return CompatibilityType.from_service(found)

    async def _project_id(self, info: Info) -> int:
        model = await info.context.loaders.model.load(self.model_id)
        assert model is not None
        return model.project_id

    @strawberry.field(
        description="Every ability, with whether the viewer has it for this version in its "
        "current stage (editing a version in Staging needs a DEVELOPER, in Production a "
        "MAINTAINER)."
    )
    async def viewer_permissions(self, info: Info) -> list[permissions.Permission]:
        return await permissions.permissions(
            info, await self._project_id(info), stages=[self.stage]
        )

    @strawberry.field(
        description="For each other stage: whether the viewer may move the version there "
        "directly, and whether they may request it."
    )
    async def transition_targets(self, info: Info) -> list[TransitionTarget]:
        project_id = await self._project_id(info)
        found = []
        request = await permissions.decide(info, project_id, Ability.REQUEST_TRANSITION)
        for stage in Stage:
            if stage == self.stage:
                continue
            move = await permissions.decide(
                info, project_id, Ability.TRANSITION_STAGE, stages=[self.stage, stage]
            )
            found.append(
                TransitionTarget(
                    stage=stage,
                    transition=permissions.Permission.from_decision(Ability.TRANSITION_STAGE, move),
                    request=permissions.Permission.from_decision(
                        Ability.REQUEST_TRANSITION, request
                    ),
                )
            )
        return found

    @strawberry.field
    async def model(self, info: Info) -> RegisteredModelNode:
        row = await info.context.loaders.model.load(self.model_id)
        assert row is not None
        return RegisteredModelNode.from_row(row)

    @strawberry.field
    async def tags(self, info: Info) -> list[Tag]:
        return _tags(await info.context.loaders.version_tags.load(self.id))

    @strawberry.field(description="The aliases pointing at this version, by name.")
    async def aliases(self, info: Info) -> list[str]:
        return await info.context.loaders.version_aliases.load(self.id) or []

    @strawberry.field(description="Transition requests, newest first; only `status` ones if given.")
    async def transition_requests(
        self, info: Info, status: RequestStatus | None = None
    ) -> list[TransitionRequestType]:
        found = await info.context.loaders.version_requests.load(self.id) or []
        return [
            TransitionRequestType.from_row(r) for r in found if status is None or r.status == status
        ]

    @strawberry.field(description="The comment thread, oldest first.")
    async def comments(self, info: Info) -> list[CommentType]:
        found = await info.context.loaders.version_comments.load(self.id) or []
        return [CommentType.from_row(c) for c in found]

    @strawberry.field(description="Everything that happened to the version, newest first.")
    async def activity(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> EventConnection:
        return await activity(info, first=first, after=after, version_id=self.id)

    @strawberry.field(description="The version's files, by path; only those under `prefix`.")
    async def files(self, info: Info, prefix: str = "") -> list[ModelFile]:
        validate_prefix(prefix)
        found = await info.context.loaders.version_files.load(self.id) or []
        base = await self._files_url(info)
        return [
            ModelFile.from_file(f, f"{base}/files/{quote(f.path)}")
            for f in found
            if f.path.startswith(prefix)
        ]

    @strawberry.field(description="Download every file as one zip archive.")
    async def files_zip_url(self, info: Info) -> str:
        return f"{await self._files_url(info)}/files.zip"

    @strawberry.field
    async def file_count(self, info: Info) -> int:
        stats = await info.context.loaders.file_stats.load(self.id)
        return stats[0] if stats else 0

    @strawberry.field(description="Bytes in all files of the version.")
    async def total_size(self, info: Info) -> BigInt:
        stats = await info.context.loaders.file_stats.load(self.id)
        return BigInt(stats[1] if stats else 0)

    async def _files_url(self, info: Info) -> str:
        model = await info.context.loaders.model.load(self.model_id)
        assert model is not None
        project = await info.context.loaders.project.load(model.project_id)
        assert project is not None
        return (
            f"/api/v1/projects/{quote(project.path)}/models/{quote(model.name)}"
            f"/versions/{quote(self.version)}"
        )


BigInt = NewType("BigInt", int)
BIG_INT_SCALAR = strawberry.scalar(
    name="BigInt",
    serialize=int,
    parse_value=int,
    description="An integer that may exceed 32 bits (file sizes in bytes).",
)


@strawberry.type(description="A file of a model version.")
class ModelFile:
    path: str = strawberry.field(description="Inside the version, with '/' between folders.")
    size: BigInt
    sha256: str
    content_type: str
    created_by: str
    created_at: datetime
    download_url: str = strawberry.field(description="GET it (supports HTTP Range).")

    @classmethod
    def from_file(cls, found: VersionFile, url: str) -> ModelFile:
        return cls(
            path=found.path,
            size=BigInt(found.size),
            sha256=found.sha256,
            content_type=found.content_type,
            created_by=found.created_by,
            created_at=found.created_at,
            download_url=url,
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
    size = _page_size(info, first)
    async with info.context.read() as session:
        page = await project_service.list_projects(
            session, actor=info.context.actor, search=search, first=size, after=after
        )

    async def count() -> int:
        async with info.context.read() as session:
            return await project_service.count_projects(
                session, actor=info.context.actor, search=search
            )

    return ProjectConnection(**_connection_parts(page, ProjectNode.from_row), count=count)
