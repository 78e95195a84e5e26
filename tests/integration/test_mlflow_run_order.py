"""`runs/search` with `order_by`, on SQLite and PostgreSQL: by a metric's latest value (NaN after
the numbers, runs without it last), by a param, a tag or an attribute, several clauses, MLflow's
tie-break after them, pages over the whole order, and bad clauses. The real client's view is in
test_mlflow_client_run_order.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.graphql import GraphQLClient
from tests.support.registry import create_project

API = "/projects/demo/mlflow/api/2.0/mlflow"


def _ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


async def _run(
    http: httpx.AsyncClient,
    experiment: str,
    name: str,
    start: int,
    metrics: list[tuple[str, Any, int]] = [],  # noqa: B006 - read only
    params: dict[str, str] | None = None,
    tags: dict[str, str] | None = None,
) -> str:
    body = {"experiment_id": experiment, "run_name": name, "start_time": start}
    run_id: str = _ok(await http.post(f"{API}/runs/create", json=body))["run"]["info"]["run_id"]
    batch = {
        "run_id": run_id,
        "metrics": [{"key": k, "value": v, "timestamp": 1, "step": s} for k, v, s in metrics],
        "params": [{"key": k, "value": v} for k, v in (params or {}).items()],
        "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()],
    }
    _ok(await http.post(f"{API}/runs/log-batch", json=batch))
    return name


@pytest.fixture
async def runs(gql: GraphQLClient, http: httpx.AsyncClient) -> tuple[httpx.AsyncClient, str]:
    """r1..r5 started in that order. acc (latest by step): r1 0.5 (0.99 at an earlier step),
    r2 0.3, r3 0.7, r4 NaN, r5 none; loss: r3 only. lr: r1 0.1, r2 0.01, r3 0.2, r5 0.1.
    team: r1 b, r2 a, r4 c, r5 a."""
    await create_project(gql)
    body = {"name": "ordered"}
    experiment = _ok(await http.post(f"{API}/experiments/create", json=body))["experiment_id"]
    await _run(
        http,
        experiment,
        "r1",
        1000,
        [("acc", 0.99, 1), ("acc", 0.5, 2)],
        {"lr": "0.1"},
        {"team": "b"},
    )
    await _run(
        http,
        experiment,
        "r2",
        2000,
        [("acc", 0.3, 0)],
        {"lr": "0.01", "learning rate": "x"},
        {"team": "a"},
    )
    await _run(http, experiment, "r3", 3000, [("acc", 0.7, 0), ("loss", 1.0, 0)], {"lr": "0.2"})
    await _run(
        http, experiment, "r4", 4000, [("acc", 0.1, 0), ("acc", "NaN", 3)], {}, {"team": "c"}
    )
    await _run(http, experiment, "r5", 5000, [], {"lr": "0.1"}, {"team": "a"})
    return http, experiment


async def _search(
    http: httpx.AsyncClient, experiment: str, order_by: list[str], page: int = 1000
) -> list[str]:
    found: list[str] = []
    token = None
    while True:
        body = {"experiment_ids": [experiment], "order_by": order_by, "max_results": page}
        if token:
            body["page_token"] = token
        got = _ok(await http.post(f"{API}/runs/search", json=body))
        found += [r["info"]["run_name"] for r in got.get("runs", [])]
        token = got.get("next_page_token")
        if not token:
            return found


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        ([], ["r5", "r4", "r3", "r2", "r1"]),
        (["metrics.acc DESC"], ["r3", "r1", "r2", "r4", "r5"]),
        (["metrics.acc"], ["r2", "r1", "r3", "r4", "r5"]),
        (["metrics.loss DESC"], ["r3", "r5", "r4", "r2", "r1"]),
        (["params.lr"], ["r2", "r5", "r1", "r3", "r4"]),
        (["params.lr DESC"], ["r3", "r5", "r1", "r2", "r4"]),
        (["params.`learning rate`"], ["r2", "r5", "r4", "r3", "r1"]),
        (["tags.team DESC"], ["r4", "r1", "r5", "r2", "r3"]),
        (["tags.team"], ["r5", "r2", "r1", "r4", "r3"]),
        (["attributes.start_time"], ["r1", "r2", "r3", "r4", "r5"]),
        (["created"], ["r1", "r2", "r3", "r4", "r5"]),
        (["attribute.run_name"], ["r1", "r2", "r3", "r4", "r5"]),
        (["params.lr ASC", "tags.team DESC"], ["r2", "r1", "r5", "r3", "r4"]),
        (["tags.team", "metrics.acc DESC"], ["r2", "r5", "r1", "r4", "r3"]),
    ],
)
async def test_runs_come_in_the_order_asked(
    runs: tuple[httpx.AsyncClient, str], order_by: list[str], expected: list[str]
) -> None:
    http, experiment = runs
    assert await _search(http, experiment, order_by) == expected
    for page in (1, 2):
        assert await _search(http, experiment, order_by, page) == expected


async def test_attribute_orders_ended_runs_first_by_end_time_then_status_ids_uris(
    runs: tuple[httpx.AsyncClient, str],
) -> None:
    http, experiment = runs
    listed = _ok(await http.post(f"{API}/runs/search", json={"experiment_ids": [experiment]}))
    ids = {r["info"]["run_name"]: r["info"]["run_id"] for r in listed["runs"]}
    for name, end in (("r2", 9000), ("r3", 7000)):
        body = {"run_id": ids[name], "status": "FINISHED", "end_time": end}
        _ok(await http.post(f"{API}/runs/update", json=body))
    assert await _search(http, experiment, ["end_time"]) == ["r3", "r2", "r5", "r4", "r1"]
    assert await _search(http, experiment, ["end_time DESC"], 2) == ["r2", "r3", "r5", "r4", "r1"]
    by_status = ["r2", "r3", "r5", "r4", "r1"]
    assert await _search(http, experiment, ["status", "end_time DESC"]) == by_status
    for order_by, expected in ((["run_id"], sorted(ids.values())), (["artifact_uri DESC"], None)):
        body = {"experiment_ids": [experiment], "order_by": order_by}
        got = _ok(await http.post(f"{API}/runs/search", json=body))
        uris = [r["info"]["artifact_uri"] for r in got["runs"]]
        assert uris == sorted(uris, reverse=expected is None)
        if expected is not None:
            assert [r["info"]["run_id"] for r in got["runs"]] == expected


@pytest.mark.parametrize(
    ("order_by", "message"),
    [
        (["metrics.acc sideways"], "Invalid ordering key in order_by clause"),
        (["models.acc"], "Invalid entity type 'models'"),
        (["attributes.experiment_id"], "Invalid attribute key 'experiment_id'"),
        (["metrics.acc DESC extra"], "Invalid order_by clause 'metrics.acc DESC extra'"),
        (["params.lr", "param.lr DESC"], "`order_by` contains duplicate fields"),
    ],
)
async def test_a_bad_clause_is_an_invalid_parameter(
    runs: tuple[httpx.AsyncClient, str], order_by: list[str], message: str
) -> None:
    http, experiment = runs
    body = {"experiment_ids": [experiment], "order_by": order_by}
    response = await http.post(f"{API}/runs/search", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert message in response.json()["message"]
