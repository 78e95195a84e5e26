"""Deployment records (issue 20): what `modelreg serve-model` reports through `recordDeployment`,
and a version's `deployments` connection."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from modelreg.db import Database
from modelreg.db.models import Deployment, Event
from modelreg.db.notification_models import WebhookDelivery
from modelreg.domain.notifications import MAIL_TYPES
from modelreg.graphql.ids import decode_id, encode_id
from modelreg.services.webhook_payloads import BodyRequest, build_bodies
from modelreg.settings import Settings
from tests.support.graphql import GraphQLClient
from tests.support.registry import ERRORS, create_model, create_project, create_version
from tests.support.sql import assert_does_not_grow, count_statements
from tests.support.webhooks import add_webhook

RECORD = f"""
mutation($input: RecordDeploymentInput!) {{
  recordDeployment(input: $input) {{
    deployment {{ id state endpoint reference instance role startedBy startedAt stoppedBy
                  stoppedAt }}
    {ERRORS}
  }}
}}"""

DEPLOYMENTS = """
query($id: ID!, $first: Int, $after: String, $active: Boolean) {
  node(id: $id) { ... on ModelVersion {
    deployments(first: $first, after: $after, active: $active) {
      edges { cursor node { endpoint state startedBy stoppedBy instance } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  } }
}"""

ACTIVITY = """
query($id: ID!) {
  node(id: $id) {
    ... on ModelVersion { activity(first: 20) { edges { node { type actor payload } } } }
  }
}"""

ADD_MEMBER = f"""
mutation($input: ProjectMemberInput!) {{ addProjectMember(input: $input) {{ {ERRORS} }} }}"""

ENDPOINT = "http://127.0.0.1:18401"


def _instance() -> str:
    return uuid.uuid4().hex


def _input(version_id: str, state: str = "STARTED", **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "versionId": version_id,
        "state": state,
        "endpoint": ENDPOINT,
        "reference": "demo/churn@champion",
        "instance": "0" * 32,
    }
    return {**values, **fields}


async def _record(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    data = await gql.execute(RECORD, {"input": input})
    payload: dict[str, Any] = data["recordDeployment"]
    return payload


async def _ok(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    payload = await _record(gql, **input)
    assert payload["errors"] == [], payload["errors"]
    deployment: dict[str, Any] = payload["deployment"]
    return deployment


async def _error(gql: GraphQLClient, **input: Any) -> dict[str, Any]:
    payload = await _record(gql, **input)
    assert payload["deployment"] is None
    (error,) = payload["errors"]
    result: dict[str, Any] = error
    return result


async def _version(gql: GraphQLClient, *texts: str) -> tuple[str, list[str]]:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    return project["id"], [(await create_version(gql, model["id"], t))["id"] for t in texts]


async def _rows(db: Database) -> list[Deployment]:
    async with db.begin() as session:
        return list((await session.exec(select(Deployment).order_by(col(Deployment.id)))).all())


async def _events(db: Database) -> list[tuple[str, str, dict[str, Any]]]:
    async with db.begin() as session:
        rows = await session.exec(
            select(Event).where(col(Event.type).like("version.deployment_%")).order_by(Event.id)
        )
        return [(e.type, e.actor, dict(e.payload)) for e in rows]


async def _member(gql: GraphQLClient, project_id: str, username: str, role: str) -> GraphQLClient:
    assert gql.accounts is not None
    await gql.accounts.user(username)
    data = await gql.execute(
        ADD_MEMBER, {"input": {"projectId": project_id, "username": username, "role": role}}
    )
    assert data["addProjectMember"]["errors"] == []
    return gql.as_actor(username, admin=False)


async def test_started_then_stopped_is_one_record_with_who_where_when(
    gql: GraphQLClient, db: Database
) -> None:
    alice = gql.as_actor("alice")
    _, (version_id,) = await _version(alice, "1.2.0")
    instance = _instance()

    started = await _ok(alice, **_input(version_id, instance=instance, role="primary"))
    assert started["state"] == "STARTED"
    assert (started["endpoint"], started["startedBy"], started["role"]) == (
        ENDPOINT,
        "alice",
        "primary",
    )
    assert started["startedAt"] and started["stoppedAt"] is None

    bob = gql.as_actor("bob")
    stopped = await _ok(bob, **_input(version_id, "STOPPED", instance=instance))

    assert stopped["id"] == started["id"]
    assert (stopped["state"], stopped["stoppedBy"]) == ("STOPPED", "bob")
    assert stopped["stoppedAt"] >= started["startedAt"]
    (row,) = await _rows(db)
    assert (row.instance, row.started_by, row.stopped_by) == (instance, "alice", "bob")
    assert row.reference == "demo/churn@champion"


async def test_each_change_is_one_event_in_the_version_activity(
    gql: GraphQLClient, db: Database
) -> None:
    _, (version_id,) = await _version(gql, "1.2.0")
    instance = _instance()

    await _ok(gql, **_input(version_id, instance=instance))
    await _ok(gql, **_input(version_id, instance=instance))  # again: nothing new
    await _ok(gql, **_input(version_id, "STOPPED", instance=instance))
    await _ok(gql, **_input(version_id, "STOPPED", instance=instance))  # again: nothing new

    events = await _events(db)
    assert [(t, a) for t, a, _ in events] == [
        ("version.deployment_started", "admin"),
        ("version.deployment_stopped", "admin"),
    ]
    payload = events[0][2]
    assert payload["endpoint"] == ENDPOINT
    assert payload["reference"] == "demo/churn@champion"
    assert payload["instance"] == instance
    assert payload["version"] == "1.2.0"
    assert payload["role"] is None
    activity = (await gql.execute(ACTIVITY, {"id": version_id}))["node"]["activity"]["edges"]
    assert [e["node"]["type"] for e in activity][:2] == [
        "version.deployment_stopped",
        "version.deployment_started",
    ]
    assert len(await _rows(db)) == 1


async def test_repeated_started_is_idempotent_and_a_new_start_after_stop_is_a_new_record(
    gql: GraphQLClient, db: Database
) -> None:
    _, (version_id,) = await _version(gql, "1.2.0")
    instance = _instance()

    first = await _ok(gql, **_input(version_id, instance=instance))
    again = await _ok(gql, **_input(version_id, instance=instance, endpoint="http://other:1"))
    assert again["id"] == first["id"]
    assert again["endpoint"] == ENDPOINT
    await _ok(gql, **_input(version_id, "STOPPED", instance=instance))
    restarted = await _ok(gql, **_input(version_id, instance=instance))

    assert restarted["id"] != first["id"]
    assert [r.stopped_at is None for r in await _rows(db)] == [False, True]


async def test_one_instance_moves_from_the_old_version_to_the_new(
    gql: GraphQLClient, db: Database
) -> None:
    _, (old, new) = await _version(gql, "1.0.0", "1.1.0")
    instance = _instance()
    await _ok(gql, **_input(old, instance=instance))

    await _ok(gql, **_input(old, "STOPPED", instance=instance))
    await _ok(gql, **_input(new, instance=instance))

    old_page = await gql.execute(DEPLOYMENTS, {"id": old, "active": True})
    new_page = await gql.execute(DEPLOYMENTS, {"id": new, "active": True})
    assert old_page["node"]["deployments"]["edges"] == []
    assert [e["node"]["instance"] for e in new_page["node"]["deployments"]["edges"]] == [instance]


async def test_stopped_without_a_start_is_refused(gql: GraphQLClient, db: Database) -> None:
    _, (version_id,) = await _version(gql, "1.2.0")

    error = await _error(gql, **_input(version_id, "STOPPED", instance=_instance()))

    assert (error["code"], error["field"]) == ("INVALID_ARGUMENT", "state")
    assert "record STARTED first" in error["message"]
    assert await _events(db) == []


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"endpoint": "ftp://host/x"}, "endpoint", "http:// or https://"),
        ({"endpoint": "127.0.0.1:5001"}, "endpoint", "http:// or https://"),
        ({"endpoint": "http://"}, "endpoint", "http:// or https://"),
        ({"endpoint": "http://host:99999"}, "endpoint", "http:// or https://"),
        ({"endpoint": "http://user:pw@host:1"}, "endpoint", "user name or password"),
        ({"endpoint": "http://host:1/?token=abc"}, "endpoint", "query or fragment"),
        ({"endpoint": "http://host:1/#frag"}, "endpoint", "query or fragment"),
        ({"endpoint": "http://h/" + "a" * 500}, "endpoint", "at most 500"),
        ({"endpoint": " "}, "endpoint", "is empty"),
        ({"reference": ""}, "reference", "is empty"),
        ({"reference": "x" * 301}, "reference", "at most 300"),
        ({"reference": "a\nb"}, "reference", "control characters"),
        ({"instance": "abc"}, "instance", "32 lower-case hexadecimal"),
        ({"instance": "G" * 32}, "instance", "32 lower-case hexadecimal"),
        ({"instance": "A" * 32}, "instance", "32 lower-case hexadecimal"),
        ({"role": "r" * 101}, "role", "at most 100"),
        ({"role": ""}, "role", "is empty"),
        ({"versionId": "not-an-id"}, "versionId", "not a valid ID"),
    ],
)
async def test_bad_input_is_refused_with_its_field_and_nothing_is_written(
    gql: GraphQLClient, db: Database, fields: dict[str, Any], field: str, words: str
) -> None:
    _, (version_id,) = await _version(gql, "1.2.0")

    error = await _error(gql, **_input(version_id, **fields))

    assert (error["code"], error["field"]) == ("INVALID_ARGUMENT", field)
    assert words in error["message"]
    assert await _rows(db) == []
    assert await _events(db) == []


async def test_an_unknown_version_is_not_found(gql: GraphQLClient) -> None:
    await _version(gql, "1.2.0")
    missing = encode_id("ModelVersion", 987654)

    error = await _error(gql, **_input(missing))

    assert (error["code"], error["field"]) == ("NOT_FOUND", "versionId")


async def test_a_reader_who_may_not_comment_is_refused_and_an_outsider_sees_not_found(
    gql: GraphQLClient, db: Database
) -> None:
    project_id, (version_id,) = await _version(gql, "1.2.0")
    guest = await _member(gql, project_id, "gina", "GUEST")
    reporter = await _member(gql, project_id, "rita", "REPORTER")
    assert gql.accounts is not None
    await gql.accounts.user("olga")
    outsider = gql.as_actor("olga", admin=False)

    denied = await _error(guest, **_input(version_id))
    hidden = await _error(outsider, **_input(version_id))
    allowed = await _ok(reporter, **_input(version_id))

    assert denied["code"] == "PERMISSION_DENIED"
    assert hidden["code"] == "NOT_FOUND"
    assert allowed["startedBy"] == "rita"
    assert len(await _rows(db)) == 1


async def test_a_read_only_token_is_refused(gql: GraphQLClient, db: Database) -> None:
    _, (version_id,) = await _version(gql, "1.2.0")
    assert gql.accounts is not None
    token = await gql.accounts.token("admin", admin=True, scopes=("read_api",))
    reader = gql.with_headers({"Authorization": f"Bearer {token}"})

    error = await _error(reader, **_input(version_id))

    assert error["code"] == "PERMISSION_DENIED"
    assert await _rows(db) == []


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    enabled = getattr(request, "param", True)
    return Settings(data_dir=tmp_path / "data", deployment_records=enabled)


@pytest.mark.parametrize("settings", [False], indirect=True)
async def test_with_records_off_the_mutation_is_refused_and_nothing_written(
    gql: GraphQLClient, db: Database
) -> None:
    _, (version_id,) = await _version(gql, "1.2.0")

    error = await _error(gql, **_input(version_id))
    enabled = await gql.execute("{ deploymentRecordsEnabled }")

    assert error["code"] == "DEPLOYMENT_RECORDS_DISABLED"
    assert "MODELREG_DEPLOYMENT_RECORDS" in error["message"]
    assert enabled == {"deploymentRecordsEnabled": False}
    assert await _rows(db) == []
    assert await _events(db) == []


async def test_records_are_on_by_default(gql: GraphQLClient) -> None:
    assert await gql.execute("{ deploymentRecordsEnabled }") == {"deploymentRecordsEnabled": True}


async def test_the_connection_is_newest_first_filters_and_paginates(gql: GraphQLClient) -> None:
    _, (version_id,) = await _version(gql, "1.2.0")
    instances = [_instance() for _ in range(5)]
    for n, instance in enumerate(instances):
        await _ok(gql, **_input(version_id, instance=instance, endpoint=f"http://h:{5000 + n}"))
    await _ok(gql, **_input(version_id, "STOPPED", instance=instances[1]))

    seen: list[str] = []
    after = None
    while True:
        data = await gql.execute(DEPLOYMENTS, {"id": version_id, "first": 2, "after": after})
        page = data["node"]["deployments"]
        seen += [e["node"]["endpoint"] for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    active = await gql.execute(DEPLOYMENTS, {"id": version_id, "active": True})
    stopped = await gql.execute(DEPLOYMENTS, {"id": version_id, "active": False})

    assert seen == [f"http://h:{5000 + n}" for n in (4, 3, 2, 1, 0)]
    assert len(active["node"]["deployments"]["edges"]) == 4
    assert [e["node"]["endpoint"] for e in stopped["node"]["deployments"]["edges"]] == [
        "http://h:5001"
    ]


async def test_a_bad_cursor_is_a_clear_error(gql: GraphQLClient) -> None:
    _, (version_id,) = await _version(gql, "1.2.0")

    errors = await gql.errors(DEPLOYMENTS, {"id": version_id, "after": "bm90LWEtY3Vyc29y"})

    assert errors[0]["extensions"]["code"] == "INVALID_ARGUMENT"
    assert "cursor" in errors[0]["message"]


VERSIONS_WITH_DEPLOYMENTS = """
query($first: Int!) {
  project(path: "demo") { model(name: "churn") { versions(first: $first) { edges { node {
    version
    active: deployments(active: true) { edges { node { endpoint startedBy startedAt } } }
    stopped: deployments(active: false, first: 5) { edges { node { endpoint stoppedAt } } }
  } } } } }
}"""


async def test_deployments_of_many_versions_cost_the_same_as_of_few(
    gql: GraphQLClient, db: Database
) -> None:
    _, version_ids = await _version(gql, *[f"1.{n}.0" for n in range(12)])
    for version_id in version_ids:
        for _ in range(2):
            instance = _instance()
            await _ok(gql, **_input(version_id, instance=instance))
        await _ok(gql, **_input(version_id, "STOPPED", instance=instance))

    with count_statements(db) as few:
        small = await gql.execute(VERSIONS_WITH_DEPLOYMENTS, {"first": 2})
    with count_statements(db) as many:
        large = await gql.execute(VERSIONS_WITH_DEPLOYMENTS, {"first": 12})

    edges = large["project"]["model"]["versions"]["edges"]
    assert len(small["project"]["model"]["versions"]["edges"]) == 2
    assert len(edges) == 12
    assert all(len(e["node"]["active"]["edges"]) == 1 for e in edges)
    assert all(len(e["node"]["stopped"]["edges"]) == 1 for e in edges)
    assert_does_not_grow(few, many, at_most=12)


async def test_the_events_go_to_webhooks_and_send_no_mail(gql: GraphQLClient, db: Database) -> None:
    project_id, (version_id,) = await _version(gql, "1.2.0")
    hook = await add_webhook(
        db, decode_id(project_id, "Project"), "http://hooks.test/a", events=["version.*"]
    )
    instance = _instance()

    await _ok(gql, **_input(version_id, instance=instance))
    await _ok(gql, **_input(version_id, "STOPPED", instance=instance))

    async with db.begin() as session:
        rows = (await session.exec(select(WebhookDelivery))).all()
    assert sorted((r.webhook_id, r.topic) for r in rows) == [
        (hook, "version.deployment_started"),
        (hook, "version.deployment_stopped"),
    ]
    assert "version.deployment_started" not in MAIL_TYPES
    assert "version.deployment_stopped" not in MAIL_TYPES
    # The body a receiver gets names the version and carries what the server reported.
    wanted = [
        BodyRequest(
            message_id=f"msg_{r.id}",
            topic=r.topic,
            event_id=r.event_id,
            webhook_id=r.webhook_id,
            project_id=decode_id(project_id, "Project"),
        )
        for r in rows
    ]
    async with db.begin() as session:
        bodies = await build_bodies(session, wanted)
    by_topic = {w.topic: json.loads(bodies[w.message_id]) for w in wanted}
    started = by_topic["version.deployment_started"]
    assert started["type"] == "version.deployment_started"
    assert started["version"]["semver"] == "1.2.0"
    assert started["data"]["endpoint"] == ENDPOINT
    assert started["data"]["instance"] == instance


class _Capture:
    """Stands for serve-model's RegistryClient: keeps the document and variables it is given."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def graphql(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        self.sent.append((document, variables))
        return {"recordDeployment": {"deployment": {"id": "x"}, "errors": []}}


async def test_what_serve_model_sends_is_accepted_as_sent(gql: GraphQLClient, db: Database) -> None:
    # The contract's other side (contract20.md): serve-model's own document and input, sent here.
    from modelreg.serving.resolve import Recorder, Resolved

    _, (version_id,) = await _version(gql, "1.2.0")
    capture = _Capture()
    instance = _instance()
    recorder = Recorder(
        capture,  # type: ignore[arg-type]
        endpoint="http://127.0.0.1:5001",
        instance=instance,
    )
    served = Resolved(id=version_id, project="demo", model="churn", version="1.2.0", number=1)
    recorder.record("STARTED", served, "demo/churn@champion", "primary")
    recorder.record("STOPPED", served, "demo/churn@champion", "primary")

    for document, variables in capture.sent:
        payload = (await gql.execute(document, variables))["recordDeployment"]
        assert payload["errors"] == []
    (row,) = await _rows(db)
    assert (row.instance, row.endpoint, row.role) == (instance, "http://127.0.0.1:5001", "primary")
    assert row.stopped_at is not None
