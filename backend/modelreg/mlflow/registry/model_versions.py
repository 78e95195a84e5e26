"""MLflow's model version endpoints: create (with the files of its source run or logged model),
get, update, delete, search, transition-stage, tags and the download URI.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db.models import ModelVersion, VersionTag
from modelreg.domain.lineage import VERSION_TAG, registry_version_of
from modelreg.domain.tracking import ARTIFACTS_SCHEME, REGISTRY_ROOT
from modelreg.mlflow.app import Endpoint
from modelreg.mlflow.params import BOOL, KEY_VALUES, REQUIRED, STRING
from modelreg.mlflow.protocol import MlflowContext, Params, boolean, required, text
from modelreg.mlflow.registry.rendering import version_json, version_response, versions_json
from modelreg.mlflow.registry.requests import (
    API,
    NAME_PARAMS,
    SEARCH_PARAMS,
    VERSION_PARAMS,
    find_model,
    find_version,
    max_results,
    ordering,
    parse_stage,
    tags_param,
    version_number,
)
from modelreg.services import lifecycle as lifecycle_service
from modelreg.services import tags as tag_service
from modelreg.services import version_reads
from modelreg.services import versions as version_service

# The artifact root under which the proxy serves a version's files (see mlflow/artifacts.py).
VERSION_FILES_ROOT = "_registry"


# MLflow's own defaults and limits for a page of search results.
VERSIONS_PAGE = (10_000, 200_000)


async def create_model_version(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    from modelreg.services import tracking as tracking_service
    from modelreg.services.tracking import logged_model_data

    name = str(required(params, "name"))
    source = text(params, "source", "") or ""
    run_id = text(params, "run_id") or None
    tags = tags_param(params)
    semver_tag = next((v for k, v in tags if k == VERSION_TAG), None)
    other_tags = [(k, v) for k, v in tags if k != VERSION_TAG]
    logged_model = text(params, "model_id") or None
    async with ctx.write() as session:
        model = await find_model(session, ctx, name)
        assert model.id is not None
        copied = await _copied_version(session, ctx, source)
        found = await tracking_service.source_files(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            # A copy starts with the files of the version it copies.
            source=f"{ARTIFACTS_SCHEME}:/{REGISTRY_ROOT}/{copied.id}" if copied else source,
            run_uuid=run_id,
        )
        version = await version_service.create_version(
            session,
            actor=ctx.actor,
            model_id=model.id,
            version=semver_tag,
            description=text(params, "description", "") or "",
            tags=other_tags,
            run_uuid=found.run_uuid or run_id,
            source=source,
            logged_model_uuid=found.logged_model_uuid or logged_model,
            files=found.files,
            storage=ctx.storage,
            # The SemVer tag of the copied version, copied with its other tags: a wish.
            if_taken="next_patch" if copied and copied.version == semver_tag else "refuse",
        )
        assert version.id is not None
        if version.logged_model_uuid:
            # As MLflow's server: the logged model lists the versions registered from it.
            await logged_model_data.add_model_version(
                session, ctx.project_id, version.logged_model_uuid, model.name, version.number
            )
        # A new version has no aliases: only its tags are read back.
        stored = (
            await tag_service.tags_by_owner(session, VersionTag, [version.id])
            if other_tags or copied
            else {}
        )
        return {"model_version": version_json(version, model, stored.get(version.id, {}), [])}


async def _copied_version(
    session: AsyncSession, ctx: MlflowContext, source: str
) -> ModelVersion | None:
    """The version of this project a `models:/<name>/<number>` source names: MLflow's
    `copy_model_version` creates the copy with that source and the copied version's tags.
    None for any other source, or a version that is not here."""
    named = registry_version_of(source)
    if named is None:
        return None
    _, version = await version_reads.find_model_and_version(
        session, project_id=ctx.project_id, name=named[0], number=named[1]
    )
    return version


async def get_model_version(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    return await version_response(ctx, str(required(params, "name")), version_number(params))


async def update_model_version(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    name, number = str(required(params, "name")), version_number(params)
    async with ctx.write() as session:
        _, version = await find_version(session, ctx, name, number)
        assert version.id is not None
        await version_service.update_version(
            session,
            actor=ctx.actor,
            version_id=version.id,
            description=text(params, "description", "") or "",
        )
    return await version_response(ctx, name, number)


async def delete_model_version(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.write() as session:
        _, version = await find_version(
            session, ctx, str(required(params, "name")), version_number(params)
        )
        assert version.id is not None
        await version_service.delete_version(
            session, actor=ctx.actor, storage=ctx.storage, version_id=version.id
        )
    return {}


# MLflow's keys, and `timestamp` (creation) as before; ties: name ASC, then number DESC.
_VERSION_ORDER = {
    "name": version_reads.VersionOrderField.NAME,
    "version_number": version_reads.VersionOrderField.NUMBER,
    "creation_timestamp": version_reads.VersionOrderField.CREATED_AT,
    "last_updated_timestamp": version_reads.VersionOrderField.UPDATED_AT,
    "timestamp": version_reads.VersionOrderField.CREATED_AT,
}


async def search_model_versions(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    order = ordering(params, _VERSION_ORDER)
    async with ctx.read() as session:
        page = await version_reads.search_versions(
            session,
            actor=ctx.actor,
            project_id=ctx.project_id,
            filter=text(params, "filter"),
            order=order,
            first=max_results(params, VERSIONS_PAGE),
            after=text(params, "page_token") or None,
        )
        found: dict[str, Any] = {"model_versions": await versions_json(session, page.items)}
    if page.has_next_page and page.cursors:
        found["next_page_token"] = page.cursors[-1]
    return found


async def transition_stage(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    name, number = str(required(params, "name")), version_number(params)
    stage = parse_stage(str(required(params, "stage")))
    archive = boolean(params, "archive_existing_versions", False)
    async with ctx.write() as session:
        model, version = await find_version(session, ctx, name, number)
        assert version.id is not None
        version = await lifecycle_service.transition_stage(
            session,
            actor=ctx.actor,
            version_id=version.id,
            stage=stage,
            comment=text(params, "comment", "") or "",
            archive_existing=archive,
        )
        return {"model_version": (await versions_json(session, [(version, model)]))[0]}


async def set_model_version_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    key, value = str(required(params, "key")), text(params, "value", "") or ""
    async with ctx.write() as session:
        _, version = await find_version(
            session, ctx, str(required(params, "name")), version_number(params)
        )
        assert version.id is not None
        await version_service.set_version_tags(
            session, actor=ctx.actor, version_id=version.id, tags=[(key, value)]
        )
    return {}


async def delete_model_version_tag(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.write() as session:
        _, version = await find_version(
            session, ctx, str(required(params, "name")), version_number(params)
        )
        assert version.id is not None
        await version_service.delete_version_tags(
            session, actor=ctx.actor, version_id=version.id, keys=[str(required(params, "key"))]
        )
    return {}


async def get_download_uri(ctx: MlflowContext, params: Params) -> dict[str, Any]:
    async with ctx.read() as session:
        _, version = await find_version(
            session, ctx, str(required(params, "name")), version_number(params)
        )
    return {"artifact_uri": f"mlflow-artifacts:/{VERSION_FILES_ROOT}/{version.id}"}


ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "POST",
        f"{API}/model-versions/create",
        create_model_version,
        transaction=True,
        params={
            **NAME_PARAMS,
            "source": STRING,
            "run_id": STRING,
            "tags": KEY_VALUES,
            "run_link": STRING,
            "description": STRING,
            "model_id": STRING,
        },
    ),
    Endpoint("GET", f"{API}/model-versions/get", get_model_version, params=VERSION_PARAMS),
    Endpoint(
        "PATCH",
        f"{API}/model-versions/update",
        update_model_version,
        transaction=True,
        params={**VERSION_PARAMS, "description": STRING},
    ),
    Endpoint("DELETE", f"{API}/model-versions/delete", delete_model_version, params=VERSION_PARAMS),
    Endpoint("GET", f"{API}/model-versions/search", search_model_versions, params=SEARCH_PARAMS),
    Endpoint(
        "POST",
        f"{API}/model-versions/transition-stage",
        transition_stage,
        transaction=True,
        params={
            **VERSION_PARAMS,
            "stage": REQUIRED,
            "archive_existing_versions": BOOL,
            "comment": STRING,
        },
    ),
    Endpoint(
        "POST",
        f"{API}/model-versions/set-tag",
        set_model_version_tag,
        transaction=True,
        params={**VERSION_PARAMS, "key": REQUIRED, "value": STRING},
    ),
    Endpoint(
        "DELETE",
        f"{API}/model-versions/delete-tag",
        delete_model_version_tag,
        transaction=True,
        params={**VERSION_PARAMS, "key": REQUIRED},
    ),
    Endpoint(
        "GET", f"{API}/model-versions/get-download-uri", get_download_uri, params=VERSION_PARAMS
    ),
]
