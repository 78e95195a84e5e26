"""The import's plan: read every record of an archive (not its files) and decide, for each,
whether the target creates, updates or skips it, and which ones conflict.

A conflict is a project, model, version, experiment, run or logged model that the target
already has (same path, name, number or uuid) and that did not come from the archive's source
instance (the origin map, `TransferOrigin`). A plan with conflicts is refused before anything is
written. `Resolver` is shared with apply.py: it maps source ids to target ids through the origin
map, the rows planned in this run and natural keys.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from modelreg.db.models import metadata
from modelreg.db.transfer_models import TransferOrigin
from modelreg.db.types import UTCDateTime
from modelreg.domain.transfer import (
    CONFLICTING,
    LOCAL_COLUMNS,
    NATURAL_KEYS,
    OPTIONAL_REFERENCES,
    PRESENT,
    REFERENCES,
    SCOPES,
    ArchiveError,
    Header,
    Present,
    check_present,
)

Record = tuple[str, str, dict[str, Any]]
NEW = -1  # a row this import creates; its target id is known only once it is written
AUTHOR_COLUMNS = ("created_by", "author", "requester", "resolver", "actor", "user")
# Kinds other records refer to: their source -> target ids are kept for the whole import.
PARENT_KINDS = frozenset(k for refs in REFERENCES.values() for k in refs.values())
MAX_LISTED = 1000  # deletions listed in a plan's JSON (all are counted)


def origin_table() -> sa.Table:
    return TransferOrigin.__table__  # type: ignore[attr-defined, no-any-return]


Converter = Callable[[Any], Any]
_DECODERS: dict[str, list[tuple[str, Converter | None]]] = {}


def _decoder(kind: str) -> list[tuple[str, Converter | None]]:
    """The columns a record of `kind` sets and how each value is converted, worked out once a
    kind (not once a record: a million records decode with a dict lookup a column)."""
    found = _DECODERS.get(kind)
    if found is None:
        local = LOCAL_COLUMNS.get(kind, frozenset())
        found = []
        for column in metadata.tables[kind].columns:
            name = column.name
            if name in local or (name == "id" and kind != "version_metadata"):
                continue
            convert: Converter | None = None
            if isinstance(column.type, UTCDateTime):
                convert = datetime.fromisoformat
            elif isinstance(column.type, sa.Enum) and column.type.enum_class:
                enum_class: type[enum.Enum] = column.type.enum_class
                convert = enum_class.__members__.__getitem__
            found.append((name, convert))
        _DECODERS[kind] = found
    return found


def decode(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A record's columns as the table takes them (ISO datetimes, enums by name); the source's
    id, unknown columns and the source's local details (a blob's storage key) dropped."""
    values: dict[str, Any] = {}
    for name, convert in _decoder(kind):
        if name not in data:
            continue
        value = data[name]
        if convert is not None and value is not None:
            try:
                value = convert(value)
            except (KeyError, TypeError, ValueError):
                raise ArchiveError(
                    "archive.corrupt", f"a {kind} record has an invalid {name} ({value!r})."
                ) from None
        values[name] = value
    return values


def describe(kind: str, data: dict[str, Any]) -> str:
    """A record as a person reads it, for conflicts."""
    match kind:
        case "project":
            return f"project '{data.get('path')}'"
        case "registered_model" | "experiment":
            return f"{kind.replace('registered_', '')} '{data.get('name')}'"
        case "model_version":
            number, semver = data.get("number"), data.get("version")
            return f"version {number} ({semver}) of model #{data.get('model_id')}"
        case _:
            return f"{kind} '{data.get('uuid', data.get('id'))}'"


