"""DataLoaders: every batch is one SQL statement, so a page costs the same whatever its size."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader, DefaultCache

from modelreg.db.models import (
    Comment,
    Experiment,
    Membership,
    ModelAlias,
    ModelTag,
    ModelVersion,
    Project,
    RegisteredModel,
    Run,
    RunMetric,
    TransitionRequest,
    UserAccount,
    VersionTag,
)
from modelreg.domain.actor import Actor
from modelreg.domain.model_metadata import ModelMetadata
from modelreg.domain.policy import Role
from modelreg.graphql.deployment_loader import deployment_page_loader
from modelreg.services import access, version_reads
from modelreg.services import comments as comment_service
from modelreg.services import compatibility as compatibility_service
from modelreg.services import files as file_service
from modelreg.services import inbox as inbox_service
from modelreg.services import lifecycle as lifecycle_service
from modelreg.services import members as member_service
from modelreg.services import metadata as metadata_service
from modelreg.services import models as model_service
from modelreg.services import projects as project_service
from modelreg.services import tags as tag_service
from modelreg.services import tracking as tracking_service
from modelreg.services.transfer import web_export

Reader = Callable[[], AbstractAsyncContextManager[AsyncSession]]
K = TypeVar("K")
V = TypeVar("V")


def _loader(
    read: Reader,
    fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[dict[K, V]]],
    default: Callable[[], V | None] = lambda: None,
) -> DataLoader[K, V | None]:
    async def load(keys: list[K]) -> list[V | None]:
        async with read() as session:
            found = await fetch(session, keys)
        return [found[k] if k in found else default() for k in keys]

    return DataLoader(load_fn=load, cache_map=PrimedCache())


class PrimedCache(DefaultCache[Any, Any]):
    """A loader's cache that holds primed values as they are, making a value's future only when
    the value is asked for: a list page primes about 200 values a request (`prime`) and reads
    few of them again, and a future each was about 0.5 ms of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.plain: dict[Any, Any] = {}

    def get(self, key: Any) -> asyncio.Future[Any] | None:
        found = self.cache_map.get(key)
        if found is None and key in self.plain:
            found = asyncio.get_running_loop().create_future()
            found.set_result(self.plain.pop(key))
            self.cache_map[key] = found
        return found

    def delete(self, key: Any) -> None:
        self.plain.pop(key, None)
        self.cache_map.pop(key, None)

    def clear(self) -> None:
        self.plain.clear()
        super().clear()


def prime(loader: DataLoader[K, V], data: Mapping[K, V]) -> None:
    """`loader.prime_many(data)`, cheaper: values a key has already keep theirs, as there."""
    cache = loader.cache_map
    if not isinstance(cache, PrimedCache) or (loader.batch and not loader.batch.dispatched):
        loader.prime_many(data)  # keys waiting in a batch get their values from it
        return
    for key, value in data.items():
        if key not in cache.cache_map:
            cache.plain.setdefault(key, value)


class Loaders:
    def __init__(self, read: Reader, actor: Actor) -> None:
        # The viewer's role in each project (absent: not a member).
        self.role: DataLoader[int, Role | None] = _loader(
            read, lambda s, ids: access.roles_in(s, actor, ids)
        )
        self.project: DataLoader[int, Project | None] = _loader(
            read, project_service.projects_by_ids
        )
        self.model: DataLoader[int, RegisteredModel | None] = _loader(
            read, model_service.models_by_ids
        )
        self.version: DataLoader[int, ModelVersion | None] = _loader(
            read, version_reads.versions_by_ids
        )
        # Core rows: only rendered (see `version_reads.latest_version_rows`).
        self.latest_version: DataLoader[int, version_reads.VersionRow | None] = _loader(
            read, version_reads.latest_version_rows
        )
        # Each model's versions in Production or Staging (graphql/stages.py).
        self.stage_versions: DataLoader[int, list[ModelVersion] | None] = _loader(
            read, version_reads.versions_in_stages, list
        )
        self.version_count: DataLoader[int, int | None] = _loader(
            read, model_service.version_counts, lambda: 0
        )
        self.model_tags: DataLoader[int, dict[str, str] | None] = _loader(
            read, lambda s, ids: tag_service.tags_by_owner(s, ModelTag, ids), dict
        )
        self.version_tags: DataLoader[int, dict[str, str] | None] = _loader(
            read, lambda s, ids: tag_service.tags_by_owner(s, VersionTag, ids), dict
        )
        self.version_files: DataLoader[int, list[file_service.VersionFile] | None] = _loader(
            read, file_service.files_by_versions, list
        )
        self.file_stats: DataLoader[int, tuple[int, int] | None] = _loader(
            read, file_service.file_stats, lambda: (0, 0)
        )
        # What each version's files say, and the SemVer guard's verdict (graphql/metadata.py).
        self.version_metadata: DataLoader[int, ModelMetadata | None] = _loader(
            read, metadata_service.metadata_by_versions
        )
        self.compatibility: DataLoader[int, compatibility_service.GuardedCompatibility | None] = (
            _loader(read, compatibility_service.compatibility_by_versions)
        )
        self.version_aliases: DataLoader[int, list[str] | None] = _loader(
            read, lifecycle_service.aliases_by_versions, list
        )
        self.model_aliases: DataLoader[int, list[ModelAlias] | None] = _loader(
            read, lifecycle_service.aliases_by_models, list
        )
        self.version_requests: DataLoader[int, list[TransitionRequest] | None] = _loader(
            read, lifecycle_service.requests_by_versions, list
        )
        # Each model's pending transition requests (the models table, graphql/inbox.py).
        self.model_pending_requests: DataLoader[int, list[TransitionRequest] | None] = _loader(
            read, inbox_service.pending_requests_by_models, list
        )
        # Each project's latest event id (the export section: `Project.latestEventId`).
        self.latest_event_id: DataLoader[int, int | None] = _loader(
            read, web_export.latest_event_ids
        )
        self.members: DataLoader[int, list[tuple[Membership, UserAccount]] | None] = _loader(
            read, member_service.members_by_projects, list
        )
        self.version_comments: DataLoader[int, list[Comment] | None] = _loader(
            read, comment_service.comments_by_versions, list
        )
        # A page of each version's deployments (graphql/deployments.py).
        self.version_deployments = deployment_page_loader(read)
        # MLflow tracking (graphql/tracking.py): a version's run, its experiment and data.
        self.run_by_uuid: DataLoader[str, Run | None] = _loader(
            read, tracking_service.runs_by_uuids
        )
        self.experiment: DataLoader[int, Experiment | None] = _loader(
            read, tracking_service.experiments_by_ids
        )
        self.run_params: DataLoader[int, dict[str, str] | None] = _loader(
            read, tracking_service.params_by_runs, dict
        )
        self.run_tags: DataLoader[int, dict[str, str] | None] = _loader(
            read, tracking_service.tags_by_runs, dict
        )
        self.run_metrics: DataLoader[int, list[RunMetric] | None] = _loader(
            read, tracking_service.latest_metrics_by_runs, list
        )
