"""A page of models fetches its rows' versionCount, latestVersion and tags once for the page
(graphql/model_page.py): the rows hold plain values, nothing is loaded per row; a model reached
any other way loads the same fields when they are asked for."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from modelreg.db import Database
from modelreg.db.models import ModelVersion
from modelreg.graphql import model_page
from modelreg.graphql.schema import create_schema
from modelreg.settings import Settings
from tests.support.graphql import GraphQLClient
from tests.support.registry import create_model, create_project, create_version
from tests.support.sql import count_statements

ROW = "name versionCount latestVersion { version } tags { key value }"
EXPECTED = {
    "a": {"versionCount": 3, "latestVersion": {"version": "1.0.0"}, "tags": [("k", "a")]},
    "b": {"versionCount": 1, "latestVersion": {"version": "0.1.0-rc.1"}, "tags": []},
    "c": {"versionCount": 0, "latestVersion": None, "tags": [("k", "c"), ("team", "x")]},
}


async def _seed(gql: GraphQLClient) -> dict[str, str]:
    project = await create_project(gql)
    ids = {}
    for name, tags in (("a", {"k": "a"}), ("b", {}), ("c", {"team": "x", "k": "c"})):
        model = await create_model(
            gql, project["id"], name, tags=[{"key": k, "value": v} for k, v in tags.items()]
        )
        ids[name] = model["id"]
    for version in ("0.9.0", "1.0.0", "1.1.0-rc.1"):
        await create_version(gql, ids["a"], version)
    await create_version(gql, ids["b"], "0.1.0-rc.1")
    return ids


def _check(node: dict[str, Any]) -> None:
    expected = EXPECTED[node["name"]]
    assert node["versionCount"] == expected["versionCount"]
    assert node["latestVersion"] == expected["latestVersion"]
    assert [(t["key"], t["value"]) for t in node["tags"]] == expected["tags"]


@pytest.fixture
def count_deferred(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of each Deferred field value awaited (a load for one model)."""
    awaited: list[str] = []
    real = model_page.Deferred.__await__

    def counting(self: model_page.Deferred[Any]) -> Any:
        awaited.append(self._load.__name__)
        return real(self)

    monkeypatch.setattr(model_page.Deferred, "__await__", counting)
    return awaited


def test_the_row_fields_are_plain_fields_without_a_resolver() -> None:
    """What makes a page cheap: Strawberry resolves them as attributes, with no Info, argument
    conversion or extension chain per row."""
    schema = create_schema(Settings())
    definition = schema.get_type_by_name("RegisteredModel")
    assert definition is not None
    fields = {f.name: f for f in definition.fields}  # type: ignore[union-attr]
    for name in ("tags", "latest_version", "version_count"):
        assert fields[name].base_resolver is None, name


@pytest.mark.parametrize(
    ("selection", "fragment"),
    [
        (f"edges {{ node {{ {ROW} }} }}", ""),
        ("edges { node { ...Row } }", f"fragment Row on RegisteredModel {{ {ROW} }}"),
        (f"edges {{ node {{ ... on RegisteredModel {{ {ROW} }} }} }}", ""),
        (f"edges {{ other: node {{ {ROW} }} }}", ""),
    ],
    ids=["inline", "fragment", "inline-fragment", "alias"],
)
async def test_a_page_loads_nothing_per_row(
    gql: GraphQLClient, count_deferred: list[str], selection: str, fragment: str
) -> None:
    await _seed(gql)
    count_deferred.clear()  # the payloads of the seeding mutations
    query = f'{{ project(path: "demo") {{ models(first: 10) {{ {selection} }} }} }} {fragment}'
    data = await gql.execute(query)
    edges = data["project"]["models"]["edges"]
    nodes = [edge.get("node") or edge["other"] for edge in edges]
    assert sorted(n["name"] for n in nodes) == ["a", "b", "c"]
    for node in nodes:
        _check(node)
    assert count_deferred == []


async def test_a_page_fetches_only_what_it_selects(gql: GraphQLClient, db: Database) -> None:
    """One statement per selected row field, none for a page that selects none."""
    await _seed(gql)
    page = '{ project(path: "demo") { models { edges { node { name %s } } } } }'
    counts = {}
    for fields in ("", "versionCount", "versionCount tags { key }", ROW.removeprefix("name")):
        await gql.execute(page % fields)  # the token's lookup, outside the count
        with count_statements(db) as statements:
            data = await gql.execute(page % fields)
        assert sorted(e["node"]["name"] for e in data["project"]["models"]["edges"]) == [
            "a",
            "b",
            "c",
        ]
        counts[fields] = len(statements)
    plain = counts[""]
    assert list(counts.values()) == [plain, plain + 1, plain + 2, plain + 3]


