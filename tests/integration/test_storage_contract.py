"""One contract for every storage backend: local files, in-memory and S3 (moto server).

Every test taking the `storage` fixture runs once per backend. Backend-specific checks (local
`.part` files, S3 multipart uploads) go through `leftovers()`, which lists whatever a backend
holds under the test's root or prefix: after a failed `put` it must be empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

import pytest

from modelreg.settings import Settings
from modelreg.storage import (
    CHUNK_SIZE,
    LocalStorage,
    MemoryStorage,
    ObjectNotFound,
    ObjectTooLarge,
    S3Storage,
    Storage,
    StorageError,
    StoredObject,
    create_storage,
)
from modelreg.storage.s3 import PART_SIZE
from tests.support.s3 import SECRET_ACCESS_KEY, MotoS3

MiB = 1024 * 1024
BACKENDS = ("local", "memory", "s3")


@pytest.fixture(params=BACKENDS)
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Storage]:
    backend: Storage
    if request.param == "local":
        backend = LocalStorage(tmp_path / "artifacts")
    elif request.param == "memory":
        backend = MemoryStorage()
    else:
        moto: MotoS3 = request.getfixturevalue("moto_s3")
        backend = moto.storage()
    try:
        yield backend
    finally:
        await backend.close()


# --- helpers -------------------------------------------------------------------------------


def payload(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def split(data: bytes, sizes: Iterable[int]) -> list[bytes]:
    """Cut `data` into chunks of the given sizes, cycling through them."""
    sizes = list(sizes)
    chunks, offset, i = [], 0, 0
    while offset < len(data):
        step = sizes[i % len(sizes)]
        chunks.append(data[offset : offset + step])
        offset += step
        i += 1
    return chunks


class Source:
    """An async chunk source that counts how many chunks were pulled, and can fail."""

    def __init__(self, chunks: Iterable[bytes], *, fail_after: int | None = None) -> None:
        self.chunks = list(chunks)
        self.fail_after = fail_after
        self.pulled = 0

    async def _iterate(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            if self.fail_after is not None and self.pulled >= self.fail_after:
                raise ClientGone("client disconnected")
            self.pulled += 1
            yield chunk

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._iterate()


class ClientGone(ConnectionResetError):
    """A simulated client disconnect: an OSError, so a backend must not mistake it for its own
    disk or network failure and wrap it."""


async def put_bytes(
    storage: Storage, key: str, data: bytes, chunk: int = 64 * 1024
) -> StoredObject:
    return await storage.put(key, Source(split(data, [chunk])))


async def read(storage: Storage, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in storage.open(key, start=start, end=end)])


def expected(data: bytes) -> StoredObject:
    return StoredObject(size=len(data), sha256=hashlib.sha256(data).hexdigest())


async def leftovers(storage: Storage) -> list[str]:
    """Everything the backend holds for this test: objects, partial files, pending uploads."""
    if isinstance(storage, MemoryStorage):
        return storage.keys()
    if isinstance(storage, LocalStorage):
        return sorted(
            str(p.relative_to(storage.root)) for p in storage.root.rglob("*") if p.is_file()
        )
    assert isinstance(storage, S3Storage)
    client = await storage.client()
    uploads = await client.list_multipart_uploads(Bucket=storage.bucket, Prefix=storage.prefix)
    objects = await client.list_objects_v2(Bucket=storage.bucket, Prefix=storage.prefix)
    return sorted(
        [f"upload:{u.get('Key')}" for u in uploads.get("Uploads", [])]
        + [f"object:{o.get('Key')}" for o in objects.get("Contents", [])]
    )


# --- the contract --------------------------------------------------------------------------


async def test_round_trip_with_uneven_chunks(storage: Storage) -> None:
    data = payload(3 * MiB + 12345)
    stored = await storage.put("ab/cd/round-trip", Source(split(data, [1, 65536, 300_001, 7])))
    assert stored == expected(data)
    assert await storage.exists("ab/cd/round-trip")
    assert await read(storage, "ab/cd/round-trip") == data


async def test_empty_object(storage: Storage) -> None:
    assert await storage.put("empty", Source([])) == expected(b"")
    assert await storage.put("empty-chunk", Source([b"", b""])) == expected(b"")
    for key in ("empty", "empty-chunk"):
        assert await storage.exists(key)
        assert [chunk async for chunk in storage.open(key)] == []
        assert await read(storage, key, 0, 0) == b""
        assert await read(storage, key, 5) == b""


async def test_ranges(storage: Storage) -> None:
    data = payload(2 * CHUNK_SIZE + 333, seed=1)
    size = len(data)
    await put_bytes(storage, "ranged", data)
    cases = [
        (0, None),
        (100, None),  # start only
        (10, 20),  # start and end (end exclusive)
        (CHUNK_SIZE - 5, CHUNK_SIZE + 5),  # across a chunk boundary
        (size - 1, None),  # last byte
        (size - 1, size),  # last byte, explicit end
        (0, 1),  # first byte
        (7, 7),  # empty range
        (size - 10, size + 1000),  # end past the object: clamped
        (size, None),  # start at the end: no bytes
        (size + 10, None),  # start beyond the end: no bytes, no error
        (size + 10, size + 20),
    ]
    for start, end in cases:
        assert await read(storage, "ranged", start, end) == data[start:end], (start, end)


async def test_invalid_ranges_are_refused(storage: Storage) -> None:
    await put_bytes(storage, "k", b"abc")
    with pytest.raises(ValueError, match="start"):
        await read(storage, "k", -1)
    with pytest.raises(ValueError, match="end"):
        await read(storage, "k", 2, 1)


async def test_chunks_are_bounded(storage: Storage) -> None:
    data = payload(3 * CHUNK_SIZE + 17, seed=2)
    # One huge incoming chunk must not come back as one huge chunk.
    await storage.put("bounded", Source([data]))
    for start, end in ((0, None), (5, 2 * CHUNK_SIZE + 9)):
        chunks = [chunk async for chunk in storage.open("bounded", start=start, end=end)]
        assert all(0 < len(chunk) <= CHUNK_SIZE for chunk in chunks)
        assert b"".join(chunks) == data[start:end]


async def test_missing_key(storage: Storage) -> None:
    for start, end in ((0, None), (3, None), (0, 10), (4, 4)):
        with pytest.raises(ObjectNotFound):
            await read(storage, "no/such/key", start, end)
    assert not await storage.exists("no/such/key")


async def test_delete_is_idempotent_and_exists_follows(storage: Storage) -> None:
    await put_bytes(storage, "a/b", b"hello")
    await put_bytes(storage, "a/c", b"other")
    assert await storage.exists("a/b")
    await storage.delete("a/b")
    assert not await storage.exists("a/b")
    await storage.delete("a/b")
    await storage.delete("never/existed")
    with pytest.raises(ObjectNotFound):
        await read(storage, "a/b")
    assert await read(storage, "a/c") == b"other"


async def test_exactly_max_size_is_accepted(storage: Storage) -> None:
    data = payload(1000, seed=3)
    assert await storage.put("limit", Source(split(data, [100])), max_size=1000) == expected(data)


async def test_too_large_stops_reading_and_leaves_nothing(storage: Storage) -> None:
    limit = 10 * MiB  # above one S3 part, so a multipart upload is under way when it trips
    source = Source(split(payload(40 * MiB, seed=4), [MiB]))
    with pytest.raises(ObjectTooLarge) as caught:
        await storage.put("too/large", source, max_size=limit)
    assert caught.value.limit == limit
    assert source.pulled == limit // MiB + 1  # the chunk that crossed the limit, no more
    assert not await storage.exists("too/large")
    assert await leftovers(storage) == []


async def test_too_large_in_the_first_chunk(storage: Storage) -> None:
    source = Source([b"x" * 11, b"never read"])
    with pytest.raises(ObjectTooLarge):
        await storage.put("small/limit", source, max_size=10)
    assert source.pulled == 1
    assert await leftovers(storage) == []


@pytest.mark.parametrize("fail_after", [0, 3, 20], ids=["at-once", "first-part", "multipart"])
async def test_source_failure_leaves_nothing(storage: Storage, fail_after: int) -> None:
    """A client that disconnects mid-upload: the source's own exception propagates unchanged."""
    source = Source(split(payload(30 * MiB, seed=5), [MiB]), fail_after=fail_after)
    with pytest.raises(ClientGone):
        await storage.put("broken", source)
    assert source.pulled == fail_after
    assert not await storage.exists("broken")
    assert await leftovers(storage) == []


