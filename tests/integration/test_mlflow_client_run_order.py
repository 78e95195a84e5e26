"""The unmodified MLflow client's `search_runs` (`MlflowClient.search_runs` and the fluent
`mlflow.search_runs`) against a real `modelreg serve` on loopback, with `order_by`: by a metric
(NaN and missing last), a param, a tag, an attribute, two clauses, pages of two over the whole
order, and a bad clause. Both databases' view is in test_mlflow_run_order.py."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.mlflow_project import mlflow_project

mlflow = pytest.importorskip("mlflow")
from mlflow import MlflowClient  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with mlflow_project(tmp_path_factory.mktemp("mlflow-run-order")):
        yield MlflowClient()


@pytest.fixture(scope="module")
def runs(client: Any) -> tuple[str, dict[str, str]]:
    """The experiment, and its runs' ids by name: r1..r5 started in that order.
    val acc (latest): r1 0.5 (0.99 earlier), r2 0.3, r3 0.7, r4 NaN, r5 none.
    lr: r1 0.1, r2 0.01, r3 0.2, r5 0.1. team: r1 b, r2 a, r4 c, r5 a. r2, r3 ended."""
    experiment = client.create_experiment("ordered")
    ids = {}
    metrics = {"r1": [0.99, 0.5], "r2": [0.3], "r3": [0.7], "r4": [0.1, math.nan], "r5": []}
    lr = {"r1": "0.1", "r2": "0.01", "r3": "0.2", "r5": "0.1"}
    team = {"r1": "b", "r2": "a", "r4": "c", "r5": "a"}
    for n, name in enumerate(["r1", "r2", "r3", "r4", "r5"], start=1):
        run_id = client.create_run(experiment, start_time=n * 1000, run_name=name).info.run_id
        for step, value in enumerate(metrics[name]):
            client.log_metric(run_id, "val acc", value, step=step)
        if name in lr:
            client.log_param(run_id, "lr", lr[name])
        if name in team:
            client.set_tag(run_id, "team", team[name])
        ids[name] = run_id
    client.set_terminated(ids["r2"], end_time=9000)
    client.set_terminated(ids["r3"], end_time=7000)
    return experiment, ids


def _names(found: Any, ids: dict[str, str]) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return [by_id[r.info.run_id] for r in found]


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        (["metrics.`val acc` DESC"], ["r3", "r1", "r2", "r4", "r5"]),
        (["metrics.`val acc`"], ["r2", "r1", "r3", "r4", "r5"]),
        (["params.lr"], ["r2", "r5", "r1", "r3", "r4"]),
        (["tags.team DESC"], ["r4", "r1", "r5", "r2", "r3"]),
        (["attributes.start_time ASC"], ["r1", "r2", "r3", "r4", "r5"]),
        (["attributes.end_time"], ["r3", "r2", "r5", "r4", "r1"]),
        (["params.lr ASC", "tags.team DESC"], ["r2", "r1", "r5", "r3", "r4"]),
    ],
)
def test_search_runs_follows_order_by(
    client: Any, runs: tuple[str, dict[str, str]], order_by: list[str], expected: list[str]
) -> None:
    experiment, ids = runs
    assert _names(client.search_runs([experiment], order_by=order_by), ids) == expected


def test_pages_of_two_cover_the_whole_order(client: Any, runs: tuple[str, dict[str, str]]) -> None:
    experiment, ids = runs
    found, token = [], None
    while True:
        page = client.search_runs(
            [experiment], order_by=["metrics.`val acc` DESC"], max_results=2, page_token=token
        )
        assert len(page) <= 2
        found += _names(page, ids)
        token = page.token
        if not token:
            break
    assert found == ["r3", "r1", "r2", "r4", "r5"]


def test_the_fluent_search_runs_orders_too(client: Any, runs: tuple[str, dict[str, str]]) -> None:
    experiment, ids = runs
    frame = mlflow.search_runs([experiment], order_by=["tags.team", "created DESC"])
    by_id = {v: k for k, v in ids.items()}
    assert [by_id[i] for i in frame["run_id"]] == ["r5", "r2", "r1", "r4", "r3"]


def test_a_bad_order_by_is_an_invalid_parameter(
    client: Any, runs: tuple[str, dict[str, str]]
) -> None:
    experiment, _ = runs
    with pytest.raises(MlflowException) as raised:
        client.search_runs([experiment], order_by=["metrics.acc sideways"])
    assert raised.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Invalid ordering key in order_by clause 'metrics.acc sideways'" in raised.value.message
