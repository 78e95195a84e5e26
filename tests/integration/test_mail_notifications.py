"""E-mail notifications end to end on both engines: services record events, the mail worker
sends them through a real SMTP server on loopback (aiosmtpd), and the tests read what arrived."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette

from modelreg.app import create_app
from modelreg.db import Database
from modelreg.db.mail_models import MailDigestItem
from modelreg.db.notification_models import MailJob, ModelNotificationSetting
from modelreg.db.types import utcnow
from modelreg.domain.actor import SYSTEM, Actor
from modelreg.domain.events import EventType
from modelreg.domain.lifecycle import Stage
from modelreg.domain.notifications import NotificationLevel
from modelreg.domain.policy import Role, Visibility
from modelreg.errors import InvalidArgument
from modelreg.events.mail_worker import MailWorker
from modelreg.services import (
    accounts,
    comments,
    lifecycle,
    members,
    models,
    notifications,
    projects,
    versions,
)
from modelreg.services.events import record_event
from modelreg.settings import Settings
from tests.support.smtp import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


class Clock:
    """Real time moved on by `offset`: the worker's idea of now."""

    def __init__(self) -> None:
        self.offset = timedelta(seconds=1)

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def next_day(self) -> None:
        now = self()
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=5, microsecond=0)
        self.offset += midnight - now


def _worker(
    db: Database, tmp_path: Path, smtp: SmtpServer, clock: Clock, **extra: object
) -> MailWorker:
    settings = Settings(
        data_dir=tmp_path / "data",
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_tls="none",
        mail_from="registry@example.org",
        public_url="https://models.example.org/",
        **extra,  # type: ignore[arg-type]
    )
    return MailWorker(db, settings, clock=clock)


async def _person(db: Database, name: str, *, level: NotificationLevel | None = None) -> Actor:
    async with db.begin() as s:
        user, _ = await accounts.create_user(
            s, actor=SYSTEM, username=name, password="correct horse battery staple"
        )
        assert user.id is not None
        actor = Actor(name=name, user_id=user.id)
        await notifications.set_email(s, actor=actor, email=f"{name}@example.org")
        if level is not None:
            await notifications.set_default_level(s, actor=actor, level=level)
    return actor


@dataclass
class World:
    owner: Actor  # alice: OWNER of the project, creates versions
    project_id: int
    model_id: int


async def _world(db: Database, **roles: Role) -> World:
    owner = await _person(db, "alice")
    async with db.begin() as s:
        project = await projects.create_project(
            s, actor=owner, path="demo", visibility=Visibility.PRIVATE
        )
        assert project.id is not None
        model = await models.create_model(s, actor=owner, project_id=project.id, name="churn")
        assert model.id is not None
        for username, role in roles.items():
            await members.add_member(
                s, actor=owner, project_id=project.id, username=username, role=role
            )
    return World(owner, project.id, model.id)


async def _version(db: Database, actor: Actor, model_id: int, text: str) -> int:
    async with db.begin() as s:
        row = await versions.create_version(s, actor=actor, model_id=model_id, version=text)
    assert row.id is not None
    return row.id


async def _jobs(db: Database) -> int:
    async with db.read() as s:
        return len((await s.exec(select(MailJob.id))).all())


