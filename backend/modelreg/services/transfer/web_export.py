"""Exporting a project from the web app: who may, what a request selects, and the latest event
id a user notes for a later `since_event` export.

`prepare_export` checks everything a request can get wrong (the project, the caller's role, the
models, `since_event`) and answers with a `DomainError` before any byte of the archive exists;
the archive itself is `export.export_stream`, the same stream `modelreg export` writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Event, RegisteredModel
from modelreg.domain.actor import Actor
from modelreg.domain.policy import Ability
from modelreg.errors import InvalidArgument, NotFound
from modelreg.services import projects as project_service
from modelreg.services.transfer.export import Selection

# More names than a URL of a reasonable length holds; beyond it, export the whole project.
MAX_MODELS = 200


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """A checked request: what to export, and the archive's file name."""

    selection: Selection
    filename: str


def parse_since_event(raw: str | None) -> int | None:
    """`since_event` from a query string: absent, or a whole number of zero or more."""
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise InvalidArgument(
            "since_event must be an event id, a whole number of zero or more (the project's "
            "settings show the latest one).",
            field="since_event",
        )
    return int(raw)


def archive_filename(project_path: str, now: datetime, *, since_event: int | None) -> str:
    """`<project>-<YYYYMMDD>.tar`, or `<project>-since-<N>-<YYYYMMDD>.tar`; a project path is
    already a safe slug (letters, digits, `-`, `_`, `.`)."""
    since = f"-since-{since_event}" if since_event is not None else ""
    return f"{project_path}{since}-{now:%Y%m%d}.tar"


async def prepare_export(
    session: AsyncSession,
    *,
    actor: Actor,
    project_path: str,
    models: Sequence[str],
    since_event: int | None,
    now: datetime,
) -> ExportRequest:
    """The selection for `actor`'s export of `project_path`, or the error to answer with: a
    project the actor may not read is as absent as a missing one; a reader below MAINTAINER is
    refused naming the role; an unknown model or an event id after the latest is refused."""
    project = await project_service.get_project_by_path(
        session, path=project_path, actor=actor, ability=Ability.EXPORT, field="project"
    )
    assert project.id is not None
    names = tuple(dict.fromkeys(models))
    if len(names) > MAX_MODELS:
        raise InvalidArgument(
            f"At most {MAX_MODELS} models can be named; export the whole project instead.",
            field="models",
        )
    if names:
        found = set(
            (
                await session.exec(
                    select(RegisteredModel.name).where(
                        RegisteredModel.project_id == project.id,
                        col(RegisteredModel.name).in_(names),
                    )
                )
            ).all()
        )
        missing = [name for name in names if name not in found]
        if missing:
            raise NotFound(
                f"Project '{project.path}' has no model named {', '.join(map(repr, missing))}; "
                "choose among its models, or none for all of them.",
                field="models",
            )
    if since_event is not None:
        latest = (await latest_event_ids(session, [project.id])).get(project.id, 0)
        if since_event > latest:
            raise InvalidArgument(
                f"since_event {since_event} is after the project's latest event ({latest}); "
                "use an event id you noted from an earlier export, or none for everything.",
                field="since_event",
            )
    return ExportRequest(
        selection=Selection(projects=(project.path,), models=names, since_event=since_event),
        filename=archive_filename(project.path, now, since_event=since_event),
    )


async def latest_event_ids(session: AsyncSession, project_ids: Sequence[int]) -> dict[int, int]:
    """Each project's latest event id (projects without events are left out), one statement."""
    if not project_ids:
        return {}
    rows = await session.exec(
        select(Event.project_id, func.max(Event.id))
        .where(col(Event.project_id).in_(project_ids))
        .group_by(col(Event.project_id))
    )
    return {int(p): int(m) for p, m in rows.all() if p is not None and m is not None}
