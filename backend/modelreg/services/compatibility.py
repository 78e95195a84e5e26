"""The SemVer guard applied to stored versions: each version's verdict against the previous
release, computed when asked from the stored metadata, and the project setting's refusals.

OFF: nothing is said or refused. WARN: the verdict carries a sentence to show. ENFORCE: a
version whose number declares less than its signature changes require cannot be created or given
such files, and a prerelease cannot go to Production.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import semver
import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import plain
from modelreg.db.models import ModelVersion, Project, RegisteredModel
from modelreg.domain.actor import Actor
from modelreg.domain.compatibility import (
    Compatibility,
    SemverGuard,
    Verdict,
    assess,
    guard_refusal,
    previous_release,
)
from modelreg.domain.lifecycle import Stage
from modelreg.domain.model_metadata import (
    MAX_METADATA_FILE_BYTES,
    MLMODEL,
    ModelMetadata,
)
from modelreg.domain.versions import Bump, bump, latest, parse_version
from modelreg.errors import Conflict, InvalidArgument
from modelreg.services.metadata import (
    metadata_by_versions,
    read_metadata_off_loop,
    refresh_metadata,
)
from modelreg.services.models import get_model
from modelreg.storage import Storage


@dataclass(frozen=True, slots=True)
class GuardedCompatibility:
    """A version's verdict with what the project's guard makes of it."""

    compatibility: Compatibility
    guard: SemverGuard
    is_prerelease: bool
    # The sentence to show: a warning under WARN, the refusal under ENFORCE; None when there
    # is nothing to say (OK, FIRST_RELEASE) or the guard is OFF.
    warning: str | None


def _unknown_sentence(found: Compatibility, current: ModelMetadata | None) -> str:
    if current is None or current.signature is None:
        which = f"version {found.version} has"
    else:
        which = f"the previous release {found.previous_version} has"
    return (
        f"The SemVer guard cannot check version {found.version} against "
        f"{found.previous_version}: {which} no MLmodel with a signature."
    )


def guarded(
    found: Compatibility,
    *,
    guard: SemverGuard,
    is_prerelease: bool,
    current: ModelMetadata | None,
) -> GuardedCompatibility:
    warning: str | None = None
    if guard is not SemverGuard.OFF:
        if found.verdict is Verdict.TOO_SMALL:
            warning = guard_refusal(found)
        elif found.verdict is Verdict.UNKNOWN:
            warning = _unknown_sentence(found, current)
    return GuardedCompatibility(
        compatibility=found, guard=guard, is_prerelease=is_prerelease, warning=warning
    )


async def guards_by_models(
    session: AsyncSession, model_ids: Sequence[int]
) -> dict[int, SemverGuard]:
    rows = await session.exec(
        select(RegisteredModel.id, Project.semver_guard)
        .join(Project, col(Project.id) == col(RegisteredModel.project_id))
        .where(col(RegisteredModel.id).in_(list(model_ids)))
    )
    return {model_id: SemverGuard(guard) for model_id, guard in rows if model_id is not None}


async def compatibility_by_versions(
    session: AsyncSession, version_ids: Sequence[int]
) -> dict[int, GuardedCompatibility]:
    """The verdict of each version (three statements, whatever the number of versions, and
    indexed: a model's other versions are not read, however many it has)."""
    if not version_ids:
        return {}
    # The previous release of each: the highest non-prerelease of the same model sorting
    # before it (`sort_key` orders by SemVer precedence; the index on (model_id, is_prerelease,
    # sort_key) answers it).
    earlier = aliased(ModelVersion)
    previous_id = (
        select(earlier.id)
        .where(
            col(earlier.model_id) == col(ModelVersion.model_id),
            col(earlier.is_prerelease).is_(False),
            col(earlier.sort_key) < col(ModelVersion.sort_key),
        )
        .order_by(col(earlier.sort_key).desc())
        .limit(1)
        .correlate(ModelVersion)
        .scalar_subquery()
    )
    prior = aliased(ModelVersion)
    rows = (
        await (await plain(session)).execute(
            sa.select(
                col(ModelVersion.id),
                col(ModelVersion.model_id),
                col(ModelVersion.version),
                col(ModelVersion.is_prerelease),
                col(prior.id),
                col(prior.version),
            )
            .select_from(ModelVersion)
            .outerjoin(prior, col(prior.id) == previous_id)
            .where(col(ModelVersion.id).in_(list(version_ids)))
        )
    ).all()
    info: dict[int, tuple[int, str, bool]] = {}
    previous: dict[int, tuple[str, int] | None] = {}
    for vid, model_id, version, is_prerelease, prior_id, prior_version in rows:
        assert vid is not None
        info[vid] = (model_id, version, is_prerelease)
        previous[vid] = (prior_version, prior_id) if prior_id is not None else None
    wanted = [v for v in dict.fromkeys(version_ids) if v in info]
    needed = set(wanted) | {p[1] for p in previous.values() if p is not None}
    metadata = await metadata_by_versions(session, sorted(needed))
    guards = await guards_by_models(session, sorted({info[v][0] for v in wanted}))
    found: dict[int, GuardedCompatibility] = {}
    for vid in wanted:
        model_id, version, is_prerelease = info[vid]
        before = previous[vid]
        current = metadata.get(vid)
        result = assess(
            version=version,
            previous_version=before[0] if before else None,
            previous=metadata.get(before[1]) if before else None,
            current=current,
        )
        found[vid] = guarded(
            result,
            guard=guards.get(model_id, SemverGuard.WARN),
            is_prerelease=is_prerelease,
            current=current,
        )
    return found


async def refresh_and_guard(
    session: AsyncSession,
    storage: Storage,
    *,
    version: ModelVersion,
    field: str,
    hint: str = "",
) -> None:
    """Read the version's metadata files again after a change of its files (in this
    transaction). Under ENFORCE, a change that makes the version's number too small for its
    signature changes is refused (CONFLICT); the caller's transaction then writes nothing."""
    assert version.id is not None
    await session.flush()
    guard = (await guards_by_models(session, [version.model_id])).get(version.model_id)
    if guard is not SemverGuard.ENFORCE:
        await refresh_metadata(session, storage, version.id)
        return
    before = (await compatibility_by_versions(session, [version.id]))[version.id].compatibility
    await refresh_metadata(session, storage, version.id)
    after = (await compatibility_by_versions(session, [version.id]))[version.id].compatibility
    if after.verdict is not Verdict.TOO_SMALL:
        return
    if before.verdict is Verdict.TOO_SMALL and before.reasons == after.reasons:
        return  # already so before this change (the guard was set later): not made worse
    message = guard_refusal(after) or (
        f"Version {version.version} declares a smaller bump than its changes require."
    )
    raise Conflict(
        f"{message} The project's SemVer guard is ENFORCE, so nothing was changed.{hint}",
        field=field,
    )


async def enforce_production_release(
    session: AsyncSession, *, version: ModelVersion, model: RegisteredModel, stage: Stage
) -> None:
    """Under ENFORCE, a prerelease may not go to Production."""
    if stage is not Stage.PRODUCTION or not version.is_prerelease:
        return
    project = await session.get(Project, model.project_id)
    if project is not None and project.semver_guard is SemverGuard.ENFORCE:
        raise Conflict(
            f"Version {version.version} is a prerelease, and a prerelease is not for "
            "Production: the project's SemVer guard is ENFORCE. Register it as a release "
            "(without the '-' part) to move it to Production.",
            field="stage",
        )


async def check_version(
    session: AsyncSession,
    *,
    actor: Actor,
    model_id: int,
    version: str | None,
    mlmodel: str | None,
) -> GuardedCompatibility:
    """What the guard would say of `version` (None/"": the next patch) with this MLmodel text,
    before the version exists: against the previous release by SemVer precedence.

    An `mlmodel` over MAX_METADATA_FILE_BYTES is refused (INVALID_ARGUMENT) before anything
    else; the text is parsed in a worker thread, so the event loop keeps serving meanwhile."""
    data = None if mlmodel is None else _mlmodel_bytes(mlmodel)
    await get_model(session, model_id=model_id, actor=actor, field="model")
    rows = (
        await session.exec(
            select(ModelVersion.id, ModelVersion.version).where(ModelVersion.model_id == model_id)
        )
    ).all()
    if version:
        is_prerelease = parse_version(version, field="version").is_prerelease
    else:
        # As the MLflow client's versions are numbered: the next patch after the latest release.
        newest = latest(v for _, v in rows)
        version = bump(semver.Version.parse(newest), Bump.PATCH) if newest else "1.0.0"
        is_prerelease = False
    others = {v: i for i, v in rows if v != version and i is not None}
    prev = previous_release(version, others)
    current = None if data is None else await read_metadata_off_loop({MLMODEL: data})
    previous = None
    if prev is not None:
        previous = (await metadata_by_versions(session, [others[prev]])).get(others[prev])
    result = assess(version=version, previous_version=prev, previous=previous, current=current)
    guard = (await guards_by_models(session, [model_id])).get(model_id, SemverGuard.WARN)
    return guarded(result, guard=guard, is_prerelease=is_prerelease, current=current)


def _mlmodel_bytes(mlmodel: str) -> bytes:
    """The MLmodel text as UTF-8; INVALID_ARGUMENT when larger than an MLmodel file may be.
    A lone surrogate is kept as bytes that are not UTF-8, which reading reports as malformed."""
    limit = MAX_METADATA_FILE_BYTES
    if len(mlmodel) <= limit:  # each character is at least one byte: no need to encode more
        data = mlmodel.encode("utf-8", "surrogatepass")
        if len(data) <= limit:
            return data
    raise InvalidArgument(
        f"The MLmodel text is larger than {limit // 1024} KiB ({limit} bytes), the most an "
        "MLmodel file may have: send the text of the MLmodel file alone.",
        field="mlmodel",
    )
