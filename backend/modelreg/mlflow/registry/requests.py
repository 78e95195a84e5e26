"""What the registry endpoints share in reading a request: MLflow's stage names, version
numbers, tags, page sizes and orderings; finding the model and version a request names; and
the parameters several endpoints declare.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import ModelVersion, RegisteredModel
from modelreg.domain.lifecycle import Stage
from modelreg.errors import NotFound
from modelreg.mlflow.params import INT, REQUIRED, STRING, STRINGS
from modelreg.mlflow.protocol import MlflowContext, MlflowError, Params, integer, listed, required
from modelreg.services import models as model_service
from modelreg.services import version_reads

API = "api/2.0/mlflow"


STAGE_NAMES = {
    Stage.NONE: "None",
    Stage.STAGING: "Staging",
    Stage.PRODUCTION: "Production",
    Stage.ARCHIVED: "Archived",
}


def parse_stage(value: str) -> Stage:
    for stage, name in STAGE_NAMES.items():
        if value.strip().lower() == name.lower():
            return stage
    raise MlflowError(
        f"Invalid model version stage '{value}'; use one of None, Staging, Production, Archived."
    )


def tags_param(params: Params) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for tag in listed(params, "tags"):
        if not isinstance(tag, dict) or "key" not in tag:
            raise MlflowError("Each tag must be an object with 'key' and 'value'.")
        found.append((str(tag["key"]), "" if tag.get("value") is None else str(tag["value"])))
    return found


def version_number(params: Params) -> int:
    value = str(required(params, "version")).strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        shown = value if len(value) <= 40 else value[:37] + "..."
        raise MlflowError(
            f"Model version must be an integer (MLflow's version number); got '{shown}'. "
            "The SemVer string is an alias of the version."
        )
    return int(value)


def max_results(params: Params, limits: tuple[int, int]) -> int:
    default, limit = limits
    count = integer(params, "max_results", default)
    assert count is not None
    if not 1 <= count <= limit:
        raise MlflowError(f"max_results must be between 1 and {limit}; got {count}.")
    return count


def ordering(params: Params, choices: dict[str, Any]) -> list[tuple[Any, bool]]:
    """`order_by` as MLflow's server reads it: clauses `<field> [ASC|DESC]` (ASC by default),
    each field at most once; (choice, descending) pairs, empty when none is given."""
    found: list[tuple[Any, bool]] = []
    for clause in listed(params, "order_by"):
        words = str(clause).split()
        field = words[0].lower() if words else ""
        if field not in choices or len(words) > 2:
            raise MlflowError(
                f"Invalid order by key '{clause}' specified; use one of "
                f"{', '.join(sorted(choices))}, optionally followed by ASC or DESC."
            )
        direction = words[1].upper() if len(words) == 2 else "ASC"
        if direction not in ("ASC", "DESC"):
            raise MlflowError(f"Order direction must be ASC or DESC; got '{words[1]}'.")
        if any(choice == choices[field] for choice, _ in found):
            raise MlflowError(f"`order_by` contains duplicate fields: {clause!r} repeats one.")
        found.append((choices[field], direction == "DESC"))
    return found


async def find_model(session: AsyncSession, ctx: MlflowContext, name: str) -> RegisteredModel:
    found = await model_service.find_model_by_name(session, project_id=ctx.project_id, name=name)
    if found is None or found.id is None:
        raise _no_model(name)
    return found


def _no_model(name: str) -> NotFound:
    return NotFound(f"Registered Model with name={name} not found", field="name")


async def find_version(
    session: AsyncSession, ctx: MlflowContext, name: str, number: int
) -> tuple[RegisteredModel, ModelVersion]:
    model, found = await version_reads.find_model_and_version(
        session, project_id=ctx.project_id, name=name, number=number
    )
    if model is None:
        raise _no_model(name)
    if found is None:
        raise NotFound(f"Model Version (name={name}, version={number}) not found", field="version")
    return model, found


# Parameters several endpoints declare, with MLflow's types (its protobuf messages and
# handler schemas).
NAME_PARAMS = {"name": REQUIRED}
VERSION_PARAMS = {"name": REQUIRED, "version": REQUIRED}
SEARCH_PARAMS = {"filter": STRING, "max_results": INT, "order_by": STRINGS, "page_token": STRING}
