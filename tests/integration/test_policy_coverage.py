"""Nothing is reachable around the policy.

Every mutation, subscription and root query field of the schema, every Node type, every route of
the app (the REST file routes, every MLflow endpoint) has an entry below; a new one without an
entry fails `test_every_entry_point_has_an_entry`. Each is called, against objects of a PRIVATE
project owned by others, by an anonymous caller, a signed-in outsider and expired or revoked
tokens: it must answer exactly what a missing object answers (NOT_FOUND, with the same code, field
and message shape, and nothing of the hidden project in it) or ask to sign in, and the database
must be unchanged, row for row.

Also here: a page of projects is filtered in SQL (50 asked, 50 visible), and secrets (passwords,
session cookies, tokens) are shown once and never logged, stored or shown again.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, build_schema
from sqlmodel import col, select
from starlette.applications import Starlette
from starlette.routing import Mount, Route, WebSocketRoute

from modelreg.db import Database
from modelreg.db.models import Event, Membership, PersonalAccessToken
from modelreg.domain.actor import Actor
from modelreg.domain.lifecycle import Stage
from modelreg.domain.policy import Role, Visibility
from modelreg.graphql.schema import create_schema
from modelreg.mlflow import Endpoint
from modelreg.mlflow import endpoints as mlflow_endpoints
from modelreg.services import comments as comment_service
from modelreg.services import lifecycle as lifecycle_service
from modelreg.services import webhook_sends
from modelreg.services import webhooks as webhook_service
from modelreg.settings import Settings
from modelreg.storage import Storage
from tests.support.accounts import Accounts
from tests.support.authz import (
    ALLOWED,
    Outcome,
    Principal,
    World,
    files_url,
    gid,
    graphql_outcome,
    post_graphql,
    rest_outcome,
    same_shape,
    snapshot,
    subscribe_first,
)

HIDDEN_PATH = "hush-vault"
HIDDEN_MODEL = "hush-model"
GHOST_PK = 987654
GHOST_PATH = "no-such-project"
GHOST_MODEL = "no-such-model"


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(create_schema(Settings()).as_str())


def _fields(schema: GraphQLSchema, kind: str) -> set[str]:
    root = getattr(schema, f"{kind}_type")
    assert isinstance(root, GraphQLObjectType)
    return set(root.fields)


# ----------------------------------------------------------------------------- the world


@dataclass(frozen=True)
class Ids:
    """Global IDs (and names) of the hidden objects, or of objects that do not exist."""

    project: str
    model: str
    v_none: str
    v_staging: str
    v_production: str
    request: str
    comment: str
    token: str
    webhook: str
    delivery: str
    project_path: str = HIDDEN_PATH
    model_name: str = HIDDEN_MODEL


GHOST = Ids(
    project=gid("Project", GHOST_PK),
    model=gid("RegisteredModel", GHOST_PK),
    v_none=gid("ModelVersion", GHOST_PK),
    v_staging=gid("ModelVersion", GHOST_PK + 1),
    v_production=gid("ModelVersion", GHOST_PK + 2),
    request=gid("TransitionRequest", GHOST_PK),
    comment=gid("Comment", GHOST_PK),
    token=gid("PersonalAccessToken", GHOST_PK),
    webhook=gid("Webhook", GHOST_PK),
    delivery=gid("WebhookDelivery", GHOST_PK),
    project_path=GHOST_PATH,
    model_name=GHOST_MODEL,
)


@dataclass
class Setup:
    world: World
    ids: Ids
    http: httpx.AsyncClient
    app: Starlette
    db: Database


@pytest.fixture
async def setup(
    app: Starlette, db: Database, accounts: Accounts, anon_http: httpx.AsyncClient
) -> Setup:
    storage: Storage = app.state.storage
    world = await World.build(db, storage, accounts)
    owner = Actor(name="owner", user_id=world.user_ids["owner"])
    async with db.begin() as session:
        project = await world.project(session, HIDDEN_PATH, Visibility.PRIVATE)
        model = await world.model(session, project, HIDDEN_MODEL, tags=[("team", "hush")])
        v_none = await world.version(
            session, model, "1.0.0", files=("weights.bin",), tags=[("env", "hush")]
        )
        v_staging = await world.version(session, model, "1.1.0", stage=Stage.STAGING)
        v_production = await world.version(session, model, "2.0.0", stage=Stage.PRODUCTION)
        assert v_none.id is not None and v_production.id is not None
        request = await lifecycle_service.request_transition(
            session, actor=owner, version_id=v_none.id, stage=Stage.STAGING
        )
        await lifecycle_service.set_alias(
            session, actor=owner, version_id=v_production.id, alias="champion"
        )
        comment = await comment_service.add_comment(
            session, actor=owner, version_id=v_none.id, body="hush, hush"
        )
        token = (
            await session.exec(
                select(PersonalAccessToken).where(
                    col(PersonalAccessToken.user_id) == world.user_ids["owner"]
                )
            )
        ).first()
        assert token is not None
        hook = await webhook_service.create_webhook(
            session, actor=owner, project_id=project.id, url="https://hush.example/", events=["*"]
        )
        assert hook.webhook.id is not None
        delivery = await webhook_sends.send_test(session, actor=owner, webhook_id=hook.webhook.id)
    ids = Ids(
        project=gid("Project", project.id),
        model=gid("RegisteredModel", model.id),
        v_none=gid("ModelVersion", v_none.id),
        v_staging=gid("ModelVersion", v_staging.id),
        v_production=gid("ModelVersion", v_production.id),
        request=gid("TransitionRequest", request.id),
        comment=gid("Comment", comment.id),
        token=gid("PersonalAccessToken", token.id),
        webhook=gid("Webhook", hook.webhook.id),
        delivery=gid("WebhookDelivery", delivery.id),
    )
    return Setup(world, ids, anon_http, app, db)


# ----------------------------------------------------------------------------- mutations

# How each kind of mutation must answer an anonymous caller and a signed-in outsider.
HIDDEN = "hidden"  # in the private project: NOT_FOUND to both, exactly as for a missing object
ADMIN_ONLY = "admin"  # instance administration: UNAUTHENTICATED / PERMISSION_DENIED
OWN_ACCOUNT = "own"  # the caller's own account: UNAUTHENTICATED when anonymous
ANYONE = "anyone"  # login, logout


@dataclass(frozen=True)
class MutationSpec:
    kind: str
    build: Callable[[Ids], dict[str, Any]] | None  # the `input`; None: no arguments
    # What the outsider gets, when it is not the kind's rule (None: not called as outsider).
    outsider: str | None = "default"


def _tag(key: str) -> list[dict[str, str]]:
    return [{"key": key, "value": "intruder"}]


MUTATIONS: dict[str, MutationSpec] = {
    # Allow-listed: anyone may sign in or out.
    "login": MutationSpec(ANYONE, lambda i: {"username": "owner", "password": "not the password"}),
    "logout": MutationSpec(ANYONE, None),
    # The caller's own account only.
    "createPersonalAccessToken": MutationSpec(
        OWN_ACCOUNT, lambda i: {"name": "intruder", "scopes": ["API"]}, outsider=None
    ),
    # Someone else's token: as hidden as a token that does not exist.
    "revokePersonalAccessToken": MutationSpec(
        OWN_ACCOUNT, lambda i: {"id": i.token}, outsider=HIDDEN
    ),
    "changePassword": MutationSpec(
        OWN_ACCOUNT,
        lambda i: {"currentPassword": "not the password", "newPassword": "a long new password"},
        outsider=None,
    ),
    "createProject": MutationSpec(OWN_ACCOUNT, lambda i: {"path": "intruder"}, outsider=None),
    # Instance administration.
    "createUser": MutationSpec(ADMIN_ONLY, lambda i: {"username": "mallory", "isAdmin": True}),
    "resetUserPassword": MutationSpec(
        ADMIN_ONLY, lambda i: {"username": "owner", "password": "a password mallory knows"}
    ),
    # Everything in a project.
    "addProjectMember": MutationSpec(
        HIDDEN, lambda i: {"projectId": i.project, "username": "outsider", "role": "OWNER"}
    ),
    "updateProjectMember": MutationSpec(
        HIDDEN, lambda i: {"projectId": i.project, "username": "guest", "role": "OWNER"}
    ),
    "removeProjectMember": MutationSpec(
        HIDDEN, lambda i: {"projectId": i.project, "username": "owner"}
    ),
    "updateProject": MutationSpec(HIDDEN, lambda i: {"id": i.project, "visibility": "PUBLIC"}),
    "deleteProject": MutationSpec(HIDDEN, lambda i: {"id": i.project}),
    "createModel": MutationSpec(HIDDEN, lambda i: {"projectId": i.project, "name": "intruder"}),
    "updateModel": MutationSpec(HIDDEN, lambda i: {"id": i.model, "description": "pwned"}),
    "deleteModel": MutationSpec(HIDDEN, lambda i: {"id": i.model}),
    "setModelTags": MutationSpec(HIDDEN, lambda i: {"id": i.model, "tags": _tag("team")}),
    "deleteModelTags": MutationSpec(HIDDEN, lambda i: {"id": i.model, "keys": ["team"]}),
    "createVersion": MutationSpec(HIDDEN, lambda i: {"modelId": i.model, "version": "9.0.0"}),
    "updateVersion": MutationSpec(HIDDEN, lambda i: {"id": i.v_none, "description": "pwned"}),
    "deleteVersion": MutationSpec(HIDDEN, lambda i: {"id": i.v_none}),
    "setVersionTags": MutationSpec(HIDDEN, lambda i: {"id": i.v_none, "tags": _tag("env")}),
    "deleteVersionTags": MutationSpec(HIDDEN, lambda i: {"id": i.v_none, "keys": ["env"]}),
    "deleteFiles": MutationSpec(
        HIDDEN, lambda i: {"versionId": i.v_none, "paths": ["weights.bin"]}
    ),
    "transitionStage": MutationSpec(
        HIDDEN, lambda i: {"versionId": i.v_staging, "stage": "PRODUCTION"}
    ),
    "requestTransition": MutationSpec(
        HIDDEN, lambda i: {"versionId": i.v_none, "stage": "PRODUCTION"}
    ),
    "approveTransitionRequest": MutationSpec(HIDDEN, lambda i: {"id": i.request}),
    "rejectTransitionRequest": MutationSpec(HIDDEN, lambda i: {"id": i.request}),
    "cancelTransitionRequest": MutationSpec(HIDDEN, lambda i: {"id": i.request}),
    "setAlias": MutationSpec(HIDDEN, lambda i: {"versionId": i.v_none, "alias": "champion"}),
    "deleteAlias": MutationSpec(HIDDEN, lambda i: {"modelId": i.model, "alias": "champion"}),
    "addComment": MutationSpec(HIDDEN, lambda i: {"versionId": i.v_none, "body": "boo"}),
    "recordDeployment": MutationSpec(
        HIDDEN,
        lambda i: {
            "versionId": i.v_none,
            "state": "STARTED",
            "endpoint": "http://evil.example:5001",
            "reference": "hush/model@champion",
            "instance": "0" * 32,
        },
    ),
    "editComment": MutationSpec(HIDDEN, lambda i: {"id": i.comment, "body": "pwned"}),
    "deleteComment": MutationSpec(HIDDEN, lambda i: {"id": i.comment}),
    "createWebhook": MutationSpec(
        HIDDEN, lambda i: {"projectId": i.project, "url": "https://evil.example/", "events": ["*"]}
    ),
    "updateWebhook": MutationSpec(HIDDEN, lambda i: {"id": i.webhook, "status": "DISABLED"}),
    "deleteWebhook": MutationSpec(HIDDEN, lambda i: {"id": i.webhook}),
    "rotateWebhookSecret": MutationSpec(HIDDEN, lambda i: {"id": i.webhook}),
    "sendTestWebhook": MutationSpec(HIDDEN, lambda i: {"id": i.webhook}),
    "redeliverWebhookDelivery": MutationSpec(HIDDEN, lambda i: {"id": i.delivery}),
    "replayEvents": MutationSpec(HIDDEN, lambda i: {"webhookId": i.webhook, "fromEventId": 1}),
    # E-mail notifications: the caller's own settings, and follows and levels in a project.
    "setEmail": MutationSpec(OWN_ACCOUNT, lambda i: {"email": "x@example.org"}, outsider=None),
    "updateNotificationSettings": MutationSpec(
        OWN_ACCOUNT, lambda i: {"level": "ALL"}, outsider=None
    ),
    "setModelNotificationLevel": MutationSpec(
        HIDDEN, lambda i: {"modelId": i.model, "level": "ALL"}
    ),
    "followVersion": MutationSpec(HIDDEN, lambda i: {"versionId": i.v_none}),
    "unfollowVersion": MutationSpec(HIDDEN, lambda i: {"versionId": i.v_none}),
}

CALLERS = {"expired": "EXPIRED", "anonymous": "ANONYMOUS", "outsider": "OUTSIDER"}


@dataclass(frozen=True)
class KnownBug:
    reason: str
    cells: tuple[tuple[str, str], ...]  # (mutation, caller)


# Policy bugs found by these tests and not fixed yet: their (mutation, caller) cells are left out
# of `test_mutations_are_behind_the_policy` and tested by `test_known_policy_bug`, expected to
# fail (strict: once fixed it passes, which fails the run until the entry is removed here).
KNOWN_BUGS: dict[str, KnownBug] = {}
KNOWN_CELLS = {cell for bug in KNOWN_BUGS.values() for cell in bug.cells}


def _document(schema: GraphQLSchema, name: str) -> str:
    mutation = schema.mutation_type
    assert mutation is not None
    args = mutation.fields[name].args
    selection = "errors { code field message }"
    if not args:
        return f"mutation {{ {name} {{ __typename {selection} }} }}"
    return f"mutation($input: {args['input'].type}) {{ {name}(input: $input) {{ {selection} }} }}"


async def _mutate(
    setup: Setup, schema: GraphQLSchema, name: str, principal: Principal, ids: Ids
) -> Outcome:
    spec = MUTATIONS[name]
    variables = {"input": spec.build(ids)} if spec.build is not None else {}
    response = await post_graphql(setup.http, principal, _document(schema, name), variables)
    return graphql_outcome(response, name)


def _hidden_problem(outcome: Outcome, ghost: Outcome) -> str | None:
    if outcome.code != "NOT_FOUND":
        return f"answered {outcome}, not NOT_FOUND"
    if (outcome.field, same_shape(outcome.message)) != (ghost.field, same_shape(ghost.message)):
        return f"can tell the hidden object from a missing one: {outcome} vs {ghost}"
    if "hush" in outcome.message:
        return f"learns about the hidden project: {outcome}"
    return None


def _expected_code(name: str, who: str) -> str | None:
    """The code a caller must get, when it is not the hidden-object rule (None: that rule)."""
    spec = MUTATIONS[name]
    if who == "expired":
        return "UNAUTHENTICATED"  # a bad token is refused before anything runs
    if who == "anonymous":
        if spec.kind == HIDDEN:
            return None
        if name == "logout":
            return "ALLOW"  # without a session: a no-op
        return "UNAUTHENTICATED"  # login: the wrong password; the others: sign in first
    if spec.kind == HIDDEN or spec.outsider == HIDDEN:
        return None
    if name == "login":
        return "UNAUTHENTICATED"
    return "PERMISSION_DENIED" if spec.kind == ADMIN_ONLY else "ALLOW"


@dataclass
class Baseline:
    """The database as it was; `changed` says whether it is different now (and moves on)."""

    db: Database
    rows: dict[str, list[Any]] | None = None

    async def changed(self) -> bool:
        # Failed sign-ins are recorded (for the rate limit) whoever asks: not a change of data.
        now = await snapshot(self.db, skip=frozenset({"login_failure"}))
        before, self.rows = self.rows, now
        return before is not None and before != now


async def _caller_problems(setup: Setup, schema: GraphQLSchema, name: str, who: str) -> list[str]:
    """What is wrong with `name` called by `who` on the hidden objects (and on missing ones)."""
    spec = MUTATIONS[name]
    if who == "outsider" and spec.outsider is None:
        return []
    principal = setup.world.principals[CALLERS[who]]
    problems = []
    code = _expected_code(name, who)
    if code is None:
        ghost = await _mutate(setup, schema, name, principal, GHOST)
        outcome = await _mutate(setup, schema, name, principal, setup.ids)
        problem = _hidden_problem(outcome, ghost)
    else:
        outcome = await _mutate(setup, schema, name, principal, setup.ids)
        problem = None if outcome.code == code else f"answered {outcome}, not {code}"
        if who == "expired" and outcome.status != 401:
            problem = f"answered {outcome} with HTTP {outcome.status}, not 401"
    if problem:
        problems.append(f"{name} as {who}: {problem}")
    return problems


def test_every_entry_point_has_an_entry(schema: GraphQLSchema, app: Starlette) -> None:
    assert _fields(schema, "mutation") == set(MUTATIONS)
    assert _fields(schema, "subscription") == set(SUBSCRIPTIONS)
    assert _fields(schema, "query") == set(QUERIES)
    node = schema.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    assert {t.name for t in schema.get_possible_types(node)} == set(NODE_TYPES)
    assert _routes(app) == {(path, method) for method, path in REST_ROUTES} | OTHER_ROUTES
    for name, who in KNOWN_CELLS:
        assert name in MUTATIONS and who in CALLERS
    assert sorted(n for names in MUTATION_GROUPS.values() for n in names) == sorted(MUTATIONS)


MUTATION_GROUPS = {
    "project": [name for name, spec in MUTATIONS.items() if spec.kind == HIDDEN],
    "account": [name for name, spec in MUTATIONS.items() if spec.kind != HIDDEN],
}


@pytest.mark.parametrize("group", list(MUTATION_GROUPS))
async def test_mutations_are_behind_the_policy(
    setup: Setup, schema: GraphQLSchema, group: str
) -> None:
    problems = []
    baseline = Baseline(setup.db)
    await baseline.changed()
    for name in MUTATION_GROUPS[group]:
        callers = [who for who in CALLERS if (name, who) not in KNOWN_CELLS]
        for who in callers:
            problems += await _caller_problems(setup, schema, name, who)
        if await baseline.changed():
            problems.append(f"{name} changed data (called as {', '.join(callers)})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "bug",
    [
        pytest.param(bug, marks=pytest.mark.xfail(strict=True, reason=known.reason))
        for bug, known in KNOWN_BUGS.items()
    ]
    or [pytest.param("", marks=pytest.mark.skip(reason="no known policy bug"))],
)
async def test_known_policy_bug(setup: Setup, schema: GraphQLSchema, bug: str) -> None:
    problems = []
    baseline = Baseline(setup.db)
    await baseline.changed()
    for name, who in KNOWN_BUGS[bug].cells:
        problems += await _caller_problems(setup, schema, name, who)
        if await baseline.changed():
            problems.append(f"{name} as {who} changed data")
    assert not problems, "\n".join(problems)


async def test_anonymous_cannot_create_a_project_but_anyone_signed_in_can(
    setup: Setup, schema: GraphQLSchema
) -> None:
    outsider = setup.world.principals["OUTSIDER"]
    outcome = await _mutate(setup, schema, "createProject", outsider, setup.ids)
    assert outcome == ALLOWED
    response = await post_graphql(
        setup.http, outsider, '{ project(path: "intruder") { viewerRole visibility } }'
    )
    assert response.json()["data"]["project"] == {"viewerRole": "OWNER", "visibility": "PRIVATE"}


# ----------------------------------------------------------------------------- subscriptions

SUBSCRIPTIONS: dict[str, tuple[str, Callable[[Ids], dict[str, Any]]]] = {
    "modelEvents": (
        "subscription($p: String!, $m: String!, $after: ID) {"
        " modelEvents(projectPath: $p, modelName: $m, after: $after) { id type } }",
        lambda i: {"p": i.project_path, "m": i.model_name},
    ),
    "projectEvents": (
        "subscription($p: String!, $after: ID) {"
        " projectEvents(projectPath: $p, after: $after) { id type } }",
        lambda i: {"p": i.project_path},
    ),
}


async def test_subscriptions_are_behind_the_policy(setup: Setup) -> None:
    before = await snapshot(setup.db)
    for name in SUBSCRIPTIONS:
        await _check_subscription(setup, name)
    assert await snapshot(setup.db) == before


async def _check_subscription(setup: Setup, name: str) -> None:
    query, build = SUBSCRIPTIONS[name]
    principals = setup.world.principals
    # From the first event on: a caller who gets in receives the project's history at once.
    since_start = {"after": gid("Event", 0)}
    for who in ("ANONYMOUS", "OUTSIDER"):
        ghost = await subscribe_first(setup.app, principals[who], query, build(GHOST))
        assert ghost.code == "NOT_FOUND", ghost
        outcome = await subscribe_first(
            setup.app, principals[who], query, build(setup.ids) | since_start
        )
        assert outcome.code == "NOT_FOUND", f"{name} as {who}: {outcome}"
        assert (outcome.field, same_shape(outcome.message)) == (
            ghost.field,
            same_shape(ghost.message),
        ), f"{name} as {who}: {outcome} vs {ghost}"
    for who in ("EXPIRED", "REVOKED"):
        outcome = await subscribe_first(
            setup.app, principals[who], query, build(setup.ids) | since_start
        )
        assert outcome.code == "UNAUTHENTICATED", f"{name} as {who}: {outcome}"
    # Members get in (the check is on who asks, not on the operation).
    outcome = await subscribe_first(
        setup.app, principals["GUEST"], query, build(setup.ids) | since_start
    )
    assert outcome == ALLOWED, f"{name} as a member: {outcome}"


# ----------------------------------------------------------------------------- queries

NODE_TYPES = {
    "Project": lambda i: i.project,
    "RegisteredModel": lambda i: i.model,
    "ModelVersion": lambda i: i.v_none,
    "Webhook": lambda i: i.webhook,
}
# Nodes only MAINTAINERs see (a guest gets null, as outsiders do).
MAINTAINER_NODES = {"Webhook"}

# Root query fields: how each treats the hidden project.
QUERIES = (
    "viewer",
    "users",
    "node",
    "project",
    "projects",
    "compareVersions",
    "webhookTopics",
    "deploymentRecordsEnabled",  # a server setting: the same answer for everyone
    "inbox",
    "inboxCount",
)


async def test_hidden_objects_are_null_to_outsiders(setup: Setup) -> None:
    principals = setup.world.principals
    for who in ("ANONYMOUS", "OUTSIDER"):
        principal = principals[who]
        for type_name, pick in NODE_TYPES.items():
            response = await post_graphql(
                setup.http,
                principal,
                "query($id: ID!) { node(id: $id) { id } }",
                {"id": pick(setup.ids)},
            )
            assert response.json() == {"data": {"node": None}}, (who, type_name)
        response = await post_graphql(
            setup.http,
            principal,
            "query($p: String!) { project(path: $p) { id } "
            "projects(first: 100) { totalCount edges { node { path } } } }",
            {"p": HIDDEN_PATH},
        )
        data = response.json()["data"]
        assert data["project"] is None
        assert HIDDEN_PATH not in [e["node"]["path"] for e in data["projects"]["edges"]]
        assert data["projects"]["totalCount"] == 0
    # The same objects, seen by their members.
    guest = principals["GUEST"]
    for type_name, pick in NODE_TYPES.items():
        if type_name in MAINTAINER_NODES:
            continue
        response = await post_graphql(
            setup.http, guest, "query($id: ID!) { node(id: $id) { id } }", {"id": pick(setup.ids)}
        )
        assert response.json()["data"]["node"] == {"id": pick(setup.ids)}, type_name


async def test_compare_versions_hides_the_model(setup: Setup) -> None:
    """A model the caller may not read compares exactly like a model that does not exist."""
    query = (
        'query($m: ID!) { compareVersions(model: $m, versions: ["1.0.0", "1.1.0"])'
        " { versions { version } params { key } } }"
    )
    principals = setup.world.principals
    before = await snapshot(setup.db)
    for who in ("ANONYMOUS", "OUTSIDER"):
        ghost = graphql_outcome(
            await post_graphql(setup.http, principals[who], query, {"m": GHOST.model})
        )
        outcome = graphql_outcome(
            await post_graphql(setup.http, principals[who], query, {"m": setup.ids.model})
        )
        assert _hidden_problem(outcome, ghost) is None, (who, outcome, ghost)
    for who in ("EXPIRED", "REVOKED"):
        response = await post_graphql(setup.http, principals[who], query, {"m": setup.ids.model})
        assert graphql_outcome(response).code == "UNAUTHENTICATED", who
    response = await post_graphql(setup.http, principals["GUEST"], query, {"m": setup.ids.model})
    assert response.json()["data"]["compareVersions"]["versions"] == [
        {"version": "1.0.0"},
        {"version": "1.1.0"},
    ]
    assert await snapshot(setup.db) == before


async def test_viewer_and_users_need_a_sign_in(setup: Setup) -> None:
    anonymous = setup.world.principals["ANONYMOUS"]
    response = await post_graphql(
        setup.http, anonymous, "{ viewer { user { username } personalAccessTokens { id } } }"
    )
    assert response.json() == {"data": {"viewer": {"user": None, "personalAccessTokens": []}}}
    response = await post_graphql(setup.http, anonymous, "{ users { username } }")
    assert graphql_outcome(response).code == "UNAUTHENTICATED"
    for who in ("EXPIRED", "REVOKED"):
        response = await post_graphql(
            setup.http, setup.world.principals[who], "{ viewer { user { username } } }"
        )
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


INBOX = (
    "{ inboxCount inbox { toApprove { totalCount edges { node { id } } } "
    "ownRequests { totalCount edges { node { id } } } } }"
)


async def test_the_inbox_shows_the_hidden_request_only_to_members_who_may_act(
    setup: Setup,
) -> None:
    """The hidden project's pending request (owner's, to Staging) is in no one else's inbox but
    its approvers'; a guest or reporter has nothing to approve; a bad token must sign in."""
    principals = setup.world.principals
    found: dict[str, tuple[int, list[str], list[str]]] = {}
    for who in ("ANONYMOUS", "OUTSIDER", "READ_API", "GUEST", "REPORTER", "DEVELOPER", "OWNER"):
        response = await post_graphql(setup.http, principals[who], INBOX)
        data = response.json()["data"]
        found[who] = (
            data["inboxCount"],
            [e["node"]["id"] for e in data["inbox"]["toApprove"]["edges"]],
            [e["node"]["id"] for e in data["inbox"]["ownRequests"]["edges"]],
        )
    nothing: tuple[int, list[str], list[str]] = (0, [], [])
    for who in ("ANONYMOUS", "OUTSIDER", "READ_API", "GUEST", "REPORTER"):
        assert found[who] == nothing, who
    assert found["DEVELOPER"] == (1, [setup.ids.request], [])
    assert found["OWNER"] == (0, [], [setup.ids.request])
    for who in ("EXPIRED", "REVOKED"):
        response = await post_graphql(setup.http, principals[who], INBOX)
        assert response.status_code == 401, who


