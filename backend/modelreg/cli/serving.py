"""`modelreg serve-model`: serve one registered model over HTTP (the scoring protocol of
`mlflow models serve`), following an alias or stage. A client of a running registry (HTTP only,
through modelreg.client and modelreg.serving); it needs the `serving` extra."""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import click

from modelreg.cli.options import TOKEN_ENV
from modelreg.client import DEFAULT_URL

if TYPE_CHECKING:
    from modelreg.client import RegistryClient
    from modelreg.serving.follow import Runner
    from modelreg.serving.reference import Canary, Reference

MAX_BODY_ENV = "MODELREG_SERVING_MAX_BODY_BYTES"


def _token(token_file: Path | None) -> str | None:
    if token_file is None:
        return os.environ.get(TOKEN_ENV) or None
    try:
        return token_file.read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"could not read --token-file {token_file}: {exc}") from None


def _max_body() -> int:
    from modelreg.serving.app import DEFAULT_MAX_BODY

    raw = os.environ.get(MAX_BODY_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_BODY
    if not raw.isdigit() or int(raw) < 1:
        raise click.UsageError(f"{MAX_BODY_ENV} must be a positive number of bytes, got {raw!r}")
    return int(raw)


@click.command("serve-model", short_help="Serve a registered model over HTTP (MLflow protocol).")
@click.argument("reference")
@click.option(
    "--registry",
    envvar="MODELREG_URL",
    default=DEFAULT_URL,
    show_default=True,
    help="The running registry server [MODELREG_URL].",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File holding a personal access token (else MODELREG_TOKEN; private projects and "
    "deployment records need one).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5001, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--poll-seconds",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="How often an alias or stage is re-resolved.",
)
@click.option(
    "--canary",
    default=None,
    help="ALIAS=PCT%: send that share of the requests to the version behind ALIAS.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where versions' files are kept [default ~/.cache/modelreg/serving].",
)
@click.option(
    "--record/--no-record",
    default=True,
    show_default=True,
    help="Record STARTED/STOPPED deployments on the version's activity.",
)
@click.option(
    "--workers-threads",
    default=4,
    show_default=True,
    type=click.IntRange(1, 256),
    help="How many requests are parsed and predicted at once.",
)
def serve_model(
    reference: str,
    registry: str,
    token_file: Path | None,
    host: str,
    port: int,
    poll_seconds: float,
    canary: str | None,
    cache_dir: Path | None,
    record: bool,
    workers_threads: int,
) -> None:
    """Serve REFERENCE (PROJECT/MODEL@REF) on http://HOST:PORT.

    REF is a SemVer (1.2.0: that version), a stage (Staging, Production: its latest version,
    followed) or an alias (champion: followed). Answers GET /ping, /health, /version and
    POST /invocations as `mlflow models serve` does. The model's flavor libraries (for example
    scikit-learn) must be installed next to modelreg[serving].
    """
    from modelreg.client import ClientError, RegistryClient
    from modelreg.serving.loading import MissingExtra, require_extra
    from modelreg.serving.reference import ReferenceError, parse_canary, parse_reference

    try:
        require_extra()
    except MissingExtra as exc:
        raise click.ClickException(str(exc)) from None
    try:
        primary = parse_reference(reference)
        split = parse_canary(canary) if canary else None
    except ReferenceError as exc:
        raise click.UsageError(str(exc)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per registry request
    try:
        client = RegistryClient(registry, token=_token(token_file))
    except ClientError as exc:
        raise click.UsageError(exc.message.replace("--url", "--registry")) from None
    with client:
        _run(client, primary, split, host=host, port=port, poll_seconds=poll_seconds,
             cache_dir=cache_dir or Path.home() / ".cache" / "modelreg" / "serving",
             record=record, threads=workers_threads)  # fmt: skip


def _run(
    client: RegistryClient,
    primary: Reference,
    split: Canary | None,
    *,
    host: str,
    port: int,
    poll_seconds: float,
    cache_dir: Path,
    record: bool,
    threads: int,
) -> None:
    import anyio

    from modelreg.client import ClientError
    from modelreg.serving.app import ServingState
    from modelreg.serving.follow import Runner
    from modelreg.serving.holder import Slot
    from modelreg.serving.reference import CanarySplit, Reference
    from modelreg.serving.resolve import Recorder

    references = {"primary": primary}
    state = ServingState(Slot("primary", str(primary)), threads=threads, max_body=_max_body())
    if split is not None:
        canary_ref = Reference(primary.project, primary.model, split.alias, "alias")
        references[split.alias] = canary_ref
        state.canary = Slot(split.alias, str(canary_ref))
        state.split = CanarySplit(split.percent)
    endpoint_host = f"[{host}]" if ":" in host else host
    recorder = Recorder(client, endpoint=f"http://{endpoint_host}:{port}",
                        instance=uuid.uuid4().hex, enabled=record)  # fmt: skip
    runner = Runner(client, state, references, cache_dir=cache_dir, recorder=recorder)
    try:
        runner.start()
    except ClientError as exc:
        raise click.ClickException(exc.message) from None
    anyio.run(_serve, runner, host, port, poll_seconds)


async def _serve(runner: Runner, host: str, port: int, poll_seconds: float) -> None:
    """Runs uvicorn; once it listens, prints the ready line, records STARTED and follows."""
    from collections.abc import AsyncIterator
    from contextlib import asynccontextmanager

    import anyio
    import uvicorn
    from starlette.applications import Starlette

    from modelreg.serving.app import build_app

    app = build_app(runner.state)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        # Before uvicorn returns (it re-raises the stopping signal after that).
        await anyio.to_thread.run_sync(runner.record_stopped)

    app.router.lifespan_context = lifespan
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)

    async def announce() -> None:
        while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
            await anyio.sleep(0.05)
        loaded = runner.state.primary.current
        assert loaded is not None
        v = loaded.version
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"serving {v.project}/{v.model} {v.version} on http://{shown}:{port}", err=True)
        await anyio.to_thread.run_sync(runner.record_started)
        if any(f.reference.follows for f in runner.followed):
            await runner.follow(poll_seconds)

    async with anyio.create_task_group() as group:
        group.start_soon(announce)
        await server.serve()
        group.cancel_scope.cancel()
