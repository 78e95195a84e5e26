"""Uploads to the local storage are gathered into blocks (one worker-thread hop each, hashing and
writing together) and flushed to disk in the background while they arrive; multi-MiB files
round-trip through the REST routes whole and by range. See storage/local.py."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import os
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from modelreg.db import Database
from modelreg.db.models import Artifact, Blob
from modelreg.settings import Settings
from modelreg.storage import LocalStorage, ObjectNotFound, ObjectTooLarge, StoredObject
from modelreg.storage import local as local_module
from tests.support.graphql import GraphQLClient
from tests.support.registry import create_model, create_project, create_version

KiB = 1024
MiB = 1024 * KiB
URL = "/api/v1/projects/demo/models/churn/versions/1.0.0/files/weights.bin"


def _payload(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


async def _chunks(data: bytes, size: int = 64 * KiB) -> AsyncIterator[bytes]:
    """`data` in pieces of `size` bytes, as uvicorn hands a request body over."""
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]
        await asyncio.sleep(0)


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_small_chunks_are_hashed_and_written_in_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks: list[int] = []
    write_block = local_module._PartWriter.write_block

    def counting(self: Any, block: list[bytes]) -> None:
        blocks.append(sum(len(c) for c in block))
        write_block(self, block)

    monkeypatch.setattr(local_module._PartWriter, "write_block", counting)
    storage = LocalStorage(tmp_path)
    data = _payload(9 * MiB + 123)
    stored = await storage.put("a/b", _chunks(data))
    assert stored == StoredObject(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    assert (tmp_path / "objects" / "a" / "b").read_bytes() == data
    # 145 chunks of 64 KiB arrive; three worker-thread hops write them: 4 MiB, 4 MiB, the rest.
    assert blocks == [4 * MiB, 4 * MiB, MiB + 123]


async def test_written_bytes_go_to_disk_while_the_upload_arrives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_module, "SYNC_EVERY", MiB)
    pulled = 0
    synced_at: list[int] = []
    real_datasync = local_module._datasync
    loop, first_sync = asyncio.get_running_loop(), asyncio.Event()

    def recording(fd: int) -> None:
        synced_at.append(pulled)
        loop.call_soon_threadsafe(first_sync.set)
        real_datasync(fd)

    monkeypatch.setattr(local_module, "_datasync", recording)
    data = _payload(12 * MiB)

    async def source() -> AsyncIterator[bytes]:
        nonlocal pulled
        async for chunk in _chunks(data):
            pulled += len(chunk)
            yield chunk
            # The last 4 MiB arrive slowly (as over a network), giving a flush begun after the
            # first blocks the time to start; one that waits for the end never does.
            if pulled > 8 * MiB and not first_sync.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(first_sync.wait(), 2)

    storage = LocalStorage(tmp_path)
    stored = await storage.put("synced", source())
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert synced_at, "nothing was flushed to disk before the end"
    assert min(synced_at) < len(data), "the first flush waited for the whole upload"


async def test_too_large_with_a_flush_in_flight_leaves_nothing_and_closes_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit trips while a block is being written and a flush to disk is running: nothing
    is left behind, and the file is closed only once the flush has finished with it."""
    monkeypatch.setattr(local_module, "SYNC_EVERY", MiB)
    monkeypatch.setattr(local_module, "WRITE_BLOCK", MiB)
    flushes: list[str] = []

    def slow(fd: int) -> None:
        time.sleep(0.2)
        try:
            os.fstat(fd)  # EBADF if the file was closed under the flush
            flushes.append("ok")
        except OSError as exc:
            flushes.append(f"closed: {exc}")

    monkeypatch.setattr(local_module, "_datasync", slow)
    storage = LocalStorage(tmp_path)
    with pytest.raises(ObjectTooLarge):
        await storage.put("too/large", _chunks(_payload(20 * MiB)), max_size=3 * MiB)
    assert flushes and all(result == "ok" for result in flushes), flushes
    assert _files_under(tmp_path) == []


# --- through the REST routes ------------------------------------------------------------------


@pytest.fixture
async def version(gql: GraphQLClient) -> str:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    return str((await create_version(gql, model["id"], "1.0.0"))["id"])