# ----------------------------------------------------------------------------- REST

REST_ROUTES = (
    ("GET", "/api/v1/projects/{project}/models/{model}/versions/{version}/files/{path:path}"),
    ("HEAD", "/api/v1/projects/{project}/models/{model}/versions/{version}/files/{path:path}"),
    ("PUT", "/api/v1/projects/{project}/models/{model}/versions/{version}/files/{path:path}"),
    ("DELETE", "/api/v1/projects/{project}/models/{model}/versions/{version}/files/{path:path}"),
    ("GET", "/api/v1/projects/{project}/models/{model}/versions/{version}/files.zip"),
    ("HEAD", "/api/v1/projects/{project}/models/{model}/versions/{version}/files.zip"),
    ("GET", "/api/v1/projects/{project}/export"),
    ("HEAD", "/api/v1/projects/{project}/export"),
)

MLFLOW_ROUTES = ("/projects/{project}/mlflow/{rest:path}", "/projects/{project}/mlflow")

# Every other route of the app, and why it needs no entry above.
OTHER_ROUTES = {
    ("/healthz", "GET"),  # says only that the server is up
    ("/healthz", "HEAD"),
    # Counts by route template, no names (test_metrics); MODELREG_METRICS_TOKEN may guard it.
    ("/metrics", "GET"),
    ("/metrics", "HEAD"),
    ("/graphql", "GET"),  # GraphiQL, and queries: the schema walk above covers every field
    ("/graphql", "HEAD"),
    ("/graphql", "POST"),
    ("/graphql", "WEBSOCKET"),
    ("/", "GET"),  # the landing page, when no web app is built
    ("/", "HEAD"),
    ("/assets", "MOUNT"),  # the web app's static files
    # One-click unsubscribe: the signed token is the whole authority (test_mail_notifications
    # shows a tampered one refused); it can only mute mail, for the user it names.
    ("/unsubscribe/{token}", "GET"),
    ("/unsubscribe/{token}", "HEAD"),
    ("/unsubscribe/{token}", "POST"),
    # Every MLflow endpoint: `test_mlflow_endpoints_are_behind_the_policy` walks them all.
    *(
        (route, method)
        for route in MLFLOW_ROUTES
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
    ),
}


