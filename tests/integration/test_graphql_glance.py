"""Which version is where, at a glance, and page numbers for the models table:
`RegisteredModel.stageVersions` (batched: a page of 50 models costs what a page of 5 does) and
`Project.models(offset:)`."""

from __future__ import annotations

from typing import Any

from modelreg.db import Database
from tests.support.graphql import GraphQLClient
from tests.support.registry import ERRORS, create_model, create_project, create_version
from tests.support.sql import assert_does_not_grow, count_statements

TRANSITION = f"""
mutation($input: TransitionStageInput!) {{
  transitionStage(input: $input) {{ modelVersion {{ stage }} {ERRORS} }}
}}"""

STAGES_PAGE = """
query($first: Int!) {
  project(path: "demo") {
    models(first: $first, orderBy: {field: NAME, direction: ASC}) {
      edges { node { name stageVersions { version stage } } }
    }
  }
}"""

NAMES_PAGE = """
query($first: Int!, $offset: Int, $after: String) {
  project(path: "demo") {
    models(first: $first, offset: $offset, after: $after,
           orderBy: {field: NAME, direction: ASC}) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { node { name } }
    }
  }
}"""


async def _move(gql: GraphQLClient, version_id: str, stage: str) -> None:
    data = await gql.execute(TRANSITION, {"input": {"versionId": version_id, "stage": stage}})
    assert data["transitionStage"]["errors"] == [], data["transitionStage"]["errors"]


async def test_stage_versions_lists_production_then_staging_by_precedence(
    gql: GraphQLClient,
) -> None:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    ids = {
        v: (await create_version(gql, model["id"], v))["id"]
        for v in ("1.3.0", "1.4.0", "1.5.0-rc.1", "1.5.0-rc.2", "1.6.0")
    }
    await _move(gql, ids["1.3.0"], "PRODUCTION")
    await _move(gql, ids["1.4.0"], "PRODUCTION")
    await _move(gql, ids["1.5.0-rc.1"], "STAGING")
    await _move(gql, ids["1.5.0-rc.2"], "STAGING")
    await _move(gql, ids["1.6.0"], "ARCHIVED")  # neither stage: left out
    await create_model(gql, project["id"], "empty")

    data = await gql.execute(STAGES_PAGE, {"first": 10})
    nodes = {e["node"]["name"]: e["node"] for e in data["project"]["models"]["edges"]}
    assert nodes["churn"]["stageVersions"] == [
        {"version": "1.4.0", "stage": "PRODUCTION"},
        {"version": "1.3.0", "stage": "PRODUCTION"},
        {"version": "1.5.0-rc.2", "stage": "STAGING"},
        {"version": "1.5.0-rc.1", "stage": "STAGING"},
    ]
    assert nodes["empty"]["stageVersions"] == []


async def test_stage_versions_cost_one_statement_for_a_page_of_5_or_50(
    gql: GraphQLClient, db: Database
) -> None:
    project = await create_project(gql)
    for i in range(50):
        model = await create_model(gql, project["id"], f"model-{i:03d}")
        first = await create_version(gql, model["id"], "1.0.0")
        second = await create_version(gql, model["id"], "1.1.0")
        await _move(gql, first["id"], "PRODUCTION")
        await _move(gql, second["id"], "STAGING")
    await gql.execute(STAGES_PAGE, {"first": 1})  # the token, outside the count

    with count_statements(db) as five:
        small = await gql.execute(STAGES_PAGE, {"first": 5})
    with count_statements(db) as many:
        large = await gql.execute(STAGES_PAGE, {"first": 50})

    assert len(small["project"]["models"]["edges"]) == 5
    edges = large["project"]["models"]["edges"]
    assert len(edges) == 50
    assert all(
        e["node"]["stageVersions"]
        == [{"version": "1.0.0", "stage": "PRODUCTION"}, {"version": "1.1.0", "stage": "STAGING"}]
        for e in edges
    )
    # The project, the models page, the stage versions.
    assert_does_not_grow(five, many, at_most=4)


async def _names(gql: GraphQLClient, **variables: Any) -> dict[str, Any]:
    data = await gql.execute(NAMES_PAGE, variables)
    models: dict[str, Any] = data["project"]["models"]
    return models


async def test_models_offset_gives_numbered_pages(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    for i in range(7):
        await create_model(gql, project["id"], f"m{i}")

    first = await _names(gql, first=3)
    second = await _names(gql, first=3, offset=3)
    last = await _names(gql, first=3, offset=6)
    beyond = await _names(gql, first=3, offset=30)

    assert [e["node"]["name"] for e in first["edges"]] == ["m0", "m1", "m2"]
    assert [e["node"]["name"] for e in second["edges"]] == ["m3", "m4", "m5"]
    assert second["pageInfo"]["hasPreviousPage"] and second["pageInfo"]["hasNextPage"]
    assert [e["node"]["name"] for e in last["edges"]] == ["m6"]
    assert not last["pageInfo"]["hasNextPage"]
    assert beyond["edges"] == [] and beyond["totalCount"] == 7
    # An offset counts from the cursor when both are given.
    after = await _names(gql, first=2, after=first["pageInfo"]["endCursor"], offset=1)
    assert [e["node"]["name"] for e in after["edges"]] == ["m4", "m5"]


async def test_a_negative_offset_is_invalid_argument(gql: GraphQLClient) -> None:
    await create_project(gql)
    errors = await gql.errors(NAMES_PAGE, {"first": 3, "offset": -1})
    assert errors[0]["extensions"]["code"] == "INVALID_ARGUMENT"
    assert "offset" in errors[0]["message"]
