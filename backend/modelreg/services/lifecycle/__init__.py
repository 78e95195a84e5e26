"""Stages, transition requests, aliases, and "as of" history answered from the event log.

One module per concept; this package re-exports their public names, so callers write
`from modelreg.services import lifecycle as lifecycle_service` and
`lifecycle_service.transition_stage(...)`:

- `transitions`: moving a version to a stage, archiving the versions it replaces;
- `transition_requests`: requesting a transition, approving, rejecting or cancelling it;
- `aliases`: setting, deleting and resolving aliases, and batched reads of them;
- `history`: the versions in a stage or behind an alias at a past time;
- `locking`: the model lock every change takes first, and the version reference events carry.
"""

from modelreg.services.lifecycle.aliases import (
    AliasTarget,
    alias_targets_by_models,
    aliases_by_models,
    aliases_by_versions,
    delete_alias,
    labels_by_models,
    labels_by_versions,
    resolve_alias,
    set_alias,
)
from modelreg.services.lifecycle.history import versions_at
from modelreg.services.lifecycle.transition_requests import (
    approve_request,
    cancel_request,
    reject_request,
    request_transition,
    requests_by_versions,
)
from modelreg.services.lifecycle.transitions import transition_stage

__all__ = [
    "AliasTarget",
    "alias_targets_by_models",
    "aliases_by_models",
    "aliases_by_versions",
    "approve_request",
    "cancel_request",
    "delete_alias",
    "labels_by_models",
    "labels_by_versions",
    "reject_request",
    "request_transition",
    "requests_by_versions",
    "resolve_alias",
    "set_alias",
    "transition_stage",
    "versions_at",
]
