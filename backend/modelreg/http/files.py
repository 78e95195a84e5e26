"""`/api/v1/projects/{project}/models/{model}/versions/{version}/files/{path}`.

PUT streams the request body into storage (hashing on the way, size limit enforced while it
arrives); GET/HEAD stream it back with ETag = sha256 and single-range support; DELETE removes
one file; `.../files.zip` streams the whole version as a zip archive.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from stream_zip import ZIP_AUTO, stream_zip

from modelreg.auth import authenticate
from modelreg.db import Database
from modelreg.domain.actor import Actor
from modelreg.errors import DomainError, ErrorCode
from modelreg.http.errors import domain_error_response, error_response
from modelreg.ranges import file_response
from modelreg.services import files as file_service
from modelreg.services.lookup import VersionRef, version_by_names
from modelreg.settings import Settings
from modelreg.storage import Storage

# `stream_zip` is synchronous: each step runs on one of these threads and pulls file chunks from
# the event loop. They are not the loop's default executor, which the local storage's file reads
# use: zips waiting there for reads that wait for a free thread behind them would deadlock (six
# concurrent zip downloads did, before).
_ZIP_THREADS = ThreadPoolExecutor(max_workers=8, thread_name_prefix="modelreg-zip")


async def _zip_stream(
    members: Sequence[tuple[str, datetime, Any, str]], storage: Storage
) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()

    def pull(storage_key: str) -> Iterator[bytes]:
        chunks = storage.open(storage_key)

        async def step() -> bytes:
            return await anext(chunks)

        while True:
            try:
                yield asyncio.run_coroutine_threadsafe(step(), loop).result()
            except StopAsyncIteration:
                return

    zipped = iter(
        stream_zip(
            (path, modified, 0o644, method, pull(key)) for path, modified, method, key in members
        )
    )
    while True:
        chunk = await loop.run_in_executor(_ZIP_THREADS, _next_chunk, zipped)
        if chunk is None:
            return
        yield chunk


def _next_chunk(chunks: Iterator[bytes]) -> bytes | None:
    return next(chunks, None)


BASE = "/api/v1/projects/{project}/models/{model}/versions/{version}"


def _file_json(found: file_service.VersionFile) -> dict[str, Any]:
    return {
        "path": found.path,
        "size": found.size,
        "sha256": found.sha256,
        "contentType": found.content_type,
        "createdAt": found.created_at.isoformat(),
        "createdBy": found.created_by,
    }


def _attachment(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name, safe='')}"


class FileRoutes:
    def __init__(self, settings: Settings, db: Database, storage: Storage) -> None:
        self.settings = settings
        self.db = db
        self.storage = storage

    def routes(self) -> list[BaseRoute]:
        return [
            Route(f"{BASE}/files.zip", self.download_zip, methods=["GET"]),
            Route(
                f"{BASE}/files/{{path:path}}",
                self.file,
                methods=["GET", "HEAD", "PUT", "DELETE"],
            ),
        ]

    async def _version(self, request: Request, actor: Actor) -> VersionRef:
        params = request.path_params
        async with self.db.read() as session:
            return await version_by_names(
                session,
                actor=actor,
                project=params["project"],
                model=params["model"],
                version=params["version"],
            )

    async def file(self, request: Request) -> Response:
        try:
            actor = await authenticate(self.db, request)
            if request.method == "PUT":
                return await self._upload(request, actor)
            if request.method == "DELETE":
                return await self._delete(request, actor)
            return await self._download(request, actor)
        except DomainError as error:
            return domain_error_response(error)

    async def _upload(self, request: Request, actor: Actor) -> Response:
        limit = self.settings.max_file_size
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return error_response(
                413,
                ErrorCode.FILE_TOO_LARGE,
                f"The file is {declared} bytes; the limit is {limit} bytes "
                "(MODELREG_MAX_FILE_SIZE). Nothing was stored.",
            )
        ref = await self._version(request, actor)
        path = request.path_params["path"]
        assert ref.version.id is not None
        try:
            stored = await file_service.store_file(
                db=self.db,
                storage=self.storage,
                actor=actor,
                version_id=ref.version.id,
                path=path,
                chunks=request.stream(),
                max_size=limit,
                content_type=request.headers.get("content-type"),
            )
        except ClientDisconnect:
            # The client is gone: nothing was kept and there is no one to answer.
            return Response(status_code=400)
        return JSONResponse(_file_json(stored), status_code=201)

    async def _delete(self, request: Request, actor: Actor) -> Response:
        ref = await self._version(request, actor)
        assert ref.version.id is not None
        async with self.db.begin() as session:
            await file_service.delete_files(
                session,
                actor=actor,
                storage=self.storage,
                version_id=ref.version.id,
                paths=[request.path_params["path"]],
            )
        return Response(status_code=204)

    async def _download(self, request: Request, actor: Actor) -> Response:
        ref = await self._version(request, actor)
        assert ref.version.id is not None
        async with self.db.read() as session:
            found = await file_service.get_file(
                session, version_id=ref.version.id, path=request.path_params["path"]
            )
        return file_response(
            request,
            self.storage,
            storage_key=found.storage_key,
            size=found.size,
            sha256=found.sha256,
            content_type=found.content_type,
            filename=found.path.rsplit("/", 1)[-1],
        )

    async def download_zip(self, request: Request) -> Response:
        try:
            actor = await authenticate(self.db, request)
            ref = await self._version(request, actor)
        except DomainError as error:
            return domain_error_response(error)
        assert ref.version.id is not None
        async with self.db.read() as session:
            found = await file_service.list_files(session, version_id=ref.version.id)
        storage = self.storage

        members = [
            (item.path, item.created_at, ZIP_AUTO(item.size, level=0), item.storage_key)
            for item in found
        ]
        name = f"{ref.model.name}-{ref.version.version}.zip"
        return StreamingResponse(
            _zip_stream(members, storage),
            media_type="application/zip",
            headers={"content-disposition": _attachment(name)},
        )
