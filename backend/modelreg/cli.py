"""The `modelreg` command line: serve, migrate, export the schema."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from modelreg.settings import Settings, SettingsError, load_settings


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(overrides)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None


_data_dir = click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Data directory [MODELREG_DATA_DIR, default ./.modelreg].",
)
_database_url = click.option(
    "--database-url",
    default=None,
    help="SQLAlchemy URL [MODELREG_DATABASE_URL, default SQLite in the data directory].",
)


@click.group()
@click.version_option(package_name="modelreg")
def main() -> None:
    """modelreg: a self-hosted machine-learning model registry."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on [MODELREG_HOST].")
@click.option("--port", type=int, default=None, help="Port to listen on [MODELREG_PORT].")
@_data_dir
@_database_url
@click.option(
    "--artifacts-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where files are stored [MODELREG_ARTIFACTS_DIR].",
)
@click.option(
    "--migrate/--no-migrate",
    default=True,
    show_default=True,
    help="Apply database migrations before serving.",
)
def serve(migrate: bool, **options: Any) -> None:
    """Serve the registry (GraphQL API, GraphiQL and the web app)."""
    import uvicorn

    from modelreg.app import create_app
    from modelreg.db.migrate import upgrade

    settings = _settings(**options)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        upgrade(settings.resolved_database_url)
    click.echo(
        f"modelreg: serving on http://{settings.host}:{settings.port} (GraphiQL at /graphql)",
        err=True,
    )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        proxy_headers=True,
    )


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command()
@_data_dir
@_database_url
def upgrade(**options: Any) -> None:
    """Apply all database migrations."""
    from modelreg.db.migrate import upgrade as run_upgrade

    settings = _settings(**options)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    run_upgrade(settings.resolved_database_url)
    click.echo("modelreg: database is up to date.", err=True)


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
