"""The SemVer guard: what a version's number declares against the previous release, what its
signature changes require, and the verdict. Pure.

Rules (the GitLab seed's meaning of each SemVer part): a removed or retyped input, a new required
input, an input that became required, a removed or retyped output → MAJOR; a new optional input,
an input that became optional, a new output → MINOR; the same signature → PATCH.

Details:

- Columns are matched by name; unnamed ones (unnamed tensors or columns) by their position,
  "#0", "#1", ... A column whose name appears on one side only is added or removed (renaming a
  column is a removal plus an addition).
- "Retyped" means the type text or the shape differs (a tensor's float64[-1, 4] → float64[-1, 5]
  is retyped; a column spec "double" → a tensor "float64" too). A column can give two changes:
  retyped and now required/optional.
- Outputs have no optional/required change (consumers receive whatever is there); signature
  params are not part of the rules (MLflow ignores unknown params and fills in defaults).
- `declared_bump` looks at the first of major/minor/patch that increased, so a prerelease
  declares the bump of the release it leads to (1.4.2 → 2.0.0-rc1 is MAJOR). Over a prerelease
  with the same major.minor.patch (2.0.0-rc1 → 2.0.0) it is PATCH.
- `assess`: without a previous release → FIRST_RELEASE; when this version or the previous
  release has no metadata or no (readable) signature → UNKNOWN, with the declared bump still
  given; otherwise OK when the declared bump is at least the required one, else TOO_SMALL.
  Whenever the required bump is known, `suggested_version` is the previous release bumped by it
  (1.4.2 + MAJOR → 2.0.0), also when the verdict is OK: it is the smallest acceptable number,
  not necessarily a free one (the caller checks whether it is taken).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from modelreg.domain.model_metadata import Column, ModelMetadata, Signature
from modelreg.domain.versions import Bump, ParsedVersion, bump, parse_version
from modelreg.errors import InvalidArgument


class SemverGuard(StrEnum):
    OFF = "OFF"
    WARN = "WARN"
    ENFORCE = "ENFORCE"


class ChangeKind(StrEnum):
    INPUT_ADDED_REQUIRED = "INPUT_ADDED_REQUIRED"
    INPUT_ADDED_OPTIONAL = "INPUT_ADDED_OPTIONAL"
    INPUT_REMOVED = "INPUT_REMOVED"
    INPUT_RETYPED = "INPUT_RETYPED"  # type or shape changed
    INPUT_NOW_REQUIRED = "INPUT_NOW_REQUIRED"
    INPUT_NOW_OPTIONAL = "INPUT_NOW_OPTIONAL"
    OUTPUT_ADDED = "OUTPUT_ADDED"
    OUTPUT_REMOVED = "OUTPUT_REMOVED"
    OUTPUT_RETYPED = "OUTPUT_RETYPED"


@dataclass(frozen=True, slots=True)
class SignatureChange:
    kind: ChangeKind
    column: str  # the column's name, or "#<position>" for unnamed ones
    before: Column | None
    after: Column | None
    bump: Bump
    # For people: "Input 'age' was added and is required (long)."
    message: str


class Verdict(StrEnum):
    OK = "OK"  # the declared bump is at least the required one
    TOO_SMALL = "TOO_SMALL"  # the number declares less than the changes require
    FIRST_RELEASE = "FIRST_RELEASE"  # no earlier release to compare with
    UNKNOWN = "UNKNOWN"  # this version or the previous release has no signature


@dataclass(frozen=True, slots=True)
class Compatibility:
    version: str
    previous_version: str | None  # the previous release (not a prerelease) by SemVer precedence
    declared_bump: Bump | None  # None when there is no previous release
    required_bump: Bump | None  # None when unknown (no baseline or no signatures)
    verdict: Verdict
    reasons: tuple[SignatureChange, ...]
    # The smallest version with the required bump over the previous release ("2.0.0"); None
    # when nothing is required.
    suggested_version: str | None


_RANK = {Bump.PATCH: 0, Bump.MINOR: 1, Bump.MAJOR: 2}


def _keyed(columns: tuple[Column, ...]) -> dict[str, Column]:
    keyed: dict[str, Column] = {}
    for position, column in enumerate(columns):
        keyed.setdefault(column.name if column.name is not None else f"#{position}", column)
    return keyed


def _label(side: str, key: str) -> str:
    return f"{side} {key}" if key.startswith("#") else f"{side} '{key}'"


def _shape_text(shape: tuple[int, ...] | None) -> str:
    return "" if shape is None else "[" + ", ".join(str(size) for size in shape) + "]"


def _describe(column: Column) -> str:
    """The column's type with its shape, when it has one: "double", "float64[-1, 4]"."""
    return column.type + _shape_text(column.shape)


