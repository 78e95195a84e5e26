"""MLflow 3 logged models: creating, finalizing, tagging, logging params and searching them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import (
    Experiment,
    LoggedModel,
)
from modelreg.domain import tracking as rules
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.filters import parse_filter
from modelreg.domain.policy import Ability
from modelreg.domain.tracking import (
    LifecycleStage,
    LoggedModelStatus,
)
from modelreg.errors import InvalidArgument, NotFound
from modelreg.services.events import record_event
from modelreg.services.tracking.common import (
    _project,
    _validated_params,
    _validated_tags,
    now_millis,
    run_in_project,
)
from modelreg.services.tracking.experiments import (
    _experiment_for_write,
    _find_experiment,
    experiment_id_of,
)
from modelreg.services.tracking.logged_model_data import (
    DatasetFilter,
    metrics_by_models,
    on_datasets,
)


def logged_model_artifact_location(model: LoggedModel, experiment: Experiment) -> str:
    return rules.artifact_uri(
        rules.logged_model_artifact_path(experiment_id_of(experiment), model.uuid)
    )


async def create_logged_model(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    experiment_id: str,
    name: str | None = None,
    model_type: str = "",
    source_run_uuid: str | None = None,
    params: Sequence[tuple[str, str]] = (),
    tags: Sequence[tuple[str, str]] = (),
) -> tuple[LoggedModel, Experiment]:
    await _project(session, actor, project_id, Ability.EDIT)
    model_id = f"m-{uuid.uuid4().hex}"
    name = rules.validate_logged_model_name(name) if name is not None else model_id
    model_type = rules.validate_text(
        model_type, what="Model type", limit=rules.MODEL_TYPE_MAX, field="model_type"
    )
    param_map = _validated_params(params, field="params")
    tag_map = _validated_tags(tags)
    experiment = await _experiment_for_write(
        session, actor=actor, project_id=project_id, experiment_id=experiment_id
    )
    # A run this server does not know is accepted, as MLflow does (its tracking server may be
    # another one); a run it knows must be in the model's experiment.
    found_run = (
        await run_in_project(session, project_id, source_run_uuid) if source_run_uuid else None
    )
    if found_run is not None:
        _, run_experiment = found_run
        if run_experiment.id != experiment.id:
            raise InvalidArgument(
                f"Run {source_run_uuid} is in experiment '{experiment_id_of(run_experiment)}', "
                f"not '{experiment_id}'.",
                field="source_run_id",
            )
    assert experiment.id is not None
    now = now_millis()
    model = LoggedModel(
        uuid=model_id,
        experiment_id=experiment.id,
        name=name,
        source_run_uuid=source_run_uuid or None,
        status=LoggedModelStatus.PENDING,
        model_type=model_type,
        params=param_map,
        tags=tag_map,
        created_by=actor.name,
        creation_time=now,
        last_updated_time=now,
    )
    session.add(model)
    await session.flush()
    await record_event(
        session,
        actor=actor,
        type=EventType.LOGGED_MODEL_CREATED,
        project_id=project_id,
        payload={
            "model_id": model_id,
            "name": name,
            "experiment_id": experiment_id_of(experiment),
            **({"run_id": source_run_uuid} if source_run_uuid else {}),
        },
    )
    return model, experiment


async def get_logged_model(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    model_id: str,
    ability: Ability = Ability.READ,
) -> tuple[LoggedModel, Experiment]:
    await _project(session, actor, project_id, ability)
    row = (
        await session.exec(
            select(LoggedModel, Experiment)
            .join(Experiment, col(Experiment.id) == col(LoggedModel.experiment_id))
            .where(
                LoggedModel.uuid == model_id,
                Experiment.project_id == project_id,
                LoggedModel.lifecycle_stage != LifecycleStage.DELETED,
            )
        )
    ).first()
    if row is None:
        raise NotFound(f"Logged model with ID '{model_id}' not found.", field="model_id")
    return row


async def _changed(session: AsyncSession, model: LoggedModel) -> None:
    model.last_updated_time = now_millis()
    session.add(model)


async def finalize_logged_model(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    model_id: str,
    status: LoggedModelStatus,
) -> tuple[LoggedModel, Experiment]:
    model, experiment = await get_logged_model(
        session, actor=actor, project_id=project_id, model_id=model_id, ability=Ability.EDIT
    )
    if model.status != status:
        model.status = status
        await record_event(
            session,
            actor=actor,
            type=EventType.LOGGED_MODEL_FINALIZED,
            project_id=project_id,
            payload={"model_id": model_id, "name": model.name, "status": status.value},
        )
    await _changed(session, model)
    return model, experiment


async def delete_logged_model(
    session: AsyncSession, *, actor: Actor, project_id: int, model_id: str
) -> None:
    """Delete softly, as MLflow does: gone from reads and searches, its files and the versions
    registered from it stay (a version keeps its own copy of the files)."""
    model, _ = await get_logged_model(
        session, actor=actor, project_id=project_id, model_id=model_id, ability=Ability.EDIT
    )
    model.lifecycle_stage = LifecycleStage.DELETED
    await record_event(
        session,
        actor=actor,
        type=EventType.LOGGED_MODEL_DELETED,
        project_id=project_id,
        payload={"model_id": model_id, "name": model.name},
    )
    await _changed(session, model)


async def set_logged_model_tags(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    model_id: str,
    tags: Sequence[tuple[str, str]],
) -> None:
    tag_map = _validated_tags(tags)
    model, _ = await get_logged_model(
        session, actor=actor, project_id=project_id, model_id=model_id, ability=Ability.EDIT
    )
    model.tags = {**model.tags, **tag_map}
    await _changed(session, model)


async def delete_logged_model_tag(
    session: AsyncSession, *, actor: Actor, project_id: int, model_id: str, key: str
) -> None:
    model, _ = await get_logged_model(
        session, actor=actor, project_id=project_id, model_id=model_id, ability=Ability.EDIT
    )
    if key not in model.tags:
        raise NotFound(f"No tag with key '{key}' on logged model '{model_id}'.", field="tag_key")
    model.tags = {k: v for k, v in model.tags.items() if k != key}
    await _changed(session, model)


async def log_logged_model_params(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    model_id: str,
    params: Sequence[tuple[str, str]],
) -> None:
    param_map = _validated_params(params, field="params")
    model, _ = await get_logged_model(
        session, actor=actor, project_id=project_id, model_id=model_id, ability=Ability.EDIT
    )
    for key, value in param_map.items():
        if key in model.params and model.params[key] != value:
            raise InvalidArgument(
                f"Changing param values is not allowed. Param '{key}' of logged model "
                f"'{model_id}' is already '{model.params[key]}'.",
                field="params",
            )
    model.params = {**model.params, **param_map}
    await _changed(session, model)


LOGGED_MODEL_FILTER_FIELDS = frozenset(
    {"name", "model_id", "source_run_id", "status", "model_type"}
)
LOGGED_MODEL_FILTER_NUMBERS = frozenset({"creation_time", "last_updated_time"})


async def search_logged_models(
    session: AsyncSession,
    *,
    actor: Actor,
    project_id: int,
    experiment_ids: Sequence[str],
    filter: str | None = None,
    datasets: Sequence[DatasetFilter] = (),
) -> list[tuple[LoggedModel, Experiment]]:
    """Logged models of these experiments matching the filter and, when `datasets` are given,
    with a metric measured on one of them; newest first."""
    await _project(session, actor, project_id, Ability.READ)
    if any(not d.name for d in datasets):
        raise InvalidArgument(
            "`dataset_name` in the `datasets` clause must be specified.", field="datasets"
        )
    ast = parse_filter(
        filter or "", fields=LOGGED_MODEL_FILTER_FIELDS, numeric=LOGGED_MODEL_FILTER_NUMBERS
    )
    experiments = {
        e.id: e
        for e in [
            await _find_experiment(session, project_id, i) for i in dict.fromkeys(experiment_ids)
        ]
        if e is not None
    }
    if not experiments:
        return []
    rows = await session.exec(
        select(LoggedModel)
        .where(
            col(LoggedModel.experiment_id).in_(list(experiments)),
            LoggedModel.lifecycle_stage != LifecycleStage.DELETED,
        )
        .order_by(col(LoggedModel.creation_time).desc(), col(LoggedModel.id).desc())
    )
    found = [
        (m, experiments[m.experiment_id])
        for m in rows
        if rules.matches(
            ast,
            fields={
                "name": m.name,
                "model_id": m.uuid,
                "source_run_id": m.source_run_uuid,
                "status": m.status,
                "model_type": m.model_type,
                "creation_time": m.creation_time,
                "last_updated_time": m.last_updated_time,
            },
            tags=m.tags,
        )
    ]
    if datasets:
        metrics = await metrics_by_models(session, [m for m, _ in found])
        found = [(m, e) for m, e in found if on_datasets(metrics.get(m.id or 0, []), datasets)]
    return found
