from __future__ import annotations

import random

from tests.support.graphql import GraphQLClient
from tests.support.registry import CREATE_VERSION, create_model, create_project, create_version

SEMVER_ORDER = [
    "1.0.0",
    "1.1.0",
    "1.1.1",
    "2.0.0",
    "2.0.1-alpha1",
    "2.0.1-rc2",
    "2.1.0",
    "10.0.0",
]

VERSIONS = """
query($path: String!, $name: String!, $first: Int, $after: String, $order: VersionOrder) {
  project(path: $path) {
    model(name: $name) {
      versionCount
      latestVersion { version }
      versions(first: $first, after: $after, orderBy: $order) {
        totalCount
        edges { cursor node { version number } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}"""


async def test_versions_come_back_in_semver_order_with_the_right_latest(gql: GraphQLClient) -> None:
    # given
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    shuffled = SEMVER_ORDER[:]
    random.Random(7).shuffle(shuffled)
    for text in shuffled:
        await create_version(gql, model["id"], text)

    # when
    data = await gql.execute(VERSIONS, {"path": "demo", "name": "churn", "first": 50})

    # then
    found = data["project"]["model"]
    assert found["versionCount"] == 8
    assert found["latestVersion"]["version"] == "10.0.0"
    listed = [e["node"]["version"] for e in found["versions"]["edges"]]
    assert listed == list(reversed(SEMVER_ORDER))
    numbers = {e["node"]["version"]: e["node"]["number"] for e in found["versions"]["edges"]}
    assert numbers == {text: shuffled.index(text) + 1 for text in shuffled}


async def test_versions_paginate_with_keyset_cursors_in_ascending_order(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    for text in reversed(SEMVER_ORDER):
        await create_version(gql, model["id"], text)

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        data = await gql.execute(
            VERSIONS,
            {
                "path": "demo",
                "name": "churn",
                "first": 3,
                "after": after,
                "order": {"field": "VERSION", "direction": "ASC"},
            },
        )
        connection = data["project"]["model"]["versions"]
        assert connection["totalCount"] == 8
        seen += [e["node"]["version"] for e in connection["edges"]]
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == SEMVER_ORDER
    assert pages == 3


async def test_versions_by_last_update_and_no_order_by_model_name(gql: GraphQLClient) -> None:
    # given: three versions; the oldest one is updated last
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    made = [await create_version(gql, model["id"], text) for text in ("1.0.0", "1.1.0", "1.2.0")]
    updated = await gql.execute(
        "mutation($input: UpdateVersionInput!) "
        "{ updateVersion(input: $input) { errors { code } } }",
        {"input": {"id": made[0]["id"], "description": "updated last"}},
    )
    assert updated["updateVersion"]["errors"] == []
    variables = {"path": "demo", "name": "churn", "first": 10}

    # when
    data = await gql.execute(
        VERSIONS, {**variables, "order": {"field": "UPDATED_AT", "direction": "DESC"}}
    )
    # The model's name orders across models (MLflow's search), not one model's versions: it is
    # not a value of this enum, so a query naming it is refused as invalid, never a 500.
    refused = await gql.errors(VERSIONS, {**variables, "order": {"field": "NAME"}})

    # then
    listed = [e["node"]["version"] for e in data["project"]["model"]["versions"]["edges"]]
    assert listed == ["1.0.0", "1.2.0", "1.1.0"]
    assert "NAME" in refused[0]["message"]


async def test_latest_falls_back_to_the_highest_prerelease(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    for text in ("1.0.0-rc.1", "1.0.0-beta", "1.0.0-rc.2"):
        await create_version(gql, model["id"], text)
    data = await gql.execute(VERSIONS, {"path": "demo", "name": "churn"})
    assert data["project"]["model"]["latestVersion"]["version"] == "1.0.0-rc.2"

    await create_version(gql, model["id"], "0.9.0")
    data = await gql.execute(VERSIONS, {"path": "demo", "name": "churn"})
    assert data["project"]["model"]["latestVersion"]["version"] == "0.9.0"


async def test_model_without_versions_has_no_latest(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    await create_model(gql, project["id"], "churn")
    data = await gql.execute(VERSIONS, {"path": "demo", "name": "churn"})
    assert data["project"]["model"]["latestVersion"] is None
    assert data["project"]["model"]["versionCount"] == 0


async def test_invalid_version_strings_are_refused_with_a_field_error(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    for bad, hint in [
        ("1.0", "Did you mean '1.0.0'"),
        ("v1.2.3", "Drop the leading 'v'"),
        ("01.2.3", "without leading zeros"),
        ("", "must not be empty"),
    ]:
        data = await gql.execute(
            CREATE_VERSION, {"input": {"modelId": model["id"], "version": bad}}
        )
        payload = data["createVersion"]
        assert payload["modelVersion"] is None
        assert payload["errors"][0]["code"] == "INVALID_ARGUMENT"
        assert payload["errors"][0]["field"] == "version"
        assert hint in payload["errors"][0]["message"]
    data = await gql.execute(VERSIONS, {"path": "demo", "name": "churn"})
    assert data["project"]["model"]["versionCount"] == 0
