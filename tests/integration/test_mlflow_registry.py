"""MLflow's registry REST protocol at /projects/<path>/mlflow, driven over HTTP (the wire shapes
the MLflow client reads); the real client is exercised in test_mlflow_client.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.graphql import GraphQLClient
from tests.support.registry import create_project

API = "/projects/demo/mlflow/api/2.0/mlflow"


class Mlflow:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, status: int = 200
    ) -> dict[str, Any]:
        if method == "GET":
            response = await self.http.get(f"{API}/{path}", params=body or {})
        else:
            response = await self.http.request(method, f"{API}/{path}", json=body or {})
        assert response.status_code == status, response.text
        found: dict[str, Any] = response.json()
        return found


@pytest.fixture
async def mlflow(gql: GraphQLClient, http: httpx.AsyncClient) -> Mlflow:
    await create_project(gql)
    return Mlflow(http)


async def test_registered_model_lifecycle(mlflow: Mlflow) -> None:
    created = await mlflow.call(
        "POST",
        "registered-models/create",
        {"name": "churn", "description": "Predicts churn", "tags": [{"key": "team", "value": "g"}]},
    )
    model = created["registered_model"]
    assert model["name"] == "churn" and model["description"] == "Predicts churn"
    assert model["tags"] == [{"key": "team", "value": "g"}]
    assert isinstance(model["creation_timestamp"], int)

    duplicate = await mlflow.call("POST", "registered-models/create", {"name": "churn"}, 400)
    assert duplicate["error_code"] == "RESOURCE_ALREADY_EXISTS"

    await mlflow.call("PATCH", "registered-models/update", {"name": "churn", "description": "new"})
    await mlflow.call(
        "POST", "registered-models/set-tag", {"name": "churn", "key": "k", "value": "v"}
    )
    await mlflow.call("DELETE", "registered-models/delete-tag", {"name": "churn", "key": "team"})
    renamed = await mlflow.call(
        "POST", "registered-models/rename", {"name": "churn", "new_name": "churn2"}
    )
    assert renamed["registered_model"]["name"] == "churn2"
    got = (await mlflow.call("GET", "registered-models/get", {"name": "churn2"}))[
        "registered_model"
    ]
    assert got["description"] == "new" and got["tags"] == [{"key": "k", "value": "v"}]

    missing = await mlflow.call("GET", "registered-models/get", {"name": "churn"}, 404)
    assert missing == {
        "error_code": "RESOURCE_DOES_NOT_EXIST",
        "message": "Registered Model with name=churn not found",
    }
    assert await mlflow.call("DELETE", "registered-models/delete", {"name": "churn2"}) == {}
    await mlflow.call("GET", "registered-models/get", {"name": "churn2"}, 404)


async def test_versions_are_numbered_and_get_the_next_patch_semver(mlflow: Mlflow) -> None:
    await mlflow.call("POST", "registered-models/create", {"name": "churn"})
    first = (
        await mlflow.call(
            "POST", "model-versions/create", {"name": "churn", "source": "s3://bucket/model"}
        )
    )["model_version"]
    assert first["version"] == "1" and first["status"] == "READY"
    assert first["aliases"] == ["1.0.0"]
    assert {"key": "modelreg.version", "value": "1.0.0"} in first["tags"]
    assert first["current_stage"] == "None" and first["source"] == "s3://bucket/model"

    chosen = (
        await mlflow.call(
            "POST",
            "model-versions/create",
            {
                "name": "churn",
                "source": "s3://bucket/model2",
                "tags": [
                    {"key": "modelreg.version", "value": "2.0.0-rc.1"},
                    {"key": "modelreg.commit", "value": "abc123"},
                ],
            },
        )
    )["model_version"]
    assert chosen["version"] == "2" and chosen["aliases"] == ["2.0.0-rc.1"]
    third = (await mlflow.call("POST", "model-versions/create", {"name": "churn"}))["model_version"]
    # The next patch after the latest release (1.0.0), not after the prerelease.
    assert third["version"] == "3" and third["aliases"] == ["1.0.1"]

    bad = await mlflow.call(
        "POST",
        "model-versions/create",
        {"name": "churn", "tags": [{"key": "modelreg.version", "value": "v3.0.0"}]},
        400,
    )
    assert bad["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "Drop the leading 'v'" in bad["message"]
    nope = await mlflow.call("POST", "model-versions/create", {"name": "nope"}, 404)
    assert nope["error_code"] == "RESOURCE_DOES_NOT_EXIST"


async def test_stages_aliases_latest_versions_and_download_uri(mlflow: Mlflow) -> None:
    await mlflow.call("POST", "registered-models/create", {"name": "churn"})
    for _ in range(3):
        await mlflow.call("POST", "model-versions/create", {"name": "churn"})
    for number in ("1", "2"):
        await mlflow.call(
            "POST",
            "model-versions/transition-stage",
            {"name": "churn", "version": number, "stage": "production"},
        )
    moved = await mlflow.call(
        "POST",
        "model-versions/transition-stage",
        {
            "name": "churn",
            "version": "3",
            "stage": "Production",
            "archive_existing_versions": True,
        },
    )
    assert moved["model_version"]["current_stage"] == "Production"
    latest = await mlflow.call("POST", "registered-models/get-latest-versions", {"name": "churn"})
    stages = {v["version"]: v["current_stage"] for v in latest["model_versions"]}
    assert stages == {"2": "Archived", "3": "Production"}
    only = await mlflow.call(
        "POST", "registered-models/get-latest-versions", {"name": "churn", "stages": ["Archived"]}
    )
    assert [v["version"] for v in only["model_versions"]] == ["2"]

    await mlflow.call(
        "POST", "registered-models/alias", {"name": "churn", "alias": "champion", "version": "3"}
    )
    by_alias = await mlflow.call(
        "GET", "registered-models/alias", {"name": "churn", "alias": "champion"}
    )
    assert by_alias["model_version"]["version"] == "3"
    assert by_alias["model_version"]["aliases"] == ["1.0.2", "champion"]
    by_semver = await mlflow.call(
        "GET", "registered-models/alias", {"name": "churn", "alias": "1.0.1"}
    )
    assert by_semver["model_version"]["version"] == "2"
    model = (await mlflow.call("GET", "registered-models/get", {"name": "churn"}))[
        "registered_model"
    ]
    assert model["aliases"] == [{"alias": "champion", "version": "3"}]
    assert {v["version"] for v in model["latest_versions"]} == {"2", "3"}
    await mlflow.call("DELETE", "registered-models/alias", {"name": "churn", "alias": "champion"})
    gone = await mlflow.call(
        "GET", "registered-models/alias", {"name": "churn", "alias": "champion"}, 404
    )
    assert gone["error_code"] == "RESOURCE_DOES_NOT_EXIST"

    uri = await mlflow.call(
        "GET", "model-versions/get-download-uri", {"name": "churn", "version": "1"}
    )
    assert uri["artifact_uri"].startswith("mlflow-artifacts:/_registry/")

    blocked = await mlflow.call(
        "DELETE", "model-versions/delete", {"name": "churn", "version": "3"}, 400
    )
    assert blocked["error_code"] == "INVALID_STATE"
    bad_stage = await mlflow.call(
        "POST",
        "model-versions/transition-stage",
        {"name": "churn", "version": "1", "stage": "Prod"},
        400,
    )
    assert "Invalid model version stage 'Prod'" in bad_stage["message"]
    bad_number = await mlflow.call(
        "GET", "model-versions/get", {"name": "churn", "version": "1.0.0"}, 400
    )
    assert "must be an integer" in bad_number["message"]


async def test_version_tags_update_and_delete(mlflow: Mlflow) -> None:
    await mlflow.call("POST", "registered-models/create", {"name": "churn"})
    await mlflow.call("POST", "model-versions/create", {"name": "churn"})
    await mlflow.call(
        "POST",
        "model-versions/set-tag",
        {"name": "churn", "version": "1", "key": "a", "value": "b"},
    )
    await mlflow.call(
        "PATCH", "model-versions/update", {"name": "churn", "version": "1", "description": "d"}
    )
    got = (await mlflow.call("GET", "model-versions/get", {"name": "churn", "version": "1"}))[
        "model_version"
    ]
    assert got["description"] == "d"
    assert {"key": "a", "value": "b"} in got["tags"]
    await mlflow.call(
        "DELETE", "model-versions/delete-tag", {"name": "churn", "version": "1", "key": "a"}
    )
    await mlflow.call("DELETE", "model-versions/delete", {"name": "churn", "version": "1"})
    await mlflow.call("GET", "model-versions/get", {"name": "churn", "version": "1"}, 404)


async def test_search_with_filters_order_and_pages(mlflow: Mlflow) -> None:
    for i in range(7):
        await mlflow.call(
            "POST",
            "registered-models/create",
            {"name": f"model-{i}", "tags": [{"key": "team", "value": "a" if i % 2 else "b"}]},
        )
        await mlflow.call(
            "POST", "model-versions/create", {"name": f"model-{i}", "run_id": f"run{i % 3}"}
        )
    seen: list[str] = []
    token: str | None = None
    while True:
        page = await mlflow.call(
            "GET",
            "registered-models/search",
            {"max_results": 3, "order_by": "name DESC", **({"page_token": token} if token else {})},
        )
        seen += [m["name"] for m in page["registered_models"]]
        token = page.get("next_page_token")
        if not token:
            break
    assert seen == [f"model-{i}" for i in reversed(range(7))]
    filtered = await mlflow.call(
        "GET",
        "registered-models/search",
        {"filter": "tags.team = 'a' AND name LIKE 'model-%'"},
    )
    assert [m["name"] for m in filtered["registered_models"]] == ["model-1", "model-3", "model-5"]
    versions = await mlflow.call(
        "GET", "model-versions/search", {"filter": "run_id = 'run1' OR name = 'model-0'"}
    )
    assert sorted(v["name"] for v in versions["model_versions"]) == [
        "model-0",
        "model-1",
        "model-4",
    ]
    in_list = await mlflow.call(
        "GET", "model-versions/search", {"filter": "name IN ('model-2', 'model-3')"}
    )
    assert sorted(v["name"] for v in in_list["model_versions"]) == ["model-2", "model-3"]
    bad = await mlflow.call("GET", "registered-models/search", {"filter": "name = model"}, 400)
    assert bad["error_code"] == "INVALID_PARAMETER_VALUE"
    bad_order = await mlflow.call("GET", "registered-models/search", {"order_by": "size DESC"}, 400)
    assert "Invalid order by key 'size DESC'" in bad_order["message"]


async def test_permissions_and_unknown_endpoints(
    mlflow: Mlflow, gql: GraphQLClient, anon_http: httpx.AsyncClient
) -> None:
    await mlflow.call("POST", "registered-models/create", {"name": "churn"})
    hidden = await anon_http.get(f"{API}/registered-models/get", params={"name": "churn"})
    assert hidden.status_code == 404
    assert hidden.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert "No project has the path 'demo'" in hidden.json()["message"]

    assert gql.accounts is not None
    token = await gql.accounts.token("reader", scopes=("read_api",))
    project = (await gql.execute('{ project(path: "demo") { id } }'))["project"]
    await gql.execute(
        """mutation($p: ID!) { addProjectMember(input: {projectId: $p, username: "reader",
             role: MAINTAINER}) { errors { message } } }""",
        {"p": project["id"]},
    )
    headers = {"Authorization": f"Bearer {token}"}
    read = await anon_http.get(
        f"{API}/registered-models/get", params={"name": "churn"}, headers=headers
    )
    assert read.status_code == 200
    write = await anon_http.post(
        f"{API}/registered-models/create", json={"name": "x"}, headers=headers
    )
    assert write.status_code == 403
    assert write.json()["error_code"] == "PERMISSION_DENIED"
    basic = await anon_http.get(
        f"{API}/registered-models/get", params={"name": "churn"}, auth=("reader", token)
    )
    assert basic.status_code == 200
    wrong = await anon_http.get(
        f"{API}/registered-models/get", params={"name": "churn"}, auth=("reader", "mrt_wrong")
    )
    assert wrong.status_code == 401
    assert wrong.json()["error_code"] == "UNAUTHENTICATED"

    unknown = await mlflow.http.get(f"{API}/no-such-thing")
    assert unknown.status_code == 404
    assert unknown.json()["error_code"] == "ENDPOINT_NOT_FOUND"
    not_json = await mlflow.http.post(f"{API}/registered-models/create", content=b"{nope")
    assert not_json.status_code == 400
    assert not_json.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    missing = await mlflow.call("POST", "registered-models/create", {}, 400)
    assert missing["message"] == "Missing value for required parameter 'name'."
