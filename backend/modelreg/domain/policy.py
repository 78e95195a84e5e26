"""Who may do what: the ONE place services ask. Accounts will fill in the role table.

Until accounts exist every actor may do everything; the functions keep their shape so that
callers (services, and `availableActions` in GraphQL) do not change when roles arrive.
"""

from __future__ import annotations

from enum import StrEnum

from modelreg.domain.actor import Actor
from modelreg.domain.lifecycle import Stage
from modelreg.errors import PermissionDenied


class Ability(StrEnum):
    TRANSITION_STAGE = "transition_stage"
    REQUEST_TRANSITION = "request_transition"
    APPROVE_TRANSITION = "approve_transition"
    MANAGE_ALIASES = "manage_aliases"
    COMMENT = "comment"


def can(actor: Actor, ability: Ability, *, target_stage: Stage | None = None) -> bool:
    """Whether `actor` may exercise `ability` (for a transition: into `target_stage`)."""
    return True


def require(actor: Actor, ability: Ability, *, target_stage: Stage | None = None) -> None:
    if not can(actor, ability, target_stage=target_stage):
        what = ability.value.replace("_", " ")
        if target_stage is not None:
            what += f" to {target_stage.label}"
        raise PermissionDenied(f"You may not {what}; ask a project maintainer.")


class RequestAction(StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    CANCEL = "CANCEL"


def can_cancel_request(actor: Actor, *, requester: str) -> bool:
    return actor.name == requester


def can_change_comment(actor: Actor, *, author: str) -> bool:
    return actor.name == author


def available_request_actions(
    actor: Actor, *, pending: bool, requester: str, target_stage: Stage
) -> list[RequestAction]:
    """What `actor` may do with a transition request: the buttons a version page shows."""
    if not pending:
        return []
    found: list[RequestAction] = []
    if can(actor, Ability.APPROVE_TRANSITION, target_stage=target_stage):
        found += [RequestAction.APPROVE, RequestAction.REJECT]
    if can_cancel_request(actor, requester=requester):
        found.append(RequestAction.CANCEL)
    return found
