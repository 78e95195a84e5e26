"""MLflow tracking rules (domain/tracking.py): names, values, statuses, paths, sources, filters."""

from __future__ import annotations

import math

import pytest

from modelreg.domain import tracking as rules
from modelreg.domain.filters import parse_filter
from modelreg.domain.tracking import (
    ArtifactSource,
    ListedFile,
    LoggedModelSource,
    LoggedModelStatus,
    RunSource,
    RunStatus,
)
from modelreg.errors import InvalidArgument

RUN = "0123456789abcdef0123456789abcdef"
MODEL = "m-" + "f" * 32


@pytest.mark.parametrize("key", ["lr", "eval/acc", "mlflow.runName", "a b:c-d_e.f", "k" * 250])
def test_valid_keys(key: str) -> None:
    assert rules.validate_key(key, what="Param key") == key


@pytest.mark.parametrize(
    "key", ["", None, 3, "k" * 251, "a$b", "a/../b", "/abs", "../up", "a//b", "a/", ".", "é\n"]
)
def test_invalid_keys(key: object) -> None:
    with pytest.raises(InvalidArgument):
        rules.validate_key(key, what="Param key")


def test_text_limits() -> None:
    assert rules.validate_text(None, what="v", limit=3) == ""
    assert rules.validate_text(1.5, what="v", limit=3) == "1.5"
    for bad in ("abcd", True, [1], "a\x00"):
        with pytest.raises(InvalidArgument):
            rules.validate_text(bad, what="v", limit=3)


@pytest.mark.parametrize(
    ("given", "expected"),
    [(1, 1.0), (0.5, 0.5), ("2.5", 2.5), ("Infinity", math.inf), ("-Infinity", -math.inf)],
)
def test_metric_values(given: object, expected: float) -> None:
    assert rules.parse_metric_value(given) == expected


def test_nan_metric_value_round_trips() -> None:
    value = rules.parse_metric_value("NaN")
    assert math.isnan(value)
    assert rules.metric_value_json(value) == "NaN"
    assert rules.metric_value_json(math.inf) == "Infinity"
    assert rules.metric_value_json(-math.inf) == "-Infinity"
    assert rules.metric_value_json(0.25) == 0.25


@pytest.mark.parametrize("given", [True, None, "abc", [1], {}])
def test_bad_metric_values(given: object) -> None:
    with pytest.raises(InvalidArgument):
        rules.parse_metric_value(given)


def test_int64() -> None:
    assert rules.parse_int64(5, field="t") == 5
    assert rules.parse_int64("-7", field="t") == -7
    assert rules.parse_int64(3.0, field="t") == 3
    assert rules.parse_int64(None, field="t", default=0) == 0
    assert rules.parse_int64(2**63 - 1, field="t") == 2**63 - 1
    for bad in (None, True, 1.5, "x", "--5", "²", 2**63, math.nan):
        with pytest.raises(InvalidArgument):
            rules.parse_int64(bad, field="t")
    with pytest.raises(InvalidArgument):
        rules.parse_int64(-1, field="t", minimum=0)


def test_statuses_by_name_or_number() -> None:
    assert rules.parse_run_status("finished") is RunStatus.FINISHED
    assert rules.parse_run_status(3) is RunStatus.FINISHED
    assert rules.parse_run_status("4") is RunStatus.FAILED
    assert rules.parse_logged_model_status("LOGGED_MODEL_READY") is LoggedModelStatus.READY
    assert rules.parse_logged_model_status(3) is LoggedModelStatus.UPLOAD_FAILED
    for bad in ("DONE", 0, 9, None, True, "99999999999"):
        with pytest.raises(InvalidArgument):
            rules.parse_run_status(bad)
        with pytest.raises(InvalidArgument):
            rules.parse_logged_model_status(bad)


def test_logged_model_names() -> None:
    assert rules.validate_logged_model_name("model") == "model"
    for bad in ("", "a/b", "a.b", "a:b", "50%", "it's", None):
        with pytest.raises(InvalidArgument):
            rules.validate_logged_model_name(bad)


