"""An MLflow model search renders its page from Core rows: no ORM object is built for the page's
models or their latest versions (a page of 1,000 models would build thousands), and the answer is
the same, with tags, aliases and the latest version of each stage, on every page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import sqlalchemy as sa

from modelreg.db.models import ModelVersion, RegisteredModel
from tests.support.graphql import GraphQLClient
from tests.support.mlflow_rest import mlflow_ok
from tests.support.registry import create_project


@contextmanager
def orm_loads() -> Iterator[list[str]]:
    """The models and versions the ORM builds from rows while the block runs."""
    loaded: list[str] = []

    def on_load(target: Any, context: Any) -> None:
        loaded.append(type(target).__name__)

    for mapped in (RegisteredModel, ModelVersion):
        sa.event.listen(mapped, "load", on_load)
    try:
        yield loaded
    finally:
        for mapped in (RegisteredModel, ModelVersion):
            sa.event.remove(mapped, "load", on_load)


async def test_a_search_page_builds_no_orm_objects(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await create_project(gql)
    for n in range(3):
        name = f"m{n}"
        await mlflow_ok(http, "POST", "registered-models/create", {"name": name})
        await mlflow_ok(
            http,
            "POST",
            "registered-models/set-tag",
            {"name": name, "key": "team", "value": f"t{n % 2}"},
        )
        for _ in range(2):
            await mlflow_ok(
                http, "POST", "model-versions/create", {"name": name, "source": "s3://b/m"}
            )
    await mlflow_ok(
        http,
        "POST",
        "model-versions/transition-stage",
        {"name": "m1", "version": "1", "stage": "Production"},
    )
    await mlflow_ok(
        http, "POST", "registered-models/alias", {"name": "m1", "version": "1", "alias": "champion"}
    )

    with orm_loads() as loaded:
        first = await mlflow_ok(
            http,
            "GET",
            "registered-models/search",
            {"max_results": 2, "filter": "tags.team = 't1'"},
        )
        everything = await mlflow_ok(http, "GET", "registered-models/search", {"max_results": 2})
        rest = await mlflow_ok(
            http,
            "GET",
            "registered-models/search",
            {"max_results": 2, "page_token": everything["next_page_token"]},
        )
    assert loaded == []

    assert [m["name"] for m in first["registered_models"]] == ["m1"]
    assert [m["name"] for m in everything["registered_models"] + rest["registered_models"]] == [
        "m0",
        "m1",
        "m2",
    ]
    m1 = first["registered_models"][0]
    assert m1["tags"] == [{"key": "team", "value": "t1"}]
    assert m1["aliases"] == [{"alias": "champion", "version": "1"}]
    assert [
        (v["version"], v["current_stage"], v["aliases"][1:]) for v in m1["latest_versions"]
    ] == [
        ("1", "Production", ["champion"]),
        ("2", "None", []),
    ]
    assert all(isinstance(v["creation_timestamp"], int) for v in m1["latest_versions"])
