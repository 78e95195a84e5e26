"""Managing webhooks through GraphQL: who may, what is checked, the secret shown once, rotation,
test events, redelivery, replaying a range of the event log, and the delivery log."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from modelreg.db import Database
from modelreg.db.models import Event
from modelreg.db.notification_models import Webhook, WebhookAttempt, WebhookDelivery
from modelreg.db.types import utcnow
from modelreg.domain.webhooks import DeliveryStatus, secret_key
from modelreg.services import webhook_sends
from tests.support.graphql import GraphQLClient
from tests.support.registry import ERRORS, create_model, create_project, create_version

WEBHOOK_FIELDS = """id url description events status secretHint previousSecretValidUntil
  consecutiveFailures disabledReason modelFilter model { name } createdBy"""

CREATE = f"""
mutation($input: CreateWebhookInput!) {{
  createWebhook(input: $input) {{ webhook {{ {WEBHOOK_FIELDS} }} secret {ERRORS} }}
}}"""

UPDATE = f"""
mutation($input: UpdateWebhookInput!) {{
  updateWebhook(input: $input) {{ webhook {{ {WEBHOOK_FIELDS} }} {ERRORS} }}
}}"""

DELETE = f"""
mutation($input: WebhookIdInput!) {{ deleteWebhook(input: $input) {{ deletedId {ERRORS} }} }}"""

ROTATE = f"""
mutation($input: RotateWebhookSecretInput!) {{
  rotateWebhookSecret(input: $input) {{ webhook {{ {WEBHOOK_FIELDS} }} secret {ERRORS} }}
}}"""

DELIVERY_FIELDS = """id eventId topic messageId status attemptCount requestedBy body
  lastStatusCode attempts { attempt statusCode durationMs error responseExcerpt }"""

SEND_TEST = f"""
mutation($input: WebhookIdInput!) {{
  sendTestWebhook(input: $input) {{ delivery {{ {DELIVERY_FIELDS} }} {ERRORS} }}
}}"""

REDELIVER = f"""
mutation($input: RedeliverWebhookDeliveryInput!) {{
  redeliverWebhookDelivery(input: $input) {{ delivery {{ {DELIVERY_FIELDS} }} {ERRORS} }}
}}"""

REPLAY = f"""
mutation($input: ReplayEventsInput!) {{
  replayEvents(input: $input) {{ count lastEventId complete {ERRORS} }}
}}"""

WEBHOOKS = f"""
query($path: String!) {{
  project(path: $path) {{ webhooks {{ {WEBHOOK_FIELDS} lastDelivery {{ topic status }} }} }}
}}"""

DELIVERIES = f"""
query($id: ID!, $first: Int, $after: String, $status: WebhookDeliveryStatus) {{
  node(id: $id) {{ ... on Webhook {{
    deliveries(first: $first, after: $after, status: $status) {{
      edges {{ node {{ {DELIVERY_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }}
    }}
  }} }}
}}"""

ADD_MEMBER = f"""
mutation($input: ProjectMemberInput!) {{ addProjectMember(input: $input) {{ {ERRORS} }} }}"""

URL = "https://hooks.example.com/modelreg"


async def _member(gql: GraphQLClient, project_id: str, username: str, role: str) -> GraphQLClient:
    assert gql.accounts is not None
    await gql.accounts.user(username)
    data = await gql.execute(
        ADD_MEMBER, {"input": {"projectId": project_id, "username": username, "role": role}}
    )
    assert data["addProjectMember"]["errors"] == []
    return gql.as_actor(username, admin=False)


async def _create(gql: GraphQLClient, project_id: str, **fields: Any) -> dict[str, Any]:
    values = {"projectId": project_id, "url": URL, "events": ["version.*"], **fields}
    payload: dict[str, Any] = (await gql.execute(CREATE, {"input": values}))["createWebhook"]
    assert payload["errors"] == [], payload["errors"]
    return payload


async def _pk(global_id: str) -> int:
    from strawberry import relay

    return int(relay.GlobalID.from_id(global_id).node_id)


async def _deliveries(db: Database, webhook_pk: int) -> list[WebhookDelivery]:
    async with db.read() as session:
        rows = await session.exec(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_pk)
            .order_by(col(WebhookDelivery.id))
        )
        return list(rows.all())


async def _event_ids(db: Database, type_: str) -> list[int]:
    async with db.read() as session:
        rows = await session.exec(
            select(Event.id).where(Event.type == type_).order_by(col(Event.id))
        )
        return [i for i in rows.all() if i is not None]


async def test_only_maintainers_manage_webhooks(gql: GraphQLClient) -> None:
    project = await create_project(gql, "fraud")
    hook = await _create(gql, project["id"])
    for username, role in (("gina", "GUEST"), ("rex", "REPORTER"), ("dev", "DEVELOPER")):
        member = await _member(gql, project["id"], username, role)
        data = await member.execute(
            CREATE, {"input": {"projectId": project["id"], "url": URL, "events": ["*"]}}
        )
        error = data["createWebhook"]["errors"][0]
        assert error["code"] == "PERMISSION_DENIED"
        assert "MAINTAINER role" in error["message"]
        assert data["createWebhook"]["secret"] is None
        response = await member.raw(WEBHOOKS, {"path": "fraud"})
        body = response.json()
        assert body["data"]["project"]["webhooks"] is None
        assert body["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
        for document, values in (
            (SEND_TEST, {"id": hook["webhook"]["id"]}),
            (DELETE, {"id": hook["webhook"]["id"]}),
            (ROTATE, {"id": hook["webhook"]["id"]}),
        ):
            result = await member.execute(document, {"input": values})
            assert next(iter(result.values()))["errors"][0]["code"] == "PERMISSION_DENIED"
        # As a node it does not exist for them.
        found = await member.execute(DELIVERIES, {"id": hook["webhook"]["id"]})
        assert found["node"] is None

    maintainer = await _member(gql, project["id"], "mia", "MAINTAINER")
    created = await _create(maintainer, project["id"], description="deploys")
    assert created["webhook"]["createdBy"] == "mia"
    listed = await maintainer.execute(WEBHOOKS, {"path": "fraud"})
    assert [w["description"] for w in listed["project"]["webhooks"]] == ["", "deploys"]


async def test_outsiders_cannot_tell_a_private_projects_webhook_exists(
    gql: GraphQLClient,
) -> None:
    project = await create_project(gql, "hidden")
    hook = await _create(gql, project["id"])
    outsider = gql.as_actor("olga", admin=False)
    data = await outsider.execute(UPDATE, {"input": {"id": hook["webhook"]["id"], "url": URL}})
    ghost = await outsider.execute(UPDATE, {"input": {"id": "V2ViaG9vazo5OTk5", "url": URL}})
    assert data["updateWebhook"]["errors"][0]["code"] == "NOT_FOUND"
    assert (
        data["updateWebhook"]["errors"][0]["message"].split("id")[0]
        == (ghost["updateWebhook"]["errors"][0]["message"].split("id")[0])
    )


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"url": "ftp://hooks.example.com/x"}, "url", "https://"),
        ({"url": "https://user:pw@hooks.example.com/x"}, "url", "no user or password"),
        ({"url": "not a url"}, "url", "https://"),
        ({"events": []}, "events", "at least one"),
        ({"events": ["version.creatd"]}, "events", "matches no event type"),
        ({"events": ["ver*sion"]}, "events", "wildcard"),
        ({"description": "x" * 2001}, "description", "2000"),
    ],
)
async def test_bad_input_is_refused_with_a_field(
    gql: GraphQLClient, db: Database, fields: dict[str, Any], field: str, words: str
) -> None:
    project = await create_project(gql, "demo")
    values = {"projectId": project["id"], "url": URL, "events": ["*"], **fields}
    data = await gql.execute(CREATE, {"input": values})
    payload = data["createWebhook"]
    assert payload["webhook"] is None and payload["secret"] is None
    [error] = payload["errors"]
    assert (error["code"], error["field"]) == ("INVALID_ARGUMENT", field)
    assert words in error["message"]
    assert "pw@" not in error["message"]
    async with db.read() as session:
        assert (await session.exec(select(sa.func.count()).select_from(Webhook))).one() == 0


async def test_model_filter_must_be_a_model_of_the_project(gql: GraphQLClient) -> None:
    project = await create_project(gql, "demo")
    other = await create_project(gql, "other")
    foreign = await create_model(gql, other["id"], "theirs")
    data = await gql.execute(
        CREATE,
        {
            "input": {
                "projectId": project["id"],
                "url": URL,
                "events": ["*"],
                "modelId": foreign["id"],
            }
        },
    )
    assert data["createWebhook"]["errors"][0]["code"] == "NOT_FOUND"
    assert data["createWebhook"]["errors"][0]["field"] == "modelId"


async def test_the_secret_is_shown_once_and_never_stored_in_events(
    gql: GraphQLClient, db: Database
) -> None:
    project = await create_project(gql, "demo")
    created = await _create(gql, project["id"])
    secret = created["secret"]
    assert secret.startswith("whsec_") and len(secret_key(secret)) == 32
    assert created["webhook"]["secretHint"] == "…" + secret[-4:]
    listed = await gql.execute(WEBHOOKS, {"path": "demo"})
    assert secret not in str(listed)
    rotated = (await gql.execute(ROTATE, {"input": {"id": created["webhook"]["id"]}}))[
        "rotateWebhookSecret"
    ]
    assert rotated["errors"] == []
    assert rotated["secret"] != secret and rotated["secret"].startswith("whsec_")
    async with db.read() as session:
        payloads = [e.payload for e in (await session.exec(select(Event))).all()]
    assert any(p.get("changed") == ["secret"] for p in payloads)
    for payload in payloads:
        assert secret not in str(payload) and rotated["secret"] not in str(payload)


async def test_secrets_never_reach_the_logs(
    gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    project = await create_project(gql, "demo")
    created = await _create(gql, project["id"])
    rotated = await gql.execute(ROTATE, {"input": {"id": created["webhook"]["id"]}})
    # A refused change logs its error: still no secret in it.
    await gql.execute(ROTATE, {"input": {"id": created["webhook"]["id"], "overlapHours": 999}})
    secrets = [created["secret"], rotated["rotateWebhookSecret"]["secret"]]
    assert caplog.records
    for secret in secrets:
        assert secret not in caplog.text
        assert secret.removeprefix("whsec_") not in caplog.text


async def test_rotation_keeps_the_previous_secret_for_a_while(
    gql: GraphQLClient, db: Database
) -> None:
    project = await create_project(gql, "demo")
    created = await _create(gql, project["id"])
    hook_id = created["webhook"]["id"]
    before = utcnow()
    data = await gql.execute(ROTATE, {"input": {"id": hook_id, "overlapHours": 2}})
    payload = data["rotateWebhookSecret"]
    async with db.read() as session:
        row = await session.get(Webhook, await _pk(hook_id))
    assert row is not None
    assert row.secret == payload["secret"]
    assert row.previous_secret == created["secret"]
    assert row.previous_secret_expires_at is not None
    assert (
        before + timedelta(hours=2)
        <= row.previous_secret_expires_at
        <= utcnow() + timedelta(hours=2)
    )
    assert payload["webhook"]["previousSecretValidUntil"] is not None

    for hours in (-1, 169):
        data = await gql.execute(ROTATE, {"input": {"id": hook_id, "overlapHours": hours}})
        error = data["rotateWebhookSecret"]["errors"][0]
        assert (error["code"], error["field"]) == ("INVALID_ARGUMENT", "overlapHours")
        assert data["rotateWebhookSecret"]["secret"] is None

    data = await gql.execute(ROTATE, {"input": {"id": hook_id, "overlapHours": 0}})
    assert data["rotateWebhookSecret"]["webhook"]["previousSecretValidUntil"] is None
    async with db.read() as session:
        row = await session.get(Webhook, await _pk(hook_id))
    assert row is not None and row.previous_secret is None


async def test_update_and_enabling_forgets_failures(gql: GraphQLClient, db: Database) -> None:
    project = await create_project(gql, "demo")
    model = await create_model(gql, project["id"], "churn")
    created = await _create(gql, project["id"])
    hook_id = created["webhook"]["id"]
    async with db.begin() as session:
        row = await session.get(Webhook, await _pk(hook_id))
        assert row is not None
        row.status = "DISABLED"  # type: ignore[assignment]
        row.consecutive_failures = 5
        row.disabled_reason = "5 deliveries in a row failed"
        session.add(row)
    data = await gql.execute(
        UPDATE,
        {
            "input": {
                "id": hook_id,
                "url": "http://deploy.example.com/hook",
                "events": ["version.stage_changed.production", "model.*"],
                "modelId": model["id"],
                "status": "ACTIVE",
            }
        },
    )
    hook = data["updateWebhook"]["webhook"]
    assert data["updateWebhook"]["errors"] == []
    assert hook["url"] == "http://deploy.example.com/hook"
    assert hook["events"] == ["version.stage_changed.production", "model.*"]
    assert (hook["status"], hook["consecutiveFailures"], hook["disabledReason"]) == (
        "ACTIVE",
        0,
        "",
    )
    assert hook["model"] == {"name": "churn"} and hook["modelFilter"] == model["id"]
    # Leaving modelId out keeps the filter; null removes it.
    data = await gql.execute(UPDATE, {"input": {"id": hook_id, "description": "prod"}})
    assert data["updateWebhook"]["webhook"]["modelFilter"] == model["id"]
    data = await gql.execute(UPDATE, {"input": {"id": hook_id, "modelId": None}})
    assert data["updateWebhook"]["webhook"]["modelFilter"] is None
    async with db.read() as session:
        updated = (await session.exec(select(Event).where(Event.type == "webhook.updated"))).all()
    assert [e.payload["changed"] for e in updated] == [
        ["url", "events", "model_id", "status"],
        ["description"],
        ["model_id"],
    ]


async def test_delete_removes_the_webhook_and_its_log(gql: GraphQLClient, db: Database) -> None:
    project = await create_project(gql, "demo")
    created = await _create(gql, project["id"])
    hook_id = created["webhook"]["id"]
    await gql.execute(SEND_TEST, {"input": {"id": hook_id}})
    data = await gql.execute(DELETE, {"input": {"id": hook_id}})
    assert data["deleteWebhook"] == {"deletedId": hook_id, "errors": []}
    assert await _deliveries(db, await _pk(hook_id)) == []
    async with db.read() as session:
        assert await session.get(Webhook, await _pk(hook_id)) is None
        event = (await session.exec(select(Event).where(Event.type == "webhook.deleted"))).one()
    # Only the origin: the activity feed is read by everyone in the project, and a URL's path
    # or query may hold the receiver's credential.
    assert event.payload["url"] == "https://hooks.example.com"
    again = await gql.execute(DELETE, {"input": {"id": hook_id}})
    assert again["deleteWebhook"]["errors"][0]["code"] == "NOT_FOUND"


async def test_send_test_event_and_redeliver(gql: GraphQLClient, db: Database) -> None:
    project = await create_project(gql, "demo")
    created = await _create(gql, project["id"])
    hook_id = created["webhook"]["id"]
    data = await gql.execute(SEND_TEST, {"input": {"id": hook_id}})
    sent = data["sendTestWebhook"]["delivery"]
    assert data["sendTestWebhook"]["errors"] == []
    assert (sent["topic"], sent["eventId"], sent["requestedBy"], sent["status"]) == (
        "webhook.test",
        None,
        "admin",
        "PENDING",
    )
    again = (await gql.execute(REDELIVER, {"input": {"id": sent["id"]}}))[
        "redeliverWebhookDelivery"
    ]["delivery"]
    assert again["topic"] == "webhook.test" and again["messageId"] != sent["messageId"]

    # An event's delivery: redelivered for the same event, with a new message id.
    model = await create_model(gql, project["id"], "churn")
    await create_version(gql, model["id"], "1.0.0")
    rows = await _deliveries(db, await _pk(hook_id))
    event_delivery = rows[-1]
    assert event_delivery.topic == "version.created" and event_delivery.event_id is not None
    from modelreg.graphql.ids import encode_id

    assert event_delivery.id is not None
    data = await gql.execute(
        REDELIVER, {"input": {"id": encode_id("WebhookDelivery", event_delivery.id)}}
    )
    redone = data["redeliverWebhookDelivery"]["delivery"]
    assert redone["eventId"] == event_delivery.event_id
    assert redone["messageId"] != event_delivery.message_id
    assert redone["requestedBy"] == "admin"
    assert len(await _deliveries(db, await _pk(hook_id))) == 4

    # A disabled webhook sends nothing, on request either.
    await gql.execute(UPDATE, {"input": {"id": hook_id, "status": "DISABLED"}})
    for document, values in ((SEND_TEST, {"id": hook_id}), (REDELIVER, {"id": sent["id"]})):
        result = next(iter((await gql.execute(document, {"input": values})).values()))
        assert result["errors"][0]["code"] == "CONFLICT"
        assert "ACTIVE or TEST_MODE" in result["errors"][0]["message"]
    assert len(await _deliveries(db, await _pk(hook_id))) == 4


async def test_delivery_log_pages_newest_first_with_attempts(
    gql: GraphQLClient, db: Database
) -> None:
    project = await create_project(gql, "demo")
    hook_id = (await _create(gql, project["id"]))["webhook"]["id"]
    for _ in range(3):
        await gql.execute(SEND_TEST, {"input": {"id": hook_id}})
    rows = await _deliveries(db, await _pk(hook_id))
    oldest = rows[0]
    assert oldest.id is not None
    async with db.begin() as session:
        now = utcnow()
        oldest.status = DeliveryStatus.FAILED
        oldest.attempts = 2
        oldest.last_status_code = 500
        oldest.body = '{"type": "webhook.test"}'
        session.add(oldest)
        for number, code in ((1, None), (2, 500)):
            session.add(
                WebhookAttempt(
                    delivery_id=oldest.id,
                    attempt=number,
                    started_at=now,
                    duration_ms=12,
                    status_code=code,
                    error="connection refused" if code is None else "",
                    response_excerpt="oops" if code else "",
                )
            )
    page = (await gql.execute(DELIVERIES, {"id": hook_id, "first": 2}))["node"]["deliveries"]
    assert [e["node"]["status"] for e in page["edges"]] == ["PENDING", "PENDING"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = (
        await gql.execute(
            DELIVERIES, {"id": hook_id, "first": 2, "after": page["pageInfo"]["endCursor"]}
        )
    )["node"]["deliveries"]
    [last] = [e["node"] for e in rest["edges"]]
    assert (last["status"], last["attemptCount"], last["lastStatusCode"]) == ("FAILED", 2, 500)
    assert last["body"] == '{"type": "webhook.test"}'
    assert last["attempts"] == [
        {
            "attempt": 1,
            "statusCode": None,
            "durationMs": 12,
            "error": "connection refused",
            "responseExcerpt": "",
        },
        {"attempt": 2, "statusCode": 500, "durationMs": 12, "error": "", "responseExcerpt": "oops"},
    ]
    failed = (await gql.execute(DELIVERIES, {"id": hook_id, "status": "FAILED"}))["node"]
    assert [e["node"]["attemptCount"] for e in failed["deliveries"]["edges"]] == [2]
    listed = await gql.execute(WEBHOOKS, {"path": "demo"})
    assert listed["project"]["webhooks"][0]["lastDelivery"] == {
        "topic": "webhook.test",
        "status": "PENDING",
    }


async def test_replay_delivers_matching_events_of_a_range(gql: GraphQLClient, db: Database) -> None:
    project = await create_project(gql, "demo")
    churn = await create_model(gql, project["id"], "churn")
    fraud = await create_model(gql, project["id"], "fraud")
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        await create_version(gql, churn["id"], version)
    await create_version(gql, fraud["id"], "1.0.0")
    created = await _create(
        gql, project["id"], events=["version.created"], modelId=churn["id"], status="TEST_MODE"
    )
    hook_id = created["webhook"]["id"]
    version_events = await _event_ids(db, "version.created")
    assert len(version_events) == 4

    data = await gql.execute(
        REPLAY, {"input": {"webhookId": hook_id, "fromEventId": version_events[1]}}
    )
    assert data["replayEvents"] == {
        "count": 2,  # churn 1.1.0 and 1.2.0; fraud's is filtered out
        "lastEventId": version_events[2],
        "complete": True,
        "errors": [],
    }
    rows = await _deliveries(db, await _pk(hook_id))
    assert [r.event_id for r in rows] == version_events[1:3]
    assert {r.topic for r in rows} == {"version.created"}
    assert {r.requested_by for r in rows} == {"admin"}
    assert len({r.message_id for r in rows}) == 2

    data = await gql.execute(
        REPLAY,
        {"input": {"webhookId": hook_id, "fromEventId": 1, "toEventId": version_events[0]}},
    )
    assert data["replayEvents"]["count"] == 1

    for values, field in (
        ({"fromEventId": 0}, "fromEventId"),
        ({"fromEventId": 5, "toEventId": 4}, "toEventId"),
    ):
        data = await gql.execute(REPLAY, {"input": {"webhookId": hook_id, **values}})
        error = data["replayEvents"]["errors"][0]
        assert (error["code"], error["field"]) == ("INVALID_ARGUMENT", field)

    await gql.execute(UPDATE, {"input": {"id": hook_id, "status": "DISABLED"}})
    data = await gql.execute(REPLAY, {"input": {"webhookId": hook_id, "fromEventId": 1}})
    assert data["replayEvents"]["errors"][0]["code"] == "CONFLICT"


async def test_replay_is_capped_and_says_where_to_go_on(
    gql: GraphQLClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_sends, "REPLAY_CAP", 3)
    monkeypatch.setattr(webhook_sends, "_SCAN_BATCH", 2)
    project = await create_project(gql, "demo")
    model = await create_model(gql, project["id"], "churn")
    hook_id = (await _create(gql, project["id"], events=["version.*"]))["webhook"]["id"]
    for version in ("1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0"):
        await create_version(gql, model["id"], version)
    before = len(await _deliveries(db, await _pk(hook_id)))
    first = (await gql.execute(REPLAY, {"input": {"webhookId": hook_id, "fromEventId": 1}}))[
        "replayEvents"
    ]
    events = await _event_ids(db, "version.created")
    assert (first["count"], first["complete"], first["lastEventId"]) == (3, False, events[2])
    second = (
        await gql.execute(
            REPLAY, {"input": {"webhookId": hook_id, "fromEventId": first["lastEventId"] + 1}}
        )
    )["replayEvents"]
    assert (second["count"], second["complete"], second["lastEventId"]) == (2, True, events[4])
    replayed = (await _deliveries(db, await _pk(hook_id)))[before:]
    assert [r.event_id for r in replayed] == events


async def test_per_stage_topics_and_a_deleted_model_filter(
    gql: GraphQLClient, db: Database
) -> None:
    project = await create_project(gql, "demo")
    model = await create_model(gql, project["id"], "churn")
    created = await _create(
        gql,
        project["id"],
        events=["model.deleted", "version.stage_changed.production"],
        modelId=model["id"],
    )
    hook_id = created["webhook"]["id"]
    deleted = await gql.execute(
        f"""mutation($id: ID!) {{ deleteModel(input: {{id: $id}}) {{ {ERRORS} }} }}""",
        {"id": model["id"]},
    )
    assert deleted["deleteModel"]["errors"] == []
    listed = (await gql.execute(WEBHOOKS, {"path": "demo"}))["project"]["webhooks"]
    assert listed[0]["modelFilter"] == model["id"] and listed[0]["model"] is None
    rows = await _deliveries(db, await _pk(hook_id))
    assert [r.topic for r in rows] == ["model.deleted"]
    data = await gql.execute(REPLAY, {"input": {"webhookId": hook_id, "fromEventId": 1}})
    assert data["replayEvents"]["count"] == 1


async def test_webhook_topics_lists_event_types_and_stage_topics(gql: GraphQLClient) -> None:
    topics = (await gql.execute("{ webhookTopics }"))["webhookTopics"]
    assert "version.created" in topics
    assert "version.stage_changed.production" in topics
    assert "webhook.created" not in topics and "user.created" not in topics
