from __future__ import annotations

from tests.support.graphql import GraphQLClient
from tests.support.registry import (
    ERRORS,
    create_model,
    create_project,
    create_version,
)

PROJECTS = """
query($search: String, $first: Int, $after: String) {
  projects(search: $search, first: $first, after: $after) {
    totalCount
    edges { node { path name visibility } }
    pageInfo { hasNextPage endCursor }
  }
}"""

UPDATE_PROJECT = f"""
mutation($input: UpdateProjectInput!) {{
  updateProject(input: $input) {{ project {{ path name description visibility }} {ERRORS} }}
}}"""

DELETE_PROJECT = f"""
mutation($input: DeleteProjectInput!) {{ deleteProject(input: $input) {{ deletedId {ERRORS} }} }}"""


async def test_create_project_defaults(gql: GraphQLClient) -> None:
    project = await create_project(gql, "fraud-detection")
    assert project["path"] == "fraud-detection"
    assert project["name"] == "fraud-detection"
    assert project["visibility"] == "PRIVATE"
    found = await gql.execute('{ project(path: "fraud-detection") { name createdBy } }')
    assert found["project"] == {"name": "fraud-detection", "createdBy": "admin"}


async def test_list_search_and_paginate_projects(gql: GraphQLClient) -> None:
    for path in ("churn", "fraud", "growth", "risk"):
        await create_project(gql, path, name=f"{path.title()} team", visibility="PUBLIC")
    data = await gql.execute(PROJECTS, {"first": 3})
    connection = data["projects"]
    assert connection["totalCount"] == 4
    assert [e["node"]["path"] for e in connection["edges"]] == ["churn", "fraud", "growth"]
    assert connection["pageInfo"]["hasNextPage"] is True
    data = await gql.execute(PROJECTS, {"first": 3, "after": connection["pageInfo"]["endCursor"]})
    assert [e["node"]["path"] for e in data["projects"]["edges"]] == ["risk"]
    assert data["projects"]["pageInfo"]["hasNextPage"] is False

    data = await gql.execute(PROJECTS, {"search": "FRAUD TEAM"})
    assert [e["node"]["name"] for e in data["projects"]["edges"]] == ["Fraud team"]
    assert data["projects"]["totalCount"] == 1


async def test_update_project(gql: GraphQLClient) -> None:
    project = await create_project(gql, "demo")
    await create_project(gql, "taken")
    data = await gql.execute(
        UPDATE_PROJECT,
        {
            "input": {
                "id": project["id"],
                "path": "renamed",
                "name": "Renamed",
                "description": "**hi**",
                "visibility": "INTERNAL",
            }
        },
    )
    assert data["updateProject"] == {
        "project": {
            "path": "renamed",
            "name": "Renamed",
            "description": "**hi**",
            "visibility": "INTERNAL",
        },
        "errors": [],
    }
    data = await gql.execute(UPDATE_PROJECT, {"input": {"id": project["id"], "path": "taken"}})
    assert data["updateProject"]["errors"][0]["code"] == "ALREADY_EXISTS"
    data = await gql.execute(UPDATE_PROJECT, {"input": {"id": project["id"], "name": "  "}})
    assert data["updateProject"]["errors"][0]["field"] == "name"


async def test_delete_project_deletes_everything_in_it(gql: GraphQLClient) -> None:
    project = await create_project(gql, "demo")
    model = await create_model(gql, project["id"], "churn")
    await create_version(gql, model["id"], "1.0.0")
    data = await gql.execute(DELETE_PROJECT, {"input": {"id": project["id"]}})
    assert data["deleteProject"] == {"deletedId": project["id"], "errors": []}
    assert (await gql.execute('{ project(path: "demo") { id } }'))["project"] is None
    node = await gql.execute(f'{{ node(id: "{model["id"]}") {{ id }} }}')
    assert node["node"] is None
    # The path is free again.
    await create_project(gql, "demo")
