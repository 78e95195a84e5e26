"""Local-filesystem storage: objects are files under `root/objects/<key>`.

A `put` streams into `root/tmp/<uuid>.part` (hashing and counting on the way), flushes and
fsyncs it, then renames it into place with `os.replace`, so a reader never sees a partial
object. Both folders are on the same filesystem, which keeps the rename atomic.

Each `.part` file is tied to its writer: the writer holds an exclusive `flock` on it from the
moment it is created until it has been renamed into place or removed. The lock belongs to the
open file, so the kernel drops it when the writer's process ends, however it ends. A crash
can leave `.part` files behind; `cleanup()` (the app calls it at start-up) removes exactly
those whose lock it can take, whatever their age, and never one that a live writer, in this
process or another one sharing the folder, still holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import os
import stat
import sys
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from pathlib import Path
from typing import BinaryIO

import aiofiles
import aiofiles.os

from modelreg.storage.base import ObjectNotFound, ObjectTooLarge, StorageError, StoredObject
from modelreg.storage.common import CHUNK_SIZE, check_key, check_range

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


if sys.platform == "win32":  # pragma: no cover - no flock: no part is known to be abandoned

    def _lock(fd: int, *, wait: bool) -> bool:
        return wait

else:
    import fcntl

    def _lock(fd: int, *, wait: bool) -> bool:
        """Take the exclusive flock on `fd`; without `wait`, False when someone holds it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def _create_part(tmp_dir: Path) -> tuple[Path, BinaryIO]:
    """A new empty `.part` file in `tmp_dir`, open for writing and locked: the lock lasts
    until the file is closed (or its process ends)."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    while True:
        part = tmp_dir / f"{uuid.uuid4().hex}.part"
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            _lock(fd, wait=True)
            # A cleanup in another process can take the lock between our open and our flock
            # and remove the file: then it is gone from the folder, and we start again.
            if os.fstat(fd).st_nlink > 0:
                return part, os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


WRITE_BLOCK = 4 * 1024 * 1024
"""Uploads are hashed and written in blocks of about this size, one worker-thread hop each."""

SYNC_EVERY = 32 * 1024 * 1024
"""While an upload arrives, each time about this many more bytes have been written, a worker
thread flushes them to disk (fdatasync) beside the writes, so the disk works while the rest
arrives and the final fsync is short."""

_datasync = getattr(os, "fdatasync", os.fsync)  # no fdatasync on macOS and Windows


class _PartWriter:
    """Hashes and writes an upload's blocks into its `.part` file (in worker threads, one block
    at a time) and starts the background flushes to disk."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.hasher = hashlib.sha256()
        self.unsynced = 0
        self.syncing: asyncio.Future[None] | None = None

    def write_block(self, block: list[bytes]) -> None:
        """Hash and write the chunks of one block, in order, without joining them (no copy)."""
        for chunk in block:
            self.hasher.update(chunk)
            self.file.write(chunk)

    def written(self, count: int) -> None:
        """`count` more bytes were written: start a flush to disk when enough are waiting and
        none is running (called on the event loop)."""
        self.unsynced += count
        if self.unsynced >= SYNC_EVERY and (self.syncing is None or self.syncing.done()):
            self.unsynced = 0
            self.syncing = asyncio.ensure_future(asyncio.to_thread(_datasync, self.file.fileno()))

    async def settle(self) -> None:
        """Wait for the running flush, if any (it must end before the file is closed). Shielded:
        a cancelled upload cannot stop the thread, so it is forgotten only once it has ended."""
        if self.syncing is not None:
            await asyncio.shield(self.syncing)
            self.syncing = None


def _flush_and_sync(file: BinaryIO) -> None:
    file.flush()
    os.fsync(file.fileno())


