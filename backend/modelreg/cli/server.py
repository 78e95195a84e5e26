"""Commands that run the server or prepare its database: serve (with first-start admin and
demo), db upgrade, demo, export-schema."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from modelreg.cli.options import TOKEN_ENV, _data_dir, _database_url_option, _settings
from modelreg.settings import ENV_PREFIX, Settings

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
    from modelreg.errors import AlreadyExists, ConcurrentChange
    from modelreg.services.demo import DEMO_PROJECT_PATH, seed_demo
    from modelreg.services.projects import find_project_by_path

    db = Database(settings.resolved_database_url)
    try:
        try:
            async with db.begin() as session:
                return await seed_demo(session, actor=Actor(name="demo", is_admin=True))
        except (AlreadyExists, ConcurrentChange, DBAPIError):
            # Another process sharing the database seeded it at the same moment (a clash on
            # the unique project path, which `db.begin()` reports as ConcurrentChange, or a
            # busy SQLite file): fine if the project is there.
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


def _log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's logging, with modelreg's own loggers on the same handler at the same level;
    every line one JSON object with MODELREG_LOG_FORMAT=json."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["modelreg"] = {
        "handlers": ["default"],
        "level": settings.log_level.upper(),
        "propagate": False,
    }
    if settings.log_format == "json":
        from modelreg.logs import use_json

        use_json(config)
    return config


@click.command()
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
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Server processes to start, all on one port [MODELREG_WORKERS, default 1]. On SQLite "
    "they share one file that takes one writer at a time; PostgreSQL scales further.",
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
    settings = _settings(**options)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        _upgrade(settings)
    _first_admin(settings)
    if demo:
        _demo(settings)
    click.echo(
        f"modelreg: serving on http://{settings.host}:{settings.port} (GraphiQL at /graphql)"
        + (f" with {settings.workers} processes" if settings.workers > 1 else ""),
        err=True,
    )
    if settings.workers == 1:
        _run(settings, _app(settings))
        return
    # Each worker process builds its own Settings from the environment (uvicorn spawns them
    # with an import string), so flags given here are exported as the variables they stand for.
    _export(options)
    with _metrics_dir():
        _run(settings, "modelreg.app:app_from_environment", factory=True)


def _app(settings: Settings) -> Any:
    from modelreg.app import create_app, tune_garbage_collector

    tune_garbage_collector()
    return create_app(settings)


def _export(options: dict[str, Any]) -> None:
    """Flags as MODELREG_* variables for the worker processes; MODELREG_TOKEN (a client's
    variable, which the server ignores) is not passed on, as a worker would refuse it."""
    os.environ.pop(TOKEN_ENV, None)
    for name, value in options.items():
        if value is not None:
            os.environ[ENV_PREFIX + name.upper()] = str(value)


@contextlib.contextmanager
def _metrics_dir() -> Iterator[None]:
    """A fresh PROMETHEUS_MULTIPROC_DIR shared by the worker processes, removed at exit, so
    each process's counters add up in one /metrics answer."""
    with tempfile.TemporaryDirectory(prefix="modelreg-metrics-") as path:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
        yield


def _run(settings: Settings, app: Any, *, factory: bool = False) -> None:
    import uvicorn

    uvicorn.run(
        app,
        factory=factory,
        workers=settings.workers,
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


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command()
@_data_dir
@_database_url_option
def upgrade(**options: Any) -> None:
    """Apply all database migrations."""
    _upgrade(_settings(**options))
    click.echo("modelreg: database is up to date.", err=True)


@click.command("demo")
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


@click.command("export-schema")
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
