"""What an export holds, read straight from the database, and the archive stream made of it.

`export_stream` yields the archive's bytes (header, record chunks, blobs, manifest) and holds
at most one chunk of records or one piece of a file at a time: the CLI writes it to a file, an
HTTP endpoint can send it as the response body.

Selection: the projects named, optionally only some of their models. Runs (with their params,
tags and metrics), their experiments and MLflow logged models come along when a version was
registered from them. The MLflow artifact proxy's files come with a whole project.
Incremental (`since_event`): the events after it, and the current rows of every model and
version those events touch (their tags, aliases, files, comments, requests, runs); applied on
top of an earlier import these bring the target up to date. Every archive ends with a present
record per exported project, model, version and run listing all its current children's ids:
the import deletes what an earlier import made that the source no longer has (domain/transfer.py:
PRESENT, SCOPES).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import Database, plain
from modelreg.db.models import metadata
from modelreg.db.snapshot import read_snapshot
from modelreg.db.transfer_models import InstanceIdentity
from modelreg.db.types import utcnow
from modelreg.domain.transfer import KINDS, PRESENT, SCOPES, ArchiveError, Header
from modelreg.services.transfer.archive import ArchiveWriter
from modelreg.storage import Storage


@dataclass(frozen=True, slots=True)
class Selection:
    projects: tuple[str, ...]
    models: tuple[str, ...] = ()
    since_event: int | None = None


async def instance_id(db: Database) -> str:
    """This instance's id, made on first use; archives carry it as their source."""
    table = InstanceIdentity.__table__  # type: ignore[attr-defined]
    async with db.begin() as session:
        conn = await plain(session)
        found = (await conn.execute(sa.select(table.c.instance_id))).scalar()
        if found is not None:
            return str(found)
        made = uuid.uuid4().hex
        await conn.execute(table.insert().values(instance_id=made, created_at=utcnow()))
        return made


def encode(value: Any) -> Any:
    """A column's value as JSON: datetimes in ISO 8601 (UTC), enums by name."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.name
    return value


def _t(name: str) -> sa.Table:
    return metadata.tables[name]


class _Scope:
    """The subqueries that pick each kind's rows for a selection."""

    def __init__(self, project_ids: list[int], selection: Selection) -> None:
        project, model, version, event = (
            _t("project"),
            _t("registered_model"),
            _t("model_version"),
            _t("event"),
        )
        self.project_ids = project_ids
        # With --models the archive speaks for those models only, not for the whole project.
        self.some_models = bool(selection.models)
        self.whole_projects = not selection.models and selection.since_event is None
        models = sa.select(model.c.id).where(model.c.project_id.in_(project_ids))
        if selection.models:
            models = models.where(model.c.name.in_(selection.models))
        versions = sa.select(version.c.id).where(version.c.model_id.in_(models))
        self.events: sa.ColumnElement[bool] = event.c.project_id.in_(project_ids)
        if selection.models:
            self.events = sa.and_(self.events, event.c.model_id.in_(models))
        if selection.since_event is not None:
            self.events = sa.and_(self.events, event.c.id > selection.since_event)
            touched = sa.select(event.c.version_id).where(
                self.events, event.c.version_id.is_not(None)
            )
            versions = versions.where(version.c.id.in_(touched))
            models = models.where(
                sa.or_(
                    model.c.id.in_(sa.select(event.c.model_id).where(self.events)),
                    model.c.id.in_(sa.select(version.c.model_id).where(version.c.id.in_(touched))),
                )
            )
        self.models = models
        self.versions = versions
        self.project = project

    def where(self, kind: str) -> sa.ColumnElement[bool]:
        """Which rows of `kind` the export holds."""
        t = _t(kind)
        version = _t("model_version")
        linked_runs = sa.select(version.c.run_uuid).where(version.c.id.in_(self.versions))
        runs = sa.select(_t("run").c.id).where(_t("run").c.uuid.in_(linked_runs))
        logged = sa.select(version.c.logged_model_uuid).where(version.c.id.in_(self.versions))
        match kind:
            case "project":
                return t.c.id.in_(self.project_ids)
            case "registered_model":
                return t.c.id.in_(self.models)
            case "model_tag" | "model_alias" | "model_version":
                if kind == "model_version":
                    return t.c.id.in_(self.versions)
                return t.c.model_id.in_(self.models)
            case "version_tag" | "version_metadata" | "artifact" | "transition_request" | "comment":
                return t.c.version_id.in_(self.versions)
            case "run":
                return t.c.id.in_(runs)
            case "run_param" | "run_tag" | "run_metric":
                return t.c.run_id.in_(runs)
            case "logged_model":
                return t.c.uuid.in_(logged)
            case "logged_model_metric":
                return t.c.logged_model_id.in_(
                    sa.select(_t("logged_model").c.id).where(_t("logged_model").c.uuid.in_(logged))
                )
            case "experiment":
                return sa.or_(
                    t.c.id.in_(
                        sa.select(_t("run").c.experiment_id).where(_t("run").c.id.in_(runs))
                    ),
                    t.c.id.in_(
                        sa.select(_t("logged_model").c.experiment_id).where(
                            _t("logged_model").c.uuid.in_(logged)
                        )
                    ),
                )
            case "tracked_file":
                if self.whole_projects:
                    return t.c.project_id.in_(self.project_ids)
                return sa.false()
            case "blob":
                artifact, tracked = _t("artifact"), _t("tracked_file")
                return sa.or_(
                    t.c.id.in_(sa.select(artifact.c.blob_id).where(self.where("artifact"))),
                    t.c.id.in_(sa.select(tracked.c.blob_id).where(self.where("tracked_file"))),
                )
            case "event":
                return self.events
        raise AssertionError(kind)


