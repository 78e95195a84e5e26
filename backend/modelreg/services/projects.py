from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from modelreg.db.models import Membership, Project
from modelreg.db.types import utcnow
from modelreg.domain import policy
from modelreg.domain.actor import Actor
from modelreg.domain.compatibility import SemverGuard
from modelreg.domain.events import EventType
from modelreg.domain.names import validate_description, validate_project_name, validate_project_path
from modelreg.domain.policy import Ability, Role, Visibility
from modelreg.errors import AlreadyExists, NotFound
from modelreg.services import access
from modelreg.services.blobs import collect_garbage_after_commit
from modelreg.services.events import record_event
from modelreg.services.members import add_owner
from modelreg.services.pagination import Page, SortKey, keyset_page
from modelreg.services.text import icontains
from modelreg.storage import Storage


async def get_project(
    session: AsyncSession, *, project_id: int, actor: Actor, ability: Ability = Ability.READ
) -> Project:
    """The project, when `actor` may exercise `ability` in it (NOT_FOUND if it may not read it)."""
    return await access.require(
        session,
        actor,
        project_id,
        ability,
        hidden=NotFound(f"No project has the id {project_id}.", field="id"),
    )


async def find_project_by_path(session: AsyncSession, *, path: str) -> Project | None:
    if "\x00" in path:  # no path has one, and PostgreSQL refuses it in a query
        return None
    return (await session.exec(select(Project).where(Project.path == path))).first()


async def get_project_by_path(
    session: AsyncSession,
    *,
    path: str,
    actor: Actor,
    ability: Ability = Ability.READ,
    field: str = "path",
) -> Project:
    """The project at `path` for `actor`; one it may not read is as absent as a missing one."""
    hidden = NotFound(f"No project has the path '{path}'.", field=field)
    project = await find_project_and_role(session, path=path, actor=actor)
    if project is None:
        raise hidden
    return await access.require(session, actor, project, ability, hidden=hidden)


async def find_project_and_role(
    session: AsyncSession, *, path: str, actor: Actor
) -> Project | None:
    """The project at `path` (None if there is none; no access check), with the actor's role
    in it remembered for the session (`access.remember_role`): every request by path needs
    both, so they are read in one statement, or none when the caller's token read them
    (`authentication.authenticate_token` with a project path)."""
    remembered = access.remembered_project(session, path)
    if remembered is not None:
        return remembered
    if "\x00" in path:  # no path has one, and PostgreSQL refuses it in a query
        return None
    row = (
        await session.exec(_PROJECT_AND_ROLE, params={"path": path, "user_id": actor.user_id})
    ).first()
    if row is None:
        return None
    project, role = row
    assert project.id is not None
    access.remember_role(session, actor, project.id, Role(role) if role is not None else None)
    return project


_PROJECT_AND_ROLE = (
    select(Project, Membership.role)
    .outerjoin(
        Membership,
        sa.and_(
            col(Membership.project_id) == col(Project.id),
            col(Membership.user_id) == sa.bindparam("user_id"),
        ),
    )
    .where(Project.path == sa.bindparam("path"))
)


async def projects_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Project]:
    rows = await session.exec(select(Project).where(col(Project.id).in_(ids)))
    return {p.id: p for p in rows if p.id is not None}


async def list_projects(
    session: AsyncSession, *, actor: Actor, search: str | None, first: int, after: str | None
) -> Page[Project]:
    """The projects `actor` may read: filtered in SQL, so a page of 50 is 50 visible projects."""
    return await keyset_page(
        session,
        _projects_matching(actor, search),
        keys=[
            SortKey(col(Project.path), lambda p: p.path),
            SortKey(col(Project.id), lambda p: p.id),
        ],
        descending=False,
        first=first,
        after=after,
    )


async def count_projects(session: AsyncSession, *, actor: Actor, search: str | None) -> int:
    matching = _projects_matching(actor, search).subquery()
    return (await session.exec(select(sa.func.count()).select_from(matching))).one()


def _projects_matching(actor: Actor, search: str | None) -> SelectOfScalar[Project]:
    statement = select(Project).where(access.readable_projects(actor))
    if search:
        statement = statement.where(
            sa.or_(icontains(col(Project.path), search), icontains(col(Project.name), search))
        )
    return statement


async def _ensure_path_free(session: AsyncSession, path: str) -> None:
    if await find_project_by_path(session, path=path) is not None:
        raise AlreadyExists(
            f"A project with the path '{path}' already exists; choose another path.", field="path"
        )


async def create_project(
    session: AsyncSession,
    *,
    actor: Actor,
    path: str,
    name: str | None = None,
    description: str = "",
    visibility: Visibility = Visibility.PRIVATE,
) -> Project:
    access.check(policy.may_create_project(actor))
    path = validate_project_path(path)
    name = validate_project_name(name if name is not None else path)
    description = validate_description(description)
    await _ensure_path_free(session, path)
    project = Project(
        path=path,
        name=name,
        description=description,
        visibility=visibility,
        created_by=actor.name,
    )
    session.add(project)
    await session.flush()
    await add_owner(session, actor=actor, project=project)
    await record_event(
        session,
        actor=actor,
        type=EventType.PROJECT_CREATED,
        project_id=project.id,
        payload={"path": path, "name": name, "visibility": visibility.value},
    )
    return project


async def update_project(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    path: str | None = None,
    name: str | None = None,
    description: str | None = None,
    visibility: Visibility | None = None,
    semver_guard: SemverGuard | None = None,
) -> Project:
    project = await get_project(
        session, project_id=project_id, actor=actor, ability=Ability.MANAGE_PROJECT
    )
    changes: dict[str, dict[str, str]] = {}
    if path is not None and path != project.path:
        path = validate_project_path(path)
        await _ensure_path_free(session, path)
        changes["path"] = {"from": project.path, "to": path}
        project.path = path
    if name is not None and name != project.name:
        name = validate_project_name(name)
        changes["name"] = {"from": project.name, "to": name}
        project.name = name
    if description is not None and description != project.description:
        project.description = validate_description(description)
        changes["description"] = {}
    if visibility is not None and visibility != project.visibility:
        changes["visibility"] = {"from": project.visibility.value, "to": visibility.value}
        project.visibility = visibility
    if semver_guard is not None and semver_guard != project.semver_guard:
        changes["semver_guard"] = {"from": project.semver_guard.value, "to": semver_guard.value}
        project.semver_guard = semver_guard
    if changes:
        project.updated_at = utcnow()
        session.add(project)
        await record_event(
            session,
            actor=actor,
            type=EventType.PROJECT_UPDATED,
            project_id=project.id,
            payload={"changes": changes},
        )
    return project


async def delete_project(
    session: AsyncSession, *, actor: Actor, storage: Storage, project_id: int
) -> Project:
    """Delete a project with everything in it; file contents are collected after commit."""
    project = await get_project(
        session, project_id=project_id, actor=actor, ability=Ability.MANAGE_PROJECT
    )
    await session.delete(project)
    await session.flush()
    collect_garbage_after_commit(session, storage)
    await record_event(
        session,
        actor=actor,
        type=EventType.PROJECT_DELETED,
        project_id=project.id,
        payload={"path": project.path, "name": project.name},
    )
    return project
