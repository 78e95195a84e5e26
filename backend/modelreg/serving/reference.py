"""What `modelreg serve-model` is asked to serve, parsed from the command line (no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

RefKind = Literal["version", "stage", "alias"]

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
STAGES = {"staging": "STAGING", "production": "PRODUCTION"}
"""The stages a version can be followed in (the registry's active stages), by lower-case name."""
_INACTIVE_STAGES = {"none", "archived"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")


class ReferenceError(ValueError):
    """A reference or canary option that cannot be parsed; the message says how to write it."""


@dataclass(frozen=True, slots=True)
class Reference:
    """`PROJECT/MODEL@REF`: a pinned SemVer, a stage to follow, or an alias to follow."""

    project: str
    model: str
    ref: str
    kind: RefKind

    @property
    def follows(self) -> bool:
        """Whether the version behind the reference can change (a stage or an alias)."""
        return self.kind != "version"

    def __str__(self) -> str:
        return f"{self.project}/{self.model}@{self.ref}"


def parse_reference(text: str) -> Reference:
    """`PROJECT/MODEL@REF`; REF a SemVer (pinned), a stage name (Staging, Production) or an
    alias name. The project path may hold '/'; the model name is the part after the last one."""
    head, at, ref = text.strip().rpartition("@")
    project, slash, model = head.rpartition("/")
    if not at or not slash or not project or not model or not ref:
        raise ReferenceError(
            f"the model reference {text!r} is not PROJECT/MODEL@REF, "
            "like fraud/detector@champion, fraud/detector@1.2.0 or fraud/detector@Production"
        )
    if _SEMVER.match(ref):
        return Reference(project, model, ref, "version")
    if ref.lower() in STAGES:
        return Reference(project, model, ref, "stage")
    if ref.lower() in _INACTIVE_STAGES:
        raise ReferenceError(
            f"the stage {ref!r} cannot be served; follow Staging or Production, "
            "pin a version (like @1.2.0) or follow an alias"
        )
    if not _NAME.match(ref):
        raise ReferenceError(f"{ref!r} is neither a SemVer, a stage nor an alias name")
    return Reference(project, model, ref, "alias")


@dataclass(frozen=True, slots=True)
class Canary:
    """`--canary ALIAS=PCT%`: `percent` of the requests go to the version behind `alias`."""

    alias: str
    percent: float


def parse_canary(text: str) -> Canary:
    """`challenger=10%` (the % sign is optional); the share must be above 0 and below 100."""
    alias, eq, share = text.strip().partition("=")
    share = share.strip().removesuffix("%")
    try:
        percent = float(share)
    except ValueError:
        percent = -1.0
    if not eq or not _NAME.match(alias.strip()) or not 0 < percent < 100:
        raise ReferenceError(
            f"--canary {text!r} is not ALIAS=PCT%, like challenger=10% "
            "(an alias name and a share above 0 and below 100)"
        )
    if alias.strip().lower() in STAGES or _SEMVER.match(alias.strip()):
        raise ReferenceError(f"--canary takes an alias name, not {alias.strip()!r}")
    return Canary(alias.strip(), percent)


class CanarySplit:
    """Which requests go to the canary: exactly `percent` of every run of requests, spread
    evenly (request n goes to the canary when floor((n+1)p/100) passes floor(np/100)), so the
    share holds over any window, not just on average. Not thread-safe: called on the event loop."""

    def __init__(self, percent: float) -> None:
        self.percent = percent
        self._count = 0

    def next_is_canary(self) -> bool:
        n = self._count
        self._count += 1
        return int((n + 1) * self.percent / 100) > int(n * self.percent / 100)