def _retyped_message(label: str, before: Column, after: Column) -> str:
    if before.type == after.type:
        return (
            f"{label} ({before.type}) changed shape from {_shape_text(before.shape) or 'none'} "
            f"to {_shape_text(after.shape) or 'none'}."
        )
    return f"{label} changed type from {_describe(before)} to {_describe(after)}."


def _diff_inputs(old: tuple[Column, ...], new: tuple[Column, ...]) -> list[SignatureChange]:
    before, after = _keyed(old), _keyed(new)
    changes: list[SignatureChange] = []
    for key, column in after.items():
        label = _label("Input", key)
        previous = before.get(key)
        if previous is None:
            if column.optional:
                changes.append(
                    SignatureChange(
                        ChangeKind.INPUT_ADDED_OPTIONAL,
                        key,
                        None,
                        column,
                        Bump.MINOR,
                        f"{label} ({_describe(column)}) was added as optional.",
                    )
                )
            else:
                changes.append(
                    SignatureChange(
                        ChangeKind.INPUT_ADDED_REQUIRED,
                        key,
                        None,
                        column,
                        Bump.MAJOR,
                        f"{label} ({_describe(column)}) was added and is required.",
                    )
                )
            continue
        if (previous.type, previous.shape) != (column.type, column.shape):
            changes.append(
                SignatureChange(
                    ChangeKind.INPUT_RETYPED,
                    key,
                    previous,
                    column,
                    Bump.MAJOR,
                    _retyped_message(label, previous, column),
                )
            )
        if previous.optional and not column.optional:
            changes.append(
                SignatureChange(
                    ChangeKind.INPUT_NOW_REQUIRED,
                    key,
                    previous,
                    column,
                    Bump.MAJOR,
                    f"{label} ({_describe(column)}) was optional and is now required.",
                )
            )
        elif column.optional and not previous.optional:
            changes.append(
                SignatureChange(
                    ChangeKind.INPUT_NOW_OPTIONAL,
                    key,
                    previous,
                    column,
                    Bump.MINOR,
                    f"{label} ({_describe(column)}) was required and is now optional.",
                )
            )
    for key, column in before.items():
        if key not in after:
            changes.append(
                SignatureChange(
                    ChangeKind.INPUT_REMOVED,
                    key,
                    column,
                    None,
                    Bump.MAJOR,
                    f"{_label('Input', key)} ({_describe(column)}) was removed.",
                )
            )
    return changes


def _diff_outputs(old: tuple[Column, ...], new: tuple[Column, ...]) -> list[SignatureChange]:
    before, after = _keyed(old), _keyed(new)
    changes: list[SignatureChange] = []
    for key, column in after.items():
        label = _label("Output", key)
        previous = before.get(key)
        if previous is None:
            changes.append(
                SignatureChange(
                    ChangeKind.OUTPUT_ADDED,
                    key,
                    None,
                    column,
                    Bump.MINOR,
                    f"{label} ({_describe(column)}) was added.",
                )
            )
        elif (previous.type, previous.shape) != (column.type, column.shape):
            changes.append(
                SignatureChange(
                    ChangeKind.OUTPUT_RETYPED,
                    key,
                    previous,
                    column,
                    Bump.MAJOR,
                    _retyped_message(label, previous, column),
                )
            )
    for key, column in before.items():
        if key not in after:
            changes.append(
                SignatureChange(
                    ChangeKind.OUTPUT_REMOVED,
                    key,
                    column,
                    None,
                    Bump.MAJOR,
                    f"{_label('Output', key)} ({_describe(column)}) was removed.",
                )
            )
    return changes


