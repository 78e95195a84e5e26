"""`modelreg files`: a client of a running server (HTTP only, through modelreg.client) that
uploads and downloads the files of a model version."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from modelreg.cli.options import TOKEN_ENV
from modelreg.cli.output import _Bar, _size

if TYPE_CHECKING:
    from modelreg.client import RegistryClient

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


def _client(url: str, token: str | None) -> RegistryClient:
    from modelreg.client import ClientError, RegistryClient

    try:
        return RegistryClient(url, token=token)
    except ClientError as exc:
        raise click.UsageError(exc.message) from None


@click.group()
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
