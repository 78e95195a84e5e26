"""`Project.models(filter:)`: the MLflow filter syntax (plus OR) in SQL, on both engines."""

from __future__ import annotations

import pytest

from tests.support.graphql import GraphQLClient
from tests.support.registry import create_model, create_project

QUERY = """query($f: String) {
  project(path: "demo") { models(filter: $f, first: 100, orderBy: {field: NAME, direction: ASC}) {
    totalCount edges { node { name } } } }
}"""

MODELS = {
    "churn": {"team": "growth", "data set": "crm"},
    "Churn-EU": {"team": "growth"},
    "fraud": {"team": "risk", "mlflow.runName": "nightly"},
    "fraud_v2": {"team": "risk"},
    "recall": {"goal": "100%-recall"},
}


@pytest.fixture
async def models(gql: GraphQLClient) -> None:
    project = await create_project(gql)
    for name, tags in MODELS.items():
        await create_model(
            gql, project["id"], name, tags=[{"key": k, "value": v} for k, v in tags.items()]
        )


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (None, ["Churn-EU", "churn", "fraud", "fraud_v2", "recall"]),
        ("name = 'churn'", ["churn"]),
        ("name LIKE 'churn%'", ["churn"]),  # LIKE is case-sensitive
        ("name LIKE 'Churn%'", ["Churn-EU"]),
        ("name ILIKE 'churn%'", ["Churn-EU", "churn"]),
        ("name LIKE 'fraud_v_'", ["fraud_v2"]),  # `_` is one character
        ("tags.goal LIKE '100\\%%'", ["recall"]),  # an escaped `%` is literal
        ("tags.goal LIKE '100\\%-r_call'", ["recall"]),
        ("tags.goal LIKE '1000%'", []),
        ("name != 'churn' AND tags.team = 'growth'", ["Churn-EU"]),
        ("tags.team = 'risk' OR name = 'churn'", ["churn", "fraud", "fraud_v2"]),
        ("tags.team IN ('risk', 'nobody')", ["fraud", "fraud_v2"]),
        ("name NOT IN ('fraud', 'churn')", ["Churn-EU", "fraud_v2", "recall"]),
        ("tags.`data set` = 'crm'", ["churn"]),
        ("tag.`mlflow.runName` LIKE 'night%'", ["fraud"]),
        # Objects without the tag match a negation too (as MLflow's server answers).
        ("tags.team != 'growth'", ["fraud", "fraud_v2", "recall"]),
        ("tags.team NOT IN ('growth', 'risk')", ["recall"]),
        (
            "tag.`mlflow.prompt.is_prompt` != 'true'",
            ["Churn-EU", "churn", "fraud", "fraud_v2", "recall"],
        ),
        ("(name ILIKE '%eu%' OR name = 'fraud') AND tags.team = 'growth'", ["Churn-EU"]),
    ],
)
async def test_filters_select_the_right_models(
    gql: GraphQLClient, models: None, text: str | None, names: list[str]
) -> None:
    found = (await gql.execute(QUERY, {"f": text}))["project"]["models"]
    assert [e["node"]["name"] for e in found["edges"]] == sorted(names, key=lambda n: n)
    assert found["totalCount"] == len(names)


async def test_a_bad_filter_is_an_invalid_argument(gql: GraphQLClient, models: None) -> None:
    (error,) = await gql.errors(QUERY, {"f": "name = churn"})
    assert error["extensions"] == {"code": "INVALID_ARGUMENT", "field": "filter"}
    assert "quote strings" in error["message"]
