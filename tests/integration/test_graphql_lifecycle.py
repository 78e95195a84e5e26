"""Lifecycle over GraphQL, with two distinct actors (alice requests, bob approves)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from modelreg.db import Database
from modelreg.settings import Settings
from tests.support.graphql import GraphQLClient
from tests.support.registry import ERRORS, create_model, create_project, create_version
from tests.support.sql import assert_does_not_grow, count_statements

REQUEST = (
    "transitionRequest { id status targetStage requester resolver archiveExisting "
    "availableActions }"
)

TRANSITION = f"""
mutation($input: TransitionStageInput!) {{
  transitionStage(input: $input) {{ modelVersion {{ version stage }} {ERRORS} }}
}}"""

REQUEST_TRANSITION = f"""
mutation($input: RequestTransitionInput!) {{
  requestTransition(input: $input) {{ {REQUEST} {ERRORS} }}
}}"""

APPROVE = f"""
mutation($input: ApproveTransitionRequestInput!) {{
  approveTransitionRequest(input: $input) {{ {REQUEST} {ERRORS} }}
}}"""

REJECT = f"""
mutation($input: ResolveTransitionRequestInput!) {{
  rejectTransitionRequest(input: $input) {{ {REQUEST} {ERRORS} }}
}}"""

CANCEL = f"""
mutation($input: ResolveTransitionRequestInput!) {{
  cancelTransitionRequest(input: $input) {{ {REQUEST} {ERRORS} }}
}}"""

SET_ALIAS = f"""
mutation($input: SetAliasInput!) {{
  setAlias(input: $input) {{ modelAlias {{ alias version {{ version aliases }} }} {ERRORS} }}
}}"""

DELETE_ALIAS = f"""
mutation($input: DeleteAliasInput!) {{
  deleteAlias(input: $input) {{ modelAlias {{ alias version {{ version }} }} {ERRORS} }}
}}"""

ADD_COMMENT = f"""
mutation($input: AddCommentInput!) {{
  addComment(input: $input) {{ comment {{ id author body edited }} {ERRORS} }}
}}"""

EDIT_COMMENT = f"""
mutation($input: EditCommentInput!) {{
  editComment(input: $input) {{ comment {{ id author body edited }} {ERRORS} }}
}}"""

DELETE_COMMENT = f"""
mutation($input: DeleteCommentInput!) {{
  deleteComment(input: $input) {{ deletedId {ERRORS} }}
}}"""

DELETE_VERSION = f"""
mutation($input: DeleteVersionInput!) {{ deleteVersion(input: $input) {{ deletedId {ERRORS} }} }}"""

VERSIONS = """
query {
  project(path: "demo") {
    model(name: "churn") {
      aliases { alias version { version } }
      versions(first: 50) {
        edges { node { version stage aliases
          transitionRequests(status: PENDING) { requester targetStage availableActions } } }
      }
    }
  }
}"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def alice(gql: GraphQLClient) -> GraphQLClient:
    return gql.as_actor("alice")


@pytest.fixture
def bob(gql: GraphQLClient) -> GraphQLClient:
    return gql.as_actor("bob")


async def _versions(gql: GraphQLClient, *texts: str) -> tuple[str, list[str]]:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    ids = [(await create_version(gql, model["id"], t))["id"] for t in texts]
    return model["id"], ids


async def _ok(gql: GraphQLClient, document: str, **input: Any) -> dict[str, Any]:
    data = await gql.execute(document, {"input": input})
    (payload,) = data.values()
    assert payload["errors"] == [], payload["errors"]
    result: dict[str, Any] = payload
    return result


async def _error(gql: GraphQLClient, document: str, **input: Any) -> dict[str, Any]:
    data = await gql.execute(document, {"input": input})
    (payload,) = data.values()
    (error,) = payload["errors"]
    result: dict[str, Any] = error
    return result


async def _stages(gql: GraphQLClient) -> dict[str, str]:
    data = await gql.execute(VERSIONS)
    edges = data["project"]["model"]["versions"]["edges"]
    return {e["node"]["version"]: e["node"]["stage"] for e in edges}


