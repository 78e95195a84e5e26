"""Unit tests for modelreg.domain.compatibility: signature diffs, bump rules, the declared bump,
the previous release, the verdict and the ENFORCE refusal."""

from __future__ import annotations

import pytest

from modelreg.domain.compatibility import (
    ChangeKind,
    Compatibility,
    SignatureChange,
    Verdict,
    assess,
    declared_bump,
    diff_signatures,
    guard_refusal,
    previous_release,
    required_bump,
)
from modelreg.domain.model_metadata import Column, ModelMetadata, Signature
from modelreg.domain.versions import Bump
from modelreg.errors import InvalidArgument


def col(name: str | None, type_: str = "double", *, optional: bool = False) -> Column:
    return Column(name=name, type=type_, shape=None, optional=optional)


def tensor(dtype: str, *shape: int, name: str | None = None) -> Column:
    return Column(name=name, type=dtype, shape=shape, optional=False)


def sig(inputs: list[Column], outputs: list[Column] | None = None) -> Signature:
    return Signature(
        inputs=tuple(inputs),
        outputs=tuple(outputs if outputs is not None else [col("proba")]),
        params=(),
    )


def meta(signature: Signature | None) -> ModelMetadata:
    return ModelMetadata(
        root="",
        mlmodel_path="MLmodel",
        flavors=("python_function",),
        python_version="3.11.9",
        mlflow_version="2.17.0",
        runtime=(),
        signature=signature,
        conda_channels=(),
        dependencies=(),
        dependency_files=(),
        warnings=(),
    )


BASE = sig([col("age", "long"), col("income"), col("city", "string", optional=True)])


def kinds(changes: tuple[SignatureChange, ...]) -> list[tuple[ChangeKind, str, Bump]]:
    return [(change.kind, change.column, change.bump) for change in changes]


# --------------------------------------------------------------------------------------------
# diff_signatures: one rule at a time


def test_same_signature_has_no_changes_and_needs_a_patch() -> None:
    changes = diff_signatures(BASE, sig(list(BASE.inputs)))
    assert changes == ()
    assert required_bump(changes) is Bump.PATCH


def test_new_required_input_is_major() -> None:
    new = sig([*BASE.inputs, col("zip", "string")])
    (change,) = diff_signatures(BASE, new)
    assert (change.kind, change.column, change.bump) == (
        ChangeKind.INPUT_ADDED_REQUIRED,
        "zip",
        Bump.MAJOR,
    )
    assert change.before is None
    assert change.after == col("zip", "string")
    assert change.message == "Input 'zip' (string) was added and is required."


def test_new_optional_input_is_minor() -> None:
    new = sig([*BASE.inputs, col("zip", "string", optional=True)])
    (change,) = diff_signatures(BASE, new)
    assert (change.kind, change.bump) == (ChangeKind.INPUT_ADDED_OPTIONAL, Bump.MINOR)
    assert change.message == "Input 'zip' (string) was added as optional."


def test_removed_input_is_major_even_when_optional() -> None:
    new = sig([col("age", "long"), col("income")])
    (change,) = diff_signatures(BASE, new)
    assert (change.kind, change.column, change.bump) == (
        ChangeKind.INPUT_REMOVED,
        "city",
        Bump.MAJOR,
    )
    assert change.after is None
    assert change.message == "Input 'city' (string) was removed."


def test_retyped_input_is_major() -> None:
    new = sig([col("age", "double"), col("income"), col("city", "string", optional=True)])
    (change,) = diff_signatures(BASE, new)
    assert (change.kind, change.bump) == (ChangeKind.INPUT_RETYPED, Bump.MAJOR)
    assert change.before == col("age", "long")
    assert change.after == col("age", "double")
    assert change.message == "Input 'age' changed type from long to double."


def test_input_now_required_is_major() -> None:
    new = sig([col("age", "long"), col("income"), col("city", "string")])
    (change,) = diff_signatures(BASE, new)
    assert (change.kind, change.bump) == (ChangeKind.INPUT_NOW_REQUIRED, Bump.MAJOR)
    assert change.message == "Input 'city' (string) was optional and is now required."


def test_input_now_optional_is_minor() -> None:
    new = sig([col("age", "long", optional=True), col("income"), BASE.inputs[2]])
    (change,) = diff_signatures(BASE, new)
    assert (change.kind, change.bump) == (ChangeKind.INPUT_NOW_OPTIONAL, Bump.MINOR)
    assert change.message == "Input 'age' (long) was required and is now optional."


def test_new_output_is_minor() -> None:
    new = sig(list(BASE.inputs), [col("proba"), col("label", "long")])
    (change,) = diff_signatures(BASE, new)
    assert (change.kind, change.column, change.bump) == (
        ChangeKind.OUTPUT_ADDED,
        "label",
        Bump.MINOR,
    )
    assert change.message == "Output 'label' (long) was added."


