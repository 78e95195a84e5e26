"""`modelreg serve --workers N`: the setting is checked, N processes answer on one port, and a
subscription opened on it sees every version written through any of them, in order."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from websockets.asyncio.client import ClientConnection

from modelreg.db import Database
from tests.support.processes import CREATE_VERSION, model, mutate, next_event, subscribe
from tests.support.server import cli_token, run_modelreg, running_server


def test_workers_must_be_a_sensible_number(tmp_path: Path) -> None:
    for args, env in (
        (["--workers", "0"], {}),
        ([], {"MODELREG_WORKERS": "-3"}),
        (["--workers", "65"], {}),
    ):
        result = run_modelreg("serve", "--port", "8851", *args, cwd=tmp_path, **env)
        assert result.returncode == 2, result.stderr
        assert "MODELREG_WORKERS: the number of server processes must be from 1 to 64" in (
            result.stderr
        )
        assert "Traceback" not in result.stderr
    assert not (tmp_path / ".modelreg").exists()  # refused before touching the database


async def until_following(ws: ClientConnection, base: str, token: str, model_id: str) -> None:
    """Writes warm-up versions 0.0.k until the subscription delivers one, then reads up to the
    last one: from there on, the subscription delivers every new version."""
    for k in range(100):
        await mutate(base, token, CREATE_VERSION, m=model_id, v=f"0.0.{k}")
        try:
            event = await next_event(ws, 0.5)
        except TimeoutError:
            continue
        while event["version"]["version"] != f"0.0.{k}":
            event = await next_event(ws, 10)
        return
    raise AssertionError("the subscription delivered nothing")


async def test_serve_with_two_workers_runs_two_processes_that_share_the_work(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    """On SQLite the subscription's process finds the others' events by polling, on PostgreSQL
    a NOTIFY wakes it (`db` empties the PostgreSQL tables afterwards)."""
    printed: list[str] = []
    # The database as a flag: the worker processes see it only if `serve` passes it on. And a
    # client's MODELREG_TOKEN in the environment, which the workers must not refuse.
    with running_server(
        tmp_path,
        *("--workers", "2", "--database-url", database_url),
        output=printed,
        MODELREG_LOG_LEVEL="info",
        MODELREG_TOKEN="mrt_for_the_files_command",
    ) as base:
        token = cli_token(tmp_path, MODELREG_DATABASE_URL=database_url)
        model_id = await model(base, token)
        ws = await subscribe(base, token)
        try:
            await until_following(ws, base, token, model_id)
            # Each write on its own connection, two at a time: the processes take turns
            # accepting them, and the subscription's process hears of the others' by polling.
            wanted = [f"1.{n}.0" for n in range(12)]
            for pair in zip(wanted[::2], wanted[1::2], strict=True):
                await asyncio.gather(
                    *(mutate(base, token, CREATE_VERSION, m=model_id, v=v) for v in pair)
                )
            got = [(await next_event(ws, 10))["version"]["version"] for _ in wanted]
            assert len(got) == len(set(got)) and set(got) == set(wanted)
        finally:
            await ws.close()
    started = set(re.findall(r"Started server process \[(\d+)\]", printed[0]))
    assert len(started) == 2, printed[0]
    assert "with 2 processes" in printed[0]