async def test_one_user_requests_production_and_another_approves_archiving_existing(
    alice: GraphQLClient, bob: GraphQLClient
) -> None:
    # given 1.0.0 in production, and alice's request for 2.0.0
    _, (v1, v2) = await _versions(alice, "1.0.0", "2.0.0")
    await _ok(bob, TRANSITION, versionId=v1, stage="PRODUCTION")
    requested = await _ok(
        alice, REQUEST_TRANSITION, versionId=v2, stage="PRODUCTION", comment="AUC +2%"
    )
    request = requested["transitionRequest"]
    assert (request["status"], request["requester"]) == ("PENDING", "alice")

    # the version page shows each viewer what they may do
    seen_by_alice = (await alice.execute(VERSIONS))["project"]["model"]["versions"]["edges"]
    seen_by_bob = (await bob.execute(VERSIONS))["project"]["model"]["versions"]["edges"]
    assert seen_by_alice[0]["node"]["transitionRequests"] == [
        {
            "requester": "alice",
            "targetStage": "PRODUCTION",
            "availableActions": ["APPROVE", "REJECT", "CANCEL"],
        }
    ]
    assert seen_by_bob[0]["node"]["transitionRequests"][0]["availableActions"] == [
        "APPROVE",
        "REJECT",
    ]

    # when bob approves with archiveExisting
    approved = await _ok(bob, APPROVE, id=request["id"], comment="go", archiveExisting=True)

    # then exactly one version is in production, and the request is closed
    assert approved["transitionRequest"]["status"] == "APPROVED"
    assert approved["transitionRequest"]["resolver"] == "bob"
    assert approved["transitionRequest"]["availableActions"] == []
    assert await _stages(alice) == {"2.0.0": "PRODUCTION", "1.0.0": "ARCHIVED"}


@pytest.mark.parametrize("outcome", ["reject", "cancel"])
async def test_a_rejected_or_cancelled_request_cannot_then_be_approved(
    alice: GraphQLClient, bob: GraphQLClient, outcome: str
) -> None:
    _, (v1,) = await _versions(alice, "1.0.0")
    request = (await _ok(alice, REQUEST_TRANSITION, versionId=v1, stage="STAGING"))[
        "transitionRequest"
    ]
    if outcome == "reject":
        await _ok(bob, REJECT, id=request["id"], comment="not yet")
    else:
        await _ok(alice, CANCEL, id=request["id"])

    error = await _error(bob, APPROVE, id=request["id"])

    assert error["code"] == "CONFLICT"
    assert error["field"] == "id"
    assert "so it cannot be approved" in error["message"]
    assert await _stages(alice) == {"1.0.0": "NONE"}


async def test_only_the_requester_may_cancel(alice: GraphQLClient, bob: GraphQLClient) -> None:
    _, (v1,) = await _versions(alice, "1.0.0")
    request = (await _ok(alice, REQUEST_TRANSITION, versionId=v1, stage="STAGING"))[
        "transitionRequest"
    ]

    error = await _error(bob, CANCEL, id=request["id"])

    assert error == {
        "code": "PERMISSION_DENIED",
        "field": "id",
        "message": "Only alice, who made this request, can cancel it; "
        "reject it instead if you may approve transitions.",
    }