async def test_cancelled_upload_leaves_nothing(storage: Storage) -> None:
    """The task running a put is cancelled (server shutdown, request timeout) mid-upload."""
    pulled = 0
    stalled = asyncio.Event()

    async def stalling() -> AsyncIterator[bytes]:
        nonlocal pulled
        for chunk in split(payload(12 * MiB, seed=8), [MiB]):
            pulled += 1
            yield chunk
        stalled.set()
        await asyncio.Event().wait()  # the client stops sending
        yield b"never"

    task = asyncio.create_task(storage.put("cancelled", stalling()))
    await asyncio.wait_for(stalled.wait(), timeout=30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert pulled == 12
    assert not await storage.exists("cancelled")
    assert await leftovers(storage) == []


async def test_large_object_round_trip(storage: Storage) -> None:
    data = payload(40 * MiB + 5, seed=6)  # five S3 parts and a small last one
    assert len(data) > 4 * PART_SIZE
    stored = await storage.put("large", Source(split(data, [256 * 1024, 3 * MiB])))
    assert stored == expected(data)
    hasher, size = hashlib.sha256(), 0
    async for chunk in storage.open("large"):
        assert len(chunk) <= CHUNK_SIZE
        hasher.update(chunk)
        size += len(chunk)
    assert StoredObject(size=size, sha256=hasher.hexdigest()) == stored
    assert await read(storage, "large", 33 * MiB, 33 * MiB + 10) == data[33 * MiB : 33 * MiB + 10]


async def test_reader_can_stop_early(storage: Storage) -> None:
    data = payload(3 * CHUNK_SIZE, seed=7)
    await put_bytes(storage, "early", data)
    for _ in range(3):
        async with contextlib.aclosing(storage.open("early")) as chunks:
            async for chunk in chunks:
                assert chunk == data[: len(chunk)]
                break
    assert await read(storage, "early") == data


BAD_KEYS = [
    "",
    "/etc/passwd",
    "../escape",
    "a/../../b",
    "a/..",
    "./a",
    "a//b",
    "a/",
    "a\\b",
    "..\\escape",
    "nul\x00byte",
]


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_bad_keys_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(ValueError):
        await storage.put(key, Source([b"data"]))
    with pytest.raises(ValueError):
        await read(storage, key)
    with pytest.raises(ValueError):
        await storage.exists(key)
    with pytest.raises(ValueError):
        await storage.delete(key)
    assert await leftovers(storage) == []


# --- local backend -------------------------------------------------------------------------


async def test_local_layout_and_atomic_rename(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    await put_bytes(storage, "ab/cdef", b"content")
    assert (tmp_path / "objects" / "ab" / "cdef").read_bytes() == b"content"
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not (tmp_path.parent / "escape").exists()


async def test_local_cleanup_removes_unlocked_part_files_only(tmp_path: Path) -> None:
    """Details of the start-up cleanup; tests/integration/test_upload_parts.py has the crash
    and the writer in another process."""
    storage = LocalStorage(tmp_path)
    assert await storage.cleanup() == 0  # no tmp folder yet
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    left, other, folder = tmp / "left.part", tmp / "notes.txt", tmp / "odd.part"
    left.write_bytes(b"x")  # written just now, and no one holds it
    other.write_bytes(b"x")
    folder.mkdir()
    assert await storage.cleanup() == 1
    assert not left.exists()
    assert other.exists() and folder.is_dir()
    assert await storage.cleanup() == 0


async def test_local_disk_errors_become_storage_errors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    storage = LocalStorage(blocker)  # the root is a file: nothing can be created under it
    with pytest.raises(StorageError, match="local storage could not"):
        await put_bytes(storage, "key", b"data")
    with pytest.raises(ObjectNotFound):
        await read(storage, "key")


# --- S3 backend ----------------------------------------------------------------------------


async def test_s3_errors_are_short_and_hide_credentials(moto_s3: MotoS3) -> None:
    storage = moto_s3.storage(bucket="no-such-bucket")
    try:
        with pytest.raises(StorageError) as caught:
            await put_bytes(storage, "key", b"data")
        assert str(caught.value) == "S3 upload failed: NoSuchBucket"
        with pytest.raises(StorageError) as caught:
            await read(storage, "key")
        assert str(caught.value) == "S3 download failed: NoSuchBucket"
        assert SECRET_ACCESS_KEY not in repr(storage)
    finally:
        await storage.close()


async def test_s3_prefix_and_client_reuse(moto_s3: MotoS3) -> None:
    storage = moto_s3.storage(prefix="/some/prefix/")
    try:
        await put_bytes(storage, "x/y", b"data")
        client = await storage.client()
        assert await storage.client() is client
        head = await client.head_object(Bucket=moto_s3.bucket, Key="some/prefix/x/y")
        assert head["ContentLength"] == 4
        await storage.delete("x/y")
    finally:
        await storage.close()
    await storage.close()  # closing twice is harmless


# --- factory -------------------------------------------------------------------------------


def test_factory_builds_the_configured_backend(tmp_path: Path) -> None:
    local = create_storage(Settings(data_dir=tmp_path))
    assert isinstance(local, LocalStorage)
    assert isinstance(local, Storage)
    assert isinstance(MemoryStorage(), Storage)
    assert local.root == tmp_path / "artifacts"
    s3 = create_storage(
        Settings(
            storage="s3",
            s3_bucket="models",
            s3_prefix="registry",
            s3_endpoint_url="http://127.0.0.1:9000",
            s3_secret_access_key="very-secret",
        )
    )
    assert isinstance(s3, S3Storage)
    assert isinstance(s3, Storage)
    assert (s3.bucket, s3.prefix, s3.endpoint_url) == (
        "models",
        "registry",
        "http://127.0.0.1:9000",
    )
    assert "very-secret" not in repr(s3)
