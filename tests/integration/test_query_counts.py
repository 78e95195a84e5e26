"""The SQL statements of a page do not grow with its size: a large page sends no more than a
small one, and never more than a fixed handful."""

from __future__ import annotations

import json

import httpx

from modelreg.db import Database
from tests.support.graphql import GraphQLClient
from tests.support.registry import create_model, create_project, create_version
from tests.support.sql import assert_does_not_grow, count_statements

MODEL_PAGE = """
query($first: Int!) {
  project(path: "demo") {
    models(first: $first) {
      totalCount
      edges { node { id name versionCount latestVersion { version tags { key } }
                     tags { key value } project { path } } }
    }
  }
}"""


async def _seed(gql: GraphQLClient, models: int) -> None:
    project = await create_project(gql)
    for i in range(models):
        model = await create_model(
            gql,
            project["id"],
            f"model-{i:03d}",
            tags=[{"key": "team", "value": f"t{i % 3}"}, {"key": "idx", "value": str(i)}],
        )
        for version in ("1.0.0", "1.1.0-rc.1", "0.9.0"):
            await create_version(gql, model["id"], version, tags=[{"key": "k", "value": "v"}])


async def test_listing_models_costs_the_same_for_5_or_50(gql: GraphQLClient, db: Database) -> None:
    size = 50
    await _seed(gql, 50)

    with count_statements(db) as five:
        small = await gql.execute(MODEL_PAGE, {"first": 5})
    with count_statements(db) as many:
        large = await gql.execute(MODEL_PAGE, {"first": size})

    assert len(small["project"]["models"]["edges"]) == 5
    assert len(large["project"]["models"]["edges"]) == size
    node = large["project"]["models"]["edges"][0]["node"]
    assert node["versionCount"] == 3
    assert node["latestVersion"]["version"] == "1.0.0"
    assert len(node["tags"]) == 2
    # the token, project, models page, count, latest versions, version counts, model tags,
    # version tags; the project of each model comes from the loader's cache.
    assert_does_not_grow(five, many, at_most=8)


async def test_a_members_page_costs_no_more_statements_than_an_admins(
    gql: GraphQLClient, db: Database
) -> None:
    """Permission checks are batched too: a member's page of 50 costs what a page of 5 does,
    and the member's role is read with the project (`projects.find_project_and_role`)."""
    await _seed(gql, 50)
    project = (await gql.execute('{ project(path: "demo") { id } }'))["project"]
    added = await gql.execute(
        """mutation($p: ID!) { addProjectMember(input: {projectId: $p, username: "rita",
             role: REPORTER}) { errors { message } } }""",
        {"p": project["id"]},
    )
    assert added["addProjectMember"]["errors"] == [{"message": "No user is called 'rita'."}]
    assert gql.accounts is not None
    await gql.accounts.user("rita")
    await gql.execute(
        """mutation($p: ID!) { addProjectMember(input: {projectId: $p, username: "rita",
             role: REPORTER}) { errors { message } } }""",
        {"p": project["id"]},
    )
    rita = gql.as_actor("rita", admin=False)
    await rita.execute(MODEL_PAGE, {"first": 1})  # creates rita's token outside the count

    with count_statements(db) as five:
        small = await rita.execute(MODEL_PAGE, {"first": 5})
    with count_statements(db) as many:
        large = await rita.execute(MODEL_PAGE, {"first": 50})

    assert len(small["project"]["models"]["edges"]) == 5
    assert len(large["project"]["models"]["edges"]) == 50
    assert_does_not_grow(five, many, at_most=8)


VERSION_PAGE = """
query($first: Int!) {
  project(path: "demo") { model(name: "model-000") { versions(first: $first) { edges { node {
    version
    signature { inputs { name type } }
    dependencies { packages { name } warnings { code } }
    metadataWarnings { code }
    compatibility { verdict previousVersion requiredBump warning reasons { kind } }
  } } } } }
}"""


async def test_a_page_of_versions_with_metadata_and_verdicts_costs_the_same_for_2_or_12(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database
) -> None:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "model-000")
    for minor in range(12):
        version = f"1.{minor}.0"
        await create_version(gql, model["id"], version)
        columns = [{"name": f"c{i}", "type": "double"} for i in range(minor + 1)]
        text = f"flavors: {{sklearn: {{}}}}\nsignature:\n  inputs: '{json.dumps(columns)}'\n"
        url = f"/api/v1/projects/demo/models/model-000/versions/{version}/files"
        assert (await http.put(f"{url}/MLmodel", content=text.encode())).status_code == 201
        assert (await http.put(f"{url}/requirements.txt", content=b"numpy\n")).status_code == 201
    await gql.execute(VERSION_PAGE, {"first": 1})  # the token, outside the count

    with count_statements(db) as two:
        small = await gql.execute(VERSION_PAGE, {"first": 2})
    with count_statements(db) as twelve:
        large = await gql.execute(VERSION_PAGE, {"first": 12})

    edges = large["project"]["model"]["versions"]["edges"]
    assert len(edges) == 12 and len(small["project"]["model"]["versions"]["edges"]) == 2
    newest = edges[0]["node"]
    assert newest["version"] == "1.11.0" and len(newest["signature"]["inputs"]) == 12
    assert newest["compatibility"]["previousVersion"] == "1.10.0"
    assert newest["compatibility"]["verdict"] == "TOO_SMALL"  # a new required input
    # The token, project, model, versions page, their metadata, the previous versions and their
    # metadata (for the verdicts), the model's guard setting.
    assert_does_not_grow(two, twelve, at_most=8)