async def test_aliases_move_resolve_and_show_on_versions(alice: GraphQLClient) -> None:
    model_id, (v1, v2) = await _versions(alice, "1.0.0", "2.0.0")
    await _ok(alice, SET_ALIAS, versionId=v1, alias="champion")
    moved = await _ok(alice, SET_ALIAS, versionId=v2, alias="champion")
    await _ok(alice, SET_ALIAS, versionId=v1, alias="prod-eu")

    assert moved["modelAlias"] == {
        "alias": "champion",
        "version": {"version": "2.0.0", "aliases": ["champion"]},
    }
    data = await alice.execute(
        """query { project(path: "demo") { model(name: "churn") {
             champion: versionByAlias(alias: "champion") { version }
             latest: versionByAlias(alias: "latest") { version }
             first: versionByAlias(alias: "v1") { version }
             missing: versionByAlias(alias: "nope") { version }
             aliases { alias version { version } }
             versions { edges { node { version aliases } } } } } }"""
    )
    model = data["project"]["model"]
    assert model["champion"] == {"version": "2.0.0"}
    assert model["latest"] == {"version": "2.0.0"}
    assert model["first"] == {"version": "1.0.0"}
    assert model["missing"] is None
    assert model["aliases"] == [
        {"alias": "champion", "version": {"version": "2.0.0"}},
        {"alias": "prod-eu", "version": {"version": "1.0.0"}},
    ]
    assert [e["node"] for e in model["versions"]["edges"]] == [
        {"version": "2.0.0", "aliases": ["champion"]},
        {"version": "1.0.0", "aliases": ["prod-eu"]},
    ]

    deleted = await _ok(alice, DELETE_ALIAS, modelId=model_id, alias="prod-eu")
    assert deleted["modelAlias"] == {"alias": "prod-eu", "version": {"version": "1.0.0"}}
    reserved = await _error(alice, SET_ALIAS, versionId=v1, alias="v2")
    assert (reserved["code"], reserved["field"]) == ("INVALID_ARGUMENT", "alias")


async def test_version_at_over_graphql(alice: GraphQLClient) -> None:
    _, (v1, v2) = await _versions(alice, "1.0.0", "2.0.0")
    before = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.01)
    await _ok(alice, TRANSITION, versionId=v1, stage="PRODUCTION")
    await asyncio.sleep(0.01)
    between = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.01)
    await _ok(alice, TRANSITION, versionId=v2, stage="PRODUCTION", archiveExisting=True)
    await asyncio.sleep(0.01)
    after = datetime.now(UTC).isoformat()

    query = """query($at: DateTime!) { project(path: "demo") { model(name: "churn") {
        versionAt(stage: PRODUCTION, at: $at) { version } } } }"""
    found = [
        [
            v["version"]
            for v in (await alice.execute(query, {"at": at}))["project"]["model"]["versionAt"]
        ]
        for at in (before, between, after)
    ]
    assert found == [[], ["1.0.0"], ["2.0.0"]]


async def test_serving_versions_cannot_be_deleted_over_graphql(alice: GraphQLClient) -> None:
    _, (v1,) = await _versions(alice, "1.2.0")
    await _ok(alice, TRANSITION, versionId=v1, stage="STAGING")

    error = await _error(alice, DELETE_VERSION, id=v1)

    assert error["code"] == "CONFLICT"
    assert error["message"] == (
        "Version 1.2.0 is in Staging; transition it to None or Archived first, "
        "then delete the version."
    )


async def test_comments_are_edited_and_deleted_only_by_their_author(
    alice: GraphQLClient, bob: GraphQLClient
) -> None:
    _, (v1,) = await _versions(alice, "1.0.0")
    comment = (await _ok(alice, ADD_COMMENT, versionId=v1, body="Looks *good*"))["comment"]
    await _ok(bob, ADD_COMMENT, versionId=v1, body="Agreed")

    thread_query = """query { project(path: "demo") { model(name: "churn") {
         versions { edges { node { comments { author viewerCanChange } } } } } } }"""
    for viewer, mine in ((alice, "alice"), (bob, "bob")):
        data = await viewer.execute(thread_query)
        seen = data["project"]["model"]["versions"]["edges"][0]["node"]["comments"]
        assert {c["author"]: c["viewerCanChange"] for c in seen} == {
            "alice": mine == "alice",
            "bob": mine == "bob",
        }

    denied = await _error(bob, EDIT_COMMENT, id=comment["id"], body="mine now")
    assert denied["code"] == "PERMISSION_DENIED"
    denied = await _error(bob, DELETE_COMMENT, id=comment["id"])
    assert denied["code"] == "PERMISSION_DENIED"

    edited = await _ok(alice, EDIT_COMMENT, id=comment["id"], body="Looks great")
    assert edited["comment"] == {
        "id": comment["id"],
        "author": "alice",
        "body": "Looks great",
        "edited": True,
    }
    await _ok(alice, DELETE_COMMENT, id=comment["id"])
    data = await bob.execute(
        """query { project(path: "demo") { model(name: "churn") {
             versions { edges { node { comments { author body edited } } } } } } }"""
    )
    thread = data["project"]["model"]["versions"]["edges"][0]["node"]["comments"]
    assert thread == [{"author": "bob", "body": "Agreed", "edited": False}]


