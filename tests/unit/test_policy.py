"""The role → ability table and the visibility rules, cell by cell (modelreg.domain.policy)."""

from __future__ import annotations

import pytest

from modelreg.domain.actor import ANONYMOUS, Actor, Scope
from modelreg.domain.lifecycle import Stage
from modelreg.domain.policy import (
    Ability,
    Outcome,
    RequestAction,
    Role,
    Visibility,
    available_request_actions,
    can_read,
    decide,
    is_author,
    may_administer,
    may_create_project,
    may_manage_own_account,
    required_role,
)

USER = Actor(name="ada", user_id=7)
ADMIN = Actor(name="root", user_id=1, is_admin=True)
READ_TOKEN = Actor(name="ada", user_id=7, scopes=frozenset({Scope.READ_API}))
API_TOKEN = Actor(name="ada", user_id=7, scopes=frozenset({Scope.API}))

# The lowest role for each ability with no stage involved: DESIGN.md's table.
EXPECTED_MIN_ROLE = {
    Ability.READ: Role.GUEST,
    Ability.EDIT: Role.REPORTER,
    Ability.COMMENT: Role.REPORTER,
    Ability.REQUEST_TRANSITION: Role.REPORTER,
    Ability.TRANSITION_STAGE: Role.DEVELOPER,
    Ability.APPROVE_TRANSITION: Role.DEVELOPER,
    Ability.MANAGE_ALIASES: Role.DEVELOPER,
    Ability.MANAGE_WEBHOOKS: Role.MAINTAINER,
    Ability.EXPORT: Role.MAINTAINER,
    Ability.MANAGE_MEMBERS: Role.OWNER,
    Ability.MANAGE_PROJECT: Role.OWNER,
}


@pytest.mark.parametrize("ability", list(Ability))
@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_the_abilities_of_the_table(ability: Ability, role: Role) -> None:
    decision = decide(USER, ability, visibility=Visibility.PRIVATE, role=role)
    if role >= EXPECTED_MIN_ROLE[ability]:
        assert decision.outcome is Outcome.ALLOW
    else:
        assert decision.outcome is Outcome.DENY
        assert decision.required == EXPECTED_MIN_ROLE[ability]
        assert f"{EXPECTED_MIN_ROLE[ability].name} role or higher" in decision.reason
        assert f"your role is {role.name}" in decision.reason


@pytest.mark.parametrize(
    ("current", "target", "needed"),
    [
        (Stage.NONE, Stage.STAGING, Role.DEVELOPER),
        (Stage.STAGING, Stage.ARCHIVED, Role.DEVELOPER),
        (Stage.ARCHIVED, Stage.NONE, Role.DEVELOPER),
        (Stage.NONE, Stage.PRODUCTION, Role.MAINTAINER),
        (Stage.STAGING, Stage.PRODUCTION, Role.MAINTAINER),
        (Stage.PRODUCTION, Stage.ARCHIVED, Role.MAINTAINER),
        (Stage.PRODUCTION, Stage.STAGING, Role.MAINTAINER),
    ],
)
@pytest.mark.parametrize("ability", [Ability.TRANSITION_STAGE, Ability.APPROVE_TRANSITION])
def test_production_needs_a_maintainer_the_other_stages_a_developer(
    ability: Ability, current: Stage, target: Stage, needed: Role
) -> None:
    assert required_role(ability, [current, target]) == needed
    for role in Role:
        decision = decide(
            USER, ability, visibility=Visibility.PRIVATE, role=role, stages=[current, target]
        )
        assert decision.allowed == (role >= needed), (role, decision)


def test_a_reporter_may_request_any_transition_but_make_none() -> None:
    for target in Stage:
        request = decide(
            USER,
            Ability.REQUEST_TRANSITION,
            visibility=Visibility.PRIVATE,
            role=Role.REPORTER,
            stages=[Stage.NONE, target],
        )
        assert request.allowed
        move = decide(
            USER,
            Ability.TRANSITION_STAGE,
            visibility=Visibility.PRIVATE,
            role=Role.REPORTER,
            stages=[Stage.NONE, target],
        )
        assert not move.allowed


@pytest.mark.parametrize(
    ("stage", "needed"),
    [
        (Stage.NONE, Role.REPORTER),
        (Stage.ARCHIVED, Role.REPORTER),
        (Stage.STAGING, Role.DEVELOPER),
        (Stage.PRODUCTION, Role.MAINTAINER),
    ],
)
def test_editing_a_version_serving_in_a_stage_needs_the_role_that_may_move_it(
    stage: Stage, needed: Role
) -> None:
    assert required_role(Ability.EDIT, [stage]) == needed
    denied = decide(
        USER, Ability.EDIT, visibility=Visibility.PUBLIC, role=Role.REPORTER, stages=[stage]
    )
    assert denied.allowed == (needed == Role.REPORTER)
    if not denied.allowed:
        assert stage.label in denied.reason


