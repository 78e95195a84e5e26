"""An MLflow model search renders its page from Core rows: no ORM object is built for the page's
models or their latest versions (a page of 1,000 models would build thousands), and the answer is
the same, with tags, aliases and the latest version of each stage, on every page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session

from modelreg.db import Database
from modelreg.db.models import ModelVersion, RegisteredModel
from tests.support.graphql import GraphQLClient
from tests.support.mlflow_rest import mlflow_ok
from tests.support.registry import create_project
from tests.support.sql import count_statements


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


async def test_a_page_reads_labels_and_latest_versions_in_two_statements(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database
) -> None:
    """A model's tags and aliases come from one statement and its latest versions with their
    tags from another: a version with several tags is still shown once, its tags (and the
    model's) in key order, and each latest version is what `model-versions/get` answers."""
    await create_project(gql)
    await mlflow_ok(
        http,
        "POST",
        "registered-models/create",
        {"name": "a", "tags": [{"key": "zeta", "value": "1"}, {"key": "alpha", "value": "2"}]},
    )
    await mlflow_ok(http, "POST", "registered-models/create", {"name": "b"})
    for tags in ([{"key": "y", "value": "1"}, {"key": "b", "value": "2"}], [], []):
        await mlflow_ok(
            http, "POST", "model-versions/create", {"name": "a", "source": "s3://x", "tags": tags}
        )
    for version, stage in (("1", "Production"), ("2", "Staging")):
        await mlflow_ok(
            http,
            "POST",
            "model-versions/transition-stage",
            {"name": "a", "version": version, "stage": stage},
        )
    for alias, version in (("zed", "1"), ("ace", "3"), ("mid", "1")):
        await mlflow_ok(
            http,
            "POST",
            "registered-models/alias",
            {"name": "a", "version": version, "alias": alias},
        )

    with count_statements(db) as statements:
        page = await mlflow_ok(http, "GET", "registered-models/search", {"max_results": 10})
    labels = [s for s in statements if "model_alias" in s and "model_tag" in s]
    latest = [s for s in statements if "version_tag" in s and "max(model_version.number)" in s]
    assert len(labels) == 1 and len(latest) == 1, statements

    a, b = page["registered_models"]
    assert (a["name"], b["name"]) == ("a", "b")
    assert a["tags"] == [{"key": "alpha", "value": "2"}, {"key": "zeta", "value": "1"}]
    assert a["aliases"] == [
        {"alias": "ace", "version": "3"},
        {"alias": "mid", "version": "1"},
        {"alias": "zed", "version": "1"},
    ]
    assert [(v["version"], v["current_stage"]) for v in a["latest_versions"]] == [
        ("1", "Production"),
        ("2", "Staging"),
        ("3", "None"),
    ]
    for shown in a["latest_versions"]:
        got = await mlflow_ok(
            http, "GET", "model-versions/get", {"name": "a", "version": shown["version"]}
        )
        assert shown == got["model_version"]
    assert a["latest_versions"][0]["tags"][:2] == [
        {"key": "b", "value": "2"},
        {"key": "y", "value": "1"},
    ]
    assert a["latest_versions"][0]["aliases"][1:] == ["mid", "zed"]
    assert (b["tags"], b["aliases"], "latest_versions" in b) == ([], [], False)
    got_a = await mlflow_ok(http, "GET", "registered-models/get", {"name": "a"})
    assert got_a["registered_model"] == a


async def test_the_page_is_not_run_through_the_orm(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    """The page's statement runs on the session's connection: the ORM's execution path costs
    time per statement and builds nothing a search needs."""
    await create_project(gql)
    for name in ("a", "b", "c"):
        await mlflow_ok(http, "POST", "registered-models/create", {"name": name})
    through_orm: list[str] = []

    def on_execute(state: Any) -> None:
        through_orm.append(str(state.statement))

    sa.event.listen(Session, "do_orm_execute", on_execute)
    try:
        first = await mlflow_ok(http, "GET", "registered-models/search", {"max_results": 2})
        rest = await mlflow_ok(
            http,
            "GET",
            "registered-models/search",
            {"max_results": 2, "page_token": first["next_page_token"]},
        )
    finally:
        sa.event.remove(Session, "do_orm_execute", on_execute)
    assert [m["name"] for m in first["registered_models"] + rest["registered_models"]] == [
        "a",
        "b",
        "c",
    ]
    assert not [s for s in through_orm if "FROM registered_model" in s], through_orm
