"""Compare two to ten versions side by side: parameters, metrics, signature, dependencies and
files, each row marking whether it differs. Pure: the service loads everything first.

Row status is relative to the first version (the baseline): ADDED when the baseline lacks the row
and a later version has it, REMOVED when the baseline has it and a later version lacks it,
CHANGED when every version has it but the values differ, SAME otherwise. `differs` is true for
every status but SAME. (A row the baseline lacks is ADDED even when a later version lacks it
again; a row the baseline has is REMOVED as soon as one later version lacks it.)

- Parameters compare their text.
- Metrics compare the latest value (highest step, then latest timestamp; among equal step and
  timestamp, the point given last) and presence; a NaN or infinite value is stored as None, so
  two NaN latest values are equal. A metric with no points counts as absent.
- Signature rows match columns by name (unnamed ones by position, "#0") in the INPUT and OUTPUT
  sections; a version without metadata or signature has none of them. CHANGED when the type,
  shape or optional flag differ.
- Dependency rows compare the requirement text ("scikit-learn==1.5.2") per version.
- File rows compare the sha256.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from modelreg.domain.model_metadata import Column, ModelMetadata
from modelreg.errors import InvalidArgument

MIN_COMPARED = 2
MAX_COMPARED = 10


class RowStatus(StrEnum):
    SAME = "SAME"
    ADDED = "ADDED"
    REMOVED = "REMOVED"
    CHANGED = "CHANGED"


@dataclass(frozen=True, slots=True)
class MetricPoint:
    step: int
    timestamp_ms: int
    value: float | None  # None for NaN / infinite


@dataclass(frozen=True, slots=True)
class FileDigest:
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class VersionData:
    version: str
    params: Mapping[str, str]
    # Every logged point of each metric, in any order.
    metrics: Mapping[str, Sequence[MetricPoint]]
    metadata: ModelMetadata | None
    files: Mapping[str, FileDigest]  # version-relative path → digest


@dataclass(frozen=True, slots=True)
class ParamRow:
    key: str
    values: tuple[str | None, ...]  # one per version, None when absent
    status: RowStatus

    @property
    def differs(self) -> bool:
        return self.status is not RowStatus.SAME


@dataclass(frozen=True, slots=True)
class MetricRow:
    key: str
    # Latest value per version (highest step, then latest timestamp); None when absent or NaN.
    latest: tuple[float | None, ...]
    present: tuple[bool, ...]
    # Every point per version, sorted by step then timestamp.
    history: tuple[tuple[MetricPoint, ...], ...]
    status: RowStatus

    @property
    def differs(self) -> bool:
        return self.status is not RowStatus.SAME


class SignatureSection(StrEnum):
    INPUT = "INPUT"
    OUTPUT = "OUTPUT"


@dataclass(frozen=True, slots=True)
class SignatureRow:
    section: SignatureSection
    name: str  # or "#<position>" for unnamed columns
    columns: tuple[Column | None, ...]
    status: RowStatus  # CHANGED when type, shape or optional differ

    @property
    def differs(self) -> bool:
        return self.status is not RowStatus.SAME


@dataclass(frozen=True, slots=True)
class DependencyRow:
    name: str
    specifiers: tuple[str | None, ...]  # the requirement text per version, None when absent
    versions: tuple[str | None, ...]  # the pinned version per version
    status: RowStatus

    @property
    def differs(self) -> bool:
        return self.status is not RowStatus.SAME


@dataclass(frozen=True, slots=True)
class FileRow:
    path: str
    files: tuple[FileDigest | None, ...]
    status: RowStatus  # CHANGED when the sha256 differs

    @property
    def differs(self) -> bool:
        return self.status is not RowStatus.SAME


@dataclass(frozen=True, slots=True)
class Comparison:
    versions: tuple[str, ...]
    params: tuple[ParamRow, ...]  # sorted by key
    metrics: tuple[MetricRow, ...]  # sorted by key
    signature: tuple[SignatureRow, ...]  # inputs then outputs, in order of first appearance
    dependencies: tuple[DependencyRow, ...]  # sorted by name
    files: tuple[FileRow, ...]  # sorted by path


_ABSENT = object()


def _status(values: Sequence[object]) -> RowStatus:
    """The row status from one value per version, `_ABSENT` where the version lacks the row."""
    baseline, later = values[0], values[1:]
    if baseline is _ABSENT:
        return RowStatus.ADDED
    if any(value is _ABSENT for value in later):
        return RowStatus.REMOVED
    if any(value != baseline for value in later):
        return RowStatus.CHANGED
    return RowStatus.SAME


def _finite(point: MetricPoint) -> MetricPoint:
    value = point.value
    if value is not None and not math.isfinite(value):
        return MetricPoint(step=point.step, timestamp_ms=point.timestamp_ms, value=None)
    return point


def _param_rows(versions: Sequence[VersionData]) -> tuple[ParamRow, ...]:
    keys = sorted({key for data in versions for key in data.params})
    rows = []
    for key in keys:
        values = tuple(data.params.get(key) for data in versions)
        status = _status(
            [
                _ABSENT if key not in data.params else value
                for data, value in zip(versions, values, strict=True)
            ]
        )
        rows.append(ParamRow(key=key, values=values, status=status))
    return tuple(rows)


def _metric_rows(versions: Sequence[VersionData]) -> tuple[MetricRow, ...]:
    keys = sorted({key for data in versions for key, points in data.metrics.items() if points})
    rows = []
    for key in keys:
        histories = tuple(
            tuple(
                sorted(
                    (_finite(point) for point in data.metrics.get(key, ())),
                    key=lambda point: (point.step, point.timestamp_ms),
                )
            )
            for data in versions
        )
        present = tuple(bool(history) for history in histories)
        latest = tuple(history[-1].value if history else None for history in histories)
        status = _status(
            [value if here else _ABSENT for value, here in zip(latest, present, strict=True)]
        )
        rows.append(
            MetricRow(key=key, latest=latest, present=present, history=histories, status=status)
        )
    return tuple(rows)


def _keyed_columns(columns: Sequence[Column]) -> dict[str, Column]:
    keyed: dict[str, Column] = {}
    for position, column in enumerate(columns):
        keyed.setdefault(column.name if column.name is not None else f"#{position}", column)
    return keyed


def _signature_rows(versions: Sequence[VersionData]) -> tuple[SignatureRow, ...]:
    rows: list[SignatureRow] = []
    for section in SignatureSection:
        per_version: list[dict[str, Column]] = []
        for data in versions:
            signature = data.metadata.signature if data.metadata is not None else None
            if signature is None:
                per_version.append({})
                continue
            columns = signature.inputs if section is SignatureSection.INPUT else signature.outputs
            per_version.append(_keyed_columns(columns))
        names = list(dict.fromkeys(name for keyed in per_version for name in keyed))
        for name in names:
            columns_row = tuple(keyed.get(name) for keyed in per_version)
            status = _status(
                [
                    _ABSENT if column is None else (column.type, column.shape, column.optional)
                    for column in columns_row
                ]
            )
            rows.append(
                SignatureRow(section=section, name=name, columns=columns_row, status=status)
            )
    return tuple(rows)


def _dependency_rows(versions: Sequence[VersionData]) -> tuple[DependencyRow, ...]:
    per_version = [
        {dep.name: dep for dep in data.metadata.dependencies} if data.metadata is not None else {}
        for data in versions
    ]
    rows = []
    for name in sorted({name for deps in per_version for name in deps}):
        found = [deps.get(name) for deps in per_version]
        specifiers = tuple(None if dep is None else dep.requirement for dep in found)
        pinned = tuple(None if dep is None else dep.version for dep in found)
        status = _status([_ABSENT if text is None else text for text in specifiers])
        rows.append(DependencyRow(name=name, specifiers=specifiers, versions=pinned, status=status))
    return tuple(rows)


def _file_rows(versions: Sequence[VersionData]) -> tuple[FileRow, ...]:
    rows = []
    for path in sorted({path for data in versions for path in data.files}):
        files = tuple(data.files.get(path) for data in versions)
        status = _status([_ABSENT if digest is None else digest.sha256 for digest in files])
        rows.append(FileRow(path=path, files=files, status=status))
    return tuple(rows)


def compare(versions: Sequence[VersionData]) -> Comparison:
    """Raises InvalidArgument (field "versions") for fewer than MIN_COMPARED or more than
    MAX_COMPARED versions, or for the same version twice."""
    if not MIN_COMPARED <= len(versions) <= MAX_COMPARED:
        raise InvalidArgument(
            f"Compare from {MIN_COMPARED} to {MAX_COMPARED} versions; {len(versions)} were given.",
            field="versions",
        )
    seen: set[str] = set()
    for data in versions:
        if data.version in seen:
            raise InvalidArgument(
                f"Version {data.version} is listed twice; compare different versions.",
                field="versions",
            )
        seen.add(data.version)
    return Comparison(
        versions=tuple(data.version for data in versions),
        params=_param_rows(versions),
        metrics=_metric_rows(versions),
        signature=_signature_rows(versions),
        dependencies=_dependency_rows(versions),
        files=_file_rows(versions),
    )
