"""SemVer 2.0 rules: parsing with clear errors, precedence as a sortable key, bumps, latest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import semver

from modelreg.errors import InvalidArgument

VERSION_MAX = 128


class Bump(StrEnum):
    MAJOR = "MAJOR"
    MINOR = "MINOR"
    PATCH = "PATCH"


@dataclass(frozen=True, slots=True)
class ParsedVersion:
    text: str
    semver: semver.Version

    @property
    def is_prerelease(self) -> bool:
        return self.semver.prerelease is not None

    @property
    def sort_key(self) -> str:
        return precedence_key(self.semver)


def _hint(text: str) -> str:
    stripped = text.strip()
    if stripped != text and semver.Version.is_valid(stripped):
        return f" Remove the surrounding whitespace: use '{stripped}'."
    if stripped[:1] in ("v", "V") and semver.Version.is_valid(stripped[1:]):
        return f" Drop the leading '{stripped[0]}': use '{stripped[1:]}'."
    try:
        candidate = semver.Version.parse(stripped, optional_minor_and_patch=True)
    except (ValueError, TypeError):
        candidate = None
    if candidate is not None and stripped != str(candidate):
        return f" Did you mean '{candidate}'?"
    return ""


def parse_version(text: str, *, field: str = "version") -> ParsedVersion:
    if not text:
        raise InvalidArgument(
            "Version must not be empty; use a semantic version such as 1.0.0.", field=field
        )
    if len(text) > VERSION_MAX:
        raise InvalidArgument(
            f"Version is {len(text)} characters long; the limit is {VERSION_MAX}.", field=field
        )
    try:
        parsed = semver.Version.parse(text)
    except (ValueError, TypeError):
        raise InvalidArgument(
            f"'{text}' is not a semantic version: use MAJOR.MINOR.PATCH with an optional "
            "-prerelease and +build, such as 1.0.0 or 2.0.1-rc2, without leading zeros."
            + _hint(text),
            field=field,
        ) from None
    return ParsedVersion(text=text, semver=parsed)


def _encode_number(value: int) -> str:
    digits = str(value)
    return f"{len(digits):03d}{digits}"


def precedence_key(version: semver.Version) -> str:
    """A string whose binary (C-collation) order is SemVer 2.0 precedence.

    Numbers are length-prefixed so they compare numerically; a release sorts after all of its
    prereleases ('~' > '-'); prerelease identifiers are joined by '!', which sorts below every
    identifier character, so a shorter identifier list sorts first; numeric identifiers ('0'
    marker) sort below alphanumeric ones ('1' marker). Build metadata does not take part.
    """
    core = ".".join(_encode_number(part) for part in (version.major, version.minor, version.patch))
    if version.prerelease is None:
        return core + "~"
    parts = []
    for ident in version.prerelease.split("."):
        parts.append("0" + _encode_number(int(ident)) if ident.isdigit() else "1" + ident)
    return core + "-" + "!".join(parts)


def bump(version: semver.Version | None, part: Bump) -> str:
    """The next version after `version` for the given bump; 0.1.0/1.0.0 when there is none.

    From a prerelease, the bump finishes the release it leads to when that already counts as the
    bump (2.0.0-rc1 + MAJOR = 2.0.0), as npm and semver do.
    """
    if version is None:
        return "0.1.0" if part is not Bump.MAJOR else "1.0.0"
    base = semver.Version(version.major, version.minor, version.patch)
    if version.prerelease is not None:
        if part is Bump.PATCH:
            return str(base)
        if part is Bump.MINOR and version.patch == 0:
            return str(base)
        if part is Bump.MAJOR and version.patch == 0 and version.minor == 0:
            return str(base)
    if part is Bump.MAJOR:
        return str(base.bump_major())
    if part is Bump.MINOR:
        return str(base.bump_minor())
    return str(base.bump_patch())


def latest(versions: Iterable[str]) -> str | None:
    """The highest non-prerelease version, else the highest prerelease."""
    parsed = [semver.Version.parse(v) for v in versions]
    releases = [v for v in parsed if v.prerelease is None]
    pool = releases or parsed
    if not pool:
        return None
    best = max(pool, key=precedence_key)
    return str(best)
