"""Model versions: get one, create (numbering, SemVer and its guard), update, delete, tags.
Reading lists and the latest versions is `version_reads.py`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import semver
import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import plain
from modelreg.db.models import Artifact, ModelVersion, RegisteredModel, VersionTag
from modelreg.db.types import utcnow
from modelreg.domain.actor import Actor
from modelreg.domain.events import EventType
from modelreg.domain.lifecycle import ACTIVE_STAGES, Stage, blocking_message
from modelreg.domain.lineage import REQUESTED_VERSION_TAG, VERSION_TAG
from modelreg.domain.names import validate_description, validate_tags
from modelreg.domain.notifications import FollowReason
from modelreg.domain.paths import validate_file_path
from modelreg.domain.policy import Ability
from modelreg.domain.versions import Bump, bump, parse_version
from modelreg.errors import AlreadyExists, Conflict, NotFound
from modelreg.services import access
from modelreg.services import tags as tag_store
from modelreg.services.blobs import collect_garbage_after_commit
from modelreg.services.compatibility import refresh_and_guard
from modelreg.services.events import record_event
from modelreg.services.models import get_model, lock_model
from modelreg.services.notifications import follow_on_action
from modelreg.services.version_reads import latest_versions
from modelreg.storage import Storage


async def get_version(
    session: AsyncSession,
    *,
    version_id: int,
    actor: Actor,
    ability: Ability = Ability.READ,
    field: str = "id",
) -> tuple[ModelVersion, RegisteredModel]:
    """The version and its model, when `actor` may exercise `ability` on it.

    Editing a version that serves in Staging or Production needs the role that may move it out
    of that stage (DEVELOPER, MAINTAINER).
    """
    version = await session.get(ModelVersion, version_id)
    hidden = NotFound(f"No model version has the id {version_id}.", field=field)
    if version is None:
        raise hidden
    model = await session.get(RegisteredModel, version.model_id)
    if model is None:
        raise hidden
    stages = [version.stage] if ability == Ability.EDIT else []
    await access.require(session, actor, model.project_id, ability, stages=stages, hidden=hidden)
    return version, model


async def find_version(
    session: AsyncSession, *, model_id: int, version: str
) -> ModelVersion | None:
    statement = select(ModelVersion).where(
        ModelVersion.model_id == model_id, ModelVersion.version == version
    )
    return (await session.exec(statement)).first()


async def suggest_next_version(
    session: AsyncSession, *, actor: Actor, model_id: int, part: Bump
) -> str:
    await get_model(session, model_id=model_id, actor=actor)
    latest = (await latest_versions(session, [model_id])).get(model_id)
    return bump(semver.Version.parse(latest.version) if latest else None, part)


# The model's latest version as `latest_versions` ranks them, as a string.
_NEWEST_VERSION = (
    select(ModelVersion.version)
    .where(ModelVersion.model_id == sa.bindparam("model_id"))
    .order_by(col(ModelVersion.is_prerelease).asc(), col(ModelVersion.sort_key).desc())
    .limit(1)
)
_INSERT_VERSION = sa.insert(ModelVersion).returning(col(ModelVersion.id))
_NUMBER_MODEL = (
    sa.update(RegisteredModel)
    .where(col(RegisteredModel.id) == sa.bindparam("model_id"))
    .values(last_version_number=sa.bindparam("number"), updated_at=sa.bindparam("now"))
)
# A version of the model with the same string or the same precedence.
_CLASHING_VERSION = select(ModelVersion).where(
    ModelVersion.model_id == sa.bindparam("model_id"),
    sa.or_(
        col(ModelVersion.version) == sa.bindparam("version"),
        col(ModelVersion.sort_key) == sa.bindparam("sort_key"),
    ),
)


async def _next_patch(session: AsyncSession, model_id: int) -> str:
    """The patch after the model's latest release; 1.0.0 for its first."""
    connection = await plain(session)
    newest = (await connection.execute(_NEWEST_VERSION, {"model_id": model_id})).scalar()
    return bump(semver.Version.parse(newest), Bump.PATCH) if newest else "1.0.0"