def test_artifact_paths() -> None:
    assert rules.run_artifact_path("0", RUN) == f"0/{RUN}/artifacts"
    assert rules.logged_model_artifact_path("3", MODEL) == f"3/models/{MODEL}/artifacts"
    assert rules.artifact_uri("0/x") == "mlflow-artifacts:/0/x"
    assert rules.normalize_artifact_path("/a//b/") == "a/b"
    assert rules.normalize_artifact_path("") == ""
    for bad in ("a/../b", "./a", "a\\b", "a\x00"):
        with pytest.raises(InvalidArgument):
            rules.normalize_artifact_path(bad)
    assert rules.owner_of_artifact_path(f"0/{RUN}/artifacts/model") == (RUN, None)
    assert rules.owner_of_artifact_path(f"7/models/{MODEL}/artifacts") == (None, MODEL)
    assert rules.owner_of_artifact_path("0/other/artifacts") == (None, None)


def test_children_of_a_folder() -> None:
    files = {"a/MLmodel": 3, "a/data/x": 1, "a/data/y": 2, "ab": 9, "b": 4}
    assert rules.children(files, "a") == [
        ListedFile("MLmodel", False, 3),
        ListedFile("data", True, None),
    ]
    assert rules.children(files, "") == [
        ListedFile("a", True, None),
        ListedFile("ab", False, 9),
        ListedFile("b", False, 4),
    ]
    assert rules.children(files, "a/MLmodel") == []
    assert rules.children(files, "missing") == []


def test_content_types() -> None:
    assert rules.guess_content_type("model/MLmodel") == "application/yaml"
    assert rules.guess_content_type("conda.yaml") == "application/yaml"
    assert rules.guess_content_type("x.json") == "application/json"
    assert rules.guess_content_type("model.pkl") == "application/octet-stream"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (f"mlflow-artifacts:/0/{RUN}/artifacts/model", ArtifactSource(f"0/{RUN}/artifacts/model")),
        ("mlflow-artifacts://host:5000/1/x", ArtifactSource("1/x")),
        (f"runs:/{RUN}/model", RunSource(RUN, "model")),
        (f"runs:/{RUN}", RunSource(RUN, "")),
        (f"runs:/{RUN}/a/b/", RunSource(RUN, "a/b")),
        (f"models:/{MODEL}", LoggedModelSource(MODEL, "")),
        (f"models:/{MODEL}/sub", LoggedModelSource(MODEL, "sub")),
        (
            "https://h/prefix/projects/demo/mlflow/api/2.0/mlflow-artifacts/artifacts/0/x%20y",
            ArtifactSource("0/x y", project="demo"),
        ),
        (
            "http://h/projects/demo/mlflow/api/2.0/mlflow-artifacts/artifacts",
            ArtifactSource("", project="demo"),
        ),
        ("models:/churn/1", None),
        ("models:/churn@champion", None),
        ("s3://bucket/key", None),
        ("file:///tmp/model", None),
        ("http://elsewhere/model.pkl", None),
        ("", None),
        ("just-a-path", None),
    ],
)
def test_sources(source: str, expected: rules.Source | None) -> None:
    assert rules.parse_source(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "runs:/",
        "runs:/x/../y",
        "mlflow-artifacts:/a/../b",
        "runs:/a%00b/model",
        "http://h/projects/a%00/mlflow/api/2.0/mlflow-artifacts/artifacts/x",
    ],
)
def test_malformed_sources_of_ours(source: str) -> None:
    with pytest.raises(InvalidArgument):
        rules.parse_source(source)


def test_filters_on_loaded_rows() -> None:
    fields = {"name": "Churn-v2", "source_run_id": RUN, "creation_time": 10}
    tags = {"team": "growth"}

    def check(text: str) -> bool:
        ast = parse_filter(text, fields={"name", "source_run_id"}, numeric={"creation_time"})
        return rules.matches(ast, fields=fields, tags=tags)

    assert check("")
    assert check("name = 'Churn-v2'")
    assert check("name LIKE 'Churn%' AND tags.team = 'growth'")
    assert not check("name LIKE 'churn%'")
    assert check("name ILIKE 'churn%'")
    assert check("name LIKE 'Churn_v_'")
    assert check("creation_time >= 10 AND creation_time < 11")
    assert check("tags.team IN ('a', 'growth') OR name = 'x'")
    assert not check("tags.team NOT IN ('growth')")
    assert not check("tags.missing = 'x'")
    assert not check("tags.missing != 'x'")
    assert check("source_run_id != 'other'")
    with pytest.raises(InvalidArgument):
        check("name > 'a'")