@pytest.mark.parametrize(
    ("actor", "visibility", "readable"),
    [
        (ANONYMOUS, Visibility.PUBLIC, True),
        (ANONYMOUS, Visibility.INTERNAL, False),
        (ANONYMOUS, Visibility.PRIVATE, False),
        (USER, Visibility.PUBLIC, True),
        (USER, Visibility.INTERNAL, True),
        (USER, Visibility.PRIVATE, False),
        (READ_TOKEN, Visibility.INTERNAL, True),
        (ADMIN, Visibility.PRIVATE, True),
    ],
)
def test_who_may_read_a_project_without_a_role(
    actor: Actor, visibility: Visibility, readable: bool
) -> None:
    assert can_read(actor, visibility=visibility, role=None) is readable
    decision = decide(actor, Ability.READ, visibility=visibility, role=None)
    assert decision.outcome is (Outcome.ALLOW if readable else Outcome.HIDDEN)


@pytest.mark.parametrize("ability", [a for a in Ability if a is not Ability.READ])
def test_outsiders_never_learn_a_private_project_exists(ability: Ability) -> None:
    for actor in (ANONYMOUS, USER, READ_TOKEN):
        decision = decide(actor, ability, visibility=Visibility.PRIVATE, role=None)
        assert decision.outcome is Outcome.HIDDEN
        assert decision.reason == ""


@pytest.mark.parametrize("ability", [a for a in Ability if a is not Ability.READ])
def test_anonymous_callers_must_sign_in_to_change_a_public_project(ability: Ability) -> None:
    decision = decide(ANONYMOUS, ability, visibility=Visibility.PUBLIC, role=None)
    assert decision.outcome is Outcome.SIGN_IN
    assert decision.reason.startswith("Sign in to ")


@pytest.mark.parametrize("ability", [a for a in Ability if a is not Ability.READ])
def test_signed_in_non_members_may_only_read_public_and_internal_projects(
    ability: Ability,
) -> None:
    for visibility in (Visibility.PUBLIC, Visibility.INTERNAL):
        decision = decide(USER, ability, visibility=visibility, role=None)
        assert decision.outcome is Outcome.DENY
        assert "you are not a member" in decision.reason


@pytest.mark.parametrize("ability", [a for a in Ability if a is not Ability.READ])
def test_a_read_api_token_reads_but_never_writes_even_for_an_owner_or_admin(
    ability: Ability,
) -> None:
    for actor in (
        READ_TOKEN,
        Actor(name="root", user_id=1, is_admin=True, scopes=READ_TOKEN.scopes),
    ):
        assert decide(actor, Ability.READ, visibility=Visibility.PRIVATE, role=Role.OWNER).allowed
        decision = decide(actor, ability, visibility=Visibility.PRIVATE, role=Role.OWNER)
        assert decision.outcome is Outcome.DENY
        assert "read_api scope" in decision.reason
    assert decide(API_TOKEN, ability, visibility=Visibility.PRIVATE, role=Role.OWNER).allowed


@pytest.mark.parametrize("ability", list(Ability))
def test_instance_admins_may_do_everything_everywhere(ability: Ability) -> None:
    for visibility in Visibility:
        decision = decide(
            ADMIN, ability, visibility=visibility, role=None, stages=[Stage.PRODUCTION]
        )
        assert decision.allowed


def test_instance_level_abilities() -> None:
    assert may_create_project(USER).allowed
    assert may_create_project(ANONYMOUS).outcome is Outcome.SIGN_IN
    assert may_create_project(READ_TOKEN).outcome is Outcome.DENY
    assert may_administer(ADMIN).allowed
    assert may_administer(USER).outcome is Outcome.DENY
    assert may_administer(ANONYMOUS).outcome is Outcome.SIGN_IN
    assert may_manage_own_account(USER).allowed
    assert may_manage_own_account(READ_TOKEN).outcome is Outcome.DENY
    assert may_manage_own_account(ANONYMOUS).outcome is Outcome.SIGN_IN


def test_request_actions_follow_approval_rights_and_authorship() -> None:
    approve, reject, cancel = RequestAction
    assert available_request_actions(USER, pending=True, requester="ada", may_approve=True) == [
        approve,
        reject,
        cancel,
    ]
    assert available_request_actions(USER, pending=True, requester="bob", may_approve=True) == [
        approve,
        reject,
    ]
    assert available_request_actions(USER, pending=True, requester="ada", may_approve=False) == [
        cancel
    ]
    assert available_request_actions(USER, pending=False, requester="ada", may_approve=True) == []
    assert (
        available_request_actions(READ_TOKEN, pending=True, requester="ada", may_approve=False)
        == []
    )


def test_authorship_needs_a_signed_in_actor_of_that_name() -> None:
    assert is_author(USER, author="ada")
    assert not is_author(USER, author="bob")
    assert not is_author(ANONYMOUS, author="anonymous")
