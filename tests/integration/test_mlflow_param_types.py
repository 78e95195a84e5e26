"""Every declared parameter of every MLflow endpoint modelreg serves, sent with a wrong JSON type,
is refused with 400 `INVALID_PARAMETER_VALUE` naming that parameter, before anything is looked up
(so never a 404 for a model or run that the wrong value could not have named).

MLflow's server checks each request against a schema of `_assert_string`, `_assert_intlike`,
`_assert_bool`... before its handler runs; modelreg declares the same per endpoint (`Param`), and
this test walks `modelreg.mlflow.endpoints()` so an endpoint added later is covered too. A GET
takes a query string, where only numbers, booleans and enums can be of the wrong kind.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from modelreg.mlflow import Endpoint, endpoints
from modelreg.mlflow.params import Kind, Param
from tests.support.graphql import GraphQLClient
from tests.support.registry import create_project

ROOT = "/projects/demo/mlflow"

# A value of the wrong JSON type for each kind of parameter.
WRONG: dict[Kind, Any] = {
    Kind.STRING: 123,
    Kind.INT: "abc",
    Kind.DOUBLE: "abc",
    Kind.BOOL: "yes",
    Kind.ENUM: [1],
    Kind.LIST: "abc",
    Kind.OBJECT: "abc",
}
# A well-typed value of each kind, for the parameters not under test.
RIGHT: dict[Kind, Any] = {
    Kind.STRING: "x",
    Kind.INT: 1,
    Kind.DOUBLE: 1.5,
    Kind.BOOL: True,
    Kind.ENUM: 1,
    Kind.LIST: [],
    Kind.OBJECT: {},
}
# In a query string everything is text: only these kinds can be wrong there.
QUERY_WRONG: dict[Kind, str] = {Kind.INT: "abc", Kind.DOUBLE: "abc", Kind.BOOL: "yes"}


def _right(param: Param) -> Any:
    return "0" if param.digits else RIGHT[param.kind]


def _path_params(endpoint: Endpoint) -> set[str]:
    return set(re.findall(r"\{(\w+)", endpoint.pattern))


def _url(endpoint: Endpoint) -> str:
    return f"{ROOT}/" + re.sub(r"\{\w+(:path)?\}", "x", endpoint.pattern)


def _cases() -> list[tuple[Endpoint, str, Any]]:
    """(endpoint, parameter path, body or query) for every parameter that can be mistyped: the
    parameter itself, and for a list of objects, each field of its first item."""
    cases: list[tuple[Endpoint, str, Any]] = []
    for endpoint in endpoints():
        if endpoint.raw_body:
            continue
        body_params = {
            name: param
            for name, param in endpoint.params.items()
            if name not in _path_params(endpoint)
        }
        valid = {name: _right(param) for name, param in body_params.items()}
        query = {k: v for k, v in valid.items() if not isinstance(v, list | dict)}
        for name, param in body_params.items():
            item: Param | None = param.item
            # An experiment id MLflow parses as an integer: "abc" is no id, not a missing one.
            if param.digits:
                others = query if endpoint.method == "GET" else valid
                cases.append((endpoint, name, {**others, name: "abc"}))
            if item is not None and item.digits:
                cases.append((endpoint, f"{name}[0]", {**valid, name: ["abc"]}))
            if endpoint.method == "GET":
                if param.kind in QUERY_WRONG:
                    cases.append((endpoint, name, {**query, name: QUERY_WRONG[param.kind]}))
                continue
            cases.append((endpoint, name, {**valid, name: WRONG[param.kind]}))
            if item is not None and item.kind is Kind.OBJECT:
                fields = {f: _right(p) for f, p in item.fields.items()}
                for field, declared in item.fields.items():
                    wrong_item = {**fields, field: WRONG[declared.kind]}
                    cases.append((endpoint, f"{name}[0].{field}", {**valid, name: [wrong_item]}))
    return cases


CASES = _cases()


def test_every_endpoint_has_cases() -> None:
    """The walk covers every endpoint that takes a parameter a caller can mistype."""
    covered = {(e.method, e.pattern) for e, _, _ in CASES}
    assert ("POST", "api/2.0/mlflow/registered-models/create") in covered
    assert ("GET", "api/2.0/mlflow/registered-models/search") in covered
    assert len(CASES) > 100


@pytest.fixture
async def mlflow(gql: GraphQLClient, http: httpx.AsyncClient) -> httpx.AsyncClient:
    await create_project(gql)
    return http


async def test_wrong_json_types_are_refused_naming_the_parameter(
    mlflow: httpx.AsyncClient,
) -> None:
    failures = []
    for endpoint, name, given in CASES:
        if endpoint.method == "GET":
            response = await mlflow.get(_url(endpoint), params=given)
        else:
            response = await mlflow.request(
                endpoint.method, _url(endpoint), content=json.dumps(given)
            )
        body = response.json()
        ok = (
            response.status_code == 400
            and body.get("error_code") == "INVALID_PARAMETER_VALUE"
            and f"'{name}'" in body.get("message", "")
        )
        if not ok:
            failures.append(f"{endpoint.method} {endpoint.pattern} {name}: {response.text}")
    assert failures == []


ENUMS = [
    ("POST", "api/2.0/mlflow/experiments/search", {"view_type": "SOMETIMES"}, "view_type"),
    ("GET", "api/2.0/mlflow/experiments/search", {"view_type": "SOMETIMES"}, "view_type"),
    (
        "POST",
        "api/2.0/mlflow/runs/search",
        {"experiment_ids": ["0"], "run_view_type": "SOMETIMES"},
        "run_view_type",
    ),
]


@pytest.mark.parametrize(("method", "path", "given", "name"), ENUMS)
async def test_unknown_enum_names_are_refused_naming_the_parameter(
    mlflow: httpx.AsyncClient, method: str, path: str, given: dict[str, Any], name: str
) -> None:
    if method == "GET":
        response = await mlflow.get(f"{ROOT}/{path}", params=given)
    else:
        response = await mlflow.post(f"{ROOT}/{path}", json=given)
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert f"'{name}'" in response.json()["message"]


async def test_experiment_ids_are_read_as_integers(mlflow: httpx.AsyncClient) -> None:
    """As MLflow's store parses them: "007" names experiment 7, "000" the Default one."""
    API = f"{ROOT}/api/2.0/mlflow"
    made = await mlflow.post(f"{API}/experiments/create", json={"name": "padded"})
    experiment_id = made.json()["experiment_id"]
    padded = await mlflow.get(
        f"{API}/experiments/get", params={"experiment_id": f"00{experiment_id}"}
    )
    assert padded.status_code == 200, padded.text
    assert padded.json()["experiment"]["experiment_id"] == experiment_id
    assert padded.json()["experiment"]["name"] == "padded"
    default = await mlflow.get(f"{API}/experiments/get", params={"experiment_id": "000"})
    assert default.json()["experiment"]["name"] == "Default"
    # A run created under the padded id is in the same experiment.
    run = await mlflow.post(f"{API}/runs/create", json={"experiment_id": f"0{experiment_id}"})
    assert run.json()["run"]["info"]["experiment_id"] == experiment_id