def _source_id(kind: str, row: dict[str, Any]) -> Any:
    return row["version_id"] if kind == "version_metadata" else row["id"]


async def _project_ids(session: AsyncSession, selection: Selection) -> list[int]:
    project = _t("project")
    conn = await plain(session)
    rows = (
        await conn.execute(
            sa.select(project.c.id, project.c.path).where(project.c.path.in_(selection.projects))
        )
    ).all()
    missing = sorted(set(selection.projects) - {r.path for r in rows})
    if missing:
        raise ArchiveError(
            "export.project_not_found",
            f"there is no project {', '.join(missing)}; see 'modelreg project list'.",
        )
    ids = [int(r.id) for r in rows]
    if selection.models:
        model = _t("registered_model")
        found = {
            r.name
            for r in await conn.execute(
                sa.select(model.c.name).where(
                    model.c.project_id.in_(ids), model.c.name.in_(selection.models)
                )
            )
        }
        absent = sorted(set(selection.models) - found)
        if absent:
            raise ArchiveError(
                "export.model_not_found",
                f"the selected projects have no model {', '.join(absent)}.",
            )
    return ids


async def _aclose(iterator: AsyncIterator[bytes]) -> None:
    """Release a storage reader that stopped early (its file or connection)."""
    close = getattr(iterator, "aclose", None)
    if close is not None:
        await close()


PAGE = 500


async def _pages(
    session: AsyncSession, table: sa.Table, key: sa.Column[Any], where: sa.ColumnElement[bool]
) -> AsyncGenerator[dict[str, Any], None]:
    """The rows in `key` order, PAGE at a time (keyset): memory stays flat on every engine
    (aiosqlite has no server-side cursors)."""
    conn = await plain(session)
    last: Any = None
    while True:
        statement = sa.select(table).where(where).order_by(key).limit(PAGE)
        if last is not None:
            statement = statement.where(key > last)
        rows = (await conn.execute(statement)).mappings().all()
        for row in rows:
            yield dict(row)
        if len(rows) < PAGE:
            return
        last = rows[-1][key.name]


async def _records(session: AsyncSession, scope: _Scope) -> AsyncGenerator[dict[str, Any], None]:
    for kind in KINDS:
        table = _t(kind)
        key = table.c.version_id if kind == "version_metadata" else table.c.id
        async with aclosing(_pages(session, table, key, scope.where(kind))) as rows:
            async for row in rows:
                data = {name: encode(value) for name, value in row.items()}
                yield {"kind": kind, "id": _source_id(kind, data), "data": data}


async def _present(session: AsyncSession, scope: _Scope) -> AsyncGenerator[dict[str, Any], None]:
    """A present record per exported parent: the ids of all its current children (SCOPES)."""
    conn = await plain(session)
    for parent, scoped in SCOPES.items():
        children = [
            (kind, column)
            for kind, column in scoped
            if not (scope.some_models and parent == "project")
        ]
        table = _t(parent)
        last: Any = None
        while True:
            statement = sa.select(table.c.id).where(scope.where(parent)).order_by(table.c.id)
            if last is not None:
                statement = statement.where(table.c.id > last)
            ids = list((await conn.execute(statement.limit(PAGE))).scalars())
            found: dict[Any, dict[str, list[Any]]] = {i: {k: [] for k, _ in children} for i in ids}
            for kind, column in children if ids else ():
                child = _t(kind)
                rows = await conn.execute(
                    sa.select(child.c[column], child.c.id)
                    .where(child.c[column].in_(ids))
                    .order_by(child.c.id)
                )
                for parent_id, child_id in rows:
                    found[parent_id][kind].append(child_id)
            for i in ids:
                data = {"parent": parent, "parent_id": i, "children": found[i]}
                yield {"kind": PRESENT, "id": f"{parent}:{i}", "data": data}
            if len(ids) < PAGE:
                break
            last = ids[-1]


async def _all_records(
    session: AsyncSession, scope: _Scope
) -> AsyncGenerator[dict[str, Any], None]:
    async with aclosing(_records(session, scope)) as records:
        async for record in records:
            yield record
    async with aclosing(_present(session, scope)) as present:
        async for record in present:
            yield record


async def export_stream(
    *, db: Database, storage: Storage, selection: Selection
) -> AsyncGenerator[bytes, None]:
    """The archive's bytes, in order; a failure raises (the caller discards what it wrote)."""
    source = await instance_id(db)
    writer = ArchiveWriter()
    async with read_snapshot(db) as session:
        scope = _Scope(await _project_ids(session, selection), selection)
        header = Header(
            source_instance=source,
            created_at=utcnow().isoformat(),
            since_event=selection.since_event,
            projects=selection.projects,
            models=selection.models,
        )
        yield writer.header(header)
        async with aclosing(writer.records(_all_records(session, scope))) as chunks:
            async for chunk in chunks:
                yield chunk
        blob = _t("blob")
        async with aclosing(_pages(session, blob, blob.c.id, scope.where("blob"))) as blobs:
            async for row in blobs:
                data = storage.open(row["storage_key"])
                try:
                    async with aclosing(writer.blob(row["sha256"], row["size"], data)) as parts:
                        async for part in parts:
                            yield part
                finally:
                    await _aclose(data)
    yield writer.finish()