def test_removed_output_is_major() -> None:
    new = sig(list(BASE.inputs), [])
    (change,) = diff_signatures(BASE, new)
    assert (change.kind, change.bump) == (ChangeKind.OUTPUT_REMOVED, Bump.MAJOR)
    assert change.message == "Output 'proba' (double) was removed."


def test_retyped_output_is_major() -> None:
    new = sig(list(BASE.inputs), [col("proba", "float")])
    (change,) = diff_signatures(BASE, new)
    assert (change.kind, change.bump) == (ChangeKind.OUTPUT_RETYPED, Bump.MAJOR)
    assert change.message == "Output 'proba' changed type from double to float."


def test_output_optional_flag_alone_is_no_change() -> None:
    new = sig(list(BASE.inputs), [col("proba", optional=True)])
    assert diff_signatures(BASE, new) == ()


def test_retyped_and_now_required_are_two_changes() -> None:
    new = sig([col("age", "long"), col("income"), col("city", "long")])
    assert kinds(diff_signatures(BASE, new)) == [
        (ChangeKind.INPUT_RETYPED, "city", Bump.MAJOR),
        (ChangeKind.INPUT_NOW_REQUIRED, "city", Bump.MAJOR),
    ]


def test_mixed_changes_in_documented_order() -> None:
    old = sig([col("a"), col("b"), col("c", optional=True)], [col("x"), col("y")])
    new = sig(
        [col("d", optional=True), col("c"), col("a", "long"), col("e")],
        [col("z"), col("x")],
    )
    changes = diff_signatures(old, new)
    assert kinds(changes) == [
        (ChangeKind.INPUT_ADDED_OPTIONAL, "d", Bump.MINOR),
        (ChangeKind.INPUT_NOW_REQUIRED, "c", Bump.MAJOR),
        (ChangeKind.INPUT_RETYPED, "a", Bump.MAJOR),
        (ChangeKind.INPUT_ADDED_REQUIRED, "e", Bump.MAJOR),
        (ChangeKind.INPUT_REMOVED, "b", Bump.MAJOR),
        (ChangeKind.OUTPUT_ADDED, "z", Bump.MINOR),
        (ChangeKind.OUTPUT_REMOVED, "y", Bump.MAJOR),
    ]
    assert required_bump(changes) is Bump.MAJOR


def test_only_minor_changes_need_a_minor() -> None:
    new = sig(
        [col("age", "long", optional=True), col("income"), BASE.inputs[2], col("n", optional=True)],
        [col("proba"), col("label", "long")],
    )
    changes = diff_signatures(BASE, new)
    assert {change.bump for change in changes} == {Bump.MINOR}
    assert len(changes) == 3
    assert required_bump(changes) is Bump.MINOR


def test_tensor_shape_change_is_retyped() -> None:
    old = sig([tensor("float64", -1, 4)], [tensor("int64", -1)])
    new = sig([tensor("float64", -1, 5)], [tensor("int64", -1)])
    (change,) = diff_signatures(old, new)
    assert (change.kind, change.column, change.bump) == (
        ChangeKind.INPUT_RETYPED,
        "#0",
        Bump.MAJOR,
    )
    assert change.message == "Input #0 (float64) changed shape from [-1, 4] to [-1, 5]."


def test_tensor_dtype_change_is_retyped_with_shapes_in_the_message() -> None:
    old = sig([tensor("float64", -1, 4)], [tensor("int64", -1)])
    new = sig([tensor("float32", -1, 4)], [tensor("int32", -1)])
    changes = diff_signatures(old, new)
    assert kinds(changes) == [
        (ChangeKind.INPUT_RETYPED, "#0", Bump.MAJOR),
        (ChangeKind.OUTPUT_RETYPED, "#0", Bump.MAJOR),
    ]
    assert changes[0].message == "Input #0 changed type from float64[-1, 4] to float32[-1, 4]."
    assert changes[1].message == "Output #0 changed type from int64[-1] to int32[-1]."


def test_same_tensor_signature_is_patch() -> None:
    old = sig([tensor("uint8", -1, 28, 28, name="image")], [tensor("float32", -1, 10)])
    assert diff_signatures(old, old) == ()


def test_tensor_to_column_is_retyped() -> None:
    old = sig([tensor("float64", -1)])
    new = sig([col(None, "double")])
    (change,) = diff_signatures(old, new)
    assert change.kind is ChangeKind.INPUT_RETYPED
    assert change.message == "Input #0 changed type from float64[-1] to double."


