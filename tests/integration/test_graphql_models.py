from __future__ import annotations

from typing import Any

from tests.support.graphql import GraphQLClient
from tests.support.registry import (
    CREATE_MODEL,
    ERRORS,
    create_model,
    create_project,
    create_version,
)

MODELS = """
query($path: String!, $search: String, $tags: [TagFilterInput!], $order: ModelOrder,
      $first: Int, $after: String) {
  project(path: $path) {
    models(search: $search, tags: $tags, orderBy: $order, first: $first, after: $after) {
      totalCount
      edges { node { name versionCount latestVersion { version } tags { key value } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

UPDATE_MODEL = f"""
mutation($input: UpdateModelInput!) {{
  updateModel(input: $input) {{ model {{ id name description }} {ERRORS} }}
}}"""

DELETE_MODEL = f"""
mutation($input: DeleteModelInput!) {{ deleteModel(input: $input) {{ deletedId {ERRORS} }} }}"""

SET_TAGS = f"""
mutation($input: SetModelTagsInput!) {{
  setModelTags(input: $input) {{ model {{ tags {{ key value }} }} {ERRORS} }}
}}"""

DELETE_TAGS = f"""
mutation($input: DeleteModelTagsInput!) {{
  deleteModelTags(input: $input) {{ model {{ tags {{ key value }} }} {ERRORS} }}
}}"""

NODE = """query($id: ID!) { node(id: $id) { __typename id ... on RegisteredModel { name } } }"""


async def _names(gql: GraphQLClient, **variables: Any) -> list[str]:
    data = await gql.execute(MODELS, {"path": "demo", **variables})
    return [e["node"]["name"] for e in data["project"]["models"]["edges"]]


async def test_create_model_with_description_and_tags(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    model = await create_model(
        gql,
        project["id"],
        "churn",
        description="# Churn\nPredicts churn.",
        tags=[{"key": "team", "value": "growth"}, {"key": "task", "value": "classification"}],
    )
    assert model["description"] == "# Churn\nPredicts churn."
    assert model["tags"] == [
        {"key": "task", "value": "classification"},
        {"key": "team", "value": "growth"},
    ]
    data = await gql.execute(NODE, {"id": model["id"]})
    assert data["node"] == {"__typename": "RegisteredModel", "id": model["id"], "name": "churn"}


async def test_search_by_name_and_filter_by_tags(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    await create_model(gql, project["id"], "churn-eu", tags=[{"key": "team", "value": "growth"}])
    await create_model(gql, project["id"], "Churn-US", tags=[{"key": "team", "value": "risk"}])
    await create_model(
        gql,
        project["id"],
        "fraud",
        tags=[{"key": "team", "value": "growth"}, {"key": "pii", "value": "yes"}],
    )
    await create_model(gql, project["id"], "a_b")
    await create_model(gql, project["id"], "axb")

    order = {"field": "NAME", "direction": "ASC"}
    assert await _names(gql, search="churn", order=order) == ["Churn-US", "churn-eu"]
    assert await _names(gql, tags=[{"key": "team", "value": "growth"}], order=order) == [
        "churn-eu",
        "fraud",
    ]
    assert await _names(gql, tags=[{"key": "pii"}], order=order) == ["fraud"]
    assert await _names(
        gql, search="EU", tags=[{"key": "team", "value": "growth"}], order=order
    ) == ["churn-eu"]
    # LIKE wildcards in the search text are taken literally.
    assert await _names(gql, search="a_") == ["a_b"]
    assert await _names(gql, search="%") == []
    assert await _names(gql, search="nothing-like-this") == []


async def test_models_sort_and_paginate(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    names = [f"model-{i:02d}" for i in range(12)]
    for name in names:
        await create_model(gql, project["id"], name)

    assert await _names(gql, first=50, order={"field": "NAME", "direction": "DESC"}) == sorted(
        names, reverse=True
    )
    assert await _names(gql, first=50, order={"field": "CREATED_AT", "direction": "ASC"}) == names
    # Default: most recently updated first.
    assert await _names(gql, first=50) == list(reversed(names))

    seen: list[str] = []
    after = None
    while True:
        data = await gql.execute(
            MODELS,
            {
                "path": "demo",
                "first": 5,
                "after": after,
                "order": {"field": "NAME", "direction": "ASC"},
            },
        )
        connection = data["project"]["models"]
        assert connection["totalCount"] == 12
        seen += [e["node"]["name"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == names


async def test_adding_a_version_moves_the_model_to_the_top(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    first = await create_model(gql, project["id"], "first")
    await create_model(gql, project["id"], "second")
    await create_version(gql, first["id"], "1.0.0")
    assert await _names(gql) == ["first", "second"]


async def test_rename_and_edit_the_model_card(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    await create_version(gql, model["id"], "1.0.0")
    data = await gql.execute(
        UPDATE_MODEL, {"input": {"id": model["id"], "name": "churn-v2", "description": "new"}}
    )
    assert data["updateModel"]["errors"] == []
    assert data["updateModel"]["model"] == {
        "id": model["id"],
        "name": "churn-v2",
        "description": "new",
    }
    assert await _names(gql) == ["churn-v2"]
    data = await gql.execute(MODELS, {"path": "demo"})
    assert data["project"]["models"]["edges"][0]["node"]["versionCount"] == 1


async def test_rename_to_an_existing_name_is_refused(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    await create_model(gql, project["id"], "a")
    b = await create_model(gql, project["id"], "b")
    data = await gql.execute(UPDATE_MODEL, {"input": {"id": b["id"], "name": "a"}})
    assert data["updateModel"]["model"] is None
    assert data["updateModel"]["errors"] == [
        {
            "code": "ALREADY_EXISTS",
            "field": "name",
            "message": "A model named 'a' already exists in this project; choose another name.",
        }
    ]


async def test_same_model_name_is_allowed_in_another_project(gql: GraphQLClient) -> None:
    one = await create_project(gql, "one")
    two = await create_project(gql, "two")
    await create_model(gql, one["id"], "churn")
    await create_model(gql, two["id"], "churn")
    data = await gql.execute(CREATE_MODEL, {"input": {"projectId": two["id"], "name": "churn"}})
    assert data["createModel"]["errors"][0]["code"] == "ALREADY_EXISTS"


async def test_delete_model_deletes_its_versions(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    version = await create_version(gql, model["id"], "1.0.0")
    data = await gql.execute(DELETE_MODEL, {"input": {"id": model["id"]}})
    assert data["deleteModel"] == {"deletedId": model["id"], "errors": []}
    assert await _names(gql) == []
    for node_id in (model["id"], version["id"]):
        assert (await gql.execute(NODE, {"id": node_id}))["node"] is None
    again = await gql.execute(DELETE_MODEL, {"input": {"id": model["id"]}})
    assert again["deleteModel"]["deletedId"] is None
    assert again["deleteModel"]["errors"][0]["code"] == "NOT_FOUND"


async def test_set_and_delete_model_tags(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn", tags=[{"key": "a", "value": "1"}])
    data = await gql.execute(
        SET_TAGS,
        {
            "input": {
                "id": model["id"],
                "tags": [{"key": "a", "value": "2"}, {"key": "b", "value": "3"}],
            }
        },
    )
    assert data["setModelTags"]["model"]["tags"] == [
        {"key": "a", "value": "2"},
        {"key": "b", "value": "3"},
    ]
    data = await gql.execute(DELETE_TAGS, {"input": {"id": model["id"], "keys": ["a"]}})
    assert data["deleteModelTags"]["model"]["tags"] == [{"key": "b", "value": "3"}]

    data = await gql.execute(DELETE_TAGS, {"input": {"id": model["id"], "keys": ["b", "zzz"]}})
    assert data["deleteModelTags"]["errors"] == [
        {
            "code": "NOT_FOUND",
            "field": "keys",
            "message": "Model 'churn' has no tag 'zzz'.",
        }
    ]
    # All or nothing: 'b' is still there.
    data = await gql.execute(MODELS, {"path": "demo"})
    assert data["project"]["models"]["edges"][0]["node"]["tags"] == [{"key": "b", "value": "3"}]
