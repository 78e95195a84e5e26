"""The inbox over GraphQL: who sees which pending requests, across projects, at a constant cost."""

from __future__ import annotations

from typing import Any

import pytest

from modelreg.db import Database
from tests.support.graphql import GraphQLClient
from tests.support.registry import ERRORS, create_model, create_project, create_version
from tests.support.sql import assert_does_not_grow, count_statements

INBOX = """
query($first: Int, $after: String) {
  inboxCount
  inbox {
    toApprove(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { requester targetStage comment availableActions createdAt
        version { version stage model { name project { path } } } } }
    }
    ownRequests {
      totalCount
      edges { node { requester targetStage comment availableActions
        version { version model { name project { path } } } } }
    }
  }
}"""

ADD_MEMBER = f"""
mutation($input: ProjectMemberInput!) {{ addProjectMember(input: $input) {{ {ERRORS} }} }}"""

REMOVE_MEMBER = f"""
mutation($input: RemoveProjectMemberInput!) {{
  removeProjectMember(input: $input) {{ {ERRORS} }}
}}"""

REQUEST = f"""
mutation($input: RequestTransitionInput!) {{
  requestTransition(input: $input) {{ transitionRequest {{ id }} {ERRORS} }}
}}"""

TRANSITION = f"""
mutation($input: TransitionStageInput!) {{
  transitionStage(input: $input) {{ modelVersion {{ stage }} {ERRORS} }}
}}"""

APPROVE = f"""
mutation($input: ApproveTransitionRequestInput!) {{
  approveTransitionRequest(input: $input) {{ transitionRequest {{ status }} {ERRORS} }}
}}"""

REJECT = f"""
mutation($input: ResolveTransitionRequestInput!) {{
  rejectTransitionRequest(input: $input) {{ transitionRequest {{ status }} {ERRORS} }}
}}"""

CANCEL = f"""
mutation($input: ResolveTransitionRequestInput!) {{
  cancelTransitionRequest(input: $input) {{ transitionRequest {{ status }} {ERRORS} }}
}}"""

MODELS = """
query($path: String!) {
  project(path: $path) { models(first: 50) { edges { node { name pendingRequestCount
    pendingRequests { requester targetStage version { version } } } } } }
}"""


async def _ok(gql: GraphQLClient, document: str, **input: Any) -> dict[str, Any]:
    data = await gql.execute(document, {"input": input})
    (payload,) = data.values()
    assert payload["errors"] == [], payload["errors"]
    found: dict[str, Any] = payload
    return found


class World:
    """Projects made by the admin, with members by role; versions by `path/model@version`."""

    def __init__(self, gql: GraphQLClient) -> None:
        self.gql = gql
        self.projects: dict[str, str] = {}
        self.versions: dict[str, str] = {}

    def user(self, name: str) -> GraphQLClient:
        return self.gql.as_actor(name, admin=False)

    async def project(self, path: str, members: dict[str, str], **fields: Any) -> None:
        self.projects[path] = (await create_project(self.gql, path, **fields))["id"]
        assert self.gql.accounts is not None
        for username, role in members.items():
            await self.gql.accounts.user(username)
            await _ok(
                self.gql, ADD_MEMBER, projectId=self.projects[path], username=username, role=role
            )

    async def version(self, path: str, model: str, version: str) -> str:
        found = await self.gql.execute(
            f'{{ project(path: "{path}") {{ model(name: "{model}") {{ id }} }} }}'
        )
        existing = found["project"]["model"]
        model_id = (
            existing["id"]
            if existing
            else (await create_model(self.gql, self.projects[path], model))["id"]
        )
        created: str = (await create_version(self.gql, model_id, version))["id"]
        self.versions[f"{path}/{model}@{version}"] = created
        return created

    async def request(self, who: str, key: str, stage: str, comment: str = "") -> str:
        payload = await _ok(
            self.user(who), REQUEST, versionId=self.versions[key], stage=stage, comment=comment
        )
        request_id: str = payload["transitionRequest"]["id"]
        return request_id


async def _inbox(gql: GraphQLClient, **variables: Any) -> dict[str, Any]:
    data = await gql.execute(INBOX, variables)
    return data


def _listed(connection: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (
            e["node"]["version"]["model"]["project"]["path"],
            e["node"]["version"]["version"],
            e["node"]["targetStage"],
        )
        for e in connection["edges"]
    ]


@pytest.fixture
async def world(gql: GraphQLClient) -> World:
    """Two projects: mia maintains both, dev develops in both, rita reports in both and asks,
    gus is a guest in `vision`."""
    found = World(gql)
    roles = {"mia": "MAINTAINER", "dev": "DEVELOPER", "rita": "REPORTER"}
    await found.project("churn", roles)
    await found.project("vision", {**roles, "gus": "GUEST"})
    for key in ("churn/clf@1.0.0", "churn/clf@2.0.0", "vision/det@1.0.0", "vision/det@2.0.0"):
        path, rest = key.split("/")
        model, version = rest.split("@")
        await found.version(path, model, version)
    return found


