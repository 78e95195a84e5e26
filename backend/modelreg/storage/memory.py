"""In-memory storage for tests: the same semantics as the other backends, kept in a dict."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, AsyncIterator

from modelreg.storage.base import ObjectNotFound, ObjectTooLarge, StoredObject
from modelreg.storage.common import CHUNK_SIZE, check_key, check_range


class MemoryStorage:
    """Objects live in a dict; a `put` becomes visible only once its stream has ended."""

    def __init__(self) -> None:
        self._objects: dict[str, bytes] = {}

    async def put(
        self, key: str, chunks: AsyncIterable[bytes], *, max_size: int | None = None
    ) -> StoredObject:
        check_key(key)
        hasher = hashlib.sha256()
        parts: list[bytes] = []
        size = 0
        async for chunk in chunks:
            size += len(chunk)
            if max_size is not None and size > max_size:
                raise ObjectTooLarge(max_size)
            hasher.update(chunk)
            parts.append(bytes(chunk))
        self._objects[key] = b"".join(parts)
        return StoredObject(size=size, sha256=hasher.hexdigest())

    async def open(
        self, key: str, *, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        check_key(key)
        check_range(start, end)
        try:
            data = self._objects[key]
        except KeyError:
            raise ObjectNotFound(key) from None
        stop = len(data) if end is None else min(end, len(data))
        for offset in range(start, stop, CHUNK_SIZE):
            yield data[offset : min(offset + CHUNK_SIZE, stop)]

    async def delete(self, key: str) -> None:
        check_key(key)
        self._objects.pop(key, None)

    async def exists(self, key: str) -> bool:
        check_key(key)
        return key in self._objects

    async def close(self) -> None:
        return None

    def keys(self) -> list[str]:
        """The stored keys, sorted (for tests)."""
        return sorted(self._objects)
