"""The policy, asked through the request's loaders: what the viewer may see and do.

Query entry points (`project`, `projects`, `node`) and subscriptions filter with `readable`;
everything below a readable project is readable. Fields that tell the web app which buttons to
show ask `decide`, the same function the services enforce.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import strawberry

from modelreg.db.models import Project
from modelreg.domain import policy
from modelreg.domain.lifecycle import Stage
from modelreg.domain.policy import Ability, Decision, Role
from modelreg.graphql.context import Info

strawberry.enum(Role, description="Project roles, lowest to highest.")
strawberry.enum(
    Ability,
    description="What a role allows in a project; `Project.viewerPermissions` lists them.",
)


@strawberry.type(description="Whether the viewer may exercise an ability, and if not, why.")
class Permission:
    ability: Ability
    allowed: bool
    reason: str | None = strawberry.field(
        description="Why not, in words to show next to a disabled control."
    )
    required_role: Role | None = strawberry.field(
        description="The lowest role that would allow it, when a role is what is missing."
    )

    @classmethod
    def from_decision(cls, ability: Ability, decision: Decision) -> Permission:
        return cls(
            ability=ability,
            allowed=decision.allowed,
            reason=None if decision.allowed else decision.reason or "Not allowed.",
            required_role=decision.required,
        )


async def readable(info: Info, projects: Sequence[Project | None]) -> list[bool]:
    if info.context.actor.is_admin:
        return [p is not None for p in projects]
    ids = [p.id for p in projects if p is not None and p.id is not None]
    by_id = dict(zip(ids, await info.context.loaders.role.load_many(ids), strict=True))
    actor = info.context.actor
    return [
        p is not None
        and p.id is not None
        and policy.can_read(actor, visibility=p.visibility, role=by_id.get(p.id))
        for p in projects
    ]


async def readable_project_ids(info: Info, project_ids: Sequence[int]) -> list[bool]:
    projects = await info.context.loaders.project.load_many(list(project_ids))
    return await readable(info, projects)


async def decide(
    info: Info, project_id: int, ability: Ability, *, stages: Iterable[Stage] = ()
) -> Decision:
    project = await info.context.loaders.project.load(project_id)
    assert project is not None
    role = await info.context.loaders.role.load(project_id)
    return policy.decide(
        info.context.actor, ability, visibility=project.visibility, role=role, stages=stages
    )


async def permissions(
    info: Info, project_id: int, *, stages: Iterable[Stage] = ()
) -> list[Permission]:
    stages = tuple(stages)
    return [
        Permission.from_decision(a, await decide(info, project_id, a, stages=stages))
        for a in Ability
    ]
