"""Unit tests for modelreg.domain.lifecycle and modelreg.domain.policy."""

from __future__ import annotations

import pytest

from modelreg.domain.actor import Actor
from modelreg.domain.lifecycle import (
    ACTIVE_STAGES,
    ALIAS_MAX,
    Stage,
    blocking_message,
    check_target_stage,
    validate_alias,
    validate_comment,
)
from modelreg.errors import ErrorCode, InvalidArgument

ALICE = Actor(name="alice", is_admin=True)
BOB = Actor(name="bob", is_admin=True)


@pytest.mark.parametrize(
    "alias", ["champion", "prod-eu", "A_b-9", "x", "a" * ALIAS_MAX, "v", "v1a", "latest2", "vv1"]
)
def test_valid_aliases_are_kept_as_given(alias: str) -> None:
    assert validate_alias(alias) == alias


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("", "Alias must not be empty."),
        ("a" * (ALIAS_MAX + 1), f"Alias is {ALIAS_MAX + 1} characters long; the limit is 255."),
        ("prod eu", "Alias may use only letters, digits, '_' and '-'"),
        ("prod.eu", "Alias may use only letters, digits, '_' and '-'"),
        ("champiön", "Alias may use only letters, digits, '_' and '-'"),
        ("latest", "Alias 'latest' is reserved"),
        ("LaTeSt", "Alias 'latest' is reserved"),
        ("v1", "Alias 'v1' is reserved: 'v<number>' names the version with that number"),
        ("V42", "Alias 'V42' is reserved"),
        ("v007", "Alias 'v007' is reserved"),
    ],
)
def test_invalid_aliases_are_refused_with_a_clear_message(alias: str, expected: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        validate_alias(alias)
    assert raised.value.message.startswith(expected)
    assert raised.value.code == ErrorCode.INVALID_ARGUMENT
    assert raised.value.field == "alias"


def test_stages_are_the_four_of_the_seeds_and_two_of_them_block_deletion() -> None:
    assert [s.value for s in Stage] == ["NONE", "STAGING", "PRODUCTION", "ARCHIVED"]
    assert set(ACTIVE_STAGES) == {Stage.STAGING, Stage.PRODUCTION}
    assert [s.label for s in Stage] == ["None", "Staging", "Production", "Archived"]


@pytest.mark.parametrize("current", list(Stage))
@pytest.mark.parametrize("target", list(Stage))
def test_any_stage_may_move_to_any_other_but_not_to_itself(current: Stage, target: Stage) -> None:
    if current == target:
        with pytest.raises(InvalidArgument, match=f"already in {target.label}"):
            check_target_stage(current, target)
    else:
        check_target_stage(current, target)


def test_blocking_message_says_what_to_do_first() -> None:
    assert blocking_message("1.2.0", Stage.PRODUCTION, "delete the model") == (
        "Version 1.2.0 is in Production; transition it to None or Archived first, "
        "then delete the model."
    )


def test_comments_may_be_empty_only_when_optional() -> None:
    assert validate_comment("") == ""
    assert validate_comment("**ok**\n") == "**ok**\n"
    with pytest.raises(InvalidArgument, match="must not be empty"):
        validate_comment("  \n", required=True)
    with pytest.raises(InvalidArgument, match="NUL"):
        validate_comment("a\x00b")