def diff_signatures(old: Signature, new: Signature) -> tuple[SignatureChange, ...]:
    """Every change from `old` to `new`, inputs before outputs, each in `new`'s column order
    (removed columns after, in `old`'s order)."""
    return (*_diff_inputs(old.inputs, new.inputs), *_diff_outputs(old.outputs, new.outputs))


def required_bump(changes: Iterable[SignatureChange]) -> Bump:
    """The largest bump among the changes; PATCH when there are none."""
    return max((change.bump for change in changes), key=_RANK.__getitem__, default=Bump.PATCH)


def declared_bump(previous: str, version: str) -> Bump:
    """The part of `version` increased over `previous` (both SemVer, `version` > `previous` by
    precedence): 1.4.2 → 2.0.0 and 1.4.2 → 2.0.0-rc1 are MAJOR, → 1.5.0 MINOR, → 1.4.3 PATCH.

    Raises InvalidArgument (field "version") when either is not SemVer or `version` does not
    come after `previous`."""
    before = parse_version(previous, field="version")
    after = parse_version(version, field="version")
    if after.sort_key <= before.sort_key:
        raise InvalidArgument(
            f"Version {version} does not come after {previous}; "
            "a bump can only be read from a higher version.",
            field="version",
        )
    old, new = before.semver, after.semver
    if new.major != old.major:
        return Bump.MAJOR
    if new.minor != old.minor:
        return Bump.MINOR
    return Bump.PATCH


def previous_release(version: str, others: Iterable[str]) -> str | None:
    """The highest non-prerelease among `others` that precedes `version`."""
    key = parse_version(version).sort_key
    best: ParsedVersion | None = None
    for text in others:
        try:
            other = parse_version(text)
        except InvalidArgument:
            continue  # not SemVer: it cannot be a release of this scheme
        if other.is_prerelease or other.sort_key >= key:
            continue
        if best is None or other.sort_key > best.sort_key:
            best = other
    return None if best is None else best.text


def assess(
    *,
    version: str,
    previous_version: str | None,
    previous: ModelMetadata | None,
    current: ModelMetadata | None,
) -> Compatibility:
    """The verdict for `version` against the previous release and what each one's files say."""
    if previous_version is None:
        return Compatibility(
            version=version,
            previous_version=None,
            declared_bump=None,
            required_bump=None,
            verdict=Verdict.FIRST_RELEASE,
            reasons=(),
            suggested_version=None,
        )
    declared = declared_bump(previous_version, version)
    if (
        previous is None
        or current is None
        or previous.signature is None
        or current.signature is None
    ):
        return Compatibility(
            version=version,
            previous_version=previous_version,
            declared_bump=declared,
            required_bump=None,
            verdict=Verdict.UNKNOWN,
            reasons=(),
            suggested_version=None,
        )
    changes = diff_signatures(previous.signature, current.signature)
    required = required_bump(changes)
    verdict = Verdict.OK if _RANK[declared] >= _RANK[required] else Verdict.TOO_SMALL
    return Compatibility(
        version=version,
        previous_version=previous_version,
        declared_bump=declared,
        required_bump=required,
        verdict=verdict,
        reasons=changes,
        suggested_version=bump(parse_version(previous_version).semver, required),
    )


def _clause(message: str) -> str:
    """A change's sentence as a clause: "Input 'a' was removed." → "input 'a' was removed"."""
    return (message[:1].lower() + message[1:]).rstrip(".")


def guard_refusal(compatibility: Compatibility) -> str | None:
    """Under ENFORCE, the sentence refusing a version whose number is too small ("Version 1.0.1
    declares a PATCH over 1.0.0, but its signature changes require a MAJOR bump: input 'age' was
    added and is required. Use 2.0.0."); None when the verdict is not TOO_SMALL.

    It names the changes that need the required bump (not the smaller ones)."""
    c = compatibility
    if c.verdict is not Verdict.TOO_SMALL or c.required_bump is None:
        return None
    needing = [change for change in c.reasons if change.bump is c.required_bump]
    because = "; ".join(_clause(change.message) for change in needing)
    sentence = (
        f"Version {c.version} declares a {c.declared_bump} over {c.previous_version}, but its "
        f"signature changes require a {c.required_bump} bump: {because}."
    )
    if c.suggested_version is not None:
        sentence += f" Use {c.suggested_version}."
    return sentence
