"""The `modelreg` command line: serve, migrate, seed the demo, export the schema, move files."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from modelreg.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from modelreg.client import RegistryClient


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
                return await seed_demo(session, actor=Actor(name="demo"))
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
    _upgrade(_settings(**options))
    click.echo("modelreg: database is up to date.", err=True)


@main.command("demo")
@_data_dir
@_database_url
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


# --- files: a client of a running server (HTTP only; see modelreg.client) ---------------------

_url = click.option(
    "--url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="The running registry server.",
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


def _client(url: str) -> RegistryClient:
    from modelreg.client import ClientError, RegistryClient

    try:
        return RegistryClient(url)
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
@click.option(
    "--prefix",
    default="",
    help="Folder inside the version to put the files under, like sub/folder.",
)
def files_upload(
    directory: Path, project: str, model: str, version: str, url: str, prefix: str
) -> None:
    """Upload every file under DIRECTORY (recursively) to a model version.

    Paths inside the version are the paths relative to DIRECTORY, with '/' between folders;
    a file already at the same path is replaced. Each file is checked against the SHA-256 the
    server computed.
    """
    from modelreg.client import ClientError, Unreachable, VersionMissing, local_files

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
    with _client(url) as client, _Bar(total, f"Uploading to {where}") as bar:
        for local in found:
            try:
                client.upload(
                    local, project=project, model=model, version=version, progress=bar.advance
                )
                uploaded += 1
                uploaded_bytes += local.size
            except (Unreachable, VersionMissing) as exc:
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
def files_download(directory: Path, project: str, model: str, version: str, url: str) -> None:
    """Download every file of a model version into DIRECTORY.

    Each file streams to '<name>.part' and is renamed once its SHA-256 matches the server's; a
    '.part' left by an interrupted run is resumed. Files already there with the right content
    are left alone. Paths that would lead outside DIRECTORY are refused.
    """
    from modelreg.client import ClientError, Unreachable, VersionMissing

    where = f"{project}/{model} {version}"
    with _client(url) as client:
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
                except (Unreachable, VersionMissing) as exc:
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
