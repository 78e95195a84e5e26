"""The `modelreg` command line: serve, migrate, seed the demo, export the schema, manage users,
tokens, members and projects (on the server's machine), move files (through a running server)."""

from __future__ import annotations

import asyncio
import copy
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from modelreg.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from modelreg.client import RegistryClient
    from modelreg.db import Database
    from modelreg.domain.policy import Role

_T = TypeVar("_T")

TOKEN_ENV = "MODELREG_TOKEN"
"""The token `modelreg files` sends: a client variable, not a server setting."""


def _settings(**overrides: Any) -> Settings:
    # A shell that exports MODELREG_TOKEN for `modelreg files` may also run the server.
    environ = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    try:
        return load_settings(overrides, environ=environ)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None


_data_dir = click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Data directory [MODELREG_DATA_DIR, default ./.modelreg].",
)
_database_url_option = click.option(
    "--database-url",
    default=None,
    help="SQLAlchemy URL [MODELREG_DATABASE_URL, default SQLite in the data directory].",
)

_migrate = click.option(
    "--migrate/--no-migrate",
    default=True,
    show_default=True,
    help="Apply database migrations first.",
)


def _upgrade(settings: Settings) -> None:
    """Apply migrations; a database that cannot be reached is reported without a traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    from modelreg.db.migrate import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        upgrade(settings.resolved_database_url)
    except (SQLAlchemyError, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc
        raise click.ClickException(f"could not migrate the database: {reason}") from None


async def _seed_demo(settings: Settings) -> bool:
    """Create the demo project in its own transaction; False if it was there already."""
    from sqlalchemy.exc import DBAPIError

    from modelreg.db import Database
    from modelreg.domain.actor import Actor
    from modelreg.errors import AlreadyExists
    from modelreg.services.demo import DEMO_PROJECT_PATH, seed_demo
    from modelreg.services.projects import find_project_by_path

    db = Database(settings.resolved_database_url)
    try:
        try:
            async with db.begin() as session:
                return await seed_demo(session, actor=Actor(name="demo", is_admin=True))
        except (AlreadyExists, DBAPIError):
            # Another process sharing the database seeded it at the same moment (a clash on
            # the unique project path, or a busy SQLite file): fine if the project is there.
            async with db.read() as session:
                if await find_project_by_path(session, path=DEMO_PROJECT_PATH) is None:
                    raise
            return False
    finally:
        await db.dispose()


def _demo(settings: Settings) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from modelreg.errors import DomainError

    try:
        created = asyncio.run(_seed_demo(settings))
    except DomainError as exc:
        raise click.ClickException(f"could not create the demo project: {exc.message}") from None
    except (SQLAlchemyError, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc  # the driver's words, without the SQL
        raise click.ClickException(
            f"could not create the demo project: {reason}. Is the database reachable and "
            "migrated (modelreg db upgrade)?"
        ) from None
    if created:
        click.echo("modelreg: created the public demo project at /projects/demo.", err=True)
    else:
        click.echo("modelreg: the demo project already exists; left it as it is.", err=True)


async def _ensure_admin(settings: Settings) -> tuple[str, str | None] | None:
    from modelreg.db import Database
    from modelreg.services.accounts import ensure_initial_admin

    db = Database(settings.resolved_database_url)
    try:
        async with db.begin() as session:
            created = await ensure_initial_admin(
                session, password=settings.admin_password.get_secret_value() or None
            )
        return (created[0].username, created[1]) if created else None
    finally:
        await db.dispose()


def _first_admin(settings: Settings) -> None:
    """First start of an empty database: create `admin`, and print a generated password once."""
    from sqlalchemy.exc import SQLAlchemyError

    from modelreg.errors import DomainError

    try:
        created = asyncio.run(_ensure_admin(settings))
    except DomainError as exc:
        raise click.ClickException(
            f"could not create the first admin account: {exc.message} (MODELREG_ADMIN_PASSWORD)"
        ) from None
    except (SQLAlchemyError, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc
        raise click.ClickException(f"could not create the first admin account: {reason}") from None
    if created is None:
        return
    username, generated = created
    if generated is None:
        click.echo(
            f"modelreg: created the instance admin '{username}' with MODELREG_ADMIN_PASSWORD.",
            err=True,
        )
        return
    # Printed once, on the terminal of whoever started the server; it is stored only as a hash.
    click.echo(
        f"modelreg: created the instance admin '{username}'. Its password, shown only now: "
        f"{generated}\nmodelreg: sign in and change it, or reset it with "
        f"'modelreg user reset-password {username}'.",
        err=True,
    )


@click.group()
@click.version_option(package_name="modelreg")
def main() -> None:
    """modelreg: a self-hosted machine-learning model registry."""


def _log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's logging, with modelreg's own loggers on the same handler at the same level."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["modelreg"] = {
        "handlers": ["default"],
        "level": settings.log_level.upper(),
        "propagate": False,
    }
    return config


@main.command()
@click.option("--host", default=None, help="Interface to listen on [MODELREG_HOST].")
@click.option("--port", type=int, default=None, help="Port to listen on [MODELREG_PORT].")
@_data_dir
@_database_url_option
@click.option(
    "--artifacts-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where files are stored [MODELREG_ARTIFACTS_DIR].",
)
@_migrate
@click.option(
    "--demo",
    is_flag=True,
    default=False,
    help="Create a public demo project with sample models and versions, if it is missing.",
)
def serve(migrate: bool, demo: bool, **options: Any) -> None:
    """Serve the registry (GraphQL API, GraphiQL and the web app)."""
    import uvicorn

    from modelreg.app import create_app

    settings = _settings(**options)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        _upgrade(settings)
    _first_admin(settings)
    if demo:
        _demo(settings)
    click.echo(
        f"modelreg: serving on http://{settings.host}:{settings.port} (GraphiQL at /graphql)",
        err=True,
    )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=_log_config(settings),
        # A websocket message is a GraphQL request too: the same cap as a request body.
        ws_max_size=settings.graphql_max_body_bytes,
        # Forwarded headers are the app's to judge, by MODELREG_TRUSTED_PROXIES (auth.forwarded):
        # uvicorn's own rule (X-Forwarded-For/-Proto from 127.0.0.1) would rewrite the client
        # before the app sees which peer sent them.
        proxy_headers=False,
    )


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command()
@_data_dir
@_database_url_option
def upgrade(**options: Any) -> None:
    """Apply all database migrations."""
    _upgrade(_settings(**options))
    click.echo("modelreg: database is up to date.", err=True)


@main.command("demo")
@_data_dir
@_database_url_option
@_migrate
def demo_command(migrate: bool, **options: Any) -> None:
    """Create the public demo project (sample models and versions) if it is missing, then exit."""
    settings = _settings(**options)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        _upgrade(settings)
    _demo(settings)


@main.command("export-schema")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
def export_schema(output: Path | None) -> None:
    """Print the GraphQL schema (SDL) generated from the code."""
    from modelreg.graphql.schema import export_schema as sdl

    text = sdl()
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


# --- users, tokens, members, projects: on the server's machine, straight to the database -------
#
# These act as SYSTEM (the operator at the server's console is the instance's administrator),
# through the same services as GraphQL; nothing here decides who may do what.

_password_stdin = click.option(
    "--password-stdin",
    is_flag=True,
    default=False,
    help="Read the password from standard input (one line) instead of generating one; "
    "on a terminal, prompt for it.",
)

_ROLES = ("guest", "reporter", "developer", "maintainer", "owner")
_role = click.argument("role", metavar="ROLE", type=click.Choice(_ROLES, case_sensitive=False))


def _database_url(settings: Settings) -> str:
    """The database to use; a SQLite file that is not there is an error, not a new empty file."""
    from sqlalchemy.engine import make_url

    url = settings.resolved_database_url
    parsed = make_url(url)
    database = parsed.database
    if (
        parsed.get_backend_name() == "sqlite"
        and database
        and database != ":memory:"
        and not Path(database).is_file()
    ):
        raise click.ClickException(
            f"there is no registry database at {database}; pass the server's --data-dir or "
            "--database-url, or create it with 'modelreg db upgrade' (modelreg serve does too)."
        )
    return url


def _with_database(settings: Settings, doing: str, work: Callable[[Database], Awaitable[_T]]) -> _T:
    """Run `work` against the database; its failures become one line without a traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    from modelreg.db import Database
    from modelreg.errors import DomainError

    url = _database_url(settings)

    async def run() -> _T:
        db = Database(url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(run())
    except DomainError as exc:
        raise click.ClickException(f"could not {doing}: {exc.message}") from None
    except (SQLAlchemyError, OSError) as exc:
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
        raise click.ClickException(
            f"could not {doing}: {reason}. Is the database reachable and migrated "
            "(modelreg db upgrade)?"
        ) from None


def _read_password(from_stdin: bool) -> str | None:
    """The password given on standard input (None: generate one)."""
    if not from_stdin:
        return None
    stream = sys.stdin
    if stream.isatty():
        entered: str = click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
        return entered
    text = stream.read()
    # One trailing line break, as `echo` and secret stores add, is not part of the password.
    text = text.removesuffix("\n").removesuffix("\r")
    if not text:
        raise click.ClickException(
            "--password-stdin: standard input is empty; pipe the password in, for example "
            "'printf %s \"$PASSWORD\" | modelreg user create ...'."
        )
    if "\n" in text or "\r" in text:
        raise click.ClickException(
            "--password-stdin: standard input holds more than one line; give the password alone."
        )
    return text


def _when(moment: datetime | None, never: str = "never") -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment is not None else never


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    for line in (headers, *rows):
        click.echo("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())


@main.group()
def user() -> None:
    """Create user accounts, reset their passwords, list them.

    These commands run on the server's machine, directly against its database (pass the same
    --data-dir or --database-url as 'modelreg serve'), as the instance administrator.
    """


@user.command("create")
@click.argument("username")
@click.option("--admin", is_flag=True, default=False, help="Make the user an instance admin.")
@click.option("--display-name", default="", help="The name shown in the web app.")
@_password_stdin
@_data_dir
@_database_url_option
def user_create(
    username: str, admin: bool, display_name: str, password_stdin: bool, **options: Any
) -> None:
    """Create the account USERNAME.

    Without --password-stdin a password is generated and printed on standard output, once
    (it is stored only as a hash); the user should change it after signing in.
    """
    from modelreg.domain.actor import SYSTEM
    from modelreg.services import accounts

    settings = _settings(**options)
    password = _read_password(password_stdin)

    async def work(db: Database) -> tuple[str, str | None]:
        async with db.begin() as session:
            created, generated = await accounts.create_user(
                session,
                actor=SYSTEM,
                username=username,
                password=password,
                display_name=display_name,
                is_admin=admin,
            )
        return created.username, generated

    name, generated = _with_database(settings, f"create the user '{username}'", work)
    kind = "instance admin" if admin else "user"
    if generated is None:
        click.echo(f"modelreg: created the {kind} '{name}'.", err=True)
        return
    click.echo(
        f"modelreg: created the {kind} '{name}'. Their password, shown only now, is on standard "
        "output; they should change it after signing in.",
        err=True,
    )
    click.echo(generated)


@user.command("reset-password")
@click.argument("username")
@_password_stdin
@_data_dir
@_database_url_option
def user_reset_password(username: str, password_stdin: bool, **options: Any) -> None:
    """Give USERNAME a new password and sign them out of every browser.

    Without --password-stdin a password is generated and printed on standard output, once.
    Their personal access tokens keep working: revoke them with 'modelreg token revoke'.
    """
    from modelreg.domain.actor import SYSTEM
    from modelreg.services import accounts

    settings = _settings(**options)
    password = _read_password(password_stdin)

    async def work(db: Database) -> str | None:
        async with db.begin() as session:
            return await accounts.set_password(
                session, actor=SYSTEM, username=username, password=password
            )

    generated = _with_database(settings, f"reset the password of '{username}'", work)
    name = username.strip().lower()
    tokens = f"their tokens still work (modelreg token list --user {name})"
    if generated is None:
        click.echo(
            f"modelreg: changed the password of '{name}' and signed them out; {tokens}.", err=True
        )
        return
    click.echo(
        f"modelreg: changed the password of '{name}' and signed them out; {tokens}. "
        "The new password, shown only now, is on standard output.",
        err=True,
    )
    click.echo(generated)


@user.command("list")
@_data_dir
@_database_url_option
def user_list(**options: Any) -> None:
    """List every account."""
    from modelreg.domain.actor import SYSTEM
    from modelreg.services import accounts

    settings = _settings(**options)

    async def work(db: Database) -> list[list[str]]:
        async with db.read() as session:
            found = await accounts.list_users(session, actor=SYSTEM, limit=None)
        return [
            [u.username, "yes" if u.is_admin else "no", u.display_name, _when(u.created_at)]
            for u in found
        ]

    rows = _with_database(settings, "list the users", work)
    if not rows:
        click.echo("modelreg: there are no users yet ('modelreg user create').", err=True)
        return
    _table(["USERNAME", "ADMIN", "DISPLAY NAME", "CREATED"], rows)


@main.group()
def token() -> None:
    """Create, list and revoke personal access tokens.

    These commands run on the server's machine, directly against its database (pass the same
    --data-dir or --database-url as 'modelreg serve'), as the instance administrator.
    """


@token.command("create")
@click.option("--user", "username", required=True, help="Whose token it is.")
@click.option("--name", required=True, help="Where the token is used, like ci-pipeline.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(("api", "read_api"), case_sensitive=False),
    help="api (read and write) or read_api (read only); repeatable. [default: api]",
)
@click.option(
    "--expires-in-days",
    type=click.IntRange(min=1),
    default=None,
    help="The token stops working after this many days. [default: never]",
)
@_data_dir
@_database_url_option
def token_create(
    username: str,
    name: str,
    scopes: tuple[str, ...],
    expires_in_days: int | None,
    **options: Any,
) -> None:
    """Create a personal access token and print it, alone, on standard output.

    It is shown only now (only a hash is stored), so capture it:
    TOKEN=$(modelreg token create --user alice --name ci). Send it as
    'Authorization: Bearer <token>', or give it to 'modelreg files' as MODELREG_TOKEN.
    """
    from modelreg.domain.actor import SYSTEM
    from modelreg.services import accounts

    settings = _settings(**options)
    chosen = [s.lower() for s in scopes] or ["api"]
    expires_at = None
    if expires_in_days is not None:
        expires_at = datetime.now(UTC) + timedelta(days=expires_in_days)

    async def work(db: Database) -> tuple[int, str, str, str]:
        async with db.begin() as session:
            created = await accounts.create_token(
                session,
                actor=SYSTEM,
                name=name,
                scopes=chosen,
                expires_at=expires_at,
                username=username,
            )
        assert created.token.id is not None
        return created.token.id, created.token.name, created.token.scopes, created.secret

    token_id, token_name, token_scopes, secret = _with_database(
        settings, f"create a token for '{username}'", work
    )
    scope = f"scope{'s' if ' ' in token_scopes else ''} {token_scopes.replace(' ', ' and ')}"
    expiry = f"expiring {_when(expires_at)}" if expires_at is not None else "never expiring"
    click.echo(
        f"modelreg: created the token '{token_name}' (id {token_id}) of "
        f"'{username.strip().lower()}' with the {scope}, {expiry}. It is on standard output "
        "and shown only now.",
        err=True,
    )
    click.echo(secret)


@token.command("list")
@click.option("--user", "username", required=True, help="Whose tokens to list.")
@_data_dir
@_database_url_option
def token_list(username: str, **options: Any) -> None:
    """List a user's tokens, newest first (never their secrets)."""
    from modelreg.db.types import utcnow
    from modelreg.domain.actor import SYSTEM
    from modelreg.services import accounts

    settings = _settings(**options)

    async def work(db: Database) -> list[list[str]]:
        async with db.read() as session:
            found = await accounts.list_tokens(session, actor=SYSTEM, username=username)
        now = utcnow()
        rows = []
        for t in found:
            if t.revoked_at is not None:
                state = "revoked"
            elif t.expires_at is not None and t.expires_at <= now:
                state = "expired"
            else:
                state = "active"
            rows.append(
                [
                    str(t.id),
                    t.name,
                    t.prefix + "…",
                    t.scopes,
                    state,
                    _when(t.created_at),
                    _when(t.expires_at),
                    _when(t.last_used_at),
                ]
            )
        return rows

    rows = _with_database(settings, f"list the tokens of '{username}'", work)
    if not rows:
        click.echo(f"modelreg: '{username.strip().lower()}' has no tokens.", err=True)
        return
    _table(
        ["ID", "NAME", "STARTS WITH", "SCOPES", "STATE", "CREATED", "EXPIRES", "LAST USED"], rows
    )


@token.command("revoke")
@click.argument("token_id", metavar="ID", type=int)
@_data_dir
@_database_url_option
def token_revoke(token_id: int, **options: Any) -> None:
    """Revoke the token ID (see 'modelreg token list'); it stops working at once."""
    from modelreg.domain.actor import SYSTEM
    from modelreg.services import accounts

    settings = _settings(**options)

    async def work(db: Database) -> str:
        async with db.begin() as session:
            revoked = await accounts.revoke_token(session, actor=SYSTEM, token_id=token_id)
        return revoked.name

    name = _with_database(settings, f"revoke the token {token_id}", work)
    click.echo(f"modelreg: revoked the token {token_id} ('{name}').", err=True)


@main.group()
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


@main.group()
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


# --- files: a client of a running server (HTTP only; see modelreg.client) ---------------------

_url = click.option(
    "--url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="The running registry server.",
)
_token = click.option(
    "--token",
    envvar=TOKEN_ENV,
    default=None,
    help="Personal access token, sent as 'Authorization: Bearer' [MODELREG_TOKEN; prefer the "
    "variable: options show in the process list]. Uploads need one with the api scope; "
    "private projects need one to be seen at all.",
)
_project = click.option("--project", required=True, help="Project path, like fraud-detection.")
_model = click.option("--model", required=True, help="Model name within the project.")
_version = click.option("--version", required=True, help="Model version, like 1.0.0.")


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


class _Bar:
    """One progress bar over all bytes, on standard error, showing MiB/s; redrawn at most
    ten times a second so that a fast transfer does not spend its time drawing."""

    def __init__(self, total: int, label: str) -> None:
        self.total = total
        self.done = 0
        self.drawn = 0
        self.started = time.monotonic()
        self.last_draw = 0.0
        self._bar = click.progressbar(
            length=max(total, 1),
            label=label,
            file=sys.stderr,
            show_eta=True,
            item_show_func=self._info,
        )

    def _info(self, _item: object) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed / 1024**2
        return f"{_size(self.done)} of {_size(self.total)}  {rate:,.1f} MiB/s"

    def __enter__(self) -> _Bar:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._flush()
        self._bar.__exit__(None, None, None)

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last_draw >= 0.1:
            self.last_draw = now
            self._flush()

    def _flush(self) -> None:
        step, self.drawn = self.done - self.drawn, self.done
        if step:
            self._bar.update(step, None)

    def rate(self, moved: int) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return f"{elapsed:.1f} s, {moved / elapsed / 1024**2:,.1f} MiB/s"


def _client(url: str, token: str | None) -> RegistryClient:
    from modelreg.client import ClientError, RegistryClient

    try:
        return RegistryClient(url, token=token)
    except ClientError as exc:
        raise click.UsageError(exc.message) from None


@main.group()
def files() -> None:
    """Upload and download the files of a model version through a running server."""


@files.command("upload", short_help="Upload a directory's files to a model version.")
@click.argument(
    "directory", type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)
)
@_project
@_model
@_version
@_url
@_token
@click.option(
    "--prefix",
    default="",
    help="Folder inside the version to put the files under, like sub/folder.",
)
def files_upload(
    directory: Path,
    project: str,
    model: str,
    version: str,
    url: str,
    token: str | None,
    prefix: str,
) -> None:
    """Upload every file under DIRECTORY (recursively) to a model version.

    Paths inside the version are the paths relative to DIRECTORY, with '/' between folders;
    a file already at the same path is replaced. Each file is checked against the SHA-256 the
    server computed.
    """
    from modelreg.client import ClientError, Stop, local_files

    try:
        found = local_files(directory, prefix=prefix)
    except OSError as exc:
        raise click.ClickException(f"could not read {directory}: {exc.strerror or exc}") from None
    if not found:
        raise click.ClickException(f"{directory} contains no files; nothing was uploaded.")
    total = sum(f.size for f in found)
    where = f"{project}/{model} {version}"
    failures: list[str] = []
    uploaded = uploaded_bytes = 0
    stopped: str | None = None
    with _client(url, token) as client, _Bar(total, f"Uploading to {where}") as bar:
        for local in found:
            try:
                client.upload(
                    local, project=project, model=model, version=version, progress=bar.advance
                )
                uploaded += 1
                uploaded_bytes += local.size
            except Stop as exc:
                stopped = exc.message  # the same for every file: stop at once
                break
            except ClientError as exc:
                failures.append(f"error: {local.remote_path}: {exc.message}")
    if stopped is not None:
        done = (
            f"Stopped after {uploaded} of {len(found)} files."
            if uploaded
            else "Nothing was uploaded."
        )
        raise click.ClickException(f"{stopped} {done}")
    for line in failures:
        click.echo(line, err=True)
    click.echo(
        f"Uploaded {uploaded} of {len(found)} files ({_size(uploaded_bytes)}) to {where} "
        f"in {bar.rate(uploaded_bytes)}."
    )
    if failures:
        raise click.ClickException(f"{len(failures)} of {len(found)} files failed to upload.")


@files.command("download", short_help="Download a model version's files.")
@click.argument("directory", type=click.Path(file_okay=False, dir_okay=True, path_type=Path))
@_project
@_model
@_version
@_url
@_token
def files_download(
    directory: Path, project: str, model: str, version: str, url: str, token: str | None
) -> None:
    """Download every file of a model version into DIRECTORY.

    Each file streams to '<name>.part' and is renamed once its SHA-256 matches the server's; a
    '.part' left by an interrupted run is resumed. Files already there with the right content
    are left alone. Paths that would lead outside DIRECTORY are refused.
    """
    from modelreg.client import ClientError, Stop

    where = f"{project}/{model} {version}"
    with _client(url, token) as client:
        try:
            listed = client.list_files(project, model, version)
        except ClientError as exc:
            raise click.ClickException(exc.message) from None
        if not listed:
            click.echo(f"{where} has no files; nothing to download.")
            return
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.ClickException(
                f"could not create {directory}: {exc.strerror or exc}"
            ) from None
        outcomes: dict[str, int] = {"downloaded": 0, "resumed": 0, "unchanged": 0}
        failures: list[str] = []
        stopped: str | None = None
        fetched_bytes = 0
        with _Bar(sum(f.size for f in listed), f"Downloading {where}") as bar:
            for remote in listed:
                try:
                    outcome = client.download(
                        remote,
                        directory,
                        project=project,
                        model=model,
                        version=version,
                        progress=bar.advance,
                    )
                    outcomes[outcome] += 1
                    if outcome != "unchanged":
                        fetched_bytes += remote.size
                except Stop as exc:
                    stopped = exc.message
                    break
                except ClientError as exc:
                    failures.append(f"error: {remote.path}: {exc.message}")
    if stopped is not None:
        raise click.ClickException(stopped)
    for line in failures:
        click.echo(line, err=True)
    fetched = outcomes["downloaded"] + outcomes["resumed"]
    if fetched == 0 and not failures:
        click.echo(
            f"All {len(listed)} files of {where} are already in {directory} with the right "
            "content; nothing was downloaded."
        )
        return
    notes = [f"{n} {what}" for what, n in outcomes.items() if what != "downloaded" and n]
    click.echo(
        f"Downloaded {fetched} of {len(listed)} files ({_size(fetched_bytes)}) of {where} "
        f"into {directory} in {bar.rate(fetched_bytes)}"
        + (f" ({', '.join(notes)})" if notes else "")
        + "."
    )
    if failures:
        raise click.ClickException(f"{len(failures)} of {len(listed)} files failed to download.")
