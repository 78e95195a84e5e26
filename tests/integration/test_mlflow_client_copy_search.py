"""The unmodified MLflow client against a real `modelreg serve` on loopback: copying model
versions (`copy_model_version`, within a model and across models) and the orders and pages of
`search_model_versions`, `search_registered_models` and `search_runs`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.mlflow_project import mlflow_project

mlflow = pytest.importorskip("mlflow")
from mlflow import MlflowClient  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402

SEMVER = "modelreg.version"
REQUESTED = "modelreg.requested_version"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with mlflow_project(tmp_path_factory.mktemp("mlflow-copy-search")):
        yield MlflowClient()


def error_code(call: Any) -> str:
    with pytest.raises(MlflowException) as raised:
        call()
    return str(raised.value.error_code)


def _version_from_run(client: Any, name: str, tmp_path: Path, content: str) -> Any:
    """A version of `name` registered from a run's `model/` folder holding one file."""
    experiment = client.get_experiment_by_name("copies") or client.get_experiment(
        client.create_experiment("copies")
    )
    run = client.create_run(experiment.experiment_id)
    (tmp_path / "weights.txt").write_text(content)
    client.log_artifact(run.info.run_id, str(tmp_path / "weights.txt"), "model")
    client.set_terminated(run.info.run_id)
    if not client.search_registered_models(f"name = '{name}'"):
        client.create_registered_model(name)
    return client.create_model_version(name, f"runs:/{run.info.run_id}/model", run.info.run_id)


def test_copy_to_another_model_keeps_a_free_semver_and_the_files(
    client: Any, tmp_path: Path
) -> None:
    source = _version_from_run(client, "copy-src", tmp_path, "weights of src 1")
    assert source.tags[SEMVER] == "1.0.0"

    copy = client.copy_model_version(f"models:/copy-src/{source.version}", "copy-dst")

    assert (copy.name, copy.version) == ("copy-dst", "1")
    assert copy.source == f"models:/copy-src/{source.version}"
    assert copy.run_id == source.run_id
    assert copy.tags[SEMVER] == "1.0.0" and REQUESTED not in copy.tags
    loaded = mlflow.artifacts.download_artifacts(
        artifact_uri="models:/copy-dst/1", dst_path=str(tmp_path / "got")
    )
    assert (Path(loaded) / "weights.txt").read_text() == "weights of src 1"


def test_copy_whose_semver_is_taken_gets_the_next_patch_and_says_so(
    client: Any, tmp_path: Path
) -> None:
    first = _version_from_run(client, "taken-src", tmp_path, "src")
    for content in ("dst 1", "dst 2"):
        _version_from_run(client, "taken-dst", tmp_path, content)  # 1.0.0 and 1.0.1

    copy = client.copy_model_version(f"models:/taken-src/{first.version}", "taken-dst")

    assert copy.version == "3"
    assert copy.tags[SEMVER] == "1.0.2"
    assert copy.tags[REQUESTED] == "1.0.0"
    again = client.get_model_version("taken-dst", "3")
    assert (again.tags[SEMVER], again.tags[REQUESTED]) == ("1.0.2", "1.0.0")


def test_copy_within_the_same_model_is_its_next_version(client: Any, tmp_path: Path) -> None:
    first = _version_from_run(client, "self-copy", tmp_path, "original")
    client.set_model_version_tag("self-copy", first.version, "team", "vision")

    copy = client.copy_model_version("models:/self-copy/1", "self-copy")

    assert copy.version == "2"
    assert copy.tags == {SEMVER: "1.0.1", REQUESTED: "1.0.0", "team": "vision"}
    loaded = mlflow.artifacts.download_artifacts(
        artifact_uri="models:/self-copy/2", dst_path=str(tmp_path / "copy")
    )
    assert (Path(loaded) / "weights.txt").read_text() == "original"


def test_a_semver_the_user_asks_for_that_is_taken_stays_an_error(
    client: Any, tmp_path: Path
) -> None:
    _version_from_run(client, "explicit", tmp_path, "one")  # 1.0.0
    client.create_registered_model("explicit-other")
    client.create_model_version("explicit-other", "s3://bucket/other", tags={SEMVER: "2.0.0"})

    # Not a copy: a plain source with the SemVer tag.
    assert (
        error_code(
            lambda: client.create_model_version(
                "explicit", "s3://bucket/model", tags={SEMVER: "1.0.0"}
            )
        )
        == "RESOURCE_ALREADY_EXISTS"
    )
    # A `models:/` source, but not the SemVer of the version it names (2.0.0): not a copy.
    assert (
        error_code(
            lambda: client.create_model_version(
                "explicit", "models:/explicit-other/1", tags={SEMVER: "1.0.0"}
            )
        )
        == "RESOURCE_ALREADY_EXISTS"
    )
    assert [v.version for v in client.search_model_versions("name = 'explicit'")] == ["1"]