def test_unnamed_columns_match_by_position() -> None:
    old = sig([col(None, "double"), col(None, "long")])
    new = sig([col(None, "double"), col(None, "string"), col(None, "long", optional=True)])
    assert kinds(diff_signatures(old, new)) == [
        (ChangeKind.INPUT_RETYPED, "#1", Bump.MAJOR),
        (ChangeKind.INPUT_ADDED_OPTIONAL, "#2", Bump.MINOR),
    ]
    removed = diff_signatures(new, old)
    assert kinds(removed)[-1] == (ChangeKind.INPUT_REMOVED, "#2", Bump.MAJOR)
    assert removed[-1].message == "Input #2 (long) was removed."


def test_renamed_column_is_removed_and_added() -> None:
    old = sig([col("age")])
    new = sig([col("years")])
    assert kinds(diff_signatures(old, new)) == [
        (ChangeKind.INPUT_ADDED_REQUIRED, "years", Bump.MAJOR),
        (ChangeKind.INPUT_REMOVED, "age", Bump.MAJOR),
    ]


def test_required_bump_of_nothing_is_patch() -> None:
    assert required_bump([]) is Bump.PATCH
    assert required_bump(iter(())) is Bump.PATCH


# --------------------------------------------------------------------------------------------
# declared_bump


@pytest.mark.parametrize(
    ("previous", "version", "bump"),
    [
        ("1.4.2", "2.0.0", Bump.MAJOR),
        ("1.4.2", "2.0.0-rc1", Bump.MAJOR),
        ("1.4.2", "3.1.7", Bump.MAJOR),
        ("1.4.2", "1.5.0", Bump.MINOR),
        ("1.4.2", "1.5.0-alpha.1", Bump.MINOR),
        ("1.4.2", "1.6.3", Bump.MINOR),
        ("1.4.2", "1.4.3", Bump.PATCH),
        ("1.4.2", "1.4.3-rc.1", Bump.PATCH),
        ("1.4.2", "1.4.10+build.5", Bump.PATCH),
        ("0.9.9", "1.0.0", Bump.MAJOR),
        ("2.0.0-rc1", "2.0.0", Bump.PATCH),
        ("2.0.0-rc1", "2.0.0-rc2", Bump.PATCH),
    ],
)
def test_declared_bump(previous: str, version: str, bump: Bump) -> None:
    assert declared_bump(previous, version) is bump


