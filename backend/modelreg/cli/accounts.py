"""Admin commands for accounts, on the server's machine: `modelreg user` (create, reset the
password, list) and `modelreg token` (personal access tokens: create, list, revoke)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from modelreg.cli.admin import _with_database
from modelreg.cli.options import _data_dir, _database_url_option, _settings
from modelreg.cli.output import _table, _when

if TYPE_CHECKING:
    from modelreg.db import Database

_password_stdin = click.option(
    "--password-stdin",
    is_flag=True,
    default=False,
    help="Read the password from standard input (one line) instead of generating one; "
    "on a terminal, prompt for it.",
)


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


@click.group()
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


@click.group()
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
    from modelreg.services import tokens

    settings = _settings(**options)
    chosen = [s.lower() for s in scopes] or ["api"]
    expires_at = None
    if expires_in_days is not None:
        expires_at = datetime.now(UTC) + timedelta(days=expires_in_days)

    async def work(db: Database) -> tuple[int, str, str, str]:
        async with db.begin() as session:
            created = await tokens.create_token(
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
    from modelreg.services import tokens

    settings = _settings(**options)

    async def work(db: Database) -> list[list[str]]:
        async with db.read() as session:
            found = await tokens.list_tokens(session, actor=SYSTEM, username=username)
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
    from modelreg.services import tokens

    settings = _settings(**options)

    async def work(db: Database) -> str:
        async with db.begin() as session:
            revoked = await tokens.revoke_token(session, actor=SYSTEM, token_id=token_id)
        return revoked.name

    name = _with_database(settings, f"revoke the token {token_id}", work)
    click.echo(f"modelreg: revoked the token {token_id} ('{name}').", err=True)
