"""Lifecycle services on both engines: stages, requests, aliases, comments, history, rules."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlmodel import col, select

from modelreg.db import Database
from modelreg.db.models import Event, ModelVersion
from modelreg.db.types import utcnow
from modelreg.domain.actor import SYSTEM, Actor
from modelreg.domain.lifecycle import RequestStatus, Stage
from modelreg.domain.policy import Role
from modelreg.errors import Conflict, InvalidArgument, NotFound, PermissionDenied
from modelreg.services import accounts, comments, lifecycle, members, models, projects, versions
from modelreg.storage.memory import MemoryStorage

ALICE = Actor(name="alice", is_admin=True)
BOB = Actor(name="bob", is_admin=True)


@dataclass
class Registry:
    project_id: int
    model_id: int
    version_ids: list[int]


async def _registry(db: Database, *texts: str) -> Registry:
    async with db.begin() as s:
        project = await projects.create_project(s, actor=ALICE, path="demo")
        model = await models.create_model(s, actor=ALICE, project_id=project.id, name="churn")
        created = [
            await versions.create_version(s, actor=ALICE, model_id=model.id, version=t)
            for t in texts
        ]
    assert project.id is not None and model.id is not None
    return Registry(project.id, model.id, [v.id for v in created if v.id is not None])


async def _stages(db: Database, model_id: int) -> dict[str, Stage]:
    async with db.read() as s:
        rows = await s.exec(select(ModelVersion).where(ModelVersion.model_id == model_id))
        return {v.version: v.stage for v in rows}


async def test_new_versions_start_in_none_and_transition_with_an_event(db: Database) -> None:
    # given
    reg = await _registry(db, "1.0.0")
    # when
    async with db.begin() as s:
        await lifecycle.transition_stage(
            s, actor=ALICE, version_id=reg.version_ids[0], stage=Stage.STAGING, comment="try it"
        )
    # then
    assert await _stages(db, reg.model_id) == {"1.0.0": Stage.STAGING}
    async with db.read() as s:
        event = (await s.exec(select(Event).where(Event.type == "version.stage_changed"))).one()
    assert (event.actor, event.version_id, event.model_id) == (
        "alice",
        reg.version_ids[0],
        reg.model_id,
    )
    assert event.payload["from"] == "NONE"
    assert event.payload["to"] == "STAGING"
    assert event.payload["comment"] == "try it"


async def test_several_versions_may_share_a_stage_unless_archive_existing(db: Database) -> None:
    reg = await _registry(db, "1.0.0", "1.1.0", "2.0.0")
    v1, v2, v3 = reg.version_ids
    async with db.begin() as s:
        await lifecycle.transition_stage(s, actor=ALICE, version_id=v1, stage=Stage.PRODUCTION)
        await lifecycle.transition_stage(s, actor=ALICE, version_id=v2, stage=Stage.PRODUCTION)
    assert await _stages(db, reg.model_id) == {
        "1.0.0": Stage.PRODUCTION,
        "1.1.0": Stage.PRODUCTION,
        "2.0.0": Stage.NONE,
    }

    async with db.begin() as s:
        await lifecycle.transition_stage(
            s, actor=ALICE, version_id=v3, stage=Stage.PRODUCTION, archive_existing=True
        )

    assert await _stages(db, reg.model_id) == {
        "1.0.0": Stage.ARCHIVED,
        "1.1.0": Stage.ARCHIVED,
        "2.0.0": Stage.PRODUCTION,
    }
    async with db.read() as s:
        events = (
            await s.exec(
                select(Event).where(Event.type == "version.stage_changed").order_by(col(Event.id))
            )
        ).all()
    archived = [(e.version_id, e.payload["from"], e.payload["to"]) for e in events[-2:]]
    assert archived == [(v1, "PRODUCTION", "ARCHIVED"), (v2, "PRODUCTION", "ARCHIVED")]
    assert [a["version"] for a in events[-3].payload["archived"]] == ["1.0.0", "1.1.0"]


async def test_a_transition_to_the_current_stage_is_refused(db: Database) -> None:
    reg = await _registry(db, "1.0.0")
    with pytest.raises(InvalidArgument, match="already in None"):
        async with db.begin() as s:
            await lifecycle.transition_stage(
                s, actor=ALICE, version_id=reg.version_ids[0], stage=Stage.NONE
            )


async def test_a_developer_may_not_move_a_version_to_production(db: Database) -> None:
    reg = await _registry(db, "1.0.0")
    async with db.begin() as s:
        user, _ = await accounts.create_user(
            s, actor=SYSTEM, username="dev", password="a long enough password"
        )
        assert user.id is not None
        await members.add_member(
            s, actor=ALICE, project_id=reg.project_id, username="dev", role=Role.DEVELOPER
        )
    dev = Actor(name="dev", user_id=user.id)
    async with db.begin() as s:
        await lifecycle.transition_stage(
            s, actor=dev, version_id=reg.version_ids[0], stage=Stage.STAGING
        )
    with pytest.raises(PermissionDenied, match="MAINTAINER role or higher"):
        async with db.begin() as s:
            await lifecycle.transition_stage(
                s, actor=dev, version_id=reg.version_ids[0], stage=Stage.PRODUCTION
            )
    assert await _stages(db, reg.model_id) == {"1.0.0": Stage.STAGING}


async def test_concurrent_transitions_to_production_leave_exactly_one(db: Database) -> None:
    # given pairs of versions; each pair is asked at the same moment to become the only one
    # in Production (several rounds, so a missing lock cannot pass by luck of scheduling)
    reg = await _registry(db, *[f"1.{i}.0" for i in range(8)])

    async def promote(version_id: int) -> None:
        async with db.begin() as s:
            await lifecycle.transition_stage(
                s,
                actor=ALICE,
                version_id=version_id,
                stage=Stage.PRODUCTION,
                archive_existing=True,
            )

    for pair in zip(reg.version_ids[::2], reg.version_ids[1::2], strict=True):
        # when
        await asyncio.gather(*(promote(v) for v in pair))

        # then
        found = await _stages(db, reg.model_id)
        assert list(found.values()).count(Stage.PRODUCTION) == 1, found


async def test_approving_a_production_request_with_archive_existing_leaves_one(
    db: Database,
) -> None:
    # given: 1.0.0 in Production, bob asks to put 2.0.0 there
    reg = await _registry(db, "1.0.0", "2.0.0")
    v1, v2 = reg.version_ids
    async with db.begin() as s:
        await lifecycle.transition_stage(s, actor=ALICE, version_id=v1, stage=Stage.PRODUCTION)
        request = await lifecycle.request_transition(
            s, actor=BOB, version_id=v2, stage=Stage.PRODUCTION, comment="better AUC"
        )
    assert request.status == RequestStatus.PENDING
    assert request.requester == "bob"

    # when alice approves, archiving the existing one
    async with db.begin() as s:
        approved = await lifecycle.approve_request(
            s, actor=ALICE, request_id=request.id, comment="ok", archive_existing=True
        )

    # then
    assert (approved.status, approved.resolver, approved.resolution_comment) == (
        RequestStatus.APPROVED,
        "alice",
        "ok",
    )
    assert approved.resolved_at is not None
    assert await _stages(db, reg.model_id) == {"1.0.0": Stage.ARCHIVED, "2.0.0": Stage.PRODUCTION}
    async with db.read() as s:
        types = [
            e.type
            for e in await s.exec(
                select(Event).where(Event.version_id == v2).order_by(col(Event.id))
            )
        ]
    assert types == [
        "version.created",
        "version.transition_requested",
        "version.transition_approved",
        "version.stage_changed",
    ]


@pytest.mark.parametrize("outcome", ["reject", "cancel"])
async def test_a_resolved_request_cannot_then_be_approved(db: Database, outcome: str) -> None:
    reg = await _registry(db, "1.0.0")
    async with db.begin() as s:
        request = await lifecycle.request_transition(
            s, actor=BOB, version_id=reg.version_ids[0], stage=Stage.STAGING
        )
    async with db.begin() as s:
        if outcome == "reject":
            await lifecycle.reject_request(s, actor=ALICE, request_id=request.id, comment="no")
        else:
            await lifecycle.cancel_request(s, actor=BOB, request_id=request.id)

    with pytest.raises(Conflict) as raised:
        async with db.begin() as s:
            await lifecycle.approve_request(s, actor=ALICE, request_id=request.id)

    verb = "rejected by alice" if outcome == "reject" else "cancelled by bob"
    assert raised.value.message.startswith(
        f"This request to move version 1.0.0 to Staging was already {verb}, "
        "so it cannot be approved"
    )
    assert await _stages(db, reg.model_id) == {"1.0.0": Stage.NONE}


async def test_only_the_requester_may_cancel_a_request(db: Database) -> None:
    reg = await _registry(db, "1.0.0")
    async with db.begin() as s:
        request = await lifecycle.request_transition(
            s, actor=BOB, version_id=reg.version_ids[0], stage=Stage.STAGING
        )
    with pytest.raises(PermissionDenied, match="Only bob, who made this request, can cancel it"):
        async with db.begin() as s:
            await lifecycle.cancel_request(s, actor=ALICE, request_id=request.id)
    async with db.begin() as s:
        cancelled = await lifecycle.cancel_request(s, actor=BOB, request_id=request.id)
    assert cancelled.status == RequestStatus.CANCELLED


async def test_an_alias_moves_atomically_and_resolves(db: Database) -> None:
    reg = await _registry(db, "1.0.0", "2.0.0")
    v1, v2 = reg.version_ids
    async with db.begin() as s:
        await lifecycle.set_alias(s, actor=ALICE, version_id=v1, alias="champion")
    async with db.read() as s:
        assert (await lifecycle.resolve_alias(s, model_id=reg.model_id, alias="champion")).id == v1

    async with db.begin() as s:
        moved = await lifecycle.set_alias(s, actor=ALICE, version_id=v2, alias="champion")
    assert moved.version_id == v2

    async with db.read() as s:
        assert (await lifecycle.resolve_alias(s, model_id=reg.model_id, alias="champion")).id == v2
        assert (await lifecycle.resolve_alias(s, model_id=reg.model_id, alias="latest")).id == v2
        assert (await lifecycle.resolve_alias(s, model_id=reg.model_id, alias="v1")).id == v1
        by_version = await lifecycle.aliases_by_versions(s, [v1, v2])
        event = (
            await s.exec(
                select(Event).where(Event.type == "model.alias_set").order_by(col(Event.id).desc())
            )
        ).first()
    assert by_version == {v2: ["champion"]}
    assert event is not None
    assert event.payload["from_version"] == "1.0.0"
    assert event.payload["version"] == "2.0.0"

    async with db.begin() as s:
        await lifecycle.delete_alias(s, actor=ALICE, model_id=reg.model_id, alias="champion")
    with pytest.raises(NotFound, match="No version of the model has the alias 'champion'"):
        async with db.read() as s:
            await lifecycle.resolve_alias(s, model_id=reg.model_id, alias="champion")
    with pytest.raises(NotFound, match="Model 'churn' has no alias 'champion'"):
        async with db.begin() as s:
            await lifecycle.delete_alias(s, actor=ALICE, model_id=reg.model_id, alias="champion")


async def test_a_reserved_alias_is_refused(db: Database) -> None:
    reg = await _registry(db, "1.0.0")
    with pytest.raises(InvalidArgument, match="reserved"):
        async with db.begin() as s:
            await lifecycle.set_alias(s, actor=ALICE, version_id=reg.version_ids[0], alias="Latest")


async def test_version_at_answers_before_between_and_after_transitions(db: Database) -> None:
    reg = await _registry(db, "1.0.0", "2.0.0")
    v1, v2 = reg.version_ids
    before = utcnow()
    await asyncio.sleep(0.01)
    async with db.begin() as s:
        await lifecycle.transition_stage(s, actor=ALICE, version_id=v1, stage=Stage.PRODUCTION)
        await lifecycle.set_alias(s, actor=ALICE, version_id=v1, alias="champion")
    await asyncio.sleep(0.01)
    between = utcnow()
    await asyncio.sleep(0.01)
    async with db.begin() as s:
        await lifecycle.transition_stage(
            s, actor=ALICE, version_id=v2, stage=Stage.PRODUCTION, archive_existing=True
        )
        await lifecycle.set_alias(s, actor=ALICE, version_id=v2, alias="champion")
    await asyncio.sleep(0.01)
    after = utcnow()

    async def at(when: datetime, stage: Stage | None = None, alias: str | None = None) -> list[str]:
        async with db.read() as s:
            found = await lifecycle.versions_at(
                s, model_id=reg.model_id, at=when, stage=stage, alias=alias
            )
        return [v.version for v in found]

    assert await at(before, stage=Stage.PRODUCTION) == []
    assert await at(before, stage=Stage.NONE) == ["2.0.0", "1.0.0"]
    assert await at(before, alias="champion") == []
    assert await at(between, stage=Stage.PRODUCTION) == ["1.0.0"]
    assert await at(between, alias="champion") == ["1.0.0"]
    assert await at(after, stage=Stage.PRODUCTION) == ["2.0.0"]
    assert await at(after, stage=Stage.ARCHIVED) == ["1.0.0"]
    assert await at(after, alias="champion") == ["2.0.0"]


@pytest.mark.parametrize("stage", [Stage.STAGING, Stage.PRODUCTION])
async def test_serving_versions_block_deleting_and_renaming(db: Database, stage: Stage) -> None:
    reg = await _registry(db, "1.0.0", "1.2.0")
    v1, v2 = reg.version_ids
    async with db.begin() as s:
        await lifecycle.transition_stage(s, actor=ALICE, version_id=v2, stage=stage)

    first = f"Version 1.2.0 is in {stage.label}; transition it to None or Archived first"
    with pytest.raises(Conflict, match=f"^{first}, then delete the version.$"):
        async with db.begin() as s:
            await versions.delete_version(s, actor=ALICE, storage=MemoryStorage(), version_id=v2)
    with pytest.raises(Conflict, match=f"^{first}, then delete the model.$"):
        async with db.begin() as s:
            await models.delete_model(
                s, actor=ALICE, storage=MemoryStorage(), model_id=reg.model_id
            )
    with pytest.raises(Conflict, match=f"version 1.2.0 is in {stage.label}"):
        async with db.begin() as s:
            await models.update_model(s, actor=ALICE, model_id=reg.model_id, name="churn2")

    # a version in None or Archived may go, and the model may be edited otherwise
    async with db.begin() as s:
        await versions.delete_version(s, actor=ALICE, storage=MemoryStorage(), version_id=v1)
        await models.update_model(s, actor=ALICE, model_id=reg.model_id, description="card")
        await lifecycle.transition_stage(s, actor=ALICE, version_id=v2, stage=Stage.ARCHIVED)
    async with db.begin() as s:
        renamed = await models.update_model(s, actor=ALICE, model_id=reg.model_id, name="churn2")
        await models.delete_model(s, actor=ALICE, storage=MemoryStorage(), model_id=reg.model_id)
    assert renamed.name == "churn2"


async def test_comments_are_changed_only_by_their_author(db: Database) -> None:
    reg = await _registry(db, "1.0.0")
    async with db.begin() as s:
        comment = await comments.add_comment(
            s, actor=ALICE, version_id=reg.version_ids[0], body="Looks **good**"
        )
    with pytest.raises(PermissionDenied, match="Only alice, who wrote this comment, can edit it"):
        async with db.begin() as s:
            await comments.edit_comment(s, actor=BOB, comment_id=comment.id, body="hijack")
    with pytest.raises(PermissionDenied, match="can delete it"):
        async with db.begin() as s:
            await comments.delete_comment(s, actor=BOB, comment_id=comment.id)

    async with db.begin() as s:
        edited = await comments.edit_comment(s, actor=ALICE, comment_id=comment.id, body="Fine")
    assert (edited.body, edited.edited) == ("Fine", True)
    async with db.begin() as s:
        await comments.delete_comment(s, actor=ALICE, comment_id=comment.id)
    async with db.read() as s:
        assert await comments.comments_by_versions(s, reg.version_ids) == {}
        types = [
            e.type
            for e in await s.exec(
                select(Event)
                .where(col(Event.type).like("version.comment%"))
                .order_by(col(Event.id))
            )
        ]
    assert types == ["version.comment_added", "version.comment_edited", "version.comment_deleted"]


async def test_a_request_approved_twice_at_once_is_approved_once(db: Database) -> None:
    # given
    reg = await _registry(db, "1.0.0")
    async with db.begin() as s:
        request = await lifecycle.request_transition(
            s, actor=BOB, version_id=reg.version_ids[0], stage=Stage.PRODUCTION
        )

    async def approve() -> None:
        async with db.begin() as s:
            await lifecycle.approve_request(s, actor=ALICE, request_id=request.id)

    # when
    outcomes = await asyncio.gather(approve(), approve(), return_exceptions=True)

    # then
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "NoneType"]
    async with db.read() as s:
        approvals = (
            await s.exec(select(Event).where(Event.type == "version.transition_approved"))
        ).all()
    assert len(approvals) == 1
    assert await _stages(db, reg.model_id) == {"1.0.0": Stage.PRODUCTION}