@pytest.mark.parametrize(
    ("previous", "version"),
    [("1.4.2", "1.4.2"), ("1.4.2", "1.4.1"), ("2.0.0", "2.0.0-rc1"), ("1.0.0", "1.0.0+b2")],
)
def test_declared_bump_needs_a_higher_version(previous: str, version: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        declared_bump(previous, version)
    assert caught.value.field == "version"


def test_declared_bump_rejects_non_semver() -> None:
    with pytest.raises(InvalidArgument):
        declared_bump("1.4", "2.0.0")


# --------------------------------------------------------------------------------------------
# previous_release


def test_previous_release_is_the_highest_release_before() -> None:
    others = ["1.0.0", "1.10.0", "1.2.0", "2.0.0-rc1", "1.9.9", "3.0.0", "2.0.0", "2.1.0-beta"]
    assert previous_release("2.1.0", others) == "2.0.0"
    assert previous_release("2.0.0", others) == "1.10.0"  # not 2.0.0-rc1, not 2.0.0 itself
    assert previous_release("2.0.0-rc2", others) == "1.10.0"
    assert previous_release("1.10.0", others) == "1.9.9"  # SemVer, not string, order
    assert previous_release("1.0.0", others) is None


def test_previous_release_skips_prereleases_higher_versions_and_junk() -> None:
    assert previous_release("1.0.0", ["1.0.0-rc1", "0.1.0-alpha", "2.0.0"]) is None
    assert previous_release("1.0.0", []) is None
    assert previous_release("1.0.0", ["not-semver", "0.9.0", "v0.9.5"]) == "0.9.0"
    assert previous_release("1.0.0+build2", ["1.0.0+build1", "0.5.0"]) == "0.5.0"


# --------------------------------------------------------------------------------------------
# assess


def test_first_release() -> None:
    result = assess(version="1.0.0", previous_version=None, previous=None, current=meta(BASE))
    assert result == Compatibility(
        version="1.0.0",
        previous_version=None,
        declared_bump=None,
        required_bump=None,
        verdict=Verdict.FIRST_RELEASE,
        reasons=(),
        suggested_version=None,
    )
    assert guard_refusal(result) is None


@pytest.mark.parametrize(
    ("previous", "current"),
    [
        (None, meta(BASE)),
        (meta(BASE), None),
        (meta(None), meta(BASE)),
        (meta(BASE), meta(None)),
        (None, None),
    ],
)
def test_unknown_without_metadata_or_signature(
    previous: ModelMetadata | None, current: ModelMetadata | None
) -> None:
    result = assess(version="1.5.0", previous_version="1.4.2", previous=previous, current=current)
    assert result.verdict is Verdict.UNKNOWN
    assert result.declared_bump is Bump.MINOR
    assert result.required_bump is None
    assert result.reasons == ()
    assert result.suggested_version is None
    assert guard_refusal(result) is None


def test_too_small_with_suggestion() -> None:
    current = sig([*BASE.inputs, col("age2", "long")])
    result = assess(
        version="1.4.3", previous_version="1.4.2", previous=meta(BASE), current=meta(current)
    )
    assert result.verdict is Verdict.TOO_SMALL
    assert result.declared_bump is Bump.PATCH
    assert result.required_bump is Bump.MAJOR
    assert result.suggested_version == "2.0.0"
    assert kinds(result.reasons) == [(ChangeKind.INPUT_ADDED_REQUIRED, "age2", Bump.MAJOR)]
    assert guard_refusal(result) == (
        "Version 1.4.3 declares a PATCH over 1.4.2, but its signature changes require a MAJOR "
        "bump: input 'age2' (long) was added and is required. Use 2.0.0."
    )


def test_minor_declared_for_major_changes_names_only_the_major_ones() -> None:
    current = sig(
        [col("age", "long"), col("income", "float"), BASE.inputs[2], col("n", optional=True)],
        [],
    )
    result = assess(
        version="1.5.0", previous_version="1.4.2", previous=meta(BASE), current=meta(current)
    )
    assert result.verdict is Verdict.TOO_SMALL
    assert result.suggested_version == "2.0.0"
    assert guard_refusal(result) == (
        "Version 1.5.0 declares a MINOR over 1.4.2, but its signature changes require a MAJOR "
        "bump: input 'income' changed type from double to float; output 'proba' (double) was "
        "removed. Use 2.0.0."
    )


def test_patch_declared_for_minor_changes() -> None:
    current = sig([*BASE.inputs, col("n", optional=True)])
    result = assess(
        version="1.4.3", previous_version="1.4.2", previous=meta(BASE), current=meta(current)
    )
    assert (result.verdict, result.required_bump, result.suggested_version) == (
        Verdict.TOO_SMALL,
        Bump.MINOR,
        "1.5.0",
    )
    refusal = guard_refusal(result)
    assert refusal is not None
    assert refusal.endswith(
        "require a MINOR bump: input 'n' (double) was added as optional. Use 1.5.0."
    )


@pytest.mark.parametrize(
    ("version", "declared"),
    [("2.0.0", Bump.MAJOR), ("2.0.0-rc.1", Bump.MAJOR), ("3.0.0", Bump.MAJOR)],
)
def test_ok_when_the_declared_bump_is_enough(version: str, declared: Bump) -> None:
    current = sig([col("age", "double")])
    result = assess(
        version=version, previous_version="1.4.2", previous=meta(BASE), current=meta(current)
    )
    assert result.verdict is Verdict.OK
    assert result.declared_bump is declared
    assert result.required_bump is Bump.MAJOR
    assert result.suggested_version == "2.0.0"
    assert guard_refusal(result) is None


def test_ok_when_more_than_required_and_suggestion_is_the_smallest() -> None:
    result = assess(
        version="2.0.0", previous_version="1.4.2", previous=meta(BASE), current=meta(BASE)
    )
    assert result.verdict is Verdict.OK
    assert result.required_bump is Bump.PATCH
    assert result.reasons == ()
    assert result.suggested_version == "1.4.3"


def test_prerelease_of_a_patch_is_too_small_for_minor_changes() -> None:
    current = sig(list(BASE.inputs), [col("proba"), col("label", "long")])
    result = assess(
        version="1.4.3-rc.1", previous_version="1.4.2", previous=meta(BASE), current=meta(current)
    )
    assert result.verdict is Verdict.TOO_SMALL
    assert result.suggested_version == "1.5.0"


def test_tensor_models_end_to_end() -> None:
    old = meta(sig([tensor("float32", -1, 3, 224, 224)], [tensor("float32", -1, 1000)]))
    new = meta(sig([tensor("float32", -1, 3, 256, 256)], [tensor("float32", -1, 1000)]))
    result = assess(version="1.1.0", previous_version="1.0.0", previous=old, current=new)
    assert result.verdict is Verdict.TOO_SMALL
    refusal = guard_refusal(result)
    assert refusal == (
        "Version 1.1.0 declares a MINOR over 1.0.0, but its signature changes require a MAJOR "
        "bump: input #0 (float32) changed shape from [-1, 3, 224, 224] to [-1, 3, 256, 256]. "
        "Use 2.0.0."
    )