def _move_into_place(part: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    part.replace(target)
    _fsync_dir(target.parent)


async def _new_part(tmp_dir: Path) -> tuple[Path, BinaryIO]:
    """`_create_part` in a worker thread, with the file open for writing. If the caller is
    cancelled meanwhile, the part is removed and closed as soon as it exists."""
    creating = asyncio.ensure_future(asyncio.to_thread(_create_part, tmp_dir))
    try:
        with _disk_errors("create a temporary file"):
            return await asyncio.shield(creating)
    except asyncio.CancelledError:
        creating.add_done_callback(_discard_part)
        raise


def _discard_part(created: asyncio.Future[tuple[Path, BinaryIO]]) -> None:
    if created.cancelled() or created.exception() is not None:
        return
    part, file = created.result()
    with contextlib.suppress(OSError):
        part.unlink()
    with contextlib.suppress(OSError):
        file.close()


def _remove_abandoned_parts(tmp_dir: Path) -> int:
    removed = 0
    for part in sorted(tmp_dir.glob("*.part")):
        try:
            fd = os.open(part, os.O_RDONLY)
        except _MISSING:
            continue  # finished (renamed into place) or removed meanwhile
        try:
            if not _lock(fd, wait=False):
                continue  # a live writer holds it
            # Its writer is gone. If the part was renamed into place after we opened it, its
            # name no longer exists here and nothing is removed.
            with contextlib.suppress(*_MISSING):
                part.unlink()
                removed += 1
        finally:
            os.close(fd)
    return removed


def _open_object(path: Path) -> int:
    """A file descriptor of the regular file at `path` (IsADirectoryError for anything else)."""
    fd = os.open(path, os.O_RDONLY)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
    return fd


_CAN_READ_NOWAIT = hasattr(os, "RWF_NOWAIT") and hasattr(os, "preadv")


def _read_cached(fd: int, size: int, offset: int) -> tuple[bytes | None, bool]:
    """Up to `size` bytes at `offset` if the page cache holds them, without waiting for the
    disk (`preadv` with RWF_NOWAIT, Linux): (bytes, True); (None, True) when they must come
    from the disk; (None, False) when the filesystem cannot read that way (do not ask again).
    Cached reads take microseconds, far less than a hop to a worker thread and back."""
    buffer = bytearray(size)
    try:
        count = os.preadv(fd, [buffer], offset, os.RWF_NOWAIT)
    except BlockingIOError:
        return None, True
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            return None, False
        raise
    if count == 0 and size > 0:
        # The end of the file, or nothing cached yet: a blocking read tells which.
        return None, True
    return bytes(memoryview(buffer)[:count]), True


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
        part, file = await _new_part(self.tmp_dir)
        writer = _PartWriter(file)
        size = 0
        stored = False
        # Incoming chunks are small (uvicorn hands the body over in pieces of about 64 KiB): they
        # are gathered, without copying, into blocks of WRITE_BLOCK bytes. Each block is hashed
        # and written by one worker thread in one hop (hashing and writing release the GIL)
        # while the event loop receives the next block: at most two blocks are in memory.
        pending: list[bytes] = []
        pending_size = 0
        in_flight: asyncio.Future[None] | None = None
        in_flight_size = 0

        async def flush_block() -> None:
            nonlocal in_flight, in_flight_size, pending, pending_size
            if in_flight is not None:
                # Shielded here and below: cancelling the upload must not cancel the wait for a
                # thread still writing, or the file could be closed under it (see `finally`).
                await asyncio.shield(in_flight)
                writer.written(in_flight_size)
            block, in_flight_size, pending, pending_size = pending, pending_size, [], 0
            in_flight = asyncio.ensure_future(asyncio.to_thread(writer.write_block, block))

        try:
            async for chunk in chunks:
                size += len(chunk)
                if max_size is not None and size > max_size:
                    raise ObjectTooLarge(max_size)
                if chunk:
                    pending.append(chunk)
                    pending_size += len(chunk)
                if pending_size >= WRITE_BLOCK:
                    with _disk_errors("write"):
                        await flush_block()
            with _disk_errors("write"):
                if pending:
                    await flush_block()
                if in_flight is not None:
                    await asyncio.shield(in_flight)
                    in_flight = None
                await writer.settle()
                await asyncio.to_thread(_flush_and_sync, file)
            # Renamed while still open and locked: a cleanup never sees it unlocked by name.
            with _disk_errors("store the object"):
                await asyncio.to_thread(_move_into_place, part, target)
            stored = True
        finally:
            if in_flight is not None:
                # Let the last write settle before the file is removed and closed.
                with contextlib.suppress(BaseException):
                    await in_flight
            with contextlib.suppress(BaseException):
                await writer.settle()  # a flush to disk must end before the file is closed
            if not stored:
                with contextlib.suppress(OSError):
                    await asyncio.to_thread(os.remove, part)
            # Closing drops the lock, once the part is in place or gone.
            with _disk_errors("write"):
                await asyncio.to_thread(file.close)
        return StoredObject(size=size, sha256=writer.hasher.hexdigest())

    async def open(
        self, key: str, *, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        path = self._path(key)
        check_range(start, end)
        try:
            fd = await asyncio.to_thread(_open_object, path)
        except _MISSING:
            raise ObjectNotFound(f"object {key!r} not found") from None
        except OSError as exc:
            raise StorageError(f"local storage could not read: {exc.strerror}") from exc
        try:
            offset = start
            nowait = _CAN_READ_NOWAIT
            while end is None or offset < end:
                size = CHUNK_SIZE if end is None else min(CHUNK_SIZE, end - offset)
                data = None
                if nowait:
                    # From the page cache on the event loop: no thread hop for cached bytes.
                    with _disk_errors("read"):
                        data, nowait = _read_cached(fd, size, offset)
                if data is None:  # not cached (or no RWF_NOWAIT): the disk, in a thread
                    with _disk_errors("read"):
                        data = await asyncio.to_thread(os.pread, fd, size, offset)
                if not data:
                    return
                offset += len(data)
                yield data
        finally:
            os.close(fd)

    async def delete(self, key: str) -> None:
        path = self._path(key)
        with _disk_errors("delete"), contextlib.suppress(*_MISSING):
            await aiofiles.os.remove(path)

    async def exists(self, key: str) -> bool:
        path = self._path(key)
        return await aiofiles.os.path.isfile(path)

    async def cleanup(self) -> int:
        """Remove the `.part` files that no writer holds any more (left by a crash, whatever
        their age); return how many were removed. A part being written, by this process or
        another one, is never touched."""
        with _disk_errors("clean up temporary files"):
            return await asyncio.to_thread(_remove_abandoned_parts, self.tmp_dir)

    async def close(self) -> None:
        return None