async def create_version(
    session: AsyncSession,
    *,
    actor: Actor,
    model_id: int,
    version: str | None,
    description: str = "",
    tags: Sequence[tuple[str, str]] = (),
    run_uuid: str | None = None,
    source: str = "",
    logged_model_uuid: str | None = None,
    files: Sequence[tuple[str, int, str]] = (),
    storage: Storage | None = None,
    if_taken: Literal["refuse", "next_patch"] = "refuse",
) -> ModelVersion:
    """Create a version. `version` None takes the next patch after the latest release (the
    MLflow client's way); `files` are (path, blob id, content type) it starts with, e.g. the
    artifacts of the run it was registered from: their model metadata is read from `storage`,
    and under the SemVer guard's ENFORCE a number smaller than their changes require is refused
    (CONFLICT) with nothing written.

    A `version` the model already has (or one of the same precedence) is refused
    (ALREADY_EXISTS); with `if_taken="next_patch"` (a SemVer copied from another version) the
    next patch is taken instead and the requested one kept in the tag `REQUESTED_VERSION_TAG`."""
    if files and storage is None:
        raise ValueError("create_version needs `storage` to read the metadata of its files")
    # Locks the model row on PostgreSQL so concurrent creations take numbers one after another.
    model = await lock_model(session, model_id=model_id, actor=actor)
    chosen = version is None
    if version is None:
        version = await _next_patch(session, model_id)
    parsed = parse_version(version)
    description = validate_description(description)
    tag_map = validate_tags(list(tags))
    # A number chosen here is a release above every release of the model (or, when it has only
    # prereleases, the release they lead to, which does not exist yet): it cannot clash.
    clash = (
        None
        if chosen
        else (
            await session.exec(
                _CLASHING_VERSION,
                params={"model_id": model_id, "version": version, "sort_key": parsed.sort_key},
            )
        ).first()
    )
    if clash is not None and if_taken == "next_patch":
        tag_map[REQUESTED_VERSION_TAG] = version
        version, chosen, clash = await _next_patch(session, model_id), True, None
        parsed = parse_version(version)
    if clash is not None:
        if clash.version == version:
            message = f"Model '{model.name}' already has version {version}; choose another version."
        else:
            message = (
                f"Version {version} has the same precedence as the existing {clash.version} "
                "(build metadata after '+' does not count); choose another version."
            )
        raise AlreadyExists(message, field="version")
    now = utcnow()
    values: dict[str, Any] = {
        "model_id": model_id,
        "number": model.last_version_number + 1,
        "version": version,
        "sort_key": parsed.sort_key,
        "is_prerelease": parsed.is_prerelease,
        "description": description,
        "stage": Stage.NONE,
        "created_by": actor.name,
        "created_at": now,
        "updated_at": now,
        "run_uuid": run_uuid,
        "source": source,
        "logged_model_uuid": logged_model_uuid,
    }
    # Two plain statements instead of the unit of work (the hottest write of the registry);
    # the session then holds both rows as they now are in the database.
    connection = await plain(session)
    version_id = (await connection.execute(_INSERT_VERSION, values)).scalar_one()
    await connection.execute(
        _NUMBER_MODEL, {"model_id": model_id, "number": values["number"], "now": now}
    )
    set_committed_value(model, "last_version_number", values["number"])
    set_committed_value(model, "updated_at", now)
    row = ModelVersion(id=version_id, **values)
    make_transient_to_detached(row)
    session.add(row)
    assert row.id is not None
    if tag_map:
        await tag_store.set_tags(session, VersionTag, row.id, tag_map)
    for path, blob_id, content_type in files:
        session.add(
            Artifact(
                version_id=row.id,
                path=validate_file_path(path),
                blob_id=blob_id,
                content_type=content_type,
                created_by=actor.name,
                created_at=now,
            )
        )
    if files:
        assert storage is not None
        hint = (
            f" The version was numbered as the next patch; set the tag '{VERSION_TAG}' to "
            "give it another number."
            if chosen
            else ""
        )
        await refresh_and_guard(session, storage, version=row, field="version", hint=hint)
    await record_event(
        session,
        actor=actor,
        type=EventType.VERSION_CREATED,
        project_id=model.project_id,
        model_id=model_id,
        version_id=row.id,
        payload={
            "model": model.name,
            "version": version,
            "number": row.number,
            "tags": tag_map,
            **({"files": len(files)} if files else {}),
            **({"run_id": run_uuid} if run_uuid else {}),
        },
    )
    await follow_on_action(session, actor, row.id, FollowReason.CREATED)
    return row