async def test_an_approver_sees_requests_across_projects_and_a_reader_does_not(
    world: World,
) -> None:
    # given rita's requests in two projects
    await world.request("rita", "churn/clf@1.0.0", "STAGING", comment="AUC +2%")
    await world.request("rita", "vision/det@1.0.0", "STAGING", comment="new backbone")

    # then mia and dev each have both to approve, with what the page shows
    for approver in ("mia", "dev"):
        inbox = await _inbox(world.user(approver))
        assert inbox["inboxCount"] == 2
        to_approve = inbox["inbox"]["toApprove"]
        assert to_approve["totalCount"] == 2
        assert _listed(to_approve) == [
            ("churn", "1.0.0", "STAGING"),
            ("vision", "1.0.0", "STAGING"),
        ]
        first = to_approve["edges"][0]["node"]
        assert (first["requester"], first["comment"]) == ("rita", "AUC +2%")
        assert first["availableActions"] == ["APPROVE", "REJECT"]
        assert inbox["inbox"]["ownRequests"]["edges"] == []
    # a guest and the requester herself have nothing to approve
    for reader in ("gus", "rita"):
        inbox = await _inbox(world.user(reader))
        assert inbox["inboxCount"] == 0
        assert inbox["inbox"]["toApprove"]["edges"] == []
    # rita finds them as her own, with the cancel action
    own = (await _inbox(world.user("rita")))["inbox"]["ownRequests"]
    assert own["totalCount"] == 2
    assert _listed(own) == [("churn", "1.0.0", "STAGING"), ("vision", "1.0.0", "STAGING")]
    assert own["edges"][0]["node"]["availableActions"] == ["CANCEL"]


async def test_a_request_involving_production_is_only_for_those_who_may_approve_it(
    world: World,
) -> None:
    # given a request to Production, and one out of Production (2.0.0 serves there)
    await world.request("rita", "churn/clf@1.0.0", "PRODUCTION")
    await _ok(
        world.user("mia"),
        TRANSITION,
        versionId=world.versions["vision/det@2.0.0"],
        stage="PRODUCTION",
    )
    await world.request("rita", "vision/det@2.0.0", "STAGING")
    await world.request("rita", "vision/det@1.0.0", "STAGING")

    mia = await _inbox(world.user("mia"))
    dev = await _inbox(world.user("dev"))

    assert _listed(mia["inbox"]["toApprove"]) == [
        ("churn", "1.0.0", "PRODUCTION"),
        ("vision", "2.0.0", "STAGING"),
        ("vision", "1.0.0", "STAGING"),
    ]
    # a developer may approve only the move between None and Staging
    assert _listed(dev["inbox"]["toApprove"]) == [("vision", "1.0.0", "STAGING")]
    assert (mia["inboxCount"], dev["inboxCount"]) == (3, 1)


async def test_resolved_requests_vanish(world: World) -> None:
    approved = await world.request("rita", "churn/clf@1.0.0", "STAGING")
    rejected = await world.request("rita", "churn/clf@2.0.0", "STAGING")
    cancelled = await world.request("rita", "vision/det@1.0.0", "STAGING")
    await world.request("rita", "vision/det@2.0.0", "STAGING")

    await _ok(world.user("mia"), APPROVE, id=approved, comment="ship it")
    await _ok(world.user("dev"), REJECT, id=rejected, comment="needs a holdout set")
    await _ok(world.user("rita"), CANCEL, id=cancelled)

    left = [("vision", "2.0.0", "STAGING")]
    mia = await _inbox(world.user("mia"))
    assert (_listed(mia["inbox"]["toApprove"]), mia["inboxCount"]) == (left, 1)
    rita = await _inbox(world.user("rita"))
    assert _listed(rita["inbox"]["ownRequests"]) == left


async def test_own_requests_vanish_with_access_to_a_private_project(world: World) -> None:
    await world.request("rita", "churn/clf@1.0.0", "STAGING")
    await world.request("rita", "vision/det@1.0.0", "STAGING")

    await _ok(world.gql, REMOVE_MEMBER, projectId=world.projects["vision"], username="rita")

    own = (await _inbox(world.user("rita")))["inbox"]["ownRequests"]
    assert _listed(own) == [("churn", "1.0.0", "STAGING")]
    assert own["totalCount"] == 1


