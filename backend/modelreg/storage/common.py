"""Rules every backend shares: key validation, range validation and the read chunk size."""

from __future__ import annotations

CHUNK_SIZE = 1024 * 1024
"""Largest chunk `Storage.open` yields (1 MiB). Chunks are never empty."""


def check_key(key: str) -> str:
    """Return `key` if it is a safe relative object key, else raise ValueError.

    Keys are chosen by services, never by users, so a bad key is a programming error. Refusing
    anything path-like here is defence in depth: no key can name a file outside a backend's
    root, and no two spellings (`a//b`, `a/./b`) can name the same object.
    Refused: empty keys, a leading or trailing `/`, empty, `.` or `..` segments, backslashes
    and NUL characters.
    """
    if not isinstance(key, str) or not key:
        raise ValueError("storage key must be a non-empty string")
    if "\\" in key or "\x00" in key:
        raise ValueError(f"storage key {key!r} contains a backslash or NUL character")
    if any(segment in ("", ".", "..") for segment in key.split("/")):
        raise ValueError(
            f"storage key {key!r} must be relative, without empty, '.' or '..' segments"
        )
    return key


def check_range(start: int, end: int | None) -> None:
    """Validate an `open` range: `0 <= start` and `start <= end` when `end` is given.

    Ranges past the end of an object are not errors: they are clamped to the object (a
    `start` at or beyond the size yields no bytes), so callers that answer HTTP Range
    requests must compare with the object's known size themselves (416 for a bad range).
    """
    if start < 0:
        raise ValueError(f"range start must be >= 0, got {start}")
    if end is not None and end < start:
        raise ValueError(f"range end must be >= start, got start={start}, end={end}")
