"""The MLflow-facing wording of the common domain errors, in one place.

Services phrase their errors for every interface (GraphQL shows them as they are). Scripts
written against MLflow's server often match its messages (`"already exists" in e.message`, or a
whole sentence), so the MLflow endpoint rewords the common cases as MLflow's stores phrase them
(mlflow/store/*/sqlalchemy_store.py): the wording is theirs, the status and error code stay
those of `protocol.mlflow_code`. The names in a message come from the request's own parameters:
a rule applies only when the request names what was not found or is taken; anything else keeps
the service's message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from modelreg.errors import DomainError, ErrorCode
from modelreg.mlflow.protocol import Params

Wording = Callable[[Params], str | None]


def _param(params: Params, *names: str) -> str | None:
    """The first of `names` the request gave, as text."""
    for name in names:
        value = params.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _model_exists(params: Params) -> str | None:
    # A rename is refused for its new name, a create for its name.
    name = _param(params, "new_name", "name")
    return None if name is None else f"Registered Model (name={name}) already exists."


def _experiment_exists(params: Params) -> str | None:
    name = _param(params, "new_name", "name")
    return None if name is None else f"Experiment(name={name}) already exists."


def _run_missing(params: Params) -> str | None:
    run_id = _param(params, "run_id", "run_uuid")
    return None if run_id is None else f"Run with id={run_id} not found"


def _experiment_missing(params: Params) -> str | None:
    experiment_id = _param(params, "experiment_id")
    return None if experiment_id is None else f"No Experiment with id={experiment_id} exists"


def _experiment_name_missing(params: Params) -> str | None:
    name = _param(params, "experiment_name")
    return None if name is None else f"Could not find experiment with name '{name}'"


def _alias_missing(params: Params) -> str | None:
    alias = _param(params, "alias")
    return None if alias is None else f"Registered model alias {alias} not found."


@dataclass(frozen=True)
class Rule:
    """Rewords an error of `code` about `field` on an endpoint whose path contains `endpoint`
    ("" for every endpoint)."""

    code: ErrorCode
    field: str
    endpoint: str
    wording: Wording


RULES = (
    Rule(ErrorCode.ALREADY_EXISTS, "name", "/registered-models/", _model_exists),
    Rule(ErrorCode.ALREADY_EXISTS, "new_name", "/registered-models/", _model_exists),
    Rule(ErrorCode.ALREADY_EXISTS, "name", "/experiments/", _experiment_exists),
    Rule(ErrorCode.ALREADY_EXISTS, "new_name", "/experiments/", _experiment_exists),
    Rule(ErrorCode.NOT_FOUND, "run_id", "", _run_missing),
    Rule(ErrorCode.NOT_FOUND, "experiment_id", "", _experiment_missing),
    Rule(ErrorCode.NOT_FOUND, "experiment_name", "", _experiment_name_missing),
    Rule(ErrorCode.NOT_FOUND, "alias", "/registered-models/alias", _alias_missing),
)


def mlflow_message(error: DomainError, pattern: str | None, params: Params) -> str:
    """The message an MLflow client gets for `error`, raised on the endpoint `pattern` (None
    when no endpoint matched) with the checked `params`."""
    if pattern is not None:
        for rule in RULES:
            if rule.code is error.code and rule.field == error.field and rule.endpoint in pattern:
                worded = rule.wording(params)
                if worded is not None:
                    return worded
    return error.message