async def _version_and_model(
    session: AsyncSession, version_id: int, actor: Actor
) -> tuple[ModelVersion, RegisteredModel]:
    return await get_version(session, version_id=version_id, actor=actor, ability=Ability.EDIT)


async def update_version(
    session: AsyncSession, *, actor: Actor, version_id: int, description: str | None = None
) -> ModelVersion:
    version, model = await _version_and_model(session, version_id, actor)
    if description is not None and description != version.description:
        version.description = validate_description(description)
        version.updated_at = utcnow()
        session.add(version)
        await record_event(
            session,
            actor=actor,
            type=EventType.VERSION_UPDATED,
            project_id=model.project_id,
            model_id=model.id,
            version_id=version.id,
            payload={"version": version.version, "changes": {"description": {}}},
        )
    return version


async def delete_version(
    session: AsyncSession, *, actor: Actor, storage: Storage, version_id: int
) -> ModelVersion:
    """Delete a version that serves no stage; its files' contents are collected after commit."""
    version, _ = await get_version(
        session, version_id=version_id, actor=actor, ability=Ability.EDIT
    )
    model = await lock_model(session, model_id=version.model_id, actor=actor)
    await session.refresh(version)
    if version.stage in ACTIVE_STAGES:
        raise Conflict(
            blocking_message(version.version, version.stage, "delete the version"), field="id"
        )
    await session.delete(version)
    await session.flush()
    collect_garbage_after_commit(session, storage)
    model.updated_at = utcnow()
    session.add(model)
    await record_event(
        session,
        actor=actor,
        type=EventType.VERSION_DELETED,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={"model": model.name, "version": version.version, "number": version.number},
    )
    return version


async def set_version_tags(
    session: AsyncSession,
    *,
    actor: Actor,
    version_id: int,
    tags: Sequence[tuple[str, str]],
) -> ModelVersion:
    version, model = await _version_and_model(session, version_id, actor)
    changed = await tag_store.set_tags(session, VersionTag, version_id, validate_tags(list(tags)))
    if changed:
        version.updated_at = utcnow()
        session.add(version)
        await record_event(
            session,
            actor=actor,
            type=EventType.VERSION_TAGS_SET,
            project_id=model.project_id,
            model_id=model.id,
            version_id=version.id,
            payload={"version": version.version, "tags": changed},
        )
    return version


async def delete_version_tags(
    session: AsyncSession, *, actor: Actor, version_id: int, keys: Sequence[str]
) -> ModelVersion:
    version, model = await _version_and_model(session, version_id, actor)
    deleted = await tag_store.delete_tags(
        session, VersionTag, version_id, keys, owner=f"Version {version.version}"
    )
    version.updated_at = utcnow()
    session.add(version)
    await record_event(
        session,
        actor=actor,
        type=EventType.VERSION_TAGS_DELETED,
        project_id=model.project_id,
        model_id=model.id,
        version_id=version.id,
        payload={"version": version.version, "keys": deleted},
    )
    return version


# Statements on the hot paths are built once, with bound parameters: building and keying a
# statement costs more than SQLite takes to run it.
