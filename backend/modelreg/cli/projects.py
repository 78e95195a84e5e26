"""Admin commands for projects, on the server's machine: `modelreg member` (roles in a
project) and `modelreg project create`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from modelreg.cli.admin import _with_database
from modelreg.cli.options import _data_dir, _database_url_option, _settings
from modelreg.cli.output import _table, _when

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from modelreg.db import Database
    from modelreg.domain.policy import Role

_ROLES = ("guest", "reporter", "developer", "maintainer", "owner")
_role = click.argument("role", metavar="ROLE", type=click.Choice(_ROLES, case_sensitive=False))


@click.group()
def member() -> None:
    """Give users roles in projects: guest, reporter, developer, maintainer or owner.

    These commands run on the server's machine, directly against its database (pass the same
    --data-dir or --database-url as 'modelreg serve'), as the instance administrator.
    """


async def _project_id(session: AsyncSession, path: str) -> int:
    from modelreg.domain.actor import SYSTEM
    from modelreg.services.projects import get_project_by_path

    project = await get_project_by_path(session, path=path, actor=SYSTEM)
    assert project.id is not None
    return project.id


def _role_of(name: str) -> Role:
    from modelreg.domain.policy import Role

    return Role[name.upper()]


@member.command("add")
@click.argument("project_path", metavar="PROJECT_PATH")
@click.argument("username")
@_role
@_data_dir
@_database_url_option
def member_add(project_path: str, username: str, role: str, **options: Any) -> None:
    """Make USERNAME a member of the project PROJECT_PATH with ROLE."""
    from modelreg.domain.actor import SYSTEM
    from modelreg.services import members

    settings = _settings(**options)
    chosen = _role_of(role)

    async def work(db: Database) -> str:
        async with db.begin() as session:
            project_id = await _project_id(session, project_path)
            _, added = await members.add_member(
                session, actor=SYSTEM, project_id=project_id, username=username, role=chosen
            )
        return added.username

    name = _with_database(settings, f"add '{username}' to '{project_path}'", work)
    click.echo(f"modelreg: '{name}' now has the {chosen.name} role in '{project_path}'.", err=True)


@member.command("set")
@click.argument("project_path", metavar="PROJECT_PATH")
@click.argument("username")
@_role
@_data_dir
@_database_url_option
def member_set(project_path: str, username: str, role: str, **options: Any) -> None:
    """Change the role of USERNAME, a member of PROJECT_PATH, to ROLE."""
    from modelreg.domain.actor import SYSTEM
    from modelreg.services import members

    settings = _settings(**options)
    chosen = _role_of(role)

    async def work(db: Database) -> str:
        async with db.begin() as session:
            project_id = await _project_id(session, project_path)
            _, changed = await members.change_member_role(
                session, actor=SYSTEM, project_id=project_id, username=username, role=chosen
            )
        return changed.username

    name = _with_database(settings, f"change the role of '{username}' in '{project_path}'", work)
    click.echo(f"modelreg: '{name}' now has the {chosen.name} role in '{project_path}'.", err=True)


@member.command("remove")
@click.argument("project_path", metavar="PROJECT_PATH")
@click.argument("username")
@_data_dir
@_database_url_option
def member_remove(project_path: str, username: str, **options: Any) -> None:
    """Remove USERNAME from the project PROJECT_PATH (a project keeps at least one owner)."""
    from modelreg.domain.actor import SYSTEM
    from modelreg.services import members

    settings = _settings(**options)

    async def work(db: Database) -> str:
        async with db.begin() as session:
            project_id = await _project_id(session, project_path)
            removed = await members.remove_member(
                session, actor=SYSTEM, project_id=project_id, username=username
            )
        return removed.username

    name = _with_database(settings, f"remove '{username}' from '{project_path}'", work)
    click.echo(f"modelreg: '{name}' is no longer a member of '{project_path}'.", err=True)


@member.command("list")
@click.argument("project_path", metavar="PROJECT_PATH")
@_data_dir
@_database_url_option
def member_list(project_path: str, **options: Any) -> None:
    """List the members of PROJECT_PATH, highest role first."""
    from modelreg.services import members

    settings = _settings(**options)

    async def work(db: Database) -> list[list[str]]:
        async with db.read() as session:
            project_id = await _project_id(session, project_path)
            found = await members.list_members(session, project_id=project_id)
        return [
            [u.username, m.role.name, u.display_name, _when(m.created_at), m.created_by]
            for m, u in found
        ]

    rows = _with_database(settings, f"list the members of '{project_path}'", work)
    if not rows:
        click.echo(
            f"modelreg: '{project_path}' has no members (only instance admins can reach it "
            "unless it is public or internal).",
            err=True,
        )
        return
    _table(["USERNAME", "ROLE", "DISPLAY NAME", "ADDED", "ADDED BY"], rows)


@click.group()
def project() -> None:
    """Create projects from the server's machine (as the instance administrator)."""


@project.command("create")
@click.argument("path")
@click.option("--name", default=None, help="Display name. [default: the path]")
@click.option("--description", default="", help="Markdown description.")
@click.option(
    "--visibility",
    type=click.Choice(("private", "internal", "public"), case_sensitive=False),
    default="private",
    show_default=True,
    help="private: members only; internal: any signed-in user may read; public: anyone.",
)
@click.option("--owner", default=None, help="The user who becomes the project's owner.")
@_data_dir
@_database_url_option
def project_create(
    path: str,
    name: str | None,
    description: str,
    visibility: str,
    owner: str | None,
    **options: Any,
) -> None:
    """Create the project PATH (a URL slug like fraud-detection), optionally with an owner."""
    from modelreg.domain.actor import SYSTEM
    from modelreg.domain.policy import Role, Visibility
    from modelreg.services import members, projects

    settings = _settings(**options)

    async def work(db: Database) -> str:
        async with db.begin() as session:
            created = await projects.create_project(
                session,
                actor=SYSTEM,
                path=path,
                name=name,
                description=description,
                visibility=Visibility(visibility.upper()),
            )
            assert created.id is not None
            if owner is not None:
                await members.add_member(
                    session, actor=SYSTEM, project_id=created.id, username=owner, role=Role.OWNER
                )
        return created.path

    created_path = _with_database(settings, f"create the project '{path}'", work)
    who = (
        f"owned by '{owner.strip().lower()}'"
        if owner is not None
        else "with no members yet (add an owner with 'modelreg member add')"
    )
    click.echo(
        f"modelreg: created the {visibility.lower()} project '{created_path}' {who}.", err=True
    )
