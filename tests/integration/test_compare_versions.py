"""`compareVersions`: parameters and metrics from each version's run, signature, dependencies and
files side by side; its errors; and a constant number of SQL statements for 2 or 10 versions."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from modelreg.db import Database
from tests.integration.test_version_metadata import BASE_INPUTS, MLFLOW, mlmodel
from tests.support.authz import gid, same_shape
from tests.support.graphql import GraphQLClient
from tests.support.registry import create_model, create_project
from tests.support.sql import assert_does_not_grow, count_statements

COMPARE = """
query($m: ID!, $v: [String!]!) {
  compareVersions(model: $m, versions: $v) {
    versions { version number }
    params { key values status differs }
    metrics { key latest present status differs
              history { version points { value step timestamp } } }
    signature { section name status differs columns { name type optional } }
    dependencies { name specifiers versions status differs }
    files { path status differs files { sha256 size } }
  }
}"""


async def _register(
    http: httpx.AsyncClient,
    version: str,
    *,
    params: dict[str, str],
    losses: list[float],
    files: dict[str, bytes],
) -> None:
    """A run with params, a loss history and the model's files, registered as `version`."""
    created = await http.post(f"{MLFLOW}/mlflow/runs/create", json={})
    assert created.status_code == 200, created.text
    run_id = created.json()["run"]["info"]["run_id"]
    batch = {
        "run_id": run_id,
        "params": [{"key": k, "value": v} for k, v in params.items()],
        "metrics": [
            {"key": "loss", "value": value, "timestamp": 1000 + step, "step": step}
            for step, value in enumerate(losses)
        ],
    }
    # As the MLflow client sends it: Python's json writes NaN as `NaN`.
    logged = await http.post(
        f"{MLFLOW}/mlflow/runs/log-batch",
        content=json.dumps(batch),
        headers={"content-type": "application/json"},
    )
    assert logged.status_code == 200, logged.text
    for path, content in files.items():
        response = await http.put(
            f"{MLFLOW}/mlflow-artifacts/artifacts/0/{run_id}/artifacts/model/{path}",
            content=content,
        )
        assert response.status_code == 200, response.text
    response = await http.post(
        f"{MLFLOW}/mlflow/model-versions/create",
        json={
            "name": "churn",
            "source": f"runs:/{run_id}/model",
            "run_id": run_id,
            "tags": [{"key": "modelreg.version", "value": version}],
        },
    )
    assert response.status_code == 200, response.text


@pytest.fixture
async def model_id(gql: GraphQLClient) -> str:
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    model_id: str = model["id"]
    return model_id


async def _three(http: httpx.AsyncClient) -> None:
    await _register(
        http,
        "1.0.0",
        params={"lr": "0.1", "depth": "4"},
        losses=[0.9, 0.5],
        files={
            "MLmodel": mlmodel(),
            "requirements.txt": b"scikit-learn==1.5.2\npandas==2.2.0\n",
            "model.pkl": b"weights v1",
        },
    )
    await _register(
        http,
        "1.1.0",
        params={"lr": "0.05", "depth": "4"},
        losses=[0.8, 0.4, 0.3],
        files={
            "MLmodel": mlmodel({**BASE_INPUTS, "region": "string"}, optional=("region",)),
            "requirements.txt": b"scikit-learn==1.6.0\npandas==2.2.0\nnumpy==2.1.0\n",
            "model.pkl": b"weights v2",
        },
    )
    await _register(
        http,
        "2.0.0",
        params={"lr": "0.05", "depth": "4", "trees": "100"},
        losses=[0.7],
        files={
            "MLmodel": mlmodel({"age": "double", "region": "string"}),
            "requirements.txt": b"scikit-learn==1.6.0\nnumpy==2.1.0\n",
            "model.pkl": b"weights v2",
        },
    )


async def test_compare_three_versions(
    gql: GraphQLClient, http: httpx.AsyncClient, model_id: str
) -> None:
    await _three(http)

    data = await gql.execute(COMPARE, {"m": model_id, "v": ["1.0.0", "1.1.0", "2.0.0"]})
    found = data["compareVersions"]

    assert [v["version"] for v in found["versions"]] == ["1.0.0", "1.1.0", "2.0.0"]
    params = {p["key"]: p for p in found["params"]}
    assert params["depth"] == {
        "key": "depth",
        "values": ["4", "4", "4"],
        "status": "SAME",
        "differs": False,
    }
    assert params["lr"]["values"] == ["0.1", "0.05", "0.05"] and params["lr"]["differs"]
    assert params["trees"]["values"] == [None, None, "100"]
    assert params["trees"]["status"] == "ADDED"

    [loss] = found["metrics"]
    assert loss["latest"] == [0.5, 0.3, 0.7] and loss["present"] == [True, True, True]
    assert loss["status"] == "CHANGED" and loss["differs"]
    assert [h["version"] for h in loss["history"]] == ["1.0.0", "1.1.0", "2.0.0"]
    assert [p["value"] for p in loss["history"][1]["points"]] == [0.8, 0.4, 0.3]
    assert [p["step"] for p in loss["history"][1]["points"]] == [0, 1, 2]

    signature = {(s["section"], s["name"]): s for s in found["signature"]}
    assert signature[("INPUT", "age")]["status"] == "CHANGED"
    assert [c["type"] for c in signature[("INPUT", "age")]["columns"]] == ["long", "long", "double"]
    assert signature[("INPUT", "income")]["status"] == "REMOVED"
    assert signature[("INPUT", "income")]["columns"][2] is None
    assert signature[("INPUT", "region")]["status"] == "ADDED"
    assert signature[("OUTPUT", "p")]["differs"] is False

    deps = {d["name"]: d for d in found["dependencies"]}
    assert deps["scikit-learn"]["versions"] == ["1.5.2", "1.6.0", "1.6.0"]
    assert deps["scikit-learn"]["status"] == "CHANGED"
    assert deps["numpy"]["status"] == "ADDED"
    assert deps["pandas"]["status"] == "REMOVED"
    assert deps["pandas"]["specifiers"][2] is None

    files = {f["path"]: f for f in found["files"]}
    assert files["model.pkl"]["status"] == "CHANGED"
    assert files["model.pkl"]["files"][1] == files["model.pkl"]["files"][2]
    assert files["model.pkl"]["files"][0]["size"] == len(b"weights v1")
    assert files["MLmodel"]["differs"] is True

    # In the order asked: the first version is the baseline.
    reversed_ = await gql.execute(COMPARE, {"m": model_id, "v": ["2.0.0", "1.0.0"]})
    trees = {p["key"]: p for p in reversed_["compareVersions"]["params"]}["trees"]
    assert (trees["values"], trees["status"]) == (["100", None], "REMOVED")