async def test_signed_out_or_read_only_nothing_to_approve(
    world: World, anon_gql: GraphQLClient
) -> None:
    await world.request("rita", "churn/clf@1.0.0", "STAGING")
    assert world.gql.accounts is not None
    token = await world.gql.accounts.token("mia", scopes=("read_api",))
    read_only = world.gql.with_headers({"Authorization": f"Bearer {token}"})

    for viewer in (anon_gql, read_only):
        inbox = await _inbox(viewer)
        assert inbox["inboxCount"] == 0
        assert inbox["inbox"]["toApprove"] == {
            "totalCount": 0,
            "pageInfo": {"hasNextPage": False, "endCursor": None},
            "edges": [],
        }
    assert (await _inbox(anon_gql))["inbox"]["ownRequests"]["edges"] == []
    # the same maintainer with an api token has it to approve
    assert (await _inbox(world.user("mia")))["inboxCount"] == 1


async def test_the_inbox_pages_with_a_cursor(world: World) -> None:
    for key in world.versions:
        await world.request("rita", key, "STAGING")

    first = (await _inbox(world.user("mia"), first=3))["inbox"]["toApprove"]
    rest = (await _inbox(world.user("mia"), first=3, after=first["pageInfo"]["endCursor"]))[
        "inbox"
    ]["toApprove"]

    assert first["pageInfo"]["hasNextPage"] is True
    assert rest["pageInfo"]["hasNextPage"] is False
    assert [*_listed(first), *_listed(rest)] == [
        ("churn", "1.0.0", "STAGING"),
        ("churn", "2.0.0", "STAGING"),
        ("vision", "1.0.0", "STAGING"),
        ("vision", "2.0.0", "STAGING"),
    ]
    assert first["totalCount"] == rest["totalCount"] == 4


async def test_the_models_table_shows_pending_requests(world: World) -> None:
    await world.version("churn", "reg", "1.0.0")
    await world.request("rita", "churn/clf@1.0.0", "STAGING")
    await world.request("rita", "churn/clf@2.0.0", "PRODUCTION")

    data = await world.user("gus").execute(MODELS, {"path": "vision"})
    assert [e["node"]["pendingRequestCount"] for e in data["project"]["models"]["edges"]] == [0]
    data = await world.user("dev").execute(MODELS, {"path": "churn"})
    by_name = {e["node"]["name"]: e["node"] for e in data["project"]["models"]["edges"]}
    assert by_name["reg"]["pendingRequestCount"] == 0
    assert by_name["clf"]["pendingRequestCount"] == 2
    assert by_name["clf"]["pendingRequests"] == [
        {"requester": "rita", "targetStage": "STAGING", "version": {"version": "1.0.0"}},
        {"requester": "rita", "targetStage": "PRODUCTION", "version": {"version": "2.0.0"}},
    ]


async def _many_projects(gql: GraphQLClient, count: int, start: int = 0) -> None:
    world = World(gql)
    for i in range(start, start + count):
        path = f"p{i:02d}"
        await world.project(path, {"mia": "MAINTAINER", "rita": "REPORTER"})
        for model in ("a", "b"):
            await world.version(path, model, "1.0.0")
            await world.request("rita", f"{path}/{model}@1.0.0", "PRODUCTION")


async def test_the_inbox_costs_the_same_for_2_or_12_projects(
    gql: GraphQLClient, db: Database
) -> None:
    mia = gql.as_actor("mia", admin=False)
    await _many_projects(gql, 2)
    await _inbox(mia)  # the token, outside the count
    with count_statements(db) as two:
        small = await _inbox(mia, first=50)
    await _many_projects(gql, 10, start=2)
    with count_statements(db) as twelve:
        large = await _inbox(mia, first=50)

    assert small["inboxCount"] == 4
    assert large["inboxCount"] == 24
    assert len(large["inbox"]["toApprove"]["edges"]) == 24
    # The token; count; page and count of each list; versions, models, projects; roles (for
    # each request's actions).
    assert_does_not_grow(two, twelve, at_most=12)


async def test_a_models_table_with_pending_requests_costs_the_same_for_2_or_12_models(
    gql: GraphQLClient, db: Database
) -> None:
    world = World(gql)
    await world.project("churn", {"rita": "REPORTER"})
    for i in range(12):
        await world.version("churn", f"m{i:02d}", "1.0.0")
        await world.request("rita", f"churn/m{i:02d}@1.0.0", "STAGING")
    page = """query($first: Int!) { project(path: "churn") { models(first: $first) {
      edges { node { name pendingRequestCount pendingRequests { requester } } } } } }"""
    await gql.execute(page, {"first": 1})

    with count_statements(db) as two:
        small = await gql.execute(page, {"first": 2})
    with count_statements(db) as twelve:
        large = await gql.execute(page, {"first": 12})

    assert [e["node"]["pendingRequestCount"] for e in large["project"]["models"]["edges"]] == [
        1
    ] * 12
    assert len(small["project"]["models"]["edges"]) == 2
    assert_does_not_grow(two, twelve, at_most=6)
