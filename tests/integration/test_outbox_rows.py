"""The outbox rows an event writes: deliveries chosen in SQL by one INSERT ... SELECT over the
project's webhooks, exactly as `domain.webhooks.matches` chooses them, with no read of the
webhooks first; the outbox wake-up only when outbox rows were written."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from modelreg.db import Database
from modelreg.db.models import Event
from modelreg.db.notification_models import MailJob, WebhookDelivery
from modelreg.domain.actor import SYSTEM
from modelreg.domain.events import EventType
from modelreg.domain.webhooks import WebhookStatus, event_topics, matches
from modelreg.services.events import record_event
from tests.support.sql import count_statements
from tests.support.webhooks import add_webhook, registry

# Each webhook's patterns, model filter and status; every pattern shape the validator accepts.
HOOKS: list[dict[str, Any]] = [
    {"events": ["version.created"]},
    {"events": ["version.*"]},
    {"events": ["*"]},
    {"events": ["version.stage_changed.production"]},
    {"events": ["version.stage_changed.*", "model.created"]},
    {"events": ["version.stage_changed"]},
    {"events": ["model.*"], "model": True},
    {"events": ["*"], "status": WebhookStatus.DISABLED},
    {"events": ["*"], "status": WebhookStatus.TEST_MODE},
    {"events": ["version.stage_change*"]},
]
EVENTS: list[tuple[EventType, dict[str, Any]]] = [
    (EventType.VERSION_CREATED, {"version": "1.0.0"}),
    (EventType.VERSION_STAGE_CHANGED, {"from": "NONE", "to": "PRODUCTION"}),
    (EventType.VERSION_STAGE_CHANGED, {"from": "NONE", "to": "STAGING"}),
    (EventType.MODEL_CREATED, {"name": "x"}),
    (EventType.MODEL_UPDATED, {"changes": {}}),
    (EventType.WEBHOOK_CREATED, {}),
]


async def _record(db: Database, type: EventType, payload: dict[str, Any], **ids: Any) -> int:
    async with db.begin() as session:
        await record_event(session, actor=SYSTEM, type=type, payload=payload, **ids)
    async with db.read() as session:
        return (await session.exec(select(sa.func.max(Event.id)))).one()


async def test_deliveries_go_to_exactly_the_webhooks_whose_patterns_match(db: Database) -> None:
    project_id, model_id, _ = await registry(db)
    other_project, other_model, _ = await registry(db, path="other")
    hooks: dict[int, dict[str, Any]] = {}
    for n, hook in enumerate(HOOKS):
        fields: dict[str, Any] = {"events": hook["events"]}
        if hook.get("model"):
            fields["model_id"] = model_id
        if "status" in hook:
            fields["status"] = hook["status"]
        hooks[await add_webhook(db, project_id, f"http://hooks.test/{n}", **fields)] = hook
    # Another project's webhook hears nothing of this one.
    await add_webhook(db, other_project, "http://hooks.test/other", events=["*"])

    expected: set[tuple[int, int, str]] = set()
    for type, payload in EVENTS:
        for subject in (model_id, other_model):
            event_id = await _record(db, type, payload, project_id=project_id, model_id=subject)
            if type == EventType.WEBHOOK_CREATED:
                continue  # not published to webhooks
            topics = event_topics(type.value, payload)
            for hook_id, hook in hooks.items():
                if (
                    hook.get("status", WebhookStatus.ACTIVE) == WebhookStatus.ACTIVE
                    and (not hook.get("model") or subject == model_id)
                    and matches(hook["events"], topics)
                ):
                    expected.add((hook_id, event_id, type.value))

    async with db.read() as session:
        rows = (await session.exec(select(WebhookDelivery))).all()
    assert {(r.webhook_id, r.event_id, r.topic) for r in rows} == expected
    assert len(expected) > 20  # the grid has something to say
    assert {r.status for r in rows} == {"PENDING"}
    assert {r.attempts for r in rows} == {0}
    ids = [r.message_id for r in rows]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("msg_") and len(i) <= 64 for i in ids)


async def test_an_event_writes_its_outbox_rows_without_reading_the_webhooks(
    db: Database,
) -> None:
    project_id, model_id, _ = await registry(db)
    hook = await add_webhook(db, project_id, "http://hooks.test/a", events=["version.*"])
    with count_statements(db) as sent:
        async with db.begin() as session:
            await record_event(
                session,
                actor=SYSTEM,
                type=EventType.VERSION_STAGE_CHANGED,
                payload={"to": "PRODUCTION"},
                project_id=project_id,
                model_id=model_id,
            )
    writes = [s for s in sent if not s.lstrip().upper().startswith("BEGIN")]
    # On PostgreSQL the transaction ends by announcing its event to other processes
    # (db/wakeup.py): one notification, apart from the outbox's statements.
    notify = [s for s in writes if "pg_notify" in s]
    writes = [s for s in writes if "pg_notify" not in s]
    assert len(notify) == (1 if db.engine.dialect.name == "postgresql" else 0), notify
    # no SELECT ... FROM webhook of its own: the deliveries' INSERT chooses them
    assert not [s for s in writes if s.lstrip().upper().startswith("SELECT")]
    # PostgreSQL: one statement (event, deliveries, mail job); SQLite: one each
    assert len(writes) == (1 if db.engine.dialect.name == "postgresql" else 3), writes
    async with db.read() as session:
        event_id = (await session.exec(select(sa.func.max(Event.id)))).one()
        delivery = (await session.exec(select(WebhookDelivery))).one()
        mail = (await session.exec(select(MailJob).where(MailJob.event_id == event_id))).one()
    assert (delivery.webhook_id, delivery.event_id) == (hook, event_id)
    assert mail.event_id == event_id


@pytest.mark.parametrize(
    ("type", "hook_events", "woken"),
    [
        (EventType.MODEL_UPDATED, ["version.*"], False),  # no webhook wants it, no mail
        (EventType.MODEL_UPDATED, ["model.*"], True),  # a delivery
        (EventType.VERSION_CREATED, ["model.*"], True),  # a mail job
    ],
)
async def test_the_outbox_is_woken_only_when_outbox_rows_were_written(
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    type: EventType,
    hook_events: list[str],
    woken: bool,
) -> None:
    project_id, model_id, _ = await registry(db)
    await add_webhook(db, project_id, "http://hooks.test/a", events=hook_events)
    wakes: list[int] = []
    monkeypatch.setattr(db.outbox, "notify", lambda: wakes.append(1))
    await _record(db, type, {"changes": {}}, project_id=project_id, model_id=model_id)
    async with db.read() as session:
        event_id = (await session.exec(select(sa.func.max(Event.id)))).one()
        written = len((await session.exec(select(WebhookDelivery))).all())
        written += len(
            (await session.exec(select(MailJob).where(MailJob.event_id == event_id))).all()
        )
    assert bool(wakes) == woken == bool(written)
