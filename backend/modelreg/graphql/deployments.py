"""Deployment records over GraphQL: the `recordDeployment` mutation `modelreg serve-model`
calls, a version's `deployments` connection, and whether this registry keeps records."""

from __future__ import annotations

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from modelreg.db.models import Deployment
from modelreg.domain.deployments import DeploymentState
from modelreg.graphql.context import Info
from modelreg.graphql.errors import UserError, run_mutation
from modelreg.graphql.ids import decode_id, encode_id
from modelreg.services import deployments as deployment_service
from modelreg.services.pagination import check_page_size

strawberry.enum(
    DeploymentState,
    description="STARTED: the serving process answers with the version; STOPPED: it no longer.",
)


@strawberry.type(
    name="Deployment",
    description="A `modelreg serve-model` process serving a version: who, where, when.",
)
class DeploymentType:
    id: strawberry.ID
    state: DeploymentState
    endpoint: str = strawberry.field(description="Where the server answers (an http(s) URL).")
    reference: str = strawberry.field(
        description='What was asked to be served, such as "fraud/detector@champion".'
    )
    instance: str = strawberry.field(description="The serving process (32 hex characters).")
    role: str | None = strawberry.field(description='"primary" or the canary\'s alias name.')
    started_by: str
    started_at: datetime
    stopped_by: str | None
    stopped_at: datetime | None

    @classmethod
    def from_row(cls, row: Deployment) -> Self:
        assert row.id is not None
        return cls(
            id=strawberry.ID(encode_id("Deployment", row.id)),
            state=DeploymentState.STARTED if row.stopped_at is None else DeploymentState.STOPPED,
            endpoint=row.endpoint,
            reference=row.reference,
            instance=row.instance,
            role=row.role,
            started_by=row.started_by,
            started_at=row.started_at,
            stopped_by=row.stopped_by,
            stopped_at=row.stopped_at,
        )


@strawberry.type
class DeploymentEdge:
    cursor: str
    node: DeploymentType


@strawberry.type(description="Deployments, newest first.")
class DeploymentConnection:
    edges: list[DeploymentEdge]
    page_info: relay.PageInfo


@strawberry.input(description="What a serving process reports (see README, Deployment records).")
class RecordDeploymentInput:
    version_id: strawberry.ID = strawberry.field(description="The version's global ID.")
    state: DeploymentState
    endpoint: str = strawberry.field(description="An http(s) URL, at most 500 characters.")
    reference: str = strawberry.field(
        description='What was asked, such as "fraud/detector@champion"; at most 300 characters.'
    )
    instance: str = strawberry.field(
        description="The serving process's id: 32 lower-case hex characters (uuid4().hex). "
        "Pairs STOPPED with its STARTED."
    )
    role: str | None = strawberry.field(
        default=None, description='"primary" or the canary\'s alias name; at most 100 characters.'
    )


@strawberry.type
class RecordDeploymentPayload:
    deployment: DeploymentType | None
    errors: list[UserError]


async def version_deployments(
    info: Info, version_id: int, *, first: int | None, after: str | None, active: bool | None
) -> DeploymentConnection:
    """The `ModelVersion.deployments` connection (the version is already readable)."""
    size = check_page_size(first, maximum=info.context.settings.page_size_max)
    request = deployment_service.PageRequest(first=size, after=after, active=active)
    page = await info.context.loaders.version_deployments.load((version_id, request))
    assert page is not None
    return DeploymentConnection(
        edges=[
            DeploymentEdge(cursor=cursor, node=DeploymentType.from_row(item))
            for item, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=relay.PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
    )


@strawberry.type
class DeploymentQueries:
    @strawberry.field(
        description="Whether this registry records deployments reported by `modelreg "
        "serve-model` (its setting MODELREG_DEPLOYMENT_RECORDS)."
    )
    def deployment_records_enabled(self, info: Info) -> bool:
        return info.context.settings.deployment_records


@strawberry.type
class DeploymentMutations:
    @strawberry.mutation(
        description="Records that a serving process started or stopped serving a version; "
        "needs the ability to comment on it. Repeating a report changes nothing."
    )
    async def record_deployment(
        self, info: Info, input: RecordDeploymentInput
    ) -> RecordDeploymentPayload:
        row, errors = await run_mutation(
            info,
            lambda s: deployment_service.record_deployment(
                s,
                actor=info.context.actor,
                enabled=info.context.settings.deployment_records,
                version_id=decode_id(input.version_id, "ModelVersion", field="versionId"),
                state=input.state,
                endpoint=input.endpoint,
                reference=input.reference,
                instance=input.instance,
                role=input.role,
            ),
        )
        return RecordDeploymentPayload(
            deployment=DeploymentType.from_row(row) if row else None, errors=errors
        )
