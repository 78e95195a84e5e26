"""GraphQL documents and small helpers shared by the tests."""

from __future__ import annotations

from typing import Any

from tests.support.graphql import GraphQLClient

ERRORS = "errors { code field message }"

CREATE_PROJECT = f"""
mutation($input: CreateProjectInput!) {{
  createProject(input: $input) {{ project {{ id path name visibility }} {ERRORS} }}
}}"""

CREATE_MODEL = f"""
mutation($input: CreateModelInput!) {{
  createModel(input: $input) {{ model {{ id name description tags {{ key value }} }} {ERRORS} }}
}}"""

CREATE_VERSION = f"""
mutation($input: CreateVersionInput!) {{
  createVersion(input: $input) {{
    modelVersion {{ id version number isPrerelease tags {{ key value }} }} {ERRORS}
  }}
}}"""


async def create_project(gql: GraphQLClient, path: str = "demo", **fields: Any) -> dict[str, Any]:
    data = await gql.execute(CREATE_PROJECT, {"input": {"path": path, **fields}})
    payload = data["createProject"]
    assert payload["errors"] == [], payload["errors"]
    project: dict[str, Any] = payload["project"]
    return project


async def create_model(
    gql: GraphQLClient, project_id: str, name: str, **fields: Any
) -> dict[str, Any]:
    data = await gql.execute(
        CREATE_MODEL, {"input": {"projectId": project_id, "name": name, **fields}}
    )
    payload = data["createModel"]
    assert payload["errors"] == [], payload["errors"]
    model: dict[str, Any] = payload["model"]
    return model


async def create_version(
    gql: GraphQLClient, model_id: str, version: str, **fields: Any
) -> dict[str, Any]:
    data = await gql.execute(
        CREATE_VERSION, {"input": {"modelId": model_id, "version": version, **fields}}
    )
    payload = data["createVersion"]
    assert payload["errors"] == [], payload["errors"]
    created: dict[str, Any] = payload["modelVersion"]
    return created