async def test_activity_lists_events_newest_first_with_keyset_pages(
    alice: GraphQLClient, bob: GraphQLClient
) -> None:
    _, (v1,) = await _versions(alice, "1.0.0")
    request = (await _ok(alice, REQUEST_TRANSITION, versionId=v1, stage="STAGING"))[
        "transitionRequest"
    ]
    await _ok(bob, APPROVE, id=request["id"])
    await _ok(bob, ADD_COMMENT, versionId=v1, body="done")

    query = """query($first: Int, $after: String) { project(path: "demo") {
        activity(first: 100) { edges { node { type } } }
        model(name: "churn") {
          activity(first: 100) { edges { node { type actor } } }
          versions { edges { node {
            activity(first: $first, after: $after) {
              edges { node { type actor payload version { version } model { name } } }
              pageInfo { hasNextPage endCursor } } } } } } } }"""
    data = await alice.execute(query, {"first": 3})
    model = data["project"]["model"]
    page = model["versions"]["edges"][0]["node"]["activity"]
    assert [(e["node"]["type"], e["node"]["actor"]) for e in page["edges"]] == [
        ("version.comment_added", "bob"),
        ("version.stage_changed", "bob"),
        ("version.transition_approved", "bob"),
    ]
    assert page["edges"][1]["node"]["payload"]["to"] == "STAGING"
    assert page["edges"][1]["node"]["version"] == {"version": "1.0.0"}
    assert page["edges"][1]["node"]["model"] == {"name": "churn"}
    assert page["pageInfo"]["hasNextPage"] is True

    rest = await alice.execute(query, {"first": 3, "after": page["pageInfo"]["endCursor"]})
    second = rest["project"]["model"]["versions"]["edges"][0]["node"]["activity"]
    assert [e["node"]["type"] for e in second["edges"]] == [
        "version.transition_requested",
        "version.created",
    ]
    assert second["pageInfo"]["hasNextPage"] is False
    assert [e["node"]["type"] for e in model["activity"]["edges"]][-1] == "model.created"
    assert [e["node"]["type"] for e in data["project"]["activity"]["edges"]][-1] == (
        "project.created"
    )


async def test_a_page_of_versions_with_lifecycle_fields_costs_constant_sql(
    alice: GraphQLClient, db: Database
) -> None:
    _, ids = await _versions(alice, *[f"1.{i}.0" for i in range(12)])
    for i, version_id in enumerate(ids):
        await _ok(alice, SET_ALIAS, versionId=version_id, alias=f"a{i}")
        await _ok(alice, REQUEST_TRANSITION, versionId=version_id, stage="STAGING")
        await _ok(alice, ADD_COMMENT, versionId=version_id, body="hi")
    query = """query($first: Int!) { project(path: "demo") { model(name: "churn") {
        versions(first: $first) { edges { node { version stage aliases
          transitionRequests { status availableActions } comments { body } } } } } } }"""

    with count_statements(db) as small:
        few = await alice.execute(query, {"first": 2})
    with count_statements(db) as large:
        many = await alice.execute(query, {"first": 12})

    assert len(few["project"]["model"]["versions"]["edges"]) == 2
    assert len(many["project"]["model"]["versions"]["edges"]) == 12
    # The token, project, model, versions page, aliases, requests, comments, and for the
    # requests' actions the versions, their models and the viewer's role.
    assert_does_not_grow(small, large, at_most=10)