async def test_a_model_reached_otherwise_loads_its_fields_when_asked(
    gql: GraphQLClient, count_deferred: list[str]
) -> None:
    ids = await _seed(gql)
    count_deferred.clear()
    by_node = await gql.execute(
        f"query($id: ID!) {{ node(id: $id) {{ ... on RegisteredModel {{ {ROW} }} }} }}",
        {"id": ids["a"]},
    )
    _check(by_node["node"])
    by_name = await gql.execute(f'{{ project(path: "demo") {{ model(name: "c") {{ {ROW} }} }} }}')
    _check(by_name["project"]["model"])
    assert sorted(count_deferred) == sorted(
        ["_load_tags", "_load_latest_version", "_load_version_count"] * 2
    )
    # Not selected: not loaded.
    count_deferred.clear()
    await gql.execute('{ project(path: "demo") { model(name: "b") { name } } }')
    assert count_deferred == []


async def test_a_mutation_payload_shows_the_fields_as_written(gql: GraphQLClient) -> None:
    ids = await _seed(gql)
    data = await gql.execute(
        """mutation($input: SetModelTagsInput!) {
             setModelTags(input: $input) { model { name versionCount tags { key value } } } }""",
        {"input": {"id": ids["b"], "tags": [{"key": "z", "value": "1"}]}},
    )
    model = data["setModelTags"]["model"]
    assert model["versionCount"] == 1
    assert model["tags"] == [{"key": "z", "value": "1"}]


EDGES = "edges { cursor node { name } }"


@pytest.mark.parametrize(
    ("selection", "fragment"),
    [
        (EDGES, ""),
        ("...Edges", f"fragment Edges on RegisteredModelConnection {{ {EDGES} }}"),
    ],
    ids=["inline", "fragment"],
)
async def test_edge_cursors_are_encoded_when_selected(
    gql: GraphQLClient, selection: str, fragment: str
) -> None:
    """Edge cursors are encoded only when the query selects them, and then each one leads on
    to the rows after its own."""
    await _seed(gql)
    page = 'query($after: String) { project(path: "demo") { models(after: $after) { %s } } } %s'
    edges = (await gql.execute(page % (selection, fragment)))["project"]["models"]["edges"]
    names = [e["node"]["name"] for e in edges]
    assert len(names) == 3
    for i, edge in enumerate(edges):
        after = await gql.execute(page % (selection, fragment), {"after": edge["cursor"]})
        assert [e["node"]["name"] for e in after["project"]["models"]["edges"]] == names[i + 1 :]
    # Without edge cursors the page info still has its own.
    info = await gql.execute(
        '{ project(path: "demo") { models(first: 2) { edges { node { name } } '
        "pageInfo { startCursor endCursor hasNextPage } } } }"
    )
    page_info = info["project"]["models"]["pageInfo"]
    assert page_info["startCursor"] and page_info["endCursor"] and page_info["hasNextPage"]
    rest = await gql.execute(page % (selection, fragment), {"after": page_info["endCursor"]})
    assert [e["node"]["name"] for e in rest["project"]["models"]["edges"]] == names[2:]


VERSION_FIELDS = (
    "id version number isPrerelease description stage createdBy createdAt updatedAt source "
    "runId loggedModelId"
)


async def test_latest_versions_are_read_as_core_rows_with_every_field_a_lookup_shows(
    gql: GraphQLClient,
) -> None:
    """A page's latest versions (and a model's, loaded on demand) are Core rows, not ORM
    objects (see `version_reads.latest_version_rows`), and show every field exactly as the
    version looked up by id does."""
    ids = await _seed(gql)
    await create_version(gql, ids["c"], "2.0.0", description="the *card*")
    loaded: list[object] = []

    def on_load(target: object, context: object) -> None:
        loaded.append(target)

    latest_version = f"latestVersion {{ {VERSION_FIELDS} }}"
    page = '{ project(path: "demo") { models { edges { node { name ' + latest_version + " } } } } }"
    one = f'{{ project(path: "demo") {{ model(name: "c") {{ {latest_version} }} }} }}'
    sa.event.listen(ModelVersion, "load", on_load)
    try:
        listed = await gql.execute(page)
        single = await gql.execute(one)
    finally:
        sa.event.remove(ModelVersion, "load", on_load)
    assert loaded == []
    latest = {
        e["node"]["name"]: e["node"]["latestVersion"] for e in listed["project"]["models"]["edges"]
    }
    assert sorted(latest) == ["a", "b", "c"]
    assert single["project"]["model"]["latestVersion"] == latest["c"]
    assert latest["c"]["description"] == "the *card*" and latest["c"]["version"] == "2.0.0"
    for name in ("a", "b", "c"):
        by_id = await gql.execute(
            f"query($id: ID!) {{ node(id: $id) {{ ... on ModelVersion {{ {VERSION_FIELDS} }} }} }}",
            {"id": latest[name]["id"]},
        )
        assert by_id["node"] == latest[name]
