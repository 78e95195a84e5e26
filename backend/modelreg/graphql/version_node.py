"""The ModelVersion node: one release of a model with its files, metadata, lineage, stage and
what the viewer may do with it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Self
from urllib.parse import quote

import strawberry
from strawberry import relay

from modelreg.db.models import ModelVersion
from modelreg.domain.lifecycle import RequestStatus, Stage
from modelreg.domain.lineage import lineage_from_tags
from modelreg.domain.paths import validate_prefix
from modelreg.domain.policy import Ability
from modelreg.graphql import notifications, permissions
from modelreg.graphql.context import Info
from modelreg.graphql.deployments import DeploymentConnection, version_deployments
from modelreg.graphql.lifecycle import (
    CommentType,
    EventConnection,
    TransitionRequestType,
    activity,
)
from modelreg.graphql.metadata import (
    CompatibilityType,
    MetadataWarningType,
    ModelDependencies,
    ModelSignature,
)
from modelreg.graphql.node_common import BigInt, Tag, tag_list
from modelreg.services.files import VersionFile
from modelreg.services.version_reads import VersionRow

if TYPE_CHECKING:
    from modelreg.graphql.tracking import RunType
    from modelreg.graphql.types import RegisteredModelNode


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
    viewer_following: bool = notifications.VERSION_FOLLOWING

    @classmethod
    def from_row(cls, row: ModelVersion | VersionRow) -> Self:
        """From an ORM object or a Core row of the same columns (`version_reads`)."""
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
    async def model(
        self, info: Info
    ) -> Annotated[RegisteredModelNode, strawberry.lazy("modelreg.graphql.types")]:
        from modelreg.graphql.types import RegisteredModelNode

        row = await info.context.loaders.model.load(self.model_id)
        assert row is not None
        return RegisteredModelNode.from_row(row, info.context)

    @strawberry.field
    async def tags(self, info: Info) -> list[Tag]:
        return tag_list(await info.context.loaders.version_tags.load(self.id))

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

    @strawberry.field(
        description="Serving processes that reported this version, newest first; only the "
        "active (STARTED) or stopped ones if `active` is given."
    )
    async def deployments(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        active: bool | None = None,
    ) -> DeploymentConnection:
        return await version_deployments(info, self.id, first=first, after=after, active=active)

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
