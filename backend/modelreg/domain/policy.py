"""Who may do what: the ONE place every interface and service asks.

`decide` is pure: given the actor, the project's visibility and the actor's role in it, it says
whether an ability is allowed, and if not whether the project must look absent (NOT_FOUND: an
outsider must not learn that a private project exists), the caller must sign in, or the caller
lacks a role (PERMISSION_DENIED naming the role required).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, IntEnum, StrEnum

from modelreg.domain.actor import Actor
from modelreg.domain.lifecycle import Stage


class Role(IntEnum):
    """Project roles, lowest to highest; each has the abilities of those below it."""

    GUEST = 10
    REPORTER = 20
    DEVELOPER = 30
    MAINTAINER = 40
    OWNER = 50

    @property
    def label(self) -> str:
        return self.name.capitalize()


class Visibility(StrEnum):
    PRIVATE = "PRIVATE"  # members only
    INTERNAL = "INTERNAL"  # any signed-in user may read
    PUBLIC = "PUBLIC"  # anyone may read, anonymously


class Ability(StrEnum):
    READ = "read"
    # Create, edit and delete models and versions, their tags and files.
    EDIT = "edit"
    COMMENT = "comment"
    REQUEST_TRANSITION = "request_transition"
    TRANSITION_STAGE = "transition_stage"
    APPROVE_TRANSITION = "approve_transition"
    MANAGE_ALIASES = "manage_aliases"
    MANAGE_WEBHOOKS = "manage_webhooks"
    # Download the project (models, versions, history, files) as one archive.
    EXPORT = "export"
    MANAGE_MEMBERS = "manage_members"
    # Visibility, rename and delete.
    MANAGE_PROJECT = "manage_project"


# The lowest role with each ability, when no stage is involved.
_MIN_ROLE: dict[Ability, Role] = {
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

# Abilities whose role depends on the stages involved: Production needs a maintainer, Staging
# a developer. Editing a version (or its files) that serves in a stage needs the same role as
# moving it out of that stage.
_STAGE_ROLE: dict[Stage, Role] = {
    Stage.NONE: Role.REPORTER,
    Stage.ARCHIVED: Role.REPORTER,
    Stage.STAGING: Role.DEVELOPER,
    Stage.PRODUCTION: Role.MAINTAINER,
}
_STAGED = frozenset({Ability.EDIT, Ability.TRANSITION_STAGE, Ability.APPROVE_TRANSITION})


def required_role(ability: Ability, stages: Iterable[Stage] = ()) -> Role:
    role = _MIN_ROLE[ability]
    if ability in _STAGED:
        role = max([role, *(_STAGE_ROLE[s] for s in stages)])
    return role


class Outcome(Enum):
    ALLOW = "allow"
    HIDDEN = "hidden"  # NOT_FOUND: the actor may not know the project exists
    SIGN_IN = "sign_in"  # UNAUTHENTICATED: anonymous, and the ability needs an account
    DENY = "deny"  # PERMISSION_DENIED


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reason: str = ""
    required: Role | None = None

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOW


def can_read(actor: Actor, *, visibility: Visibility, role: Role | None) -> bool:
    return (
        actor.is_admin
        or role is not None
        or visibility == Visibility.PUBLIC
        or (visibility == Visibility.INTERNAL and actor.authenticated)
    )


# What each ability lets a person do, as the end of "To ... you need ...".
_PHRASES = {
    Ability.READ: "read this project",
    Ability.EDIT: "change models and versions",
    Ability.COMMENT: "comment",
    Ability.REQUEST_TRANSITION: "request stage transitions",
    Ability.TRANSITION_STAGE: "move versions between stages",
    Ability.APPROVE_TRANSITION: "approve transition requests",
    Ability.MANAGE_ALIASES: "manage aliases",
    Ability.MANAGE_WEBHOOKS: "manage webhooks",
    Ability.EXPORT: "export this project",
    Ability.MANAGE_MEMBERS: "manage members",
    Ability.MANAGE_PROJECT: "change the project's settings",
}
_STAGED_PHRASES = {
    Ability.EDIT: "change versions in {}",
    Ability.TRANSITION_STAGE: "move versions into or out of {}",
    Ability.APPROVE_TRANSITION: "approve transitions into or out of {}",
}


def _what(ability: Ability, stages: Iterable[Stage]) -> str:
    labels = sorted({s.label for s in stages if _STAGE_ROLE[s] > Role.REPORTER})
    if labels and ability in _STAGED_PHRASES:
        return _STAGED_PHRASES[ability].format(" or ".join(labels))
    return _PHRASES[ability]


def decide(
    actor: Actor,
    ability: Ability,
    *,
    visibility: Visibility,
    role: Role | None,
    stages: Iterable[Stage] = (),
) -> Decision:
    """Whether `actor`, with `role` in a project of `visibility`, may exercise `ability`.

    `stages` are the stages the action touches: a version's current stage when editing it, the
    current and the target stage of a transition.
    """
    stages = tuple(stages)
    if not can_read(actor, visibility=visibility, role=role):
        return Decision(Outcome.HIDDEN)
    if ability is Ability.READ:
        return Decision(Outcome.ALLOW)
    what = _what(ability, stages)
    if not actor.authenticated:
        return Decision(Outcome.SIGN_IN, f"Sign in to {what}.")
    if not actor.may_write:
        return Decision(
            Outcome.DENY,
            f"This token has only the read_api scope; to {what} use a token with the api scope.",
        )
    if actor.is_admin:
        return Decision(Outcome.ALLOW)
    needed = required_role(ability, stages)
    if role is not None and role >= needed:
        return Decision(Outcome.ALLOW)
    have = f"your role is {role.name}" if role is not None else "you are not a member"
    hint = "Ask a project owner for it."
    if ability is Ability.TRANSITION_STAGE and role is not None and role >= Role.REPORTER:
        hint = "Request the transition instead; someone with that role can approve it."
    return Decision(
        Outcome.DENY,
        f"To {what} you need the {needed.name} role or higher in this project; {have}. {hint}",
        required=needed,
    )


def may_create_project(actor: Actor) -> Decision:
    if not actor.authenticated:
        return Decision(Outcome.SIGN_IN, "Sign in to create a project.")
    if not actor.may_write:
        return Decision(
            Outcome.DENY,
            "This token has only the read_api scope; creating a project needs the api scope.",
        )
    return Decision(Outcome.ALLOW)


def may_administer(actor: Actor) -> Decision:
    """Instance administration: users, their passwords and tokens."""
    if not actor.authenticated:
        return Decision(Outcome.SIGN_IN, "Sign in as an administrator.")
    if not actor.is_admin:
        return Decision(Outcome.DENY, "Only an instance administrator may manage users.")
    if not actor.may_write:
        return Decision(
            Outcome.DENY, "This token has only the read_api scope; this needs the api scope."
        )
    return Decision(Outcome.ALLOW)


def may_manage_own_account(actor: Actor) -> Decision:
    """Own tokens and password: a signed-in person, or a token with the api scope."""
    if not actor.authenticated or actor.user_id is None:
        return Decision(Outcome.SIGN_IN, "Sign in to manage your account.")
    if not actor.may_write:
        return Decision(
            Outcome.DENY, "This token has only the read_api scope; this needs the api scope."
        )
    return Decision(Outcome.ALLOW)


class RequestAction(StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    CANCEL = "CANCEL"


def is_author(actor: Actor, *, author: str) -> bool:
    return actor.authenticated and actor.name == author


def available_request_actions(
    actor: Actor,
    *,
    pending: bool,
    requester: str,
    may_approve: bool,
) -> list[RequestAction]:
    """What `actor` may do with a transition request: the buttons a version page shows."""
    if not pending:
        return []
    found: list[RequestAction] = []
    if may_approve:
        found += [RequestAction.APPROVE, RequestAction.REJECT]
    if actor.may_write and is_author(actor, author=requester):
        found.append(RequestAction.CANCEL)
    return found
