"""Validation of project paths, model names and tags."""

from __future__ import annotations

import re
import unicodedata

from modelreg.errors import InvalidArgument

PROJECT_PATH_MAX = 100
PROJECT_NAME_MAX = 255
MODEL_NAME_MAX = 255
TAG_KEY_MAX = 250
TAG_VALUE_MAX = 5000
DESCRIPTION_MAX = 100_000

_PROJECT_PATH = re.compile(r"[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?")
_MODEL_NAME_PUNCTUATION = frozenset("._- ")


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def _describe_char(ch: str) -> str:
    if unicodedata.category(ch).startswith("C"):
        return f"the control character U+{ord(ch):04X}"
    if ch == " ":
        return "a space"
    return f"'{ch}'"


def _no_control_chars(value: str, *, what: str, field: str) -> None:
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise InvalidArgument(f"{what} must not contain {_describe_char(ch)}.", field=field)


def _storable(value: str, *, what: str, field: str) -> None:
    """Free text may hold newlines and tabs, but not what no database can store."""
    for ch in value:
        if ch == "\x00" or unicodedata.category(ch) == "Cs":
            raise InvalidArgument(f"{what} must not contain {_describe_char(ch)}.", field=field)


def validate_project_path(path: str, *, field: str = "path") -> str:
    if not path:
        raise InvalidArgument("Project path must not be empty.", field=field)
    if len(path) > PROJECT_PATH_MAX:
        raise InvalidArgument(
            f"Project path is {len(path)} characters long; the limit is {PROJECT_PATH_MAX}.",
            field=field,
        )
    if not _PROJECT_PATH.fullmatch(path):
        raise InvalidArgument(
            "Project path may use lowercase letters, digits, '.', '_' and '-', and must start "
            f"and end with a letter or digit (for example 'fraud-detection'); got '{path}'.",
            field=field,
        )
    return path


def validate_project_name(name: str, *, field: str = "name") -> str:
    stripped = name.strip()
    if not stripped:
        raise InvalidArgument("Project name must not be empty.", field=field)
    if len(stripped) > PROJECT_NAME_MAX:
        raise InvalidArgument(
            f"Project name is {len(stripped)} characters long; the limit is {PROJECT_NAME_MAX}.",
            field=field,
        )
    _no_control_chars(stripped, what="Project name", field=field)
    return stripped


def validate_model_name(name: str, *, field: str = "name") -> str:
    """Model names appear in URLs and in `models:/<name>@<alias>` URIs, hence the strict set."""
    if not name or not name.strip():
        raise InvalidArgument("Model name must not be empty.", field=field)
    if len(name) > MODEL_NAME_MAX:
        raise InvalidArgument(
            f"Model name is {len(name)} characters long; the limit is {MODEL_NAME_MAX}.",
            field=field,
        )
    for ch in name:
        # Combining marks belong to the letter before them (Devanagari, Thai, NFD accents).
        if not (ch.isalnum() or ch in _MODEL_NAME_PUNCTUATION or _is_mark(ch)):
            raise InvalidArgument(
                f"Model name must not contain {_describe_char(ch)}; use letters, digits, "
                "spaces, '.', '_' and '-'.",
                field=field,
            )
    if not name[0].isalnum() or not (name[-1].isalnum() or _is_mark(name[-1])):
        raise InvalidArgument(
            "Model name must start and end with a letter or a digit.", field=field
        )
    return name


def validate_description(text: str, *, field: str = "description") -> str:
    if len(text) > DESCRIPTION_MAX:
        raise InvalidArgument(
            f"Description is {len(text)} characters long; the limit is {DESCRIPTION_MAX}.",
            field=field,
        )
    _storable(text, what="Description", field=field)
    return text


def validate_tag(key: str, value: str, *, field: str = "tags") -> tuple[str, str]:
    if not key or not key.strip():
        raise InvalidArgument("Tag key must not be empty.", field=field)
    if len(key) > TAG_KEY_MAX:
        raise InvalidArgument(
            f"Tag key '{key[:40]}…' is {len(key)} characters long; the limit is {TAG_KEY_MAX}.",
            field=field,
        )
    _no_control_chars(key, what=f"Tag key '{key}'", field=field)
    if len(value) > TAG_VALUE_MAX:
        raise InvalidArgument(
            f"Value of tag '{key}' is {len(value)} characters long; the limit is {TAG_VALUE_MAX}.",
            field=field,
        )
    _storable(value, what=f"Value of tag '{key}'", field=field)
    return key, value


def validate_tags(tags: list[tuple[str, str]], *, field: str = "tags") -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in tags:
        validate_tag(key, value, field=field)
        if key in result:
            raise InvalidArgument(f"Tag '{key}' is given twice.", field=field)
        result[key] = value
    return result