async def test_a_nan_metric_compares_as_null(
    gql: GraphQLClient, http: httpx.AsyncClient, model_id: str
) -> None:
    files = {"MLmodel": mlmodel(), "model.pkl": b"w"}
    await _register(http, "1.0.0", params={}, losses=[0.9, 0.5], files=files)
    await _register(http, "1.0.1", params={}, losses=[0.9, float("nan")], files=files)

    data = await gql.execute(COMPARE, {"m": model_id, "v": ["1.0.0", "1.0.1"]})

    [loss] = data["compareVersions"]["metrics"]
    assert loss["latest"] == [0.5, None] and loss["present"] == [True, True]
    assert [p["value"] for p in loss["history"][1]["points"]] == [0.9, None]
    assert loss["status"] == "CHANGED"


async def test_compare_errors(gql: GraphQLClient, http: httpx.AsyncClient, model_id: str) -> None:
    await _three(http)

    async def error(model: str, versions: list[str], client: GraphQLClient = gql) -> dict[str, Any]:
        [found] = await client.errors(COMPARE, {"m": model, "v": versions})
        return {
            "code": found["extensions"]["code"],
            "field": found["extensions"].get("field"),
            "message": found["message"],
        }

    one = await error(model_id, ["1.0.0"])
    assert (one["code"], one["field"]) == ("INVALID_ARGUMENT", "versions")
    eleven = await error(model_id, [f"1.0.{i}" for i in range(11)])
    assert (eleven["code"], eleven["field"]) == ("INVALID_ARGUMENT", "versions")
    assert "11" in eleven["message"]
    twice = await error(model_id, ["1.0.0", "1.1.0", "1.0.0"])
    assert (twice["code"], twice["field"]) == ("INVALID_ARGUMENT", "versions")
    assert "1.0.0" in twice["message"]
    missing = await error(model_id, ["1.0.0", "3.0.0"])
    assert (missing["code"], missing["field"]) == ("NOT_FOUND", "versions")
    assert "3.0.0" in missing["message"]
    wrong_type = await error(gid("ModelVersion", 1), ["1.0.0", "1.1.0"])
    assert (wrong_type["code"], wrong_type["field"]) == ("INVALID_ARGUMENT", "model")

    # A model the viewer may not read is exactly as absent as one that does not exist.
    ghost = await error(gid("RegisteredModel", 987654), ["1.0.0", "1.1.0"])
    outsider = gql.as_actor("eve", admin=False)
    hidden = await error(model_id, ["1.0.0", "1.1.0"], outsider)
    assert hidden["code"] == ghost["code"] == "NOT_FOUND"
    assert (hidden["field"], same_shape(hidden["message"])) == (
        ghost["field"],
        same_shape(ghost["message"]),
    )


async def test_comparing_10_versions_costs_what_2_do(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database, model_id: str
) -> None:
    versions = [f"1.{i}.0" for i in range(10)]
    for i, version in enumerate(versions):
        inputs = {**BASE_INPUTS, **{f"f{j}": "double" for j in range(i)}}
        await _register(
            http,
            version,
            params={"lr": str(0.1 / (i + 1)), "i": str(i)},
            losses=[1.0 / (i + 1), 0.5 / (i + 1)],
            files={
                "MLmodel": mlmodel(inputs, optional=tuple(f"f{j}" for j in range(i))),
                "requirements.txt": f"scikit-learn==1.{i}.0\n".encode(),
                "model.pkl": f"weights {i}".encode(),
            },
        )
    await gql.execute(COMPARE, {"m": model_id, "v": versions[:2]})  # the token, outside the count

    with count_statements(db) as two:
        small = await gql.execute(COMPARE, {"m": model_id, "v": versions[:2]})
    with count_statements(db) as ten:
        large = await gql.execute(COMPARE, {"m": model_id, "v": versions})

    assert len(small["compareVersions"]["versions"]) == 2
    assert len(large["compareVersions"]["versions"]) == 10
    assert len(large["compareVersions"]["files"]) == 3
    assert len(large["compareVersions"]["metrics"][0]["history"]) == 10
    # The token, the model, its project, the versions, params, metrics, metadata, files.
    assert_does_not_grow(two, ten, at_most=10)
