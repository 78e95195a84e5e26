"""Applying the policy to stored projects: roles from memberships, checks, and SQL filters.

Every service that reads or changes something in a project calls `require` (or filters its
query with `readable_projects`); interfaces never decide access themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Membership, Project
from modelreg.domain import policy
from modelreg.domain.actor import Actor
from modelreg.domain.lifecycle import Stage
from modelreg.domain.policy import Ability, Decision, Outcome, Role, Visibility
from modelreg.errors import NotFound, PermissionDenied, Unauthenticated

_ROLES = "modelreg.roles"


def check(decision: Decision, *, hidden: NotFound | None = None) -> None:
    """Raise the error a decision calls for; `hidden` is the NOT_FOUND an outsider gets."""
    if decision.outcome is Outcome.ALLOW:
        return
    if decision.outcome is Outcome.HIDDEN:
        raise hidden or NotFound("Not found.")
    if decision.outcome is Outcome.SIGN_IN:
        raise Unauthenticated(decision.reason)
    raise PermissionDenied(decision.reason)


async def roles_in(
    session: AsyncSession, actor: Actor, project_ids: Iterable[int]
) -> dict[int, Role]:
    """The actor's role in each project it is a member of (cached for the session)."""
    if actor.user_id is None:
        return {}
    cache: dict[tuple[int, int], Role | None] = session.info.setdefault(_ROLES, {})
    wanted = {p for p in project_ids if (actor.user_id, p) not in cache}
    if wanted:
        rows = await session.exec(
            select(Membership.project_id, Membership.role).where(
                Membership.user_id == actor.user_id, col(Membership.project_id).in_(wanted)
            )
        )
        found: dict[int, Role] = {p: Role(r) for p, r in rows.all()}
        for project_id in wanted:
            cache[(actor.user_id, project_id)] = found.get(project_id)
    result: dict[int, Role] = {}
    for project_id in project_ids:
        role = cache.get((actor.user_id, project_id))
        if role is not None:
            result[project_id] = role
    return result


async def role_in(session: AsyncSession, actor: Actor, project_id: int) -> Role | None:
    return (await roles_in(session, actor, [project_id])).get(project_id)


def remember_role(session: AsyncSession, actor: Actor, project_id: int, role: Role | None) -> None:
    """Record a role read together with its project, so checks in this session need no query."""
    if actor.user_id is not None:
        session.info.setdefault(_ROLES, {})[(actor.user_id, project_id)] = role


_PROJECTS = "modelreg.projects"


def remember_project(
    session: AsyncSession, actor: Actor, project: Project, role: Role | None
) -> None:
    """Record a project read by path together with the actor's role in it (with the actor's
    token, say), for `remembered_project` in this session."""
    assert project.id is not None
    remember_role(session, actor, project.id, role)
    session.info.setdefault(_PROJECTS, {})[project.path] = project


def remembered_project(session: AsyncSession, path: str) -> Project | None:
    found: Project | None = session.info.get(_PROJECTS, {}).get(path)
    return found


def forget_roles(session: AsyncSession) -> None:
    session.info.pop(_ROLES, None)


async def decide(
    session: AsyncSession,
    actor: Actor,
    project: Project,
    ability: Ability,
    *,
    stages: Iterable[Stage] = (),
) -> Decision:
    assert project.id is not None
    role = await role_in(session, actor, project.id)
    return policy.decide(actor, ability, visibility=project.visibility, role=role, stages=stages)


async def require(
    session: AsyncSession,
    actor: Actor,
    project: Project | int,
    ability: Ability,
    *,
    stages: Iterable[Stage] = (),
    hidden: NotFound | None = None,
) -> Project:
    """The project, when `actor` may exercise `ability` in it; else the error the policy says.

    An actor who may not even read the project gets `hidden` (the same NOT_FOUND a missing
    object gives), so nobody learns that a private project exists.
    """
    if isinstance(project, int):
        # Asked by id: an unreadable project must answer exactly as a missing id does.
        hidden = hidden or NotFound(f"No project has the id {project}.", field="id")
        found = await session.get(Project, project)
        if found is None:
            raise hidden
        project = found
    not_found = hidden or NotFound(f"No project has the path '{project.path}'.", field="path")
    check(await decide(session, actor, project, ability, stages=stages), hidden=not_found)
    return project


def readable_projects(actor: Actor) -> sa.ColumnElement[bool]:
    """A WHERE clause on `project` selecting what `actor` may read, for filtering in SQL."""
    if actor.is_admin:
        return sa.true()
    visible: list[sa.ColumnElement[bool]] = [col(Project.visibility) == Visibility.PUBLIC]
    if actor.authenticated:
        visible.append(col(Project.visibility) == Visibility.INTERNAL)
    if actor.user_id is not None:
        visible.append(
            col(Project.id).in_(
                select(Membership.project_id).where(Membership.user_id == actor.user_id)
            )
        )
    return sa.or_(*visible)
