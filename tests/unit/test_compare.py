"""Unit tests for modelreg.domain.compare: side-by-side rows and their status."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pytest

from modelreg.domain.compare import (
    MAX_COMPARED,
    FileDigest,
    MetricPoint,
    RowStatus,
    SignatureSection,
    VersionData,
    compare,
)
from modelreg.domain.model_metadata import (
    Column,
    Dependency,
    DependencySource,
    ModelMetadata,
    Signature,
)
from modelreg.errors import InvalidArgument


def dep(name: str, requirement: str, version: str | None) -> Dependency:
    return Dependency(
        name=name,
        requirement=requirement,
        specifier=requirement[len(name) :],
        version=version,
        pinned=version is not None,
        sources=(DependencySource.REQUIREMENTS,),
    )


def meta(
    inputs: Sequence[Column] = (),
    outputs: Sequence[Column] = (),
    dependencies: Sequence[Dependency] = (),
    *,
    signature: bool = True,
) -> ModelMetadata:
    return ModelMetadata(
        root="",
        mlmodel_path="MLmodel",
        flavors=("python_function",),
        python_version="3.11.9",
        mlflow_version="2.17.0",
        runtime=(),
        signature=Signature(tuple(inputs), tuple(outputs), ()) if signature else None,
        conda_channels=(),
        dependencies=tuple(sorted(dependencies, key=lambda d: d.name)),
        dependency_files=("requirements.txt",),
        warnings=(),
    )


def data(
    version: str,
    *,
    params: Mapping[str, str] | None = None,
    metrics: Mapping[str, Sequence[MetricPoint]] | None = None,
    metadata: ModelMetadata | None = None,
    files: Mapping[str, FileDigest] | None = None,
) -> VersionData:
    return VersionData(
        version=version,
        params=params or {},
        metrics=metrics or {},
        metadata=metadata,
        files=files or {},
    )


def pt(step: int, timestamp_ms: int, value: float | None) -> MetricPoint:
    return MetricPoint(step=step, timestamp_ms=timestamp_ms, value=value)


# --------------------------------------------------------------------------------------------
# validation


@pytest.mark.parametrize("count", [0, 1, MAX_COMPARED + 1])
def test_number_of_versions_is_checked(count: int) -> None:
    with pytest.raises(InvalidArgument) as caught:
        compare([data(f"1.0.{i}") for i in range(count)])
    assert caught.value.field == "versions"


def test_same_version_twice_is_refused() -> None:
    with pytest.raises(InvalidArgument) as caught:
        compare([data("1.0.0"), data("1.1.0"), data("1.0.0")])
    assert caught.value.field == "versions"
    assert "1.0.0" in caught.value.message


def test_ten_versions_are_fine_and_keep_their_order() -> None:
    versions = [data(f"1.0.{i}") for i in range(MAX_COMPARED)][::-1]
    result = compare(versions)
    assert result.versions == tuple(f"1.0.{i}" for i in reversed(range(MAX_COMPARED)))
    assert (result.params, result.metrics, result.signature) == ((), (), ())
    assert (result.dependencies, result.files) == ((), ())


# --------------------------------------------------------------------------------------------
# params


def test_param_rows_sorted_with_status_against_the_baseline() -> None:
    result = compare(
        [
            data("1.0.0", params={"C": "0.5", "solver": "lbfgs", "seed": "1", "gone": "x"}),
            data("1.1.0", params={"C": "0.5", "solver": "saga", "new": "y", "seed": "1"}),
            data("1.2.0", params={"C": "0.5", "solver": "lbfgs", "seed": "1", "gone": "x"}),
        ]
    )
    rows = {row.key: row for row in result.params}
    assert [row.key for row in result.params] == ["C", "gone", "new", "seed", "solver"]
    assert rows["C"].status is RowStatus.SAME
    assert not rows["C"].differs
    assert rows["solver"].values == ("lbfgs", "saga", "lbfgs")
    assert rows["solver"].status is RowStatus.CHANGED
    assert rows["gone"].values == ("x", None, "x")
    assert rows["gone"].status is RowStatus.REMOVED
    assert rows["new"].values == (None, "y", None)
    assert rows["new"].status is RowStatus.ADDED
    assert all(rows[key].differs for key in ("solver", "gone", "new"))


def test_changed_needs_only_one_later_version_to_differ() -> None:
    result = compare([data("1", params={"a": "1"}), data("2", params={"a": "1"})])
    assert result.params[0].status is RowStatus.SAME
    result = compare(
        [
            data("1", params={"a": "1"}),
            data("2", params={"a": "1"}),
            data("3", params={"a": "2"}),
        ]
    )
    assert result.params[0].status is RowStatus.CHANGED


def test_empty_string_param_is_present() -> None:
    result = compare([data("1", params={"a": ""}), data("2", params={})])
    assert result.params[0].values == ("", None)
    assert result.params[0].status is RowStatus.REMOVED


# --------------------------------------------------------------------------------------------
# metrics


def test_latest_is_the_highest_step_then_the_latest_timestamp() -> None:
    result = compare(
        [
            data("1", metrics={"loss": [pt(2, 100, 0.3), pt(0, 300, 0.9), pt(2, 50, 0.4)]}),
            data("2", metrics={"loss": [pt(1, 10, 0.2), pt(1, 20, 0.25)]}),
        ]
    )
    (row,) = result.metrics
    assert row.latest == (0.3, 0.25)
    assert row.present == (True, True)
    assert row.history == (
        (pt(0, 300, 0.9), pt(2, 50, 0.4), pt(2, 100, 0.3)),
        (pt(1, 10, 0.2), pt(1, 20, 0.25)),
    )
    assert row.status is RowStatus.CHANGED


def test_same_latest_value_is_same_even_with_other_history() -> None:
    result = compare(
        [
            data("1", metrics={"acc": [pt(0, 1, 0.5), pt(1, 2, 0.9)]}),
            data("2", metrics={"acc": [pt(5, 9, 0.9)]}),
        ]
    )
    assert result.metrics[0].status is RowStatus.SAME


def test_nan_and_infinite_values_are_none() -> None:
    result = compare(
        [
            data("1", metrics={"loss": [pt(0, 1, 0.5), pt(1, 2, math.nan)], "r": [pt(0, 0, None)]}),
            data("2", metrics={"loss": [pt(3, 1, math.inf)], "r": [pt(0, 0, -math.inf)]}),
        ]
    )
    loss, r = result.metrics
    assert loss.latest == (None, None)
    assert loss.history[0][1] == pt(1, 2, None)
    assert loss.history[1] == (pt(3, 1, None),)
    assert loss.status is RowStatus.SAME
    assert r.latest == (None, None)
    assert r.status is RowStatus.SAME


def test_metric_presence_decides_added_and_removed() -> None:
    result = compare(
        [
            data("1", metrics={"old": [pt(0, 0, 1.0)], "nan": [pt(0, 0, math.nan)], "empty": []}),
            data("2", metrics={"new": [pt(0, 0, 2.0)], "nan": [pt(0, 0, 1.0)], "empty": []}),
        ]
    )
    rows = {row.key: row for row in result.metrics}
    assert set(rows) == {"new", "nan", "old"}  # a metric without points is absent
    assert (rows["old"].present, rows["old"].status) == ((True, False), RowStatus.REMOVED)
    assert rows["old"].history == ((pt(0, 0, 1.0),), ())
    assert (rows["new"].present, rows["new"].latest) == ((False, True), (None, 2.0))
    assert rows["new"].status is RowStatus.ADDED
    # A NaN latest value is present but differs from a number.
    assert (rows["nan"].present, rows["nan"].status) == ((True, True), RowStatus.CHANGED)


# --------------------------------------------------------------------------------------------
# signature


def col(name: str | None, type_: str = "double", *, optional: bool = False) -> Column:
    return Column(name=name, type=type_, shape=None, optional=optional)


def test_signature_rows_inputs_then_outputs_in_order_of_first_appearance() -> None:
    v1 = meta([col("age", "long"), col("city", "string", optional=True)], [col("proba")])
    v2 = meta([col("zip", "string"), col("age", "long"), col("city", "string")], [col("proba")])
    v3 = meta([col("age", "double"), col("city", "string", optional=True)], [col("label")])
    result = compare([data("1", metadata=v1), data("2", metadata=v2), data("3", metadata=v3)])
    summary = [(row.section, row.name, row.status) for row in result.signature]
    assert summary == [
        (SignatureSection.INPUT, "age", RowStatus.CHANGED),
        (SignatureSection.INPUT, "city", RowStatus.CHANGED),
        (SignatureSection.INPUT, "zip", RowStatus.ADDED),
        (SignatureSection.OUTPUT, "proba", RowStatus.REMOVED),
        (SignatureSection.OUTPUT, "label", RowStatus.ADDED),
    ]
    assert result.signature[2].columns == (None, col("zip", "string"), None)
    assert result.signature[0].columns[2] == col("age", "double")


def test_tensor_shapes_and_unnamed_columns() -> None:
    def tensor(*shape: int) -> Column:
        return Column(name=None, type="float32", shape=shape, optional=False)

    v1 = meta([tensor(-1, 4)], [tensor(-1)])
    v2 = meta([tensor(-1, 5)], [tensor(-1)])
    result = compare([data("1", metadata=v1), data("2", metadata=v2)])
    assert [(row.name, row.status) for row in result.signature] == [
        ("#0", RowStatus.CHANGED),
        ("#0", RowStatus.SAME),
    ]
    assert not result.signature[1].differs


def test_versions_without_signature_have_no_columns() -> None:
    v1 = meta([col("age")], [col("proba")])
    result = compare(
        [
            data("1", metadata=v1),
            data("2", metadata=meta(signature=False)),
            data("3", metadata=None),
        ]
    )
    assert [(row.name, row.columns, row.status) for row in result.signature] == [
        ("age", (col("age"), None, None), RowStatus.REMOVED),
        ("proba", (col("proba"), None, None), RowStatus.REMOVED),
    ]
    result = compare([data("1"), data("2", metadata=v1)])
    assert {row.status for row in result.signature} == {RowStatus.ADDED}


# --------------------------------------------------------------------------------------------
# dependencies and files


def test_dependency_rows_compare_the_requirement_text() -> None:
    v1 = meta(
        dependencies=[
            dep("scikit-learn", "scikit-learn==1.5.2", "1.5.2"),
            dep("numpy", "numpy", None),
        ]
    )
    v2 = meta(
        dependencies=[
            dep("scikit-learn", "scikit-learn==1.6.0", "1.6.0"),
            dep("numpy", "numpy", None),
        ]
    )
    v3 = meta(
        dependencies=[
            dep("scikit-learn", "scikit-learn==1.5.2", "1.5.2"),
            dep("xgboost", "xgboost>=2", None),
        ]
    )
    result = compare([data("1", metadata=v1), data("2", metadata=v2), data("3", metadata=v3)])
    rows = {row.name: row for row in result.dependencies}
    assert [row.name for row in result.dependencies] == ["numpy", "scikit-learn", "xgboost"]
    sk = rows["scikit-learn"]
    assert sk.specifiers == ("scikit-learn==1.5.2", "scikit-learn==1.6.0", "scikit-learn==1.5.2")
    assert sk.versions == ("1.5.2", "1.6.0", "1.5.2")
    assert sk.status is RowStatus.CHANGED
    assert (rows["numpy"].specifiers, rows["numpy"].status) == (
        ("numpy", "numpy", None),
        RowStatus.REMOVED,
    )
    assert rows["numpy"].versions == (None, None, None)
    assert (rows["xgboost"].specifiers, rows["xgboost"].status) == (
        (None, None, "xgboost>=2"),
        RowStatus.ADDED,
    )


def test_same_dependencies_are_same_and_missing_metadata_means_absent() -> None:
    same = meta(dependencies=[dep("pandas", "pandas==2.2.2", "2.2.2")])
    result = compare([data("1", metadata=same), data("2", metadata=same)])
    assert [(row.name, row.status) for row in result.dependencies] == [("pandas", RowStatus.SAME)]
    result = compare([data("1"), data("2", metadata=same)])
    assert result.dependencies[0].status is RowStatus.ADDED


def test_file_rows_compare_sha256() -> None:
    a, b = FileDigest(sha256="a" * 64, size=10), FileDigest(sha256="b" * 64, size=10)
    result = compare(
        [
            data("1", files={"model.pkl": a, "MLmodel": a, "old.txt": b}),
            data("2", files={"model.pkl": b, "MLmodel": a, "data/new.csv": a}),
        ]
    )
    assert [(row.path, row.status) for row in result.files] == [
        ("MLmodel", RowStatus.SAME),
        ("data/new.csv", RowStatus.ADDED),
        ("model.pkl", RowStatus.CHANGED),
        ("old.txt", RowStatus.REMOVED),
    ]
    assert result.files[2].files == (a, b)
    assert result.files[1].files == (None, a)
    assert [row.differs for row in result.files] == [False, True, True, True]
