"""How the admin commands (users, tokens, members, projects) reach the database: on the
server's machine, straight to it, with failures as one line without a traceback."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from modelreg.settings import Settings

if TYPE_CHECKING:
    from modelreg.db import Database

_T = TypeVar("_T")

# --- users, tokens, members, projects: on the server's machine, straight to the database -------
#
# These act as SYSTEM (the operator at the server's console is the instance's administrator),
# through the same services as GraphQL; nothing here decides who may do what.


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
