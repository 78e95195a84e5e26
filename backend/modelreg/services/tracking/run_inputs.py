"""What a run used and produced: dataset and logged-model inputs (`log_inputs`) and logged-model
outputs (`log_outputs`), kept on the run, each once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import (
    Experiment,
    LoggedModel,
    Run,
)
from modelreg.domain import tracking as rules
from modelreg.domain.actor import Actor
from modelreg.errors import InvalidArgument, NotFound
from modelreg.services.tracking.runs import _active_run


def _dataset_input(item: Any) -> dict[str, Any]:
    """A dataset input as MLflow sends it, checked against MLflow's limits."""
    if not isinstance(item, dict) or not isinstance(item.get("dataset"), dict):
        raise InvalidArgument("Each dataset input needs a 'dataset' object.", field="datasets")
    given = item["dataset"]
    dataset: dict[str, str] = {}
    for name, limit in rules.DATASET_FIELD_MAX.items():
        if given.get(name) is None:
            continue
        dataset[name] = rules.validate_text(
            given[name], what=f"Dataset {name}", limit=limit, field="datasets"
        )
    for name in ("name", "digest"):
        if not dataset.get(name):
            raise InvalidArgument(
                f"Missing value for required parameter 'datasets.dataset.{name}'.",
                field="datasets",
            )
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, dict) for t in tags):
        raise InvalidArgument("Dataset input tags must be {key, value} objects.", field="datasets")
    return {
        "dataset": dataset,
        "tags": [
            {
                "key": rules.validate_key(t.get("key"), what="Input tag key", field="datasets"),
                "value": rules.validate_text(
                    t.get("value"),
                    what="Input tag value",
                    limit=rules.INPUT_TAG_VALUE_MAX,
                    field="datasets",
                ),
            }
            for t in tags
        ],
    }


def _model_ref(item: Any, *, field: str, with_step: bool) -> dict[str, Any]:
    model_id = item.get("model_id") if isinstance(item, dict) else None
    if not isinstance(model_id, str) or not model_id:
        raise InvalidArgument(f"Missing value for required parameter '{field}.model_id'.")
    found: dict[str, Any] = {"model_id": model_id}
    if with_step:
        found["step"] = rules.parse_int64(item.get("step"), field=f"{field}.step", default=0)
    return found


async def _check_logged_models(
    session: AsyncSession, project_id: int, model_ids: Sequence[str]
) -> None:
    if not model_ids:
        return
    present = set(
        (
            await session.exec(
                select(LoggedModel.uuid)
                .join(Experiment, col(Experiment.id) == col(LoggedModel.experiment_id))
                .where(
                    col(LoggedModel.uuid).in_(list(model_ids)),
                    Experiment.project_id == project_id,
                )
            )
        ).all()
    )
    missing = [m for m in model_ids if m not in present]
    if missing:
        raise NotFound(f"Logged model with ID '{missing[0]}' not found.", field="models")


async def log_inputs(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    run_uuid: str,
    datasets: Sequence[Any] = (),
    models: Sequence[Any] = (),
) -> None:
    """Record the datasets and logged models a run used (each once)."""
    if len(datasets) + len(models) > rules.INPUTS_MAX:
        raise InvalidArgument(
            f"At most {rules.INPUTS_MAX} inputs may be logged at once.", field="datasets"
        )
    entries = [{"dataset_input": _dataset_input(d)} for d in datasets]
    entries += [{"model_input": _model_ref(m, field="models", with_step=False)} for m in models]
    run, _ = await _active_run(session, actor=actor, project_id=project_id, run_uuid=run_uuid)
    await _check_logged_models(
        session, project_id, [e["model_input"]["model_id"] for e in entries if "model_input" in e]
    )
    _add_io(session, run, entries)


async def log_outputs(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    run_uuid: str,
    models: Sequence[Any],
) -> None:
    """Record the logged models a run produced, with the step at which each was logged."""
    if not models:
        raise InvalidArgument("Missing value for required parameter 'models'.", field="models")
    if len(models) > rules.INPUTS_MAX:
        raise InvalidArgument(
            f"At most {rules.INPUTS_MAX} outputs may be logged at once.", field="models"
        )
    entries = [{"model_output": _model_ref(m, field="models", with_step=True)} for m in models]
    run, _ = await _active_run(session, actor=actor, project_id=project_id, run_uuid=run_uuid)
    await _check_logged_models(
        session, project_id, [e["model_output"]["model_id"] for e in entries]
    )
    _add_io(session, run, entries)


def _io_identity(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    if "dataset_input" in entry:
        dataset = entry["dataset_input"]["dataset"]
        return ("dataset", dataset.get("name"), dataset.get("digest"))
    if "model_input" in entry:
        return ("model_input", entry["model_input"]["model_id"])
    output = entry.get("model_output") or {}
    return ("model_output", output.get("model_id"), output.get("step"))


def _add_io(session: AsyncSession, run: Run, entries: Sequence[dict[str, Any]]) -> None:
    current = list(run.inputs or [])
    seen = {_io_identity(e) for e in current}
    for entry in entries:
        identity = _io_identity(entry)
        if identity not in seen:
            seen.add(identity)
            current.append(entry)
    # A new list: JSON columns do not notice changes made in place.
    run.inputs = current
    session.add(run)