def _all_pages(call: Any, **kwargs: Any) -> list[Any]:
    found, token = [], None
    while True:
        page = call(max_results=2, page_token=token, **kwargs)
        found.extend(page)
        token = page.token
        if not token:
            return found


@pytest.fixture(scope="module")
def ordered(client: Any) -> Any:
    """Models `ord-b` (versions 1-3) and `ord-a` (versions 1-2), created in that order; then
    `ord-b` version 2 updated last."""
    for name, count in (("ord-b", 3), ("ord-a", 2)):
        client.create_registered_model(name)
        for _ in range(count):
            client.create_model_version(name, "s3://bucket/model")
    client.update_model_version("ord-b", "2", description="retrained")
    return client


def _keys(versions: list[Any]) -> str:
    """`b2` for version 2 of `ord-b`..."""
    return " ".join(f"{v.name[-1]}{v.version}" for v in versions if v.name.startswith("ord-"))


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        # Equal names: the highest number first, as in MLflow.
        (["name"], "a2 a1 b3 b2 b1"),
        (["name DESC"], "b3 b2 b1 a2 a1"),
        (["name ASC", "version_number ASC"], "a1 a2 b1 b2 b3"),
        (["last_updated_timestamp DESC"], "b2 a2 a1 b3 b1"),
        (["last_updated_timestamp ASC"], "b1 b3 a1 a2 b2"),
        (["creation_timestamp ASC"], "b1 b2 b3 a1 a2"),
        (["version_number DESC"], "b3 a2 b2 a1 b1"),
        # None: MLflow's own, the last updated first.
        ([], "b2 a2 a1 b3 b1"),
    ],
)
def test_search_model_versions_in_every_order_and_in_pages(
    ordered: Any, order_by: list[str], expected: str
) -> None:
    where = "name LIKE 'ord-%'"
    whole = ordered.search_model_versions(where, order_by=order_by or None)
    assert _keys(whole) == expected
    paged = _all_pages(ordered.search_model_versions, filter_string=where, order_by=order_by)
    assert _keys(paged) == expected


def test_search_registered_models_orders_by_last_update(ordered: Any) -> None:
    def names(order_by: list[str]) -> list[str]:
        found = _all_pages(
            ordered.search_registered_models, filter_string="name LIKE 'ord-%'", order_by=order_by
        )
        return [m.name for m in found]

    # `timestamp` is the last update, as in MLflow: `ord-b` was created first, updated last.
    ordered.update_registered_model("ord-b", description="the b model")
    assert names(["timestamp DESC"]) == ["ord-b", "ord-a"]
    assert names(["last_updated_timestamp ASC"]) == ["ord-a", "ord-b"]
    assert names(["creation_timestamp ASC"]) == ["ord-b", "ord-a"]
    assert names(["name DESC"]) == ["ord-b", "ord-a"]


def test_order_by_mistakes_are_invalid_parameters(client: Any) -> None:
    for order_by in (["size"], ["name", "name DESC"], ["name SIDEWAYS"]):
        assert (
            error_code(lambda o=order_by: client.search_model_versions(order_by=o))
            == "INVALID_PARAMETER_VALUE"
        )
    duplicate = ["timestamp", "last_updated_timestamp DESC"]  # one field in MLflow
    assert (
        error_code(lambda: client.search_registered_models(order_by=duplicate))
        == "INVALID_PARAMETER_VALUE"
    )


def test_search_runs_started_together_go_by_run_id(client: Any) -> None:
    experiment = client.create_experiment("ties")
    together = [client.create_run(experiment, start_time=5_000).info.run_id for _ in range(4)]
    later = client.create_run(experiment, start_time=9_000).info.run_id

    first = client.search_runs([experiment], max_results=3)
    rest = client.search_runs([experiment], max_results=3, page_token=first.token)

    assert [r.info.run_id for r in [*first, *rest]] == [later, *sorted(together)]
