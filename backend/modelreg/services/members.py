"""Project membership: who has which role. Managed by owners (and instance admins)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Membership, Project, UserAccount
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.policy import Ability, Role
from modelreg.errors import AlreadyExists, Conflict, NotFound
from modelreg.services import access
from modelreg.services.accounts import get_user
from modelreg.services.events import record_event


def _no_project(project_id: int) -> NotFound:
    return NotFound(f"No project has the id {project_id}.", field="projectId")


async def list_members(
    session: AsyncSession, *, project_id: int
) -> list[tuple[Membership, UserAccount]]:
    """Members with their accounts, highest role first, then by username."""
    rows = await session.exec(
        select(Membership, UserAccount)
        .join(UserAccount, col(UserAccount.id) == Membership.user_id)
        .where(Membership.project_id == project_id)
        .order_by(col(UserAccount.username))
    )
    found = list(rows.all())
    found.sort(key=lambda pair: -pair[0].role)
    return found


async def members_by_projects(
    session: AsyncSession, project_ids: Sequence[int]
) -> dict[int, list[tuple[Membership, UserAccount]]]:
    rows = await session.exec(
        select(Membership, UserAccount)
        .join(UserAccount, col(UserAccount.id) == Membership.user_id)
        .where(col(Membership.project_id).in_(project_ids))
        .order_by(col(UserAccount.username))
    )
    found: dict[int, list[tuple[Membership, UserAccount]]] = {}
    for membership, user in rows.all():
        found.setdefault(membership.project_id, []).append((membership, user))
    for members in found.values():
        members.sort(key=lambda pair: -pair[0].role)
    return found


async def add_owner(session: AsyncSession, *, actor: Actor, project: Project) -> None:
    """The creator of a project becomes its owner (no event: `project.created` says it)."""
    if actor.user_id is None or project.id is None:
        return
    session.add(
        Membership(
            project_id=project.id, user_id=actor.user_id, role=Role.OWNER, created_by=actor.name
        )
    )
    access.forget_roles(session)


async def _membership(
    session: AsyncSession, *, project: Project, username: str
) -> tuple[Membership, UserAccount]:
    user = await get_user(session, username=username)
    membership = (
        await session.exec(
            select(Membership).where(
                Membership.project_id == project.id, Membership.user_id == user.id
            )
        )
    ).first()
    if membership is None:
        raise NotFound(
            f"'{user.username}' is not a member of project '{project.path}'.", field="username"
        )
    return membership, user


async def _ensure_other_owner(
    session: AsyncSession, *, project: Project, leaving: Membership
) -> None:
    owners = (
        await session.exec(
            select(sa.func.count()).where(
                Membership.project_id == project.id,
                Membership.role == Role.OWNER,
                Membership.id != leaving.id,
            )
        )
    ).one()
    if owners == 0:
        raise Conflict(
            f"Project '{project.path}' must keep at least one owner; make someone else an owner "
            "first.",
            field="role",
        )


async def add_member(
    session: AsyncSession, *, actor: Actor, project_id: int, username: str, role: Role
) -> tuple[Membership, UserAccount]:
    project = await access.require(
        session, actor, project_id, Ability.MANAGE_MEMBERS, hidden=_no_project(project_id)
    )
    user = await get_user(session, username=username)
    assert user.id is not None and project.id is not None
    existing = await access.role_in(session, Actor(name=user.username, user_id=user.id), project.id)
    if existing is not None:
        raise AlreadyExists(
            f"'{user.username}' is already a member of '{project.path}' as {existing.name}; "
            "change their role instead.",
            field="username",
        )
    membership = Membership(
        project_id=project.id, user_id=user.id, role=role, created_by=actor.name
    )
    session.add(membership)
    await session.flush()
    access.forget_roles(session)
    await record_event(
        session,
        actor=actor,
        type=EventType.MEMBER_ADDED,
        project_id=project.id,
        payload={"username": user.username, "role": role.name},
    )
    return membership, user


async def change_member_role(
    session: AsyncSession, *, actor: Actor, project_id: int, username: str, role: Role
) -> tuple[Membership, UserAccount]:
    project = await access.require(
        session, actor, project_id, Ability.MANAGE_MEMBERS, hidden=_no_project(project_id)
    )
    membership, user = await _membership(session, project=project, username=username)
    if membership.role == role:
        return membership, user
    if membership.role == Role.OWNER:
        await _ensure_other_owner(session, project=project, leaving=membership)
    previous = membership.role
    membership.role = role
    session.add(membership)
    access.forget_roles(session)
    await record_event(
        session,
        actor=actor,
        type=EventType.MEMBER_ROLE_CHANGED,
        project_id=project.id,
        payload={"username": user.username, "from": previous.name, "to": role.name},
    )
    return membership, user


async def remove_member(
    session: AsyncSession, *, actor: Actor, project_id: int, username: str
) -> UserAccount:
    """Owners remove anyone; any member may leave. The last owner cannot go."""
    project = await access.require(
        session, actor, project_id, Ability.READ, hidden=_no_project(project_id)
    )
    leaving_self = username.strip().lower() == actor.name and actor.user_id is not None
    if not leaving_self:
        await access.require(session, actor, project, Ability.MANAGE_MEMBERS)
    elif not actor.may_write:
        await access.require(session, actor, project, Ability.EDIT)
    membership, user = await _membership(session, project=project, username=username)
    if membership.role == Role.OWNER:
        await _ensure_other_owner(session, project=project, leaving=membership)
    await session.delete(membership)
    await session.flush()
    access.forget_roles(session)
    await record_event(
        session,
        actor=actor,
        type=EventType.MEMBER_REMOVED,
        project_id=project.id,
        payload={"username": user.username, "role": membership.role.name},
    )
    return user