async def test_multi_mib_file_round_trips_whole_and_by_range(
    http: httpx.AsyncClient, version: str
) -> None:
    data = _payload(9 * MiB + 5)
    put = await http.put(URL, content=_chunks(data))
    assert put.status_code == 201, put.text
    assert put.json()["sha256"] == hashlib.sha256(data).hexdigest()
    whole = await http.get(URL)
    assert whole.status_code == 200
    assert whole.headers["content-length"] == str(len(data))
    assert whole.content == data
    # Across the 1 MiB read chunks and the 4 MiB write blocks.
    start, end = 4 * MiB - 10, 5 * MiB + 10
    part = await http.get(URL, headers={"range": f"bytes={start}-{end}"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes {start}-{end}/{len(data)}"
    assert part.content == data[start : end + 1]
    tail = await http.get(URL, headers={"range": "bytes=-7"})
    assert tail.content == data[-7:]


@pytest.fixture
async def limited(
    settings: Settings, db: Database, admin_headers: dict[str, str]
) -> AsyncIterator[tuple[httpx.AsyncClient, Settings]]:
    from modelreg.app import create_app

    limited_settings = settings.model_copy(update={"max_file_size": 5 * MiB})
    transport = httpx.ASGITransport(app=create_app(limited_settings, db=db))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://modelreg.test", headers=admin_headers
    ) as client:
        yield client, limited_settings


async def test_too_large_upload_in_small_chunks_leaves_nothing(
    limited: tuple[httpx.AsyncClient, Settings], version: str, db: Database
) -> None:
    client, limited_settings = limited
    response = await client.put(URL, content=_chunks(_payload(12 * MiB)))  # no Content-Length
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "FILE_TOO_LARGE"
    async with db.read() as session:
        for table in (Artifact, Blob):
            assert (await session.exec(select(sa.func.count()).select_from(table))).one() == 0
    assert _files_under(limited_settings.resolved_artifacts_dir) == []


# --- reads: cached bytes on the event loop, the rest in a thread ------------------------------


async def _read_all(storage: LocalStorage, key: str, **kwargs: Any) -> bytes:
    return b"".join([chunk async for chunk in storage.open(key, **kwargs)])


async def _stored(tmp_path: Path, data: bytes) -> LocalStorage:
    storage = LocalStorage(tmp_path)
    await storage.put("k", _chunks(data))
    return storage


@pytest.mark.skipif(not local_module._CAN_READ_NOWAIT, reason="no preadv with RWF_NOWAIT")
async def test_cached_reads_need_no_thread_hop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _payload(3 * MiB + 11)
    storage = await _stored(tmp_path, data)  # just written: in the page cache
    (tmp_path / "objects" / "k").read_bytes()
    hops: list[Any] = []
    to_thread = asyncio.to_thread

    async def counting(func: Any, /, *args: Any) -> Any:
        hops.append(func)
        return await to_thread(func, *args)

    monkeypatch.setattr(local_module.asyncio, "to_thread", counting)
    start, end = MiB - 3, 3 * MiB + 5
    assert await _read_all(storage, "k", start=start, end=end) == data[start:end]
    assert hops == [local_module._open_object]  # the open; every byte came from the cache
    hops.clear()
    assert await _read_all(storage, "k") == data
    assert hops == [local_module._open_object, os.pread]  # + one read that finds the end


@pytest.mark.parametrize("why", ["not cached", "unsupported"])
async def test_reads_fall_back_to_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, why: str
) -> None:
    data = _payload(2 * MiB + 3)
    storage = await _stored(tmp_path, data)
    asked: list[int] = []

    def preadv(fd: int, buffers: Any, offset: int, flags: int = 0) -> int:
        asked.append(offset)
        if why == "not cached":
            raise BlockingIOError
        raise OSError(errno.EOPNOTSUPP, "not supported")

    monkeypatch.setattr(local_module, "_CAN_READ_NOWAIT", True)
    monkeypatch.setattr(local_module.os, "preadv", preadv, raising=False)
    monkeypatch.setattr(local_module.os, "RWF_NOWAIT", 8, raising=False)
    start = 5
    assert await _read_all(storage, "k", start=start) == data[start:]
    # Not cached: asked again for every chunk; unsupported: never asked again for this file.
    assert asked == ([start, start + MiB, len(data)] if why == "not cached" else [start])


async def test_a_directory_is_not_an_object(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    await storage.put("a/b", _chunks(b"x"))
    with pytest.raises(ObjectNotFound):
        await _read_all(storage, "a")


async def test_a_cancelled_upload_closes_its_file_only_after_the_write_in_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The request goes away (the task is cancelled) while a worker thread writes a block: the
    part file is removed and closed only once that write has ended, never under it."""
    started, events = asyncio.Event(), []
    loop = asyncio.get_running_loop()
    write_block = local_module._PartWriter.write_block

    def slow(self: Any, block: list[bytes]) -> None:
        loop.call_soon_threadsafe(started.set)
        time.sleep(0.5)  # still writing when the cancellation lands
        write_block(self, block)
        events.append("written")

    monkeypatch.setattr(local_module._PartWriter, "write_block", slow)
    storage = LocalStorage(tmp_path)

    async def endless() -> AsyncIterator[bytes]:
        while True:
            yield b"x" * (64 * KiB)
            await asyncio.sleep(0)

    upload = asyncio.create_task(storage.put("a/b", endless()))
    await asyncio.wait_for(started.wait(), 10)
    # The next block gathers in a few ms; then the upload waits for the write to end.
    await asyncio.sleep(0.2)
    opened = [p for p in _files_under(tmp_path) if p.suffix == ".part"]
    assert len(opened) == 1
    upload.cancel()
    with pytest.raises(asyncio.CancelledError):
        await upload
    events.append("put returned")
    assert events == ["written", "put returned"]
    assert _files_under(tmp_path / "objects") == [] and not opened[0].exists()
