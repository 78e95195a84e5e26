"""MLflow's artifact proxy: `api/2.0/mlflow-artifacts/artifacts[/<path>]` of a tracking URI.

Each project has one artifact root. The client resolves `mlflow-artifacts:/<path>` to
`<tracking URI>/api/2.0/mlflow-artifacts/artifacts/<path>` and then:

- PUT `<path>` with the file as the body: streamed into storage (hashed on the way, size limit
  enforced while it arrives, never held in memory) as a content-addressed blob; a file at the
  same path is replaced.
- GET `<path>`: the bytes, streamed, with ETag (sha256) and single-range support.
- GET `?path=<folder>`: `{"files": [{"path": <name>, "is_dir": ..., "file_size": ...}]}`, the
  entries directly in the folder (names, not paths, as MLflow's server answers).
- DELETE `<path>`: the file, or the folder with everything in it; nothing there is no error.

`_registry/<version id>/...` serves a model version's files read-only: the registry's
`get-download-uri` answers `mlflow-artifacts:/_registry/<version id>`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import ClientDisconnect
from starlette.responses import Response

from modelreg.domain import tracking as rules
from modelreg.errors import NotFound
from modelreg.mlflow.app import Endpoint, HandlerResult
from modelreg.mlflow.params import STRING
from modelreg.mlflow.protocol import MlflowContext, MlflowError, Params
from modelreg.ranges import file_response
from modelreg.services import tracking as service

BASE = rules.ARTIFACTS_API


def _path(params: Params, name: str = "path") -> str:
    value = params.get(name) or ""
    if isinstance(value, list):
        value = value[-1] if value else ""
    if not isinstance(value, str):
        raise MlflowError(f"Invalid value for parameter '{name}'.")
    return rules.normalize_artifact_path(value)


def _version_part(path: str) -> tuple[int, str] | None:
    """(version id, path inside the version) for `_registry/<id>[/<path>]`, else None."""
    head, _, rest = path.partition("/")
    if head != rules.REGISTRY_ROOT:
        return None
    version_id, _, inside = rest.partition("/")
    if not (version_id.isascii() and version_id.isdigit()) or len(version_id) > 18:
        raise NotFound(f"No such artifact: '{path}'.", field="path")
    return int(version_id), inside


async def _version_files(ctx: MlflowContext, version_id: int) -> dict[str, service.StoredFile]:
    async with ctx.read() as session:
        return await service.version_files(
            session, actor=ctx.actor, project_id=ctx.project_id, version_id=version_id
        )


async def upload(ctx: MlflowContext, params: Params) -> HandlerResult:
    path = _path(params)
    limit = ctx.settings.max_file_size
    declared = ctx.request.headers.get("content-length")
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise MlflowError(
            f"'{path}' is {declared} bytes; the limit is {limit} bytes "
            "(MODELREG_MAX_FILE_SIZE). Nothing was stored.",
            status=413,
        )
    try:
        await service.store_tracked_file(
            db=ctx.db,
            storage=ctx.storage,
            actor=ctx.actor,
            project_id=ctx.project_id,
            path=path,
            chunks=ctx.request.stream(),
            max_size=limit,
        )
    except ClientDisconnect:
        # The client is gone: nothing was kept and there is no one to answer.
        return Response(status_code=400)
    return {}


def _attachment(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name, safe='')}"


async def download(ctx: MlflowContext, params: Params) -> HandlerResult:
    path = _path(params)
    in_version = _version_part(path)
    if in_version is not None:
        version_id, inside = in_version
        found = (await _version_files(ctx, version_id)).get(inside)
        if found is None:
            raise NotFound(f"No such artifact: '{path}'.", field="path")
    else:
        async with ctx.read() as session:
            found = await service.get_tracked_file(
                session, actor=ctx.actor, project_id=ctx.project_id, path=path
            )
    return file_response(
        ctx.request,
        ctx.storage,
        storage_key=found.storage_key,
        size=found.size,
        sha256=found.sha256,
        content_type=found.content_type,
        filename=path.rsplit("/", 1)[-1],
    )


async def list_artifacts(ctx: MlflowContext, params: Params) -> HandlerResult:
    path = _path(params)
    in_version = _version_part(path) if path != rules.REGISTRY_ROOT else None
    if path == rules.REGISTRY_ROOT:
        entries: list[rules.ListedFile] = []
    elif in_version is not None:
        version_id, inside = in_version
        files = await _version_files(ctx, version_id)
        entries = rules.children({p: f.size for p, f in files.items()}, inside)
    else:
        async with ctx.read() as session:
            entries = await service.list_tracked(
                session, actor=ctx.actor, project_id=ctx.project_id, path=path
            )
    listed: list[dict[str, Any]] = []
    for entry in entries:
        item: dict[str, Any] = {"path": entry.name, "is_dir": entry.is_dir}
        if entry.size is not None:
            item["file_size"] = entry.size
        listed.append(item)
    return {"files": listed}


async def delete(ctx: MlflowContext, params: Params) -> HandlerResult:
    path = _path(params)
    async with ctx.write() as session:
        await service.delete_tracked(
            session, actor=ctx.actor, storage=ctx.storage, project_id=ctx.project_id, path=path
        )
    return {}


_PATH = {"path": STRING}

ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", BASE, list_artifacts, params=_PATH),
    Endpoint("PUT", f"{BASE}/{{path:path}}", upload, raw_body=True, params=_PATH),
    Endpoint("GET", f"{BASE}/{{path:path}}", download, params=_PATH),
    Endpoint("DELETE", f"{BASE}/{{path:path}}", delete, params=_PATH),
]
