"""Equal sort keys in MLflow's registry searches, on SQLite and PostgreSQL: versions and models
whose timestamps are the same go as MLflow's server orders them (a version: by its model's name
ascending, then its number descending; a model: by name ascending), page after page. The
timestamps are made equal in the database: a real server never writes two at the same instant
on purpose. The real client's view of these orders is in test_mlflow_client_copy_search.py."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa

from modelreg.db import Database
from modelreg.db.models import ModelVersion, RegisteredModel
from tests.support.graphql import GraphQLClient
from tests.support.mlflow_rest import API, mlflow_ok
from tests.support.registry import create_project

SAME_TIME = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
async def tied(gql: GraphQLClient, http: httpx.AsyncClient, db: Database) -> httpx.AsyncClient:
    """Models `tie-c`, `tie-a`, `tie-b` (created in that order) with two versions each, every
    model and version created and updated at `SAME_TIME`."""
    await create_project(gql)
    for name in ("tie-c", "tie-a", "tie-b"):
        await mlflow_ok(http, "POST", "registered-models/create", {"name": name})
        for _ in range(2):
            await mlflow_ok(
                http, "POST", "model-versions/create", {"name": name, "source": "s3://b/m"}
            )
    async with db.begin() as session:
        for table in (ModelVersion, RegisteredModel):
            await session.exec(sa.update(table).values(created_at=SAME_TIME, updated_at=SAME_TIME))  # type: ignore[call-overload]
    return http


async def _versions(http: httpx.AsyncClient, order_by: list[str], page: int) -> list[str]:
    found, token = [], None
    while True:
        body = await mlflow_ok(
            http,
            "GET",
            "model-versions/search",
            {"order_by": order_by, "max_results": page, **({"page_token": token} if token else {})},
        )
        found += [f"{v['name'][-1]}{v['version']}" for v in body.get("model_versions", [])]
        token = body.get("next_page_token")
        if not token:
            return found


@pytest.mark.parametrize(
    "order_by",
    [
        [],
        ["last_updated_timestamp DESC"],
        ["last_updated_timestamp ASC"],
        ["creation_timestamp DESC"],
        ["timestamp ASC"],
    ],
)
async def test_versions_with_equal_timestamps_go_by_name_then_highest_number(
    tied: httpx.AsyncClient, order_by: list[str]
) -> None:
    expected = ["a2", "a1", "b2", "b1", "c2", "c1"]
    assert await _versions(tied, order_by, page=100) == expected
    for size in (1, 4):
        assert await _versions(tied, order_by, page=size) == expected


async def test_a_named_tie_break_replaces_mlflows(tied: httpx.AsyncClient) -> None:
    by_number = ["a1", "a2", "b1", "b2", "c1", "c2"]
    assert await _versions(tied, ["last_updated_timestamp", "version_number ASC"], 4) == [
        "a1",
        "b1",
        "c1",
        "a2",
        "b2",
        "c2",
    ]
    assert await _versions(tied, ["name", "version_number ASC"], 1) == by_number
    assert await _versions(tied, ["name DESC", "last_updated_timestamp"], 5) == [
        "c2",
        "c1",
        "b2",
        "b1",
        "a2",
        "a1",
    ]


@pytest.mark.parametrize("order_by", [["timestamp DESC"], ["last_updated_timestamp ASC"]])
async def test_models_with_equal_timestamps_go_by_name(
    tied: httpx.AsyncClient, order_by: list[str]
) -> None:
    found, token = [], None
    while True:
        body = await mlflow_ok(
            tied,
            "GET",
            "registered-models/search",
            {"order_by": order_by, "max_results": 1, **({"page_token": token} if token else {})},
        )
        found += [m["name"] for m in body["registered_models"]]
        token = body.get("next_page_token")
        if not token:
            break
    assert found == ["tie-a", "tie-b", "tie-c"]


async def test_a_page_token_of_another_order_is_an_invalid_parameter(
    tied: httpx.AsyncClient,
) -> None:
    """Not a 500 (PostgreSQL) nor a page of the wrong rows (SQLite)."""
    for made_by, used_with in (
        (["version_number"], [["name"], [], ["creation_timestamp"]]),
        (["name DESC"], [["version_number"]]),
    ):
        first = {"order_by": made_by, "max_results": 1}
        token = (await mlflow_ok(tied, "GET", "model-versions/search", first))["next_page_token"]
        for order_by in used_with:
            response = await tied.get(
                f"{API}/model-versions/search", params={"order_by": order_by, "page_token": token}
            )
            assert response.status_code == 400, response.text
            assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
