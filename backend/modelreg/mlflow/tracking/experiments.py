"""MLflow's experiment endpoints (get, get-by-name, create, search, set-experiment-tag,
delete-experiment-tag, update (rename), delete, restore)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import Experiment
from modelreg.domain import tracking as rules
from modelreg.mlflow.app import Endpoint, EndpointHandler
from modelreg.mlflow.params import ENUM, KEY_VALUES, REQUIRED, REQUIRED_ID, STRING, STRINGS
from modelreg.mlflow.protocol import MlflowContext, MlflowError, Params, listed, millis
from modelreg.mlflow.tracking.wire import (
    API,
    PAGE_PARAMS,
    key_value_pairs,
    key_values,
    page_of,
    required_string,
    string_param,
    view_param,
    write,
)
from modelreg.services import tracking as service
from modelreg.services.tracking.experiments import EXPERIMENT_ORDER_FIELDS

# MLflow's defaults and limits for a page of search results.
EXPERIMENTS_PAGE = (1000, 50_000)


def experiment_json(experiment: Experiment) -> dict[str, Any]:
    experiment_id = service.experiment_id_of(experiment)
    return {
        "experiment_id": experiment_id,
        "name": experiment.name,
        "artifact_location": rules.artifact_uri(experiment_id),
        "lifecycle_stage": experiment.lifecycle_stage,
        "creation_time": millis(experiment.created_at),
        "last_update_time": millis(experiment.updated_at),
        "tags": key_values(experiment.tags),
    }


async def get_experiment(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.read() as session:
        experiment = await service.get_experiment(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            experiment_id=required_string(params, "experiment_id"),
        )
    return {"experiment": experiment_json(experiment)}


async def get_experiment_by_name(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.read() as session:
        experiment = await service.get_experiment_by_name(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            name=required_string(params, "experiment_name"),
        )
    return {"experiment": experiment_json(experiment)}


async def create_experiment(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    # `artifact_location` is not ours to choose: every experiment's files go through the proxy.
    name = required_string(params, "name")
    tags = key_value_pairs(params, "tags")

    async def action(session: AsyncSession) -> Experiment:
        return await service.create_experiment(
            session, actor=ctx.actor, project_id=ctx.project_id, name=name, tags=tags
        )

    experiment = await write(ctx, action)
    return {"experiment_id": service.experiment_id_of(experiment)}


_ATTRIBUTE_PREFIXES = ("attribute.", "attributes.", "attr.")


def _order(params: Params) -> list[tuple[str, bool]]:
    """`order_by` as (field, descending) pairs: `name`, `attribute.creation_time DESC`..."""
    order: list[tuple[str, bool]] = []
    for clause in listed(params, "order_by"):
        words = clause.split() if isinstance(clause, str) else []
        field = words[0].lower() if words else ""
        field = next(
            (field[len(p) :] for p in _ATTRIBUTE_PREFIXES if field.startswith(p)), field
        ).strip("`")
        direction = words[1].upper() if len(words) == 2 else "ASC"
        if field not in EXPERIMENT_ORDER_FIELDS or len(words) > 2:
            raise MlflowError(
                f"Invalid order_by clause '{clause}'; use one of "
                f"{', '.join(sorted(EXPERIMENT_ORDER_FIELDS))}, optionally followed by "
                "ASC or DESC."
            )
        if direction not in ("ASC", "DESC"):
            raise MlflowError(f"Invalid order_by clause '{clause}': use ASC or DESC.")
        order.append((field, direction == "DESC"))
    return order


async def search_experiments(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    order = _order(params)
    async with ctx.read() as session:
        found = await service.search_experiments(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            filter=string_param(params, "filter"),
            view=view_param(params, "view_type"),
            order=order,
        )
    page, token = page_of(found, params, EXPERIMENTS_PAGE)
    result: dict[str, Any] = {"experiments": [experiment_json(e) for e in page]}
    if token:
        result["next_page_token"] = token
    return result


async def delete_experiment_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    experiment_id = required_string(params, "experiment_id")
    key = required_string(params, "key")

    async def action(session: AsyncSession) -> None:
        await service.delete_experiment_tag(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            experiment_id=experiment_id,
            key=key,
        )

    await write(ctx, action)
    return {}


async def set_experiment_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    experiment_id = required_string(params, "experiment_id")
    key = required_string(params, "key")
    value = string_param(params, "value", default="") or ""

    async def action(session: AsyncSession) -> None:
        await service.set_experiment_tag(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            experiment_id=experiment_id,
            key=key,
            value=value,
        )

    await write(ctx, action)
    return {}


def _lifecycle(*, deleted: bool) -> EndpointHandler:
    """`experiments/delete` or `experiments/restore`: the experiment and all its runs."""

    async def handler(ctx: MlflowContext, params: Params) -> dict[str, Any]:
        experiment_id = required_string(params, "experiment_id")

        async def action(session: AsyncSession) -> None:
            await service.set_experiment_lifecycle(
                session,
                actor=ctx.actor,
                project_id=ctx.project_id,
                experiment_id=experiment_id,
                deleted=deleted,
            )

        await write(ctx, action)
        return {}

    return handler


async def update_experiment(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    """`experiments/update`: renames the experiment (its only change MLflow makes)."""
    experiment_id = required_string(params, "experiment_id")
    new_name = required_string(params, "new_name")

    async def action(session: AsyncSession) -> None:
        await service.rename_experiment(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            experiment_id=experiment_id,
            new_name=new_name,
        )

    await write(ctx, action)
    return {}


# Each endpoint's parameters with MLflow's types (its protobuf messages and handler schemas).
_EXPERIMENT_SEARCH = {**PAGE_PARAMS, "view_type": ENUM, "order_by": STRINGS, "filter": STRING}

ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET", f"{API}/experiments/get", get_experiment, params={"experiment_id": REQUIRED_ID}
    ),
    Endpoint(
        "GET",
        f"{API}/experiments/get-by-name",
        get_experiment_by_name,
        params={"experiment_name": REQUIRED},
    ),
    Endpoint(
        "POST",
        f"{API}/experiments/create",
        create_experiment,
        params={"name": REQUIRED, "artifact_location": STRING, "tags": KEY_VALUES},
    ),
    *(
        Endpoint(method, f"{API}/experiments/search", search_experiments, params=_EXPERIMENT_SEARCH)
        for method in ("POST", "GET")
    ),
    Endpoint(
        "POST",
        f"{API}/experiments/set-experiment-tag",
        set_experiment_tag,
        params={"experiment_id": REQUIRED_ID, "key": REQUIRED, "value": STRING},
    ),
    Endpoint(
        "POST",
        f"{API}/experiments/delete-experiment-tag",
        delete_experiment_tag,
        params={"experiment_id": REQUIRED_ID, "key": REQUIRED},
    ),
    Endpoint(
        "POST",
        f"{API}/experiments/update",
        update_experiment,
        params={"experiment_id": REQUIRED_ID, "new_name": REQUIRED},
    ),
    Endpoint(
        "POST",
        f"{API}/experiments/delete",
        _lifecycle(deleted=True),
        params={"experiment_id": REQUIRED_ID},
    ),
    Endpoint(
        "POST",
        f"{API}/experiments/restore",
        _lifecycle(deleted=False),
        params={"experiment_id": REQUIRED_ID},
    ),
]
