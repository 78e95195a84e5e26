"""The storage interface. Keys are opaque strings chosen by the caller (`[0-9a-f-]` and `/`).

Contents are written once and never changed: a key is written by one `put` and later read or
deleted. Deduplication by content (sha256) is the caller's business (see services/files.py):
the storage only streams bytes and reports their size and hash.

Every backend refuses (ValueError) keys that are empty, start or end with `/`, have empty, `.`
or `..` segments, or contain a backslash or NUL (see `storage.common.check_key`).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class StorageError(Exception):
    """The backend failed (disk full, bucket unreachable...)."""


class ObjectNotFound(StorageError):
    pass


class ObjectTooLarge(StorageError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"object exceeds {limit} bytes")
        self.limit = limit


@dataclass(frozen=True, slots=True)
class StoredObject:
    size: int
    sha256: str  # lowercase hex


@runtime_checkable
class Storage(Protocol):
    async def put(
        self, key: str, chunks: AsyncIterable[bytes], *, max_size: int | None = None
    ) -> StoredObject:
        """Stream `chunks` to `key`, hashing on the way; memory stays flat whatever the size.

        The object becomes visible under `key` only when the stream ended and everything is
        stored. If the stream raises (client gone), the size passes `max_size`
        (ObjectTooLarge, raised as soon as the limit is crossed, without reading the rest) or
        the backend fails, nothing is left behind and the exception propagates.
        """
        ...

    def open(self, key: str, *, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Stream bytes `start` up to `end` (exclusive; None = to the end) in chunks.

        Raises ObjectNotFound (on first iteration at the latest) when the key does not exist.
        Chunks are non-empty and at most `storage.common.CHUNK_SIZE` (1 MiB). A range reaching
        past the object is clamped: a `start` at or beyond the size yields no bytes (no error),
        so HTTP callers check ranges against the size they know (416). `start < 0` or
        `end < start` raise ValueError. A reader that stops early should `aclose()` the
        iterator (`contextlib.aclosing`) so the file or connection is released at once.
        """
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; a missing key is not an error."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def close(self) -> None:
        """Release connections and clean up."""
        ...