def _routes(app: Starlette) -> set[tuple[str, str]]:
    """Every route of the app as (path, method); the web app's history fallback left out."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if isinstance(route, Route):
            found |= {(route.path, method) for method in route.methods or ()}
        elif isinstance(route, WebSocketRoute):
            found.add((route.path, "WEBSOCKET"))
        elif isinstance(route, Mount):
            found.add((route.path, "MOUNT"))
        else:
            # Serves index.html or a top-level file of the built web app, for GET and HEAD only
            # (index.html also for a browser opening a link the MLflow client printed).
            assert type(route).__name__ in ("_HistoryFallback", "_MlflowLinkPage"), route
    # Which of the landing page and the web app is served depends on the settings.
    return found | {("/", "GET"), ("/", "HEAD"), ("/assets", "MOUNT")}


async def test_file_routes_are_behind_the_policy(setup: Setup) -> None:
    before = await snapshot(setup.db)
    for method, route in REST_ROUTES:
        await _check_file_route(setup, method, route)
    assert await snapshot(setup.db) == before


async def _check_file_route(setup: Setup, method: str, route: str) -> None:
    principals = setup.world.principals
    zipped = route.endswith("files.zip")
    exported = route.endswith("/export")

    def url(ids: Ids) -> str:
        if exported:
            return f"/api/v1/projects/{ids.project_path}/export"
        return files_url(
            ids.project_path, ids.model_name, "1.0.0", None if zipped else "weights.bin"
        )

    async def call(principal: Principal, ids: Ids) -> httpx.Response:
        content = b"intruder" if method == "PUT" else None
        return await setup.http.request(
            method, url(ids), headers=principal.headers, content=content
        )

    for who in ("ANONYMOUS", "OUTSIDER"):
        ghost = await call(principals[who], GHOST)
        response = await call(principals[who], setup.ids)
        assert response.status_code == ghost.status_code == 404, (method, route, who, response.text)
        if method != "HEAD":
            outcome, missing = rest_outcome(response), rest_outcome(ghost)
            assert outcome.code == "NOT_FOUND"
            assert same_shape(outcome.message) == same_shape(missing.message), (outcome, missing)
    for who in ("EXPIRED", "REVOKED"):
        response = await call(principals[who], setup.ids)
        assert response.status_code == 401, (method, route, who, response.text)
        if method != "HEAD":
            assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    # Members get through (the check is on who asks, not on the route); an export needs a
    # MAINTAINER (the permissions matrix has every role).
    if method in ("GET", "HEAD"):
        response = await call(principals["GUEST"], setup.ids)
        assert response.status_code == (403 if exported else 200), (method, route, response.text)


# ----------------------------------------------------------------------------- MLflow


async def test_mlflow_endpoints_are_behind_the_policy(setup: Setup) -> None:
    """Every endpoint the MLflow route answers, on the private project: as absent as a missing
    project to anonymous callers and outsiders; a bad token is refused."""
    principals = setup.world.principals
    params = {"name": HIDDEN_MODEL, "version": "1", "alias": "champion", "key": "team"}
    endpoints = mlflow_endpoints()
    assert endpoints

    async def call(endpoint: Endpoint, principal: Principal, project: str) -> httpx.Response:
        rest = re.sub(r"\{\w+(:path)?\}", "x", endpoint.pattern)
        url = f"/projects/{project}/mlflow/{rest}"
        if endpoint.method == "GET":
            return await setup.http.get(url, params=params, headers=principal.headers)
        return await setup.http.request(
            endpoint.method, url, json=params, headers=principal.headers
        )

    before = await snapshot(setup.db)
    problems = []
    for endpoint in endpoints:
        what = f"{endpoint.method} {endpoint.pattern}"
        for who in ("ANONYMOUS", "OUTSIDER"):
            ghost = await call(endpoint, principals[who], GHOST_PATH)
            response = await call(endpoint, principals[who], HIDDEN_PATH)
            body, missing = response.json(), ghost.json()
            if response.status_code != 404 or body.get("error_code") != "RESOURCE_DOES_NOT_EXIST":
                problems.append(f"{what} as {who}: {response.status_code} {body}")
            elif same_shape(body["message"]) != same_shape(missing["message"]):
                problems.append(f"{what} as {who}: {body} vs {missing}")
        for who in ("EXPIRED", "REVOKED"):
            response = await call(endpoint, principals[who], HIDDEN_PATH)
            if response.status_code != 401:
                problems.append(f"{what} as {who}: {response.status_code} {response.text}")
    assert not problems, "\n".join(problems)
    assert await snapshot(setup.db) == before


# ----------------------------------------------------------------------------- pages


async def test_a_page_of_50_is_50_visible_projects(setup: Setup) -> None:
    """Reads are filtered in SQL: hidden projects interleaved with visible ones take no room."""
    world = setup.world
    visible: set[str] = set()
    public: set[str] = set()
    internal: set[str] = set()
    async with setup.db.begin() as session:
        for i in range(60):
            path = f"page-{i:02d}"
            if i % 12 == 5:  # 5 private projects the viewer is no member of, spread out
                await world.project(session, path, Visibility.PRIVATE)
                continue
            visible.add(path)
            if i % 3 == 0:
                public.add(path)
                await world.project(session, path, Visibility.PUBLIC, members=False)
            elif i % 3 == 1:
                internal.add(path)
                await world.project(session, path, Visibility.INTERNAL, members=False)
            else:  # private, with the viewer as its only member
                project = await world.project(session, path, Visibility.PRIVATE, members=False)
                session.add(
                    Membership(
                        project_id=project.id,
                        user_id=world.user_ids["outsider"],
                        role=Role.GUEST,
                        created_by="system",
                    )
                )
    assert len(visible) == 55
    page = (
        'query($after: String) { projects(search: "page-", first: 50, after: $after) {'
        " totalCount edges { node { path } } pageInfo { hasNextPage endCursor } } }"
    )

    async def pages(principal: Principal) -> list[dict[str, Any]]:
        found, after = [], None
        while True:
            response = await post_graphql(setup.http, principal, page, {"after": after})
            connection = response.json()["data"]["projects"]
            found.append(connection)
            if not connection["pageInfo"]["hasNextPage"]:
                return found
            after = connection["pageInfo"]["endCursor"]

    def paths(connection: dict[str, Any]) -> list[str]:
        return [e["node"]["path"] for e in connection["edges"]]

    first, second = await pages(world.principals["OUTSIDER"])
    assert len(paths(first)) == 50 and set(paths(first)) <= visible
    assert first["totalCount"] == second["totalCount"] == 55
    assert len(paths(second)) == 5 and set(paths(first) + paths(second)) == visible
    assert paths(first) + paths(second) == sorted(visible)
    # Anonymous callers see only the public ones; the instance admin sees all 60.
    [only] = await pages(world.principals["ANONYMOUS"])
    assert (set(paths(only)), only["totalCount"]) == (public, 20)
    first, second = await pages(world.principals["ADMIN"])
    assert (len(paths(first)), len(paths(second)), first["totalCount"]) == (50, 10, 60)
    # The members of the 5 private ones (and of none of the others): those and the rest.
    [only] = await pages(world.principals["GUEST"])
    hidden = {f"page-{i:02d}" for i in range(60) if i % 12 == 5}
    assert (set(paths(only)), only["totalCount"]) == (public | internal | hidden, 45)


# ----------------------------------------------------------------------------- secrets


async def test_secrets_are_shown_once_and_never_kept_or_logged(
    app: Starlette, db: Database, accounts: Accounts, caplog: pytest.LogCaptureFixture
) -> None:
    """Passwords, session cookies and tokens appear only in the one response that hands them out:
    never in a log line (at DEBUG, every logger), the event log, the database or a later answer."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    admin = {"Authorization": f"Bearer {await accounts.token('root', admin=True)}"}
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    later: list[str] = []  # every response after a secret was handed out

    async def post(
        client: httpx.AsyncClient,
        query: str,
        headers: dict[str, str] | None = None,
        **variables: Any,
    ) -> httpx.Response:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
        )
        assert response.status_code == 200, response.text
        assert not response.json().get("errors"), response.text
        return response

    def payload(response: httpx.Response, field: str) -> dict[str, Any]:
        found: dict[str, Any] = response.json()["data"][field]
        assert found.get("errors", []) == [], found
        return found

    login = (
        "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p})"
        " { user { username } errors { code message } } }"
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://modelreg.test") as browser:
        created = await post(
            browser,
            'mutation { createUser(input: {username: "carol"}) { generatedPassword'
            " user { username } errors { code } } }",
            admin,
        )
        generated = payload(created, "createUser")["generatedPassword"]
        assert generated
        signed_in = await post(browser, login, u="carol", p=generated)
        first_session = signed_in.cookies["modelreg_session"]
        csrf = signed_in.cookies["modelreg_csrf"]
        assert first_session not in signed_in.text
        new_password = "a brand new pass phrase for carol"
        changed = await post(
            browser,
            "mutation($c: String!, $n: String!) { changePassword(input:"
            " {currentPassword: $c, newPassword: $n}) { changed errors { code message } } }",
            {"X-CSRF-Token": csrf},
            c=generated,
            n=new_password,
        )
        assert payload(changed, "changePassword")["changed"] is True
        later.append(changed.text)
        signed_in = await post(browser, login, u="carol", p=new_password)
        second_session = signed_in.cookies["modelreg_session"]
        csrf = signed_in.cookies["modelreg_csrf"]
        later.append(signed_in.text)
        made = await post(
            browser,
            'mutation { createPersonalAccessToken(input: {name: "ci", scopes: [API]})'
            " { secret token { prefix } errors { code message } } }",
            {"X-CSRF-Token": csrf},
        )
        token = payload(made, "createPersonalAccessToken")["secret"]
        assert token and token.startswith(
            payload(made, "createPersonalAccessToken")["token"]["prefix"]
        )
        reset = await post(
            browser,
            'mutation { resetUserPassword(input: {username: "carol"})'
            " { generatedPassword errors { code } } }",
            admin,
        )
        reset_password = payload(reset, "resetUserPassword")["generatedPassword"]
        wrong = "wrong-password-" + reset_password[::-1]
        failed = await post(browser, login, u="carol", p=wrong)
        assert failed.json()["data"]["login"]["errors"][0]["code"] == "UNAUTHENTICATED"
        later.append(failed.text)
        signed_in = await post(browser, login, u="carol", p=reset_password)
        later.append(signed_in.text)
        third_session = signed_in.cookies["modelreg_session"]
        for headers in ({"Authorization": f"Bearer {token}"}, admin):
            looked = await post(
                browser,
                "{ viewer { user { username displayName isAdmin } tokenScopes"
                " personalAccessTokens { id name prefix scopes createdAt expiresAt lastUsedAt"
                " revokedAt active } } users { id username displayName isAdmin createdAt } }",
                headers,
            )
            later.append(looked.text)
        later.append((await browser.get("/graphql", headers={"Accept": "text/html"})).text)

    secrets = {
        "generated password": generated,
        "new password": new_password,
        "reset password": reset_password,
        "wrong password": wrong,
        "token": token,
        "admin token": admin["Authorization"].removeprefix("Bearer "),
        "first session": first_session,
        "second session": second_session,
        "third session": third_session,
    }
    logged = caplog.text
    assert caplog.records, "nothing was logged: the capture is not working"
    async with db.read() as session:
        events = list(await session.exec(select(Event)))
    assert {"user.created", "user.token_created", "user.password_changed"} <= {
        e.type for e in events
    }
    stored = json.dumps(await snapshot(db), default=str)
    event_log = json.dumps([[e.type, e.actor, e.payload] for e in events], default=str)
    for what, secret in secrets.items():
        assert secret not in logged, f"the {what} was logged"
        assert secret not in event_log, f"the {what} is in the event log"
        assert secret not in stored, f"the {what} is stored in the database"
        for text in later:
            assert secret not in text, f"the {what} was shown again"
