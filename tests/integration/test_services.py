"""Service rules that the GraphQL tests do not show directly: numbering and the event log."""

from __future__ import annotations

import pytest
from sqlmodel import select

from modelreg.db import Database
from modelreg.db.models import Event
from modelreg.domain.actor import Actor
from modelreg.errors import NotFound
from modelreg.services import models, projects, versions
from modelreg.storage.memory import MemoryStorage

ALICE = Actor(name="alice", is_admin=True)


async def test_version_numbers_are_never_reused(db: Database) -> None:
    async with db.begin() as s:
        project = await projects.create_project(s, actor=ALICE, path="demo")
        model = await models.create_model(s, actor=ALICE, project_id=project.id, name="churn")
        v1 = await versions.create_version(s, actor=ALICE, model_id=model.id, version="1.0.0")
        v2 = await versions.create_version(s, actor=ALICE, model_id=model.id, version="2.0.0")
    async with db.begin() as s:
        await versions.delete_version(s, actor=ALICE, storage=MemoryStorage(), version_id=v2.id)
    async with db.begin() as s:
        v3 = await versions.create_version(s, actor=ALICE, model_id=model.id, version="2.0.0")
    assert (v1.number, v2.number, v3.number) == (1, 2, 3)


async def test_failed_action_writes_nothing(db: Database) -> None:
    async with db.begin() as s:
        project = await projects.create_project(s, actor=ALICE, path="demo")
    with pytest.raises(NotFound):
        async with db.begin() as s:
            await models.create_model(s, actor=ALICE, project_id=project.id, name="churn")
            await versions.create_version(s, actor=ALICE, model_id=10_000, version="1.0.0")
    async with db.read() as s:
        assert await models.find_model_by_name(s, project_id=project.id, name="churn") is None
        events = (await s.exec(select(Event))).all()
    assert [e.type for e in events] == ["project.created"]


async def test_every_change_appends_an_event(db: Database) -> None:
    async with db.begin() as s:
        project = await projects.create_project(s, actor=ALICE, path="demo")
        model = await models.create_model(
            s, actor=ALICE, project_id=project.id, name="churn", tags=[("team", "growth")]
        )
        version = await versions.create_version(s, actor=ALICE, model_id=model.id, version="1.0.0")
        await versions.set_version_tags(s, actor=ALICE, version_id=version.id, tags=[("a", "1")])
        await versions.delete_version_tags(s, actor=ALICE, version_id=version.id, keys=["a"])
        await versions.update_version(s, actor=ALICE, version_id=version.id, description="d")
        await models.set_model_tags(s, actor=ALICE, model_id=model.id, tags=[("team", "risk")])
        await models.set_model_tags(s, actor=ALICE, model_id=model.id, tags=[("team", "risk")])
        await models.delete_model_tags(s, actor=ALICE, model_id=model.id, keys=["team"])
        await models.update_model(s, actor=ALICE, model_id=model.id, name="churn2")
        await versions.delete_version(
            s, actor=ALICE, storage=MemoryStorage(), version_id=version.id
        )
        await models.delete_model(s, actor=ALICE, storage=MemoryStorage(), model_id=model.id)
        await projects.update_project(s, actor=ALICE, project_id=project.id, name="Demo")
        await projects.delete_project(
            s, actor=ALICE, storage=MemoryStorage(), project_id=project.id
        )
    async with db.read() as s:
        events = (await s.exec(select(Event).order_by(Event.id))).all()
    assert [e.type for e in events] == [
        "project.created",
        "model.created",
        "version.created",
        "version.tags_set",
        "version.tags_deleted",
        "version.updated",
        "model.tags_set",
        "model.tags_deleted",
        "model.updated",
        "version.deleted",
        "model.deleted",
        "project.updated",
        "project.deleted",
    ]
    assert {e.actor for e in events} == {"alice"}
    assert events[2].payload == {"model": "churn", "version": "1.0.0", "number": 1, "tags": {}}
    assert events[6].payload == {"tags": {"team": "risk"}}
    assert events[8].payload == {"changes": {"name": {"from": "churn", "to": "churn2"}}}
    assert all(e.project_id == project.id for e in events)
    assert events[2].version_id == version.id


async def test_suggested_next_versions(db: Database) -> None:
    async with db.begin() as s:
        project = await projects.create_project(s, actor=ALICE, path="demo")
        model = await models.create_model(s, actor=ALICE, project_id=project.id, name="churn")
        first = await versions.suggest_next_version(
            s, actor=ALICE, model_id=model.id, part=versions.Bump.MINOR
        )
        for text in ("1.2.3", "1.10.0-rc.1"):
            await versions.create_version(s, actor=ALICE, model_id=model.id, version=text)
        suggested = {
            part: await versions.suggest_next_version(s, actor=ALICE, model_id=model.id, part=part)
            for part in versions.Bump
        }
    assert first == "0.1.0"
    assert suggested == {
        versions.Bump.MAJOR: "2.0.0",
        versions.Bump.MINOR: "1.3.0",
        versions.Bump.PATCH: "1.2.4",
    }
