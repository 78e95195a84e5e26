"""`modelreg export` and `modelreg import`: move projects between instances with their history
(services/transfer). Like `modelreg db`, they work on the configured database and file store
directly, on the server's machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from modelreg.cli.admin import _with_database
from modelreg.cli.options import _data_dir, _database_url_option, _settings

if TYPE_CHECKING:
    from modelreg.db import Database
    from modelreg.services.transfer.apply import ImportResult


def _refuse(exc: Exception) -> click.ClickException:
    from modelreg.domain.transfer import ArchiveError

    assert isinstance(exc, ArchiveError)
    return click.ClickException(f"[{exc.code}] {exc.message}")


@click.command("export")
@click.argument("projects", nargs=-1, required=True, metavar="PROJECT...")
@click.option("--models", "models", multiple=True, help="Only this model (repeatable).")
@click.option(
    "--since-event",
    type=click.IntRange(min=0),
    default=None,
    help="Only what changed after this event id (an incremental archive).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The archive to write (written to ARCHIVE.partial, renamed when complete).",
)
@_data_dir
@_database_url_option
def export_command(
    projects: tuple[str, ...],
    models: tuple[str, ...],
    since_event: int | None,
    output: Path,
    **options: Any,
) -> None:
    """Write PROJECT... (their models, versions, history, runs and files) to one archive."""
    from contextlib import aclosing

    from modelreg.domain.transfer import ArchiveError
    from modelreg.services.transfer.export import Selection, export_stream
    from modelreg.storage import create_storage

    settings = _settings(**options)
    partial = output.with_name(output.name + ".partial")

    async def work(db: Database) -> int:
        storage = create_storage(settings)
        size = 0
        try:
            with partial.open("wb") as out:
                stream = export_stream(
                    db=db,
                    storage=storage,
                    selection=Selection(projects, models, since_event),
                )
                async with aclosing(stream) as pieces:
                    async for piece in pieces:
                        out.write(piece)
                        size += len(piece)
            partial.replace(output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        finally:
            await storage.close()
        return size

    try:
        size = _with_database(settings, "export", work)
    except ArchiveError as exc:
        raise _refuse(exc) from None
    click.echo(f"wrote {output} ({size} bytes)")


@click.command("import")
@click.argument("archive", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--into", default=None, help="Import the archive's project into this one.")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@_data_dir
@_database_url_option
def import_command(
    archive: Path, into: str | None, dry_run: bool, as_json: bool, **options: Any
) -> None:
    """Import ARCHIVE (from 'modelreg export'): plan, refuse on conflicts, then apply. A run
    that was interrupted can be started again: it continues where it stopped."""
    from modelreg.domain.transfer import ArchiveError
    from modelreg.services.transfer.apply import import_archive
    from modelreg.services.transfer.archive import ArchiveReader
    from modelreg.storage import create_storage

    settings = _settings(**options)

    async def work(db: Database) -> ImportResult:
        reader = ArchiveReader(archive)
        storage = create_storage(settings)
        try:
            return await import_archive(db, storage, reader, into=into, dry_run=dry_run)
        finally:
            reader.close()
            await storage.close()

    try:
        result = _with_database(settings, "import", work)
    except ArchiveError as exc:
        raise _refuse(exc) from None
    _print_plan(result, as_json)


@click.command("import-mlflow")
@click.argument("tracking_uri")
@click.option("--into", required=True, help="The project to import into (create it first).")
@click.option("--models", "models", multiple=True, help="Only this registered model (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@_data_dir
@_database_url_option
def import_mlflow_command(
    tracking_uri: str,
    into: str,
    models: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
    **options: Any,
) -> None:
    """Import the registered models of the MLflow server at TRACKING_URI (versions, stages,
    aliases, tags, files) into a project. Credentials come from MLFLOW_TRACKING_TOKEN or
    MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD. Run it again later to bring what
    is new; an interrupted run continues where it stopped."""
    from modelreg.domain.transfer import ArchiveError
    from modelreg.services.transfer.mlflow_rest import MlflowRest, auth_from_env
    from modelreg.services.transfer.mlflow_source import MlflowImport, import_mlflow
    from modelreg.storage import create_storage

    settings = _settings(**options)

    async def work(db: Database) -> MlflowImport:
        rest = MlflowRest(tracking_uri, auth=auth_from_env())
        storage = create_storage(settings)
        try:
            return await import_mlflow(db, storage, rest, into=into, models=models, dry_run=dry_run)
        finally:
            await storage.close()

    try:
        done = _with_database(settings, "import-mlflow", work)
    except ArchiveError as exc:
        raise _refuse(exc) from None
    _print_plan(done.result, as_json, missing=done.missing)


def _print_plan(result: ImportResult, as_json: bool, *, missing: list[str] | None = None) -> None:
    """The plan (or what was imported) as text or JSON; `missing`: what the source lacked."""
    plan = result.plan.to_json()
    if as_json:
        document = {"applied": result.applied, **plan}
        if missing is not None:
            document["missing"] = missing
        click.echo(json.dumps(document, indent=2, sort_keys=True))
        return
    verb = "imported" if result.applied else "would import (dry run, nothing written)"
    click.echo(f"{verb} from instance {plan['source_instance']}:")
    for label in ("create", "update", "skip", "delete"):
        counts = plan[label]
        if counts:
            items = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
            click.echo(f"  {label}: {items}")
    files = plan["files"]
    click.echo(
        f"  files: {files['new']} new ({files['new_bytes']} bytes), {files['present']} present"
    )
    if plan["unknown_users"]:
        click.echo(
            "  authors without an account here (kept as names): " + ", ".join(plan["unknown_users"])
        )
    for line in missing or ():
        click.echo(f"  missing in the source: {line}")
