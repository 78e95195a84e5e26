"""Unit tests for modelreg.domain.lifecycle and modelreg.domain.policy."""

from __future__ import annotations

import pytest

from modelreg.domain import policy
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
from modelreg.errors import ErrorCode, InvalidArgument, PermissionDenied

ALICE = Actor(name="alice")
BOB = Actor(name="bob")


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


def test_until_accounts_exist_everyone_may_do_everything() -> None:
    for ability in policy.Ability:
        for stage in (None, *Stage):
            assert policy.can(ALICE, ability, target_stage=stage)
            policy.require(ALICE, ability, target_stage=stage)


def test_require_raises_permission_denied_when_the_policy_says_no(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        policy, "can", lambda actor, ability, *, target_stage=None: target_stage != Stage.PRODUCTION
    )
    policy.require(ALICE, policy.Ability.TRANSITION_STAGE, target_stage=Stage.STAGING)
    with pytest.raises(PermissionDenied, match="transition stage to Production"):
        policy.require(ALICE, policy.Ability.TRANSITION_STAGE, target_stage=Stage.PRODUCTION)


def test_only_the_requester_may_cancel_and_only_pending_requests_have_actions() -> None:
    def actions(actor: Actor, pending: bool) -> list[policy.RequestAction]:
        return policy.available_request_actions(
            actor, pending=pending, requester="alice", target_stage=Stage.PRODUCTION
        )

    approve, reject, cancel = policy.RequestAction
    assert actions(ALICE, True) == [approve, reject, cancel]
    assert actions(BOB, True) == [approve, reject]
    assert actions(ALICE, False) == []


def test_without_the_approve_ability_the_requester_can_only_cancel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(policy, "can", lambda actor, ability, *, target_stage=None: False)
    found = policy.available_request_actions(
        ALICE, pending=True, requester="alice", target_stage=Stage.STAGING
    )
    assert found == [policy.RequestAction.CANCEL]


def test_only_the_author_may_change_a_comment() -> None:
    assert policy.can_change_comment(ALICE, author="alice")
    assert not policy.can_change_comment(BOB, author="alice")
