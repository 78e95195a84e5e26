"""One chunk of an import written in its transaction: rows created in batches, rows updated in
place, and each new row's origin entry.

Speed: the statements are built once per kind (an INSERT ... RETURNING id executed with many
parameter sets, an UPDATE whose row is a bind parameter), not once per record, so SQLAlchemy
compiles each once and reuses it. New rows of one kind wait in a batch that is inserted when the
next record is of another kind (records come parents first, so a child's parent ids are known
by the time the child is read) or when the chunk ends; the ids come back in order (RETURNING,
sort_by_parameter_order) for the origin map and for the children that follow.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from modelreg.db.models import metadata
from modelreg.domain.transfer import ArchiveError
from modelreg.services.transfer.payloads import map_payloads
from modelreg.services.transfer.plan import PARENT_KINDS, Resolver, decide, origin_table

_INSERTS: dict[str, Any] = {}
_UPDATES: dict[str, Any] = {}
TARGET = "target_row_"
# SQLite's AUTOINCREMENT counters: the highest id each such table has handed out.
_SEQUENCE = sa.table(
    "sqlite_sequence", sa.column("name"), sa.column("seq")
)  # the bind parameter naming the row an update changes


def _insert(kind: str) -> Any:
    statement = _INSERTS.get(kind)
    if statement is None:
        table = metadata.tables[kind]
        if kind == "version_metadata":  # keyed by its version: nothing to return
            statement = table.insert()
        else:
            statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
        _INSERTS[kind] = statement
    return statement


def _update(kind: str) -> Any:
    statement = _UPDATES.get(kind)
    if statement is None:
        table = metadata.tables[kind]
        key = table.c.version_id if kind == "version_metadata" else table.c.id
        statement = table.update().where(key == sa.bindparam(TARGET))
        _UPDATES[kind] = statement
    return statement


def _same_columns(values: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The batch in runs of rows that set the same columns, in order: one statement takes
    parameter sets of one shape (a source may leave a column out, for its default)."""
    start = 0
    for n in range(1, len(values) + 1):
        if n == len(values) or values[n].keys() != values[start].keys():
            yield values[start:n]
            start = n


class ChunkWriter:
    """Writes a chunk's records (`write`), then its batches and origin entries (`finish`).

    `known` (source -> target ids of parents), `fresh` (rows this import created) and
    `projects` (target ids of the projects written) outlive the chunk."""

    def __init__(
        self,
        resolver: Resolver,
        fresh: set[tuple[str, int]],
        projects: list[int],
    ) -> None:
        self.resolver = resolver
        self.conn: AsyncConnection = resolver.conn
        self.fresh = fresh
        self.projects = projects
        self.made: list[dict[str, Any]] = []
        self.kind: str | None = None
        self.values: list[dict[str, Any]] = []
        self.entries: list[dict[str, Any]] = []

    async def write(
        self, kind: str, source_id: str, data: dict[str, Any], origin: int | None
    ) -> None:
        """Create (batched) or update one row; a row already mapped keeps its origin entry."""
        if kind != self.kind:
            await self.flush()
            self.kind = kind
        target = await self._row(kind, source_id, data, origin)
        if target is None:  # waits in the batch
            return
        if origin is None and kind != "blob":
            self.made.append(self._entry(kind, source_id, target))
        self._remember(kind, source_id, target)

    async def finish(self) -> None:
        await self.flush()
        if self.made:
            await self.conn.execute(origin_table().insert(), self.made)

    async def flush(self) -> None:
        """Insert the batch of new rows of the current kind, in order."""
        kind, values = self.kind, self.values
        if kind is None or not values:
            return
        self.values, entries, self.entries = [], self.entries, []
        if kind == "event":
            written = {(e["kind"], e["source_id"]): e["target_id"] for e in self.made}
            await map_payloads(self.resolver, values, written)
        targets: list[int] = []
        for rows in _same_columns(values):
            if kind == "version_metadata":
                await self.conn.execute(_insert(kind), rows)
                targets += [int(v["version_id"]) for v in rows]
            elif self.conn.dialect.name == "sqlite":
                targets += await self._insert_numbered(kind, rows)
            else:
                result = await self.conn.execute(_insert(kind), rows)
                targets += [int(t) for t in result.scalars().all()]
        for entry, target in zip(entries, targets, strict=True):
            entry["target_id"] = target
            self.made.append(entry)
            self._remember(kind, entry["source_id"], target)
            if kind in PARENT_KINDS:
                self.fresh.add((kind, target))

    async def _insert_numbered(self, kind: str, values: list[dict[str, Any]]) -> list[int]:
        """SQLite: the batch with ids given here, one executemany. SQLite cannot return the ids
        of a multi-row insert in order, so SQLAlchemy would insert a row per statement. The ids
        follow the highest the table has ever handed out (its AUTOINCREMENT counter, so a
        deleted row's id is never reused). Another process inserting into the table between
        the read and the insert makes the insert fail on the primary key (never a wrong id):
        the chunk rolls back and the import stops with import.stopped; a re-run continues."""
        table = metadata.tables[kind]
        counter = sa.select(_SEQUENCE.c.seq).where(_SEQUENCE.c.name == table.name)
        highest = sa.select(sa.func.max(table.c.id))
        base = (
            await self.conn.execute(
                sa.select(
                    sa.func.max(
                        sa.func.coalesce(highest.scalar_subquery(), 0),
                        sa.func.coalesce(counter.scalar_subquery(), 0),
                    )
                )
            )
        ).scalar_one()
        targets = [int(base) + n for n in range(1, len(values) + 1)]
        for row, target in zip(values, targets, strict=True):
            row["id"] = target
        await self.conn.execute(table.insert(), values)
        return targets

    def _entry(self, kind: str, source_id: str, target: int | None) -> dict[str, Any]:
        return {
            "source_instance": self.resolver.source,
            "kind": kind,
            "source_id": source_id,
            "target_id": target,
        }

    def _remember(self, kind: str, source_id: str, target: int) -> None:
        if kind in PARENT_KINDS:
            self.resolver.known[(kind, source_id)] = target
            if kind == "project":
                self.projects.append(target)

    async def _row(
        self, kind: str, source_id: str, data: dict[str, Any], origin: int | None
    ) -> int | None:
        """The row's target id, or None when it joined the batch of new rows."""
        resolver = self.resolver
        action, target, values = await decide(resolver, kind, source_id, data, origin)
        if kind == "blob":  # copied before the records: found by its SHA-256
            if target is None:
                raise ArchiveError(
                    "archive.blob_missing", f"the archive lacks the file {data.get('sha256')}."
                )
            return target
        if action == "conflict":  # planned without conflicts: a concurrent writer made this row
            raise ArchiveError(
                "import.conflict",
                f"{kind} {source_id} was created in the target while importing; run the import "
                "again.",
            )
        if action == "skip" or (kind == "project" and resolver.into_project is not None):
            assert target is not None
            return target
        if values is None:
            values = await resolver.mapped(kind, data)
        if target is not None:
            if values:
                await self.conn.execute(_update(kind), {**values, TARGET: target})
            return target
        self.values.append(values)
        self.entries.append(self._entry(kind, source_id, None))
        return None
