"""Webhook delivery end to end: events recorded by the services, the delivery worker, and a real
HTTP receiver on loopback (tests/support/webhook_receiver.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from modelreg.db import Database
from modelreg.db.models import Event
from modelreg.db.notification_models import Webhook, WebhookDelivery
from modelreg.db.types import utcnow
from modelreg.domain.lifecycle import Stage
from modelreg.domain.webhooks import TEST_TOPIC, WebhookStatus, verify
from modelreg.events.webhook_sender import USER_AGENT
from modelreg.services import lifecycle as lifecycle_service
from modelreg.services import models as model_service
from modelreg.services import outbox
from modelreg.services.webhook_delivery import (
    DISABLED_ERROR,
    Outcome,
    claim_due,
    default_schedule,
    prune,
    record_attempts,
)
from modelreg.services.webhook_payloads import TEST_MESSAGE
from tests.support.sql import count_commits
from tests.support.webhook_receiver import Received, Reply, WebhookReceiver, webhook_receiver
from tests.support.webhooks import (
    OLD_SECRET,
    SECRET,
    act,
    add_webhook,
    attempts,
    deliveries,
    finished,
    new_version,
    registry,
    running_worker,
    until,
    worker_settings,
)


async def wait_for(receiver: WebhookReceiver, count: int) -> list[Received]:
    return await asyncio.to_thread(receiver.wait_for, count)


async def test_a_stage_change_reaches_the_receiver_signed_and_described(
    db: Database, tmp_path: Path
) -> None:
    project_id, model_id, version_id = await registry(db)
    await act(db, lifecycle_service.set_alias, version_id=version_id, alias="champion")
    with webhook_receiver() as receiver:
        # A secret being rotated: the previous one still signs until it expires.
        await add_webhook(
            db,
            project_id,
            receiver.url,
            events=["version.stage_changed"],
            previous_secret=OLD_SECRET,
            previous_secret_expires_at=utcnow() + timedelta(hours=1),
        )
        async with running_worker(db, worker_settings(tmp_path)):
            await act(
                db,
                lifecycle_service.transition_stage,
                version_id=version_id,
                stage=Stage.STAGING,
                comment="canary looks good",
            )
            [got] = await wait_for(receiver, 1)

    now = int(time.time())
    assert verify(SECRET, headers=got.headers, body=got.body, now=now)
    assert verify(OLD_SECRET, headers=got.headers, body=got.body, now=now)
    assert len(got.headers["webhook-signature"].split()) == 2
    assert got.headers["content-type"] == "application/json"
    assert got.headers["user-agent"] == USER_AGENT
    body = got.json()
    [delivery] = await deliveries(db)
    assert body["id"] == got.message_id == delivery.message_id
    assert body["type"] == "version.stage_changed"
    assert body["event"]["type"] == "version.stage_changed"
    assert body["event"]["actor"] == "system"
    assert body["event"]["id"] == delivery.event_id
    assert body["project"] == {"id": project_id, "path": "demo", "name": "demo"}
    assert body["model"] == {"id": model_id, "name": "churn"}
    assert body["version"] == {"id": version_id, "number": 1, "semver": "1.0.0", "stage": "STAGING"}
    assert (body["from_stage"], body["to_stage"]) == ("NONE", "STAGING")
    assert body["aliases"] == ["champion"]
    assert body["comment"] == "canary looks good"
    assert "semver_guard" not in body  # said of new versions and of those headed for Production
    assert body["data"]["to"] == "STAGING"
    assert "secret" not in got.body.decode().lower()
    assert (delivery.status, delivery.attempts, delivery.body) == (
        "DELIVERED",
        1,
        got.body.decode(),
    )
    [attempt] = await attempts(db, delivery.id or 0)
    assert attempt.status_code == 200 and attempt.response_excerpt == "ok"
    assert attempt.error == "" and attempt.duration_ms >= 0


async def test_a_transition_request_carries_the_request(db: Database, tmp_path: Path) -> None:
    project_id, _, version_id = await registry(db)
    with webhook_receiver() as receiver:
        await add_webhook(db, project_id, receiver.url, events=["version.transition_*"])
        async with running_worker(db, worker_settings(tmp_path)):
            request = await act(
                db,
                lifecycle_service.request_transition,
                version_id=version_id,
                stage=Stage.PRODUCTION,
                comment="AUC +2%",
            )
            [got] = await wait_for(receiver, 1)
    body = got.json()
    assert body["type"] == "version.transition_requested"
    assert body["request"] == {"id": request.id, "comment": "AUC +2%", "status": "PENDING"}
    assert (body["from_stage"], body["to_stage"]) == ("NONE", "PRODUCTION")
    assert body["comment"] == "AUC +2%"
    assert body["semver_guard"] == {
        "guard": "WARN",
        "verdict": "FIRST_RELEASE",
        "previous_version": None,
        "declared_bump": None,
        "required_bump": None,
        "suggested_version": None,
        "warning": None,
    }


async def test_topics_per_target_stage_and_the_model_filter(db: Database, tmp_path: Path) -> None:
    project_id, model_id, version_id = await registry(db)
    other_model = await act(db, model_service.create_model, project_id=project_id, name="fraud")
    with webhook_receiver() as receiver:
        base = f"http://127.0.0.1:{receiver.port}"
        await add_webhook(
            db, project_id, f"{base}/production", events=["version.stage_changed.production"]
        )
        await add_webhook(
            db, project_id, f"{base}/fraud", events=["version.*"], model_id=other_model.id
        )
        async with running_worker(db, worker_settings(tmp_path)):
            for stage in (Stage.STAGING, Stage.PRODUCTION):
                await act(
                    db, lifecycle_service.transition_stage, version_id=version_id, stage=stage
                )
            assert other_model.id is not None
            await new_version(db, other_model.id, "0.1.0")
            rows = await finished(db, 2)
            got = await wait_for(receiver, 2)
    assert len(rows) == 2
    by_path = {r.path: r.json() for r in got}
    assert set(by_path) == {"/production", "/fraud"}
    assert by_path["/production"]["to_stage"] == "PRODUCTION"
    assert by_path["/production"]["model"]["id"] == model_id
    assert by_path["/fraud"]["type"] == "version.created"
    assert by_path["/fraud"]["model"] == {"id": other_model.id, "name": "fraud"}
    assert by_path["/fraud"]["semver_guard"]["verdict"] == "FIRST_RELEASE"
    assert by_path["/production"]["semver_guard"]["verdict"] == "FIRST_RELEASE"


async def test_two_500s_then_a_200_deliver_on_the_third_attempt(
    db: Database, tmp_path: Path
) -> None:
    project_id, _, version_id = await registry(db)
    with webhook_receiver() as receiver:
        receiver.script(Reply(500, body=b"oops"), Reply(503))
        hook_id = await add_webhook(db, project_id, receiver.url)
        async with running_worker(db, worker_settings(tmp_path)):
            await act(db, lifecycle_service.set_alias, version_id=version_id, alias="champion")
            [delivery] = await finished(db, 1)
            got = await wait_for(receiver, 3)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("DELIVERED", 3, 200)
    assert [a.status_code for a in await attempts(db, delivery.id or 0)] == [500, 503, 200]
    assert [a.attempt for a in await attempts(db, delivery.id or 0)] == [1, 2, 3]
    first = (await attempts(db, delivery.id or 0))[0]
    assert first.response_excerpt == "oops" and first.error == "The receiver answered HTTP 500."
    # Every attempt sends the same message id and the same bytes.
    assert len({r.message_id for r in got}) == 1 and len({r.body for r in got}) == 1
    async with db.read() as session:
        hook = await session.get(Webhook, hook_id)
    assert hook is not None and hook.consecutive_failures == 0


async def test_a_429s_retry_after_is_honoured(db: Database, tmp_path: Path) -> None:
    project_id, _, version_id = await registry(db)
    with webhook_receiver() as receiver:
        receiver.script(Reply(429, headers={"Retry-After": "20"}))
        await add_webhook(db, project_id, receiver.url)
        # The real schedule: 5 s before the second attempt, unless the receiver asks for more.
        async with running_worker(db, worker_settings(tmp_path), schedule=default_schedule):
            await act(db, lifecycle_service.set_alias, version_id=version_id, alias="champion")
            await wait_for(receiver, 1)

            async def attempted() -> WebhookDelivery | None:
                [row] = await deliveries(db)
                return row if row.attempts == 1 else None

            delivery = await until(attempted)
    [attempt] = await attempts(db, delivery.id or 0)
    wait = delivery.next_attempt_at - attempt.started_at
    assert delivery.status == "PENDING" and attempt.status_code == 429
    assert timedelta(seconds=19) < wait < timedelta(seconds=22), wait


async def test_a_4xx_is_final(db: Database, tmp_path: Path) -> None:
    project_id, _, version_id = await registry(db)
    with webhook_receiver() as receiver:
        receiver.script(Reply(410, body=b"gone"))
        hook_id = await add_webhook(db, project_id, receiver.url)
        async with running_worker(db, worker_settings(tmp_path)):
            await act(db, lifecycle_service.set_alias, version_id=version_id, alias="champion")
            [delivery] = await finished(db, 1)
            await asyncio.sleep(0.5)  # several retry intervals of the test schedule
    assert (delivery.status, delivery.attempts) == ("FAILED", 1)
    assert delivery.last_error == "The receiver answered HTTP 410."
    assert len(receiver.requests) == 1
    async with db.read() as session:
        hook = await session.get(Webhook, hook_id)
    assert hook is not None and hook.consecutive_failures == 1


async def test_redirects_are_not_followed(db: Database, tmp_path: Path) -> None:
    project_id, _, version_id = await registry(db)
    with webhook_receiver() as receiver:
        elsewhere = f"http://127.0.0.1:{receiver.port}/elsewhere"
        receiver.script(Reply(307, headers={"Location": elsewhere}))
        await add_webhook(db, project_id, receiver.url)
        async with running_worker(db, worker_settings(tmp_path)):
            await act(db, lifecycle_service.set_alias, version_id=version_id, alias="champion")
            [delivery] = await finished(db, 1)
            await asyncio.sleep(0.5)
    assert delivery.status == "FAILED"
    assert "redirects are not followed" in delivery.last_error
    assert [r.path for r in receiver.requests] == ["/hook"]


@pytest.mark.parametrize(
    ("host", "refusal"),
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("localhost", "is a loopback address"),  # a name is judged by what it resolves to
        ("169.254.169.254", "169.254.169.254 is a link-local address"),
        ("10.1.2.3", "10.1.2.3 is a private address"),
        ("[::ffff:127.0.0.1]", "127.0.0.1 is a loopback address"),
    ],
)
async def test_private_addresses_are_refused_unless_allowed(
    db: Database, tmp_path: Path, host: str, refusal: str
) -> None:
    project_id, _, version_id = await registry(db)
    with webhook_receiver() as receiver:
        await add_webhook(db, project_id, f"http://{host}:{receiver.port}/hook")
        settings = worker_settings(tmp_path, webhook_allow_private_addresses=False)
        async with running_worker(db, settings):
            await act(db, lifecycle_service.set_alias, version_id=version_id, alias="champion")
            [delivery] = await finished(db, 1)
    assert receiver.requests == []
    assert (delivery.status, delivery.attempts) == ("FAILED", 1)  # refused once, not retried
    [attempt] = await attempts(db, delivery.id or 0)
    assert attempt.status_code is None
    assert attempt.error.startswith("Refused to connect:") and refusal in attempt.error
    assert "MODELREG_WEBHOOK_ALLOW_PRIVATE_ADDRESSES" in attempt.error


async def test_a_webhook_that_keeps_failing_is_disabled_and_its_owner_told(
    db: Database, tmp_path: Path
) -> None:
    project_id, model_id, _ = await registry(db)
    with webhook_receiver() as receiver:
        receiver.script(*[Reply(400)] * 5)
        hook_id = await add_webhook(db, project_id, receiver.url, events=["version.created"])
        async with running_worker(db, worker_settings(tmp_path)):
            for minor in range(1, 6):
                await new_version(db, model_id, f"1.{minor}.0")
            await finished(db, 5)
            await new_version(db, model_id, "1.9.0")  # after the webhook is disabled
    async with db.read() as session:
        hook = await session.get(Webhook, hook_id)
        events = (await session.exec(select(Event).where(Event.type == "webhook.disabled"))).all()
    assert hook is not None and hook.status == WebhookStatus.DISABLED
    assert hook.consecutive_failures == 5
    assert hook.disabled_reason.startswith("5 deliveries in a row failed")
    [event] = events
    assert event.project_id == project_id and event.actor == "system"
    assert event.payload == {
        "webhook_id": hook_id,
        "url": receiver.url.removesuffix("/hook"),  # the origin: a path may hold a credential
        "reason": hook.disabled_reason,
        "owner": "alice",
    }
    assert len(await deliveries(db)) == 5  # nothing queued for a disabled webhook
    assert len(receiver.requests) == 5


async def test_a_delivery_of_a_webhook_disabled_meanwhile_fails_unsent_but_a_test_goes_out(
    db: Database, tmp_path: Path
) -> None:
    project_id, _, version_id = await registry(db)
    with webhook_receiver() as receiver:
        hook_id = await add_webhook(db, project_id, receiver.url)
        await act(db, lifecycle_service.set_alias, version_id=version_id, alias="champion")
        async with db.begin() as session:
            await session.exec(
                sa.update(Webhook)
                .where(col(Webhook.id) == hook_id)
                .values(status=WebhookStatus.DISABLED)
            )
            session.add(
                WebhookDelivery(
                    webhook_id=hook_id,
                    event_id=None,
                    topic=TEST_TOPIC,
                    message_id=outbox.message_id(),
                    requested_by="alice",
                )
            )
            outbox.wake_outbox_after_commit(session)
        async with running_worker(db, worker_settings(tmp_path)):
            rows = await finished(db, 2)
            [got] = await wait_for(receiver, 1)
    event_delivery, test_delivery = rows
    assert (event_delivery.status, event_delivery.attempts) == ("FAILED", 0)
    assert event_delivery.last_error == DISABLED_ERROR
    assert test_delivery.status == "DELIVERED"
    body = got.json()
    assert body == {
        "id": test_delivery.message_id,
        "type": "webhook.test",
        "timestamp": body["timestamp"],
        "webhook": {"id": hook_id},
        "project": {"id": project_id, "path": "demo", "name": "demo"},
        "data": {"message": TEST_MESSAGE},
    }
    assert verify(SECRET, headers=got.headers, body=got.body, now=int(time.time()))


async def test_prune_removes_finished_deliveries_past_the_log_window(
    db: Database, tmp_path: Path
) -> None:
    project_id, _, version_id = await registry(db)
    with webhook_receiver() as receiver:
        await add_webhook(db, project_id, receiver.url)
        async with running_worker(db, worker_settings(tmp_path)):
            await act(db, lifecycle_service.set_alias, version_id=version_id, alias="a")
            await finished(db, 1)
    await act(db, lifecycle_service.set_alias, version_id=version_id, alias="b")  # pending
    assert await prune(db, older_than=timedelta(days=30)) == 0
    async with db.begin() as session:
        await session.exec(
            sa.update(WebhookDelivery)
            .where(col(WebhookDelivery.status) == "DELIVERED")
            .values(finished_at=utcnow() - timedelta(days=31))
        )
    assert await prune(db, older_than=timedelta(days=30)) == 1
    [left] = await deliveries(db)
    assert left.status == "PENDING"
    assert await attempts(db, 1) == []


async def test_attempts_that_finish_together_are_recorded_in_one_transaction(
    db: Database,
) -> None:
    project_id, _, version_id = await registry(db)
    await add_webhook(db, project_id, "http://127.0.0.1:9/hook")
    for alias in ("a", "b", "c"):
        await act(db, lifecycle_service.set_alias, version_id=version_id, alias=alias)
    first, second, third = await claim_due(db, limit=10, lease=timedelta(minutes=1))
    # The third's claim lapsed and another worker took the delivery over.
    async with db.begin() as session:
        await session.exec(
            sa.update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == third.delivery_id)
            .values(next_attempt_at=utcnow() + timedelta(minutes=5))
        )
    started = utcnow()
    with count_commits(db) as commits:
        statuses = await record_attempts(
            db,
            [
                (first, Outcome(started_at=started, duration_ms=5, status_code=204)),
                (second, Outcome(started_at=started, duration_ms=7, status_code=503)),
                (third, Outcome(started_at=started, duration_ms=9, status_code=200)),
            ],
            schedule=default_schedule,
        )
    assert len(commits) == 1
    assert statuses == ["DELIVERED", "PENDING", None]
    rows = {d.id: d for d in await deliveries(db)}
    assert rows[first.delivery_id].status == "DELIVERED"
    assert rows[second.delivery_id].status == "PENDING"
    assert rows[second.delivery_id].attempts == 1
    assert rows[second.delivery_id].last_status_code == 503
    assert rows[third.delivery_id].attempts == 0  # the new owner records its own attempt
    # Every attempt is logged, the lapsed one too.
    assert [a.status_code for a in await attempts(db, third.delivery_id)] == [200]


async def test_a_burst_is_delivered_completely_and_once(db: Database, tmp_path: Path) -> None:
    project_id, model_id, _ = await registry(db)
    with webhook_receiver() as receiver:
        await add_webhook(db, project_id, receiver.url, events=["version.created"])
        for minor in range(30):
            await new_version(db, model_id, f"1.{minor + 1}.0")
        async with running_worker(db, worker_settings(tmp_path, webhook_concurrency=4)):
            got = await wait_for(receiver, 30)
            done = await finished(db, 30)
    assert len({r.headers["webhook-id"] for r in got}) == 30
    assert all(d.status == "DELIVERED" and d.attempts == 1 for d in done)
