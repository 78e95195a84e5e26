"""Writing a received byte stream to a file at the disk's speed, for `client.py`'s downloads.

A download that receives, hashes and writes each network chunk in turn, then fsyncs at the end,
takes the sum of the three and then waits for the disk to take the whole file at once. Here the
caller only gathers chunks (no copy) into blocks of `BLOCK` bytes; a worker thread hashes and
writes each block while the caller receives the next (hashing and writing release the GIL, so
they run beside the receiving), and every `SYNC_EVERY` written bytes a second thread flushes
them to disk (fdatasync) while the rest arrives. `finish` writes the last block and fsyncs what
little is left: the file is durable when it returns. At most two blocks are in memory.

The server's uploads to local storage work the same way on the event loop
(`storage/local.py`); this is the thread-based form for the synchronous command-line client.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import IO, Any, Protocol

BLOCK = 4 * 1024 * 1024
SYNC_EVERY = 32 * 1024 * 1024

_datasync = getattr(os, "fdatasync", os.fsync)  # no fdatasync on macOS and Windows


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...


class StreamWriter:
    """Appends chunks to `file`, hashing them into `hasher` in order; use it as a context
    manager inside the one that opens `file`, so no thread still uses the file when it closes.
    Write errors (OSError) are raised by the `write` or `finish` call that comes after them."""

    def __init__(self, file: IO[bytes], hasher: Hasher) -> None:
        self._file = file
        self._hasher = hasher
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="modelreg-write")
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._writing: Future[None] | None = None
        self._writing_size = 0
        self._syncing: Future[Any] | None = None
        self._unsynced = 0

    def write(self, chunk: bytes) -> None:
        if chunk:
            self._pending.append(chunk)
            self._pending_size += len(chunk)
        if self._pending_size >= BLOCK:
            self._submit()

    def finish(self) -> None:
        """Write what is gathered, wait for every write and flush, then fsync the file."""
        if self._pending:
            self._submit()
        self._settle_write()
        if self._syncing is not None:
            self._syncing.result()
            self._syncing = None
        self._file.flush()
        os.fsync(self._file.fileno())

    def _submit(self) -> None:
        self._settle_write()  # one block written at a time: the hash sees them in order
        block, self._pending = self._pending, []
        self._writing_size, self._pending_size = self._pending_size, 0
        self._writing = self._pool.submit(self._write_block, block)

    def _write_block(self, block: list[bytes]) -> None:
        for chunk in block:
            self._hasher.update(chunk)
            self._file.write(chunk)
        self._file.flush()  # in the kernel now, where the background flush can reach it

    def _settle_write(self) -> None:
        if self._writing is None:
            return
        writing, self._writing = self._writing, None
        writing.result()
        self._unsynced += self._writing_size
        if self._unsynced >= SYNC_EVERY and (self._syncing is None or self._syncing.done()):
            if self._syncing is not None:
                self._syncing.result()
            self._unsynced = 0
            self._syncing = self._pool.submit(_datasync, self._file.fileno())

    def __enter__(self) -> StreamWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Wait for the threads whatever happened: the file is closed right after this.
        self._pool.shutdown(wait=True)
