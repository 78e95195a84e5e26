"""Partial uploads (`.part` files) of the local storage are tied to their writer by a lock:
the start-up cleanup removes those a crashed process left, at once and whatever their age, and
keeps those a live writer (in this process or another one) is still writing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

import httpx
import pytest

from modelreg.storage import LocalStorage
from modelreg.storage import local as local_module
from modelreg.storage.local import WRITE_BLOCK
from tests.support.server import clean_env, running_server

# FIRST is one whole write block: the writer writes it before the next chunk arrives.
FIRST, LAST = b"a" * WRITE_BLOCK, b"b" * 1024

# Puts FIRST, says "writing" (the part exists and gets FIRST), waits for a line on its
# standard input, puts LAST and says "stored <size>".
WRITER = """
import asyncio, sys
from pathlib import Path
from modelreg.storage import LocalStorage
from modelreg.storage.local import WRITE_BLOCK

async def main() -> None:
    storage = LocalStorage(Path(sys.argv[1]))

    async def chunks():
        yield b"a" * WRITE_BLOCK
        print("writing", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        yield b"b" * 1024

    stored = await storage.put("ab/cd", chunks())
    print("stored", stored.size, flush=True)

asyncio.run(main())
"""


@contextmanager
def writer(root: Path) -> Iterator[subprocess.Popen[str]]:
    """A process in the middle of a `put` into `root`, holding its part."""
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line == "writing\n", line + (process.stderr.read() if process.stderr else "")
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def parts(root: Path) -> list[Path]:
    return sorted((root / "tmp").glob("*.part"))


def age(path: Path, seconds: float) -> None:
    """Make the part look `seconds` old, once the writer's first block is on disk (so no
    write in flight refreshes its time afterwards)."""
    deadline = time.monotonic() + 30
    while path.stat().st_size < len(FIRST):
        assert time.monotonic() < deadline, "the first block never reached the disk"
        time.sleep(0.01)
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_part_left_by_a_killed_writer_is_removed_at_start_up(tmp_path: Path) -> None:
    root = tmp_path / "data" / "artifacts"
    with writer(root) as process:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    [left] = parts(root)
    assert time.time() - left.stat().st_mtime < 600  # fresh: no age rule would call it stale
    # A real server start: its start-up cleanup removes it before the server answers.
    with running_server(tmp_path) as base:
        assert httpx.get(f"{base}/healthz").status_code == 200
        assert parts(root) == []
    assert not (root / "objects" / "ab" / "cd").exists()


def test_a_part_another_process_is_writing_is_kept_at_start_up(tmp_path: Path) -> None:
    root = tmp_path / "data" / "artifacts"
    with writer(root) as process:
        [part] = parts(root)
        age(part, 2 * 3600)  # a stalled client: old, yet still being written
        with running_server(tmp_path) as base:  # another worker starting meanwhile
            assert httpx.get(f"{base}/healthz").status_code == 200
            assert parts(root) == [part]
        assert asyncio.run(LocalStorage(root).cleanup()) == 0
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert out == f"stored {len(FIRST) + len(LAST)}\n"
    assert (root / "objects" / "ab" / "cd").read_bytes() == FIRST + LAST
    assert parts(root) == []


async def test_a_part_this_process_is_writing_is_kept(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    started, go = asyncio.Event(), asyncio.Event()

    async def chunks() -> AsyncIterator[bytes]:
        yield FIRST
        started.set()
        await go.wait()
        yield LAST

    upload = asyncio.create_task(storage.put("ab/cd", chunks()))
    await asyncio.wait_for(started.wait(), timeout=30)
    [part] = parts(tmp_path)
    age(part, 2 * 3600)
    assert await storage.cleanup() == 0
    assert parts(tmp_path) == [part]
    go.set()
    stored = await asyncio.wait_for(upload, timeout=30)
    assert stored.size == len(FIRST) + len(LAST)
    assert (tmp_path / "objects" / "ab" / "cd").read_bytes() == FIRST + LAST
    assert parts(tmp_path) == []


async def test_a_put_cancelled_while_its_part_is_created_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage(tmp_path)
    made: list[Path] = []
    create_part = local_module._create_part

    def counting(tmp_dir: Path) -> tuple[Path, BinaryIO]:
        part, file = create_part(tmp_dir)
        made.append(part)
        return part, file

    # On a busy machine a worker thread may create its part only after the folder was seen
    # empty: the test waits until all 20 parts were made, then until all are gone.
    monkeypatch.setattr(local_module, "_create_part", counting)

    async def chunks() -> AsyncIterator[bytes]:
        yield FIRST

    for _ in range(20):
        upload = asyncio.create_task(storage.put("ab/cd", chunks()))
        await asyncio.sleep(0)  # the part is being created in a worker thread
        upload.cancel()
        with suppress(asyncio.CancelledError):
            await upload
    for _ in range(1000):  # each part is removed once its worker thread has made it
        if len(made) == 20 and not parts(tmp_path):
            break
        await asyncio.sleep(0.01)
    assert parts(tmp_path) == []
    assert not (tmp_path / "objects").exists()