class Resolver:
    """Source id -> target id for one import: the origin map, then natural keys."""

    def __init__(self, conn: AsyncConnection, source: str, into_project: int | None) -> None:
        self.conn = conn
        self.source = source
        self.into_project = into_project
        self.known: dict[tuple[str, str], int] = {}
        # Rows this import created (kind, target id): nothing in the target can share their
        # children's natural keys, so those are not looked up.
        self.fresh: set[tuple[str, int]] = set()

    async def origins(self, kind: str, source_ids: Iterable[str]) -> dict[str, int]:
        """Origin-map entries of this source for these ids (only those that still exist)."""
        ids = list(source_ids)
        if not ids:
            return {}
        origin = origin_table()
        rows = await self.conn.execute(
            sa.select(origin.c.source_id, origin.c.target_id).where(
                origin.c.source_instance == self.source,
                origin.c.kind == kind,
                origin.c.source_id.in_(ids),
            )
        )
        found = {str(r.source_id): int(r.target_id) for r in rows}
        if not found or kind == "event":
            return found
        table = metadata.tables[kind]
        key = table.c.version_id if kind == "version_metadata" else table.c.id
        alive = {
            int(v)
            for v in (
                await self.conn.execute(sa.select(key).where(key.in_(found.values())))
            ).scalars()
        }
        return {s: t for s, t in found.items() if t in alive}

    async def target_of(self, kind: str, source_id: Any, record_kind: str) -> int | None:
        """The target id of a referenced record: carried by the archive or imported earlier
        (an incremental archive refers to rows of the first one); None for an optional
        reference to a row that neither holds (an event of a deleted model)."""
        if source_id is None:
            return None
        found = self.known.get((kind, str(source_id)))
        if found is None:
            found = (await self.origins(kind, [str(source_id)])).get(str(source_id))
            if found is not None:
                self.known[(kind, str(source_id))] = found
        if found is None and record_kind not in OPTIONAL_REFERENCES:
            raise ArchiveError(
                "archive.reference_missing",
                f"a {record_kind} record refers to {kind} {source_id}, which neither the archive "
                "nor an earlier import from its source holds; import the earlier archive first "
                "or export without --since-event.",
            )
        return found

    async def mapped(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """The record's values with its references turned into the target's ids."""
        values = decode(kind, data)
        known = self.known
        for column, parent in REFERENCES.get(kind, {}).items():
            source_id = data.get(column)
            target = None if source_id is None else known.get((parent, str(source_id)))
            if target is None:
                target = await self.target_of(parent, source_id, kind)
            values[column] = None if target == NEW else target
        return values

    async def by_natural_key(self, kind: str, values: dict[str, Any]) -> int | None:
        """The target row with the same natural key, if there is one."""
        columns = NATURAL_KEYS.get(kind)
        if columns is None or any(values.get(c) is None for c in columns):
            return None
        references = REFERENCES.get(kind, {})
        if any((references[c], values[c]) in self.fresh for c in columns if c in references):
            return None
        table = metadata.tables[kind]
        key = table.c.version_id if kind == "version_metadata" else table.c.id
        found = await self.conn.execute(
            sa.select(key).where(*(table.c[c] == values[c] for c in columns)).limit(1)
        )
        value = found.scalar()
        return None if value is None else int(value)


@dataclass
class Plan:
    """What importing the archive would do."""

    header: Header
    create: Counter[str] = field(default_factory=Counter)
    update: Counter[str] = field(default_factory=Counter)
    skip: Counter[str] = field(default_factory=Counter)
    delete: Counter[str] = field(default_factory=Counter)
    # (kind, target id) of each row deleted because the source no longer has it.
    deletions: list[tuple[str, int]] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    unknown_users: set[str] = field(default_factory=set)
    blobs_new: int = 0
    blobs_present: int = 0
    bytes_new: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "source_instance": self.header.source_instance,
            "since_event": self.header.since_event,
            "create": dict(self.create),
            "update": dict(self.update),
            "skip": dict(self.skip),
            "delete": dict(self.delete),
            "deletions": [{"kind": k, "id": i} for k, i in self.deletions[:MAX_LISTED]],
            "conflicts": self.conflicts,
            "unknown_users": sorted(self.unknown_users),
            "files": {
                "new": self.blobs_new,
                "present": self.blobs_present,
                "new_bytes": self.bytes_new,
            },
        }


@dataclass
class Stale:
    """What the source no longer has: rows to delete and origin entries to drop, per kind."""

    rows: dict[str, list[int]] = field(default_factory=dict)
    origins: dict[str, list[str]] = field(default_factory=dict)


def split_present(chunk: list[Record]) -> tuple[list[Record], list[Present]]:
    """A chunk's row records, and its present records checked."""
    rows = [r for r in chunk if r[0] != PRESENT]
    if len(rows) == len(chunk):
        return chunk, []
    return rows, [check_present(data) for kind, _, data in chunk if kind == PRESENT]


