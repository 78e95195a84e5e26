"""File paths inside a model version: relative, forward slashes, no tricks."""

from __future__ import annotations

import unicodedata

from modelreg.errors import InvalidArgument

PATH_MAX = 1024
SEGMENT_MAX = 255


def validate_file_path(path: str, *, field: str = "path") -> str:
    """`config/params.json` is fine; `../x`, `/etc/passwd`, `a\\b`, `a//b` are not."""
    if not path:
        raise InvalidArgument("File path must not be empty.", field=field)
    if len(path) > PATH_MAX:
        raise InvalidArgument(
            f"File path is {len(path)} characters long; the limit is {PATH_MAX}.", field=field
        )
    if "\\" in path:
        raise InvalidArgument(
            f"File path '{path}' contains a backslash; separate folders with '/'.", field=field
        )
    for ch in path:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise InvalidArgument(
                f"File path must not contain the control character U+{ord(ch):04X}.", field=field
            )
    if path.startswith("/"):
        raise InvalidArgument(
            f"File path '{path}' is absolute; give it relative to the version, like "
            f"'{path.lstrip('/') or 'model.pkl'}'.",
            field=field,
        )
    segments = path.split("/")
    for segment in segments:
        if segment == "":
            raise InvalidArgument(
                f"File path '{path}' has an empty folder name ('//' or a trailing '/').",
                field=field,
            )
        if segment in (".", ".."):
            raise InvalidArgument(
                f"File path '{path}' must not contain '{segment}' as a folder name.", field=field
            )
        if len(segment) > SEGMENT_MAX:
            raise InvalidArgument(
                f"A name in file path '{path[:60]}…' is {len(segment)} characters long; the "
                f"limit is {SEGMENT_MAX}.",
                field=field,
            )
    return path


def validate_prefix(prefix: str, *, field: str = "prefix") -> str:
    """A folder to list: empty for the top, else a valid path, optionally ending with '/'."""
    if prefix == "":
        return prefix
    validate_file_path(prefix.rstrip("/") or "/", field=field)
    return prefix
