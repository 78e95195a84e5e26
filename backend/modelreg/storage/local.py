"""Local-filesystem storage: objects are files under `root/objects/<key>`.

A `put` streams into `root/tmp/<uuid>.part` (hashing and counting on the way), flushes and
fsyncs it, then renames it into place with `os.replace`, so a reader never sees a partial
object. Both folders are on the same filesystem, which keeps the rename atomic. A crash can
leave `.part` files behind; `cleanup()` removes old ones (the app calls it at start-up).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiofiles
import aiofiles.os

from modelreg.storage.base import ObjectNotFound, ObjectTooLarge, StorageError, StoredObject
from modelreg.storage.common import CHUNK_SIZE, check_key, check_range

STALE_PART_AGE = 3600.0
"""Seconds after which `cleanup()` considers a `.part` file abandoned."""

_MISSING = (FileNotFoundError, NotADirectoryError, IsADirectoryError)


@contextlib.contextmanager
def _disk_errors(action: str) -> Iterator[None]:
    """Turn an OSError of our own file operations into a StorageError with a short message."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StorageError(f"local storage could not {action}: {reason}") from exc


def _fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable (POSIX; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale_parts(tmp_dir: Path, max_age: float) -> int:
    cutoff = time.time() - max_age
    removed = 0
    try:
        candidates = list(tmp_dir.glob("*.part"))
    except FileNotFoundError:
        return 0
    for part in candidates:
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # removed meanwhile (the upload finished or failed)
    return removed


class LocalStorage:
    """Objects as files under `root/objects/`, uploads in progress under `root/tmp/`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.objects_dir = self.root / "objects"
        self.tmp_dir = self.root / "tmp"

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        return self.objects_dir / check_key(key)

    async def put(
        self, key: str, chunks: AsyncIterable[bytes], *, max_size: int | None = None
    ) -> StoredObject:
        target = self._path(key)
        part = self.tmp_dir / f"{uuid.uuid4().hex}.part"
        hasher = hashlib.sha256()
        size = 0
        try:
            with _disk_errors("create a temporary file"):
                await aiofiles.os.makedirs(self.tmp_dir, exist_ok=True)
                file = await aiofiles.open(part, "wb")
            try:
                # Incoming chunks are often small (64 KiB): they are gathered into blocks of
                # CHUNK_SIZE. Each block is hashed and written in worker threads (both release
                # the GIL) while the event loop receives the next one: at most two blocks are
                # in memory, and receiving, hashing and writing overlap.
                pending = bytearray()
                in_flight: asyncio.Future[Any] | None = None

                async def flush_block(block: bytes) -> asyncio.Future[Any]:
                    if in_flight is not None:
                        await in_flight
                    return asyncio.gather(
                        asyncio.to_thread(hasher.update, block), file.write(block)
                    )

                try:
                    async for chunk in chunks:
                        size += len(chunk)
                        if max_size is not None and size > max_size:
                            raise ObjectTooLarge(max_size)
                        pending += chunk
                        if len(pending) >= CHUNK_SIZE:
                            with _disk_errors("write"):
                                in_flight = await flush_block(bytes(pending))
                            pending.clear()
                    with _disk_errors("write"):
                        if pending:
                            in_flight = await flush_block(bytes(pending))
                        if in_flight is not None:
                            await in_flight
                            in_flight = None
                        await file.flush()
                        await asyncio.to_thread(os.fsync, file.fileno())
                finally:
                    if in_flight is not None:
                        # Let the last write settle before the file is closed and removed.
                        with contextlib.suppress(BaseException):
                            await in_flight
            finally:
                with _disk_errors("write"):
                    await file.close()
            with _disk_errors("store the object"):
                await aiofiles.os.makedirs(target.parent, exist_ok=True)
                await aiofiles.os.replace(part, target)
                await asyncio.to_thread(_fsync_dir, target.parent)
        except BaseException:
            with contextlib.suppress(OSError):
                await aiofiles.os.remove(part)
            raise
        return StoredObject(size=size, sha256=hasher.hexdigest())

    async def open(
        self, key: str, *, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        path = self._path(key)
        check_range(start, end)
        try:
            file = await aiofiles.open(path, "rb")
        except _MISSING:
            raise ObjectNotFound(f"object {key!r} not found") from None
        except OSError as exc:
            raise StorageError(f"local storage could not read: {exc.strerror}") from exc
        try:
            if start:
                with _disk_errors("read"):
                    await file.seek(start)
            remaining = None if end is None else end - start

            async def read_next() -> bytes:
                nonlocal remaining
                size = CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining)
                if size == 0:
                    return b""
                with _disk_errors("read"):
                    data = await file.read(size)
                if remaining is not None:
                    remaining -= len(data)
                return data

            # Read ahead: the next chunk comes off the disk while this one is being sent.
            next_read = asyncio.ensure_future(read_next())
            try:
                while True:
                    data = await next_read
                    if not data:
                        return
                    next_read = asyncio.ensure_future(read_next())
                    yield data
            finally:
                if not next_read.done():
                    next_read.cancel()
                with contextlib.suppress(BaseException):
                    await next_read
        finally:
            await file.close()

    async def delete(self, key: str) -> None:
        path = self._path(key)
        with _disk_errors("delete"), contextlib.suppress(*_MISSING):
            await aiofiles.os.remove(path)

    async def exists(self, key: str) -> bool:
        path = self._path(key)
        return await aiofiles.os.path.isfile(path)

    async def cleanup(self, *, max_age: float = STALE_PART_AGE) -> int:
        """Remove `.part` files older than `max_age` seconds; return how many were removed.

        A `.part` file's age is the time since its last write (every 1 MiB), so an upload in
        progress keeps its file young unless it stalls for longer than `max_age`; if a stalled
        upload's file is removed, that upload fails with StorageError when it finishes.
        """
        with _disk_errors("clean up temporary files"):
            return await asyncio.to_thread(_remove_stale_parts, self.tmp_dir, max_age)

    async def close(self) -> None:
        return None