async def test_a_new_version_mails_all_level_members_not_muted_ones_nor_the_actor(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    # given
    await _person(db, "bob", level=NotificationLevel.ALL)
    await _person(db, "carol", level=NotificationLevel.MUTED)
    dave = await _person(db, "dave", level=NotificationLevel.ALL)
    world = await _world(db, bob=Role.REPORTER, carol=Role.REPORTER, dave=Role.REPORTER)
    async with db.begin() as s:  # dave mutes this one model: his model setting wins
        await notifications.set_model_level(
            s, actor=dave, model_id=world.model_id, level=NotificationLevel.MUTED
        )
    worker = _worker(db, tmp_path, smtp, Clock())
    # when
    await _version(db, world.owner, world.model_id, "1.0.0")
    await worker.run_once()
    # then
    assert [r.recipients for r in smtp.received] == [["bob@example.org"]]
    mail = smtp.received[0]
    assert mail.subject == "New version 1.0.0 of churn"
    assert mail.message["From"] == "registry@example.org"
    assert "alice created version 1.0.0 of churn in project demo." in mail.text()
    assert "https://models.example.org/projects/demo/models/churn/versions/1.0.0" in mail.text()
    assert "you get all activity of this model" in mail.text()
    assert "alice created version 1.0.0" in mail.html()
    unsubscribe = str(mail.message["List-Unsubscribe"])
    assert unsubscribe.startswith("<https://models.example.org/unsubscribe/")
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert await _jobs(db) == 0


async def test_participating_users_get_mail_for_versions_they_acted_on_only(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    # given: bob (PARTICIPATING, the default) comments on 1.0.0 and so follows it
    bob = await _person(db, "bob")
    world = await _world(db, bob=Role.REPORTER)
    first = await _version(db, world.owner, world.model_id, "1.0.0")
    second = await _version(db, world.owner, world.model_id, "2.0.0")
    async with db.begin() as s:
        await comments.add_comment(s, actor=bob, version_id=first, body="looks good")
    worker = _worker(db, tmp_path, smtp, Clock())
    await worker.run_once()
    # his own comment is not mailed to him; alice follows the version she created
    assert smtp.to("bob@example.org") == []
    assert [r.subject for r in smtp.to("alice@example.org")] == ["bob commented on churn 1.0.0"]
    # when: alice comments on both versions
    async with db.begin() as s:
        await comments.add_comment(s, actor=world.owner, version_id=first, body="shipping **it**")
        await comments.add_comment(s, actor=world.owner, version_id=second, body="not this one")
    await worker.run_once()
    # then
    assert [r.subject for r in smtp.to("bob@example.org")] == ["alice commented on churn 1.0.0"]
    text = smtp.to("bob@example.org")[0].text()
    assert "> shipping **it**" in text
    assert "you follow this version" in text
    async with db.read() as s:
        assert await notifications.followed_versions(
            s, user_id=bob.user_id or 0, version_ids=[first, second]
        ) == {first}


async def test_following_and_unfollowing_by_hand(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    # given
    bob = await _person(db, "bob")
    world = await _world(db, bob=Role.GUEST)
    version_id = await _version(db, world.owner, world.model_id, "1.0.0")
    worker = _worker(db, tmp_path, smtp, Clock())
    async with db.begin() as s:
        await notifications.follow_version(s, actor=bob, version_id=version_id)
        await notifications.follow_version(s, actor=bob, version_id=version_id)  # no change
    # when
    async with db.begin() as s:
        await lifecycle.transition_stage(
            s, actor=world.owner, version_id=version_id, stage=Stage.STAGING
        )
    await worker.run_once()
    async with db.begin() as s:
        await notifications.unfollow_version(s, actor=bob, version_id=version_id)
        await lifecycle.transition_stage(
            s, actor=world.owner, version_id=version_id, stage=Stage.NONE
        )
    await worker.run_once()
    # then
    assert [r.subject for r in smtp.received] == ["churn 1.0.0 moved to Staging"]


async def test_a_pending_request_to_production_mails_those_who_can_approve_it(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    # given: maintainers may approve Production; a developer may not
    await _person(db, "mia")
    await _person(db, "dev")
    rita = await _person(db, "rita")
    world = await _world(db, mia=Role.MAINTAINER, dev=Role.DEVELOPER, rita=Role.REPORTER)
    version_id = await _version(db, world.owner, world.model_id, "1.0.0")
    worker = _worker(db, tmp_path, smtp, Clock())
    # when
    async with db.begin() as s:
        await lifecycle.request_transition(
            s, actor=rita, version_id=version_id, stage=Stage.PRODUCTION, comment="ready"
        )
    await worker.run_once()
    # then: the owner (who may approve) and the maintainer; not the developer nor rita herself
    got = sorted(r.recipients[0] for r in smtp.received)
    assert got == ["alice@example.org", "mia@example.org"]
    mail = smtp.to("mia@example.org")[0]
    assert mail.subject == "churn 1.0.0: transition to Production requested"
    assert "you can approve this request" in mail.text()
    assert "> ready" in mail.text()


async def test_muted_beats_following_and_approving(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    # given: carol follows the version and mia may approve, but both muted the model
    carol = await _person(db, "carol")
    mia = await _person(db, "mia")
    await _person(db, "max")  # a maintainer who did not mute: the control
    rita = await _person(db, "rita")
    world = await _world(
        db, carol=Role.GUEST, mia=Role.MAINTAINER, max=Role.MAINTAINER, rita=Role.REPORTER
    )
    version_id = await _version(db, world.owner, world.model_id, "1.0.0")
    async with db.begin() as s:
        await notifications.follow_version(s, actor=carol, version_id=version_id)
        for person in (carol, mia):
            await notifications.set_model_level(
                s, actor=person, model_id=world.model_id, level=NotificationLevel.MUTED
            )
    # when
    async with db.begin() as s:
        await lifecycle.request_transition(
            s, actor=rita, version_id=version_id, stage=Stage.PRODUCTION
        )
    await _worker(db, tmp_path, smtp, Clock()).run_once()
    # then
    assert sorted(r.recipients[0] for r in smtp.received) == [
        "alice@example.org",
        "max@example.org",
    ]


async def test_a_request_already_resolved_at_send_time_mails_no_approver(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    await _person(db, "mia")
    rita = await _person(db, "rita")
    world = await _world(db, mia=Role.MAINTAINER, rita=Role.REPORTER)
    version_id = await _version(db, world.owner, world.model_id, "1.0.0")
    async with db.begin() as s:
        request = await lifecycle.request_transition(
            s, actor=rita, version_id=version_id, stage=Stage.PRODUCTION
        )
        await lifecycle.cancel_request(s, actor=rita, request_id=request.id or 0)
    await _worker(db, tmp_path, smtp, Clock()).run_once()
    assert smtp.to("mia@example.org") == []


async def test_a_member_removed_before_the_send_gets_nothing(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    # given
    await _person(db, "bob", level=NotificationLevel.ALL)
    world = await _world(db, bob=Role.REPORTER)
    await _version(db, world.owner, world.model_id, "1.0.0")
    # when: removed after the event, before the worker runs
    async with db.begin() as s:
        await members.remove_member(
            s, actor=world.owner, project_id=world.project_id, username="bob"
        )
    await _worker(db, tmp_path, smtp, Clock()).run_once()
    # then
    assert smtp.received == []
    assert await _jobs(db) == 0


async def test_the_owner_of_a_disabled_webhook_is_told_even_when_muted(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    await _person(db, "mia", level=NotificationLevel.MUTED)
    world = await _world(db, mia=Role.MAINTAINER)
    async with db.begin() as s:
        await record_event(
            s,
            actor=SYSTEM,
            type=EventType.WEBHOOK_DISABLED,
            project_id=world.project_id,
            payload={"webhook_id": 7, "url": "https://ci.example.org/hook", "owner": "mia"},
        )
    await _worker(db, tmp_path, smtp, Clock()).run_once()
    assert [r.recipients for r in smtp.received] == [["mia@example.org"]]
    assert "https://ci.example.org/hook" in smtp.received[0].text()
    assert "you own this webhook" in smtp.received[0].text()


def _unsubscribe_path(smtp: SmtpServer) -> str:
    header = str(smtp.received[-1].message["List-Unsubscribe"])
    return header.strip("<>").removeprefix("https://models.example.org")


async def test_the_unsubscribe_link_confirms_on_get_and_mutes_on_post(
    db: Database, tmp_path: Path, smtp: SmtpServer, app: Starlette
) -> None:
    # given
    bob = await _person(db, "bob", level=NotificationLevel.ALL)
    world = await _world(db, bob=Role.REPORTER)
    await _version(db, world.owner, world.model_id, "1.0.0")
    worker = _worker(db, tmp_path, smtp, Clock())
    await worker.run_once()
    path = _unsubscribe_path(smtp)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://modelreg.test") as client:
        # when: a person opens the link (no sign-in): a page with a button, nothing changed
        page = await client.get(path)
        assert page.status_code == 200
        assert "Stop e-mail notifications about the model churn?" in page.text
        assert "<form method='post'>" in page.text
        async with db.read() as s:
            assert await s.get(ModelNotificationSetting, (bob.user_id, world.model_id)) is None
        # a tampered token is refused
        tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
        refused = await client.post(tampered, content=b"List-Unsubscribe=One-Click")
        assert refused.status_code == 400
        assert "not valid" in refused.text
        other_user = path.replace(
            f"/unsubscribe/{bob.user_id}.", f"/unsubscribe/{world.owner.user_id}."
        )
        assert (await client.post(other_user)).status_code == 400
        # the one-click POST a mail client sends
        done = await client.post(
            path,
            content=b"List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    # then
    assert done.status_code == 200
    assert "no more e-mail notifications about the model churn" in done.text
    async with db.read() as s:
        row = await s.get(ModelNotificationSetting, (bob.user_id, world.model_id))
        assert row is not None and row.level == NotificationLevel.MUTED
    smtp.clear()
    await _version(db, world.owner, world.model_id, "1.1.0")
    await worker.run_once()
    assert smtp.received == []


async def test_the_daily_cap_sends_one_limit_mail_then_a_digest_the_next_day(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    # given: a cap of 3 and 3 + 3 new versions
    await _person(db, "bob", level=NotificationLevel.ALL)
    world = await _world(db, bob=Role.REPORTER)
    clock = Clock()
    worker = _worker(db, tmp_path, smtp, clock, mail_daily_cap=3)
    for minor in range(6):
        await _version(db, world.owner, world.model_id, f"1.{minor}.0")
    # when
    await worker.run_once()
    # then: 3 mails, one "limit reached", nothing else today
    subjects = [r.subject for r in smtp.received]
    assert subjects == [
        "New version 1.0.0 of churn",
        "New version 1.1.0 of churn",
        "New version 1.2.0 of churn",
        "Daily notification limit reached",
    ]
    assert "arrive together in one digest" in smtp.received[-1].text()
    await worker.run_once()
    assert len(smtp.received) == 4
    async with db.read() as s:
        assert len((await s.exec(select(MailDigestItem))).all()) == 3
    # when: the UTC day changes
    clock.next_day()
    await worker.run_once()
    # then: one digest with the three held back, and nothing is left
    assert len(smtp.received) == 5
    digest = smtp.received[-1]
    assert digest.subject.startswith("Digest: 3 notifications of ")
    for text in ("1.3.0", "1.4.0", "1.5.0"):
        assert f"alice created version {text} of churn" in digest.text()
    assert "1.2.0" not in digest.text()
    assert digest.message["List-Unsubscribe"] is not None
    async with db.read() as s:
        assert (await s.exec(select(MailDigestItem))).all() == []
    # and the new day has a fresh cap
    await _version(db, world.owner, world.model_id, "2.0.0")
    await worker.run_once()
    assert smtp.received[-1].subject == "New version 2.0.0 of churn"


async def test_mail_is_retried_when_the_smtp_server_is_down_and_nothing_is_lost(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    # given: the server is down
    await _person(db, "bob", level=NotificationLevel.ALL)
    await _person(db, "carl", level=NotificationLevel.ALL)
    world = await _world(db, bob=Role.REPORTER, carl=Role.GUEST)
    clock = Clock()
    worker = _worker(db, tmp_path, smtp, clock)
    smtp.stop()
    await _version(db, world.owner, world.model_id, "1.0.0")
    # when
    await worker.run_once()
    # then: kept, scheduled later
    assert await _jobs(db) == 1
    async with db.read() as s:
        job = (await s.exec(select(MailJob))).one()
    assert job.attempts == 1
    assert job.next_attempt_at > clock()
    # when: the server is back, but the retry is not due yet
    smtp.start()
    await worker.run_once()
    assert smtp.received == []
    # when: it is due
    clock.offset += timedelta(minutes=2)
    await worker.run_once()
    # then: each recipient once, and the job is done
    assert sorted(r.recipients[0] for r in smtp.received) == ["bob@example.org", "carl@example.org"]
    assert await _jobs(db) == 0


async def test_with_mail_off_jobs_do_not_pile_up(db: Database, tmp_path: Path) -> None:
    world = await _world(db)
    await _version(db, world.owner, world.model_id, "1.0.0")
    await _version(db, world.owner, world.model_id, "1.1.0")
    assert await _jobs(db) == 2
    worker = MailWorker(db, Settings(data_dir=tmp_path / "data"))
    assert not worker.enabled
    assert await worker.run_once() == 2
    assert await _jobs(db) == 0


async def test_the_email_address_is_validated(db: Database) -> None:
    bob = await _person(db, "bob")
    for bad in ("bob", "bob@", "bob@example", "bob @example.org", "a@b.c\r\nBcc: x@y.z"):
        async with db.begin() as s:
            with pytest.raises(InvalidArgument) as raised:
                await notifications.set_email(s, actor=bob, email=bad)
        assert raised.value.field == "email", bad
    async with db.begin() as s:
        user = await notifications.set_email(s, actor=bob, email="  Bob.Smith+ml@example.org ")
    assert user.email == "Bob.Smith+ml@example.org"


async def test_model_levels_fall_back_to_the_user_default(db: Database) -> None:
    bob = await _person(db, "bob", level=NotificationLevel.ALL)
    world = await _world(db, bob=Role.GUEST)
    async with db.begin() as s:
        assert (
            await notifications.set_model_level(
                s, actor=bob, model_id=world.model_id, level=NotificationLevel.MUTED
            )
        ) == notifications.ModelLevel(NotificationLevel.MUTED, True)
        back = await notifications.set_model_level(
            s, actor=bob, model_id=world.model_id, level=None
        )
    assert back == notifications.ModelLevel(NotificationLevel.ALL, False)


async def test_the_app_runs_the_mail_worker_and_a_commit_wakes_it(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    # given: the app with mail on, started as a server starts it (its lifespan)
    await _person(db, "bob", level=NotificationLevel.ALL)
    world = await _world(db, bob=Role.REPORTER)
    settings = Settings(
        data_dir=tmp_path / "data", smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_tls="none"
    )
    app = create_app(settings, db=db)
    async with app.router.lifespan_context(app):
        # when: a version is created (the worker is asleep: its poll is 5 seconds)
        await asyncio.sleep(0.2)
        await _version(db, world.owner, world.model_id, "1.0.0")
        # then: mailed at once, woken by the commit
        for _ in range(40):  # 2 s, less than the poll
            if smtp.received:
                break
            await asyncio.sleep(0.05)
    assert [r.subject for r in smtp.received] == ["New version 1.0.0 of churn"]


async def test_all_by_default_covers_ones_own_projects_not_every_public_one(
    db: Database, tmp_path: Path, smtp: SmtpServer
) -> None:
    # given: a public project; pat (default ALL) and an instance admin are not members of it,
    # quinn is not either but chose ALL on this model, rob is a member with default ALL.
    await _person(db, "pat", level=NotificationLevel.ALL)
    quinn = await _person(db, "quinn")
    await _person(db, "rob", level=NotificationLevel.ALL)
    async with db.begin() as s:
        admin, _ = await accounts.create_user(
            s, actor=SYSTEM, username="root", password="correct horse battery staple", is_admin=True
        )
        assert admin.id is not None
        await notifications.set_email(
            s, actor=Actor(name="root", user_id=admin.id, is_admin=True), email="root@example.org"
        )
    world = await _world(db, rob=Role.REPORTER)
    async with db.begin() as s:
        await projects.update_project(
            s, actor=world.owner, project_id=world.project_id, visibility=Visibility.PUBLIC
        )
        await notifications.set_model_level(
            s, actor=quinn, model_id=world.model_id, level=NotificationLevel.ALL
        )
    worker = _worker(db, tmp_path, smtp, Clock())
    # when: a new version, then a request to Production (which an admin may approve)
    version_id = await _version(db, world.owner, world.model_id, "1.0.0")
    async with db.begin() as s:
        await lifecycle.request_transition(
            s, actor=world.owner, version_id=version_id, stage=Stage.PRODUCTION
        )
    await worker.run_once()
    # then: mail for quinn (model setting) and rob (member), never for pat or the admin
    got = sorted(r.recipients[0] for r in smtp.received)
    assert got == ["quinn@example.org"] * 2 + ["rob@example.org"] * 2
