"""Pip requirements: the lines of requirements.txt and the pip lists of conda.yaml and
python_env.yaml, read into entries that say whether each is pinned."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from modelreg.domain.model_metadata.reading import _decode, _Malformed, _Warnings
from modelreg.domain.model_metadata.records import REQUIREMENTS, DependencySource


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    requirement: str
    specifier: str
    version: str | None
    pinned: bool
    source: DependencySource
    file_name: str  # the METADATA_FILES name
    path: str
    # Whether an unpinned entry deserves an UNPINNED_REQUIREMENT warning.
    checked: bool


# Where a comment or the per-requirement options (`--hash=...`) start. Single characters
# before the mark, so a search never backtracks over a long run of spaces.
_COMMENT_START = re.compile(r"(?:^|\s)#")
_OPTIONS_START = re.compile(r"\s--[A-Za-z]")
_PIP_NAME = re.compile(r"\s*[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:\[[^\]]*\])?\s*")


def _pip_line(line: str) -> str | None:
    """The requirement on a pip line, without comments and options; None when there is none."""
    text = _cut(line, _COMMENT_START).strip()
    if not text or text.startswith("-"):
        return None
    return _cut(text, _OPTIONS_START).strip() or None


def _cut(text: str, start: re.Pattern[str]) -> str:
    """`text` up to the first match of `start` (all of it when there is none)."""
    found = start.search(text)
    return text if found is None else text[: found.start()]


def _pip_entry(
    text: str, *, source: DependencySource, file_name: str, path: str, checked: bool
) -> _Entry:
    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        raise _Malformed(f"'{text}' is not a valid requirement ({error})") from None
    specifier = ""
    if requirement.url is None:
        written = text.split(";", 1)[0]
        match = _PIP_NAME.match(written)
        rest = written[match.end() :] if match else ""
        specifier = re.sub(r"\s+", "", rest).removeprefix("(").removesuffix(")")
        if not specifier and len(requirement.specifier) > 0:
            specifier = str(requirement.specifier)
    specs = list(requirement.specifier)
    version = None
    if (
        requirement.url is None
        and len(specs) == 1
        and specs[0].operator in ("==", "===")
        and "*" not in specs[0].version
    ):
        version = specs[0].version
    return _Entry(
        name=canonicalize_name(requirement.name),
        requirement=text,
        specifier=specifier,
        version=version,
        pinned=version is not None,
        source=source,
        file_name=file_name,
        path=path,
        checked=checked,
    )


def _read_requirements(path: str, data: bytes | None, warnings: _Warnings) -> list[_Entry]:
    text = _decode(REQUIREMENTS, path, data, warnings)
    if text is None:
        return []
    entries: list[_Entry] = []

    def add(line: str, start: int) -> None:
        requirement = _pip_line(line)
        if requirement is None:
            return
        try:
            entries.append(
                _pip_entry(
                    requirement,
                    source=DependencySource.REQUIREMENTS,
                    file_name=REQUIREMENTS,
                    path=path,
                    checked=True,
                )
            )
        except _Malformed as error:
            warnings.malformed(REQUIREMENTS, path, f"{path}, line {start}: {error}.")

    pending = ""
    start = 0
    for number, raw_line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if raw_line.endswith("\\"):
            pending += raw_line[:-1]
            continue
        line, pending = pending + raw_line, ""
        add(line, start)
    if pending:
        add(pending, start)
    return entries


def _read_pip_list(
    items: object,
    *,
    field: str,
    source: DependencySource,
    file_name: str,
    path: str,
    checked: bool,
    warnings: _Warnings,
) -> list[_Entry]:
    if items is None:
        return []
    if not isinstance(items, list):
        warnings.malformed(file_name, path, f"{path}: `{field}` is not a list.")
        return []
    entries = []
    for item in items:
        if not isinstance(item, str):
            warnings.malformed(file_name, path, f"{path}: `{field}` has an entry that is not text.")
            continue
        requirement = _pip_line(item)
        if requirement is None:
            continue
        try:
            entries.append(
                _pip_entry(
                    requirement, source=source, file_name=file_name, path=path, checked=checked
                )
            )
        except _Malformed as error:
            warnings.malformed(file_name, path, f"{path}, `{field}`: {error}.")
    return entries