async def stale(resolver: Resolver, presents: list[Present]) -> Stale:
    """The rows an earlier import from this source made under these parents that the source no
    longer has: a row goes when none of its origin entries is in its parent's present list (an
    alias moved by delete-and-insert in the source has a new source id but is the same row
    here). Rows the target made itself have no origin entry: never touched."""
    scopes: dict[tuple[str, str], dict[int, frozenset[str]]] = {}
    for present in presents:
        target = resolver.known.get((present.parent, present.parent_id))
        if target is None:
            found = await resolver.origins(present.parent, [present.parent_id])
            target = found.get(present.parent_id)
        if target is None or target == NEW:  # nothing of it here yet: nothing to delete
            continue
        for kind, column in SCOPES[present.parent]:
            if kind in present.children:
                scopes.setdefault((kind, column), {})[target] = present.children[kind]
    result = Stale()
    origin = origin_table()
    for (kind, column), parents in scopes.items():
        table = metadata.tables[kind]
        keep: set[int] = set()
        gone: list[tuple[str, int]] = []
        ids = list(parents)
        for start in range(0, len(ids), 500):
            rows = await resolver.conn.execute(
                sa.select(origin.c.source_id, origin.c.target_id, table.c[column])
                .join(table, table.c.id == origin.c.target_id)
                .where(
                    origin.c.source_instance == resolver.source,
                    origin.c.kind == kind,
                    table.c[column].in_(ids[start : start + 500]),
                )
            )
            for source_id, target_id, parent in rows:
                if str(source_id) in parents[int(parent)]:
                    keep.add(int(target_id))
                else:
                    gone.append((str(source_id), int(target_id)))
        if gone:
            result.origins[kind] = [s for s, _ in gone]
            doomed = sorted({t for _, t in gone} - keep)
            if doomed:
                result.rows[kind] = doomed
    return result


async def decide(
    resolver: Resolver, kind: str, source_id: str, data: dict[str, Any], origin: int | None
) -> tuple[str, int | None, dict[str, Any] | None]:
    """('create' | 'update' | 'skip' | 'conflict', target id, the record's mapped values when
    they were needed to decide) for one record."""
    if kind == "project" and resolver.into_project is not None:
        return "update", resolver.into_project, None
    if origin is not None:
        return ("skip" if kind == "event" else "update"), origin, None
    values = await resolver.mapped(kind, data)
    found = await resolver.by_natural_key(kind, values)
    if found is None:
        return "create", None, values
    if kind in CONFLICTING:
        return "conflict", found, values
    return "update", found, values


async def make_plan(
    conn: AsyncConnection,
    header: Header,
    chunks: Iterable[list[Record]],
    blobs: dict[str, int],
    *,
    into_project: int | None,
) -> tuple[Plan, Resolver]:
    """Read every record and plan it; the resolver keeps the parents' ids for apply."""
    plan = Plan(header=header)
    resolver = Resolver(conn, header.source_instance, into_project)
    projects = 0
    users = set(
        (await conn.execute(sa.select(metadata.tables["user_account"].c.username))).scalars()
    )
    for whole in chunks:
        chunk, presents = split_present(whole)
        by_kind: dict[str, list[str]] = {}
        for kind, source_id, _ in chunk:
            by_kind.setdefault(kind, []).append(source_id)
        origins = {k: await resolver.origins(k, ids) for k, ids in by_kind.items()}
        for kind, source_id, data in chunk:
            if kind == "project":
                projects += 1
                if into_project is not None and projects > 1:
                    raise ArchiveError(
                        "import.into_many",
                        "--into takes an archive of one project; this one holds several.",
                    )
            action, target, _ = await decide(
                resolver, kind, source_id, data, origins[kind].get(source_id)
            )
            if action == "conflict":
                plan.conflicts.append(
                    f"{describe(kind, data)} already exists in the target (id {target}) and did "
                    f"not come from instance {header.source_instance}"
                )
            getattr(plan, action if action != "conflict" else "skip")[kind] += 1
            if kind in PARENT_KINDS:
                resolver.known[(kind, source_id)] = NEW if target is None else target
            for column in AUTHOR_COLUMNS:
                name = data.get(column)
                if isinstance(name, str) and name and name != "system" and name not in users:
                    plan.unknown_users.add(name)
        for kind, doomed in (await stale(resolver, presents)).rows.items():
            plan.delete[kind] += len(doomed)
            plan.deletions.extend((kind, target) for target in doomed)
            del plan.deletions[MAX_LISTED:]
    blob = metadata.tables["blob"]
    for sha, size in blobs.items():
        present = (await conn.execute(sa.select(blob.c.id).where(blob.c.sha256 == sha))).first()
        if present is None:
            plan.blobs_new += 1
            plan.bytes_new += size
        else:
            plan.blobs_present += 1
    return plan, resolver
