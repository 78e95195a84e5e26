"""`GET /api/v1/projects/{project}/export`: the project as an archive (the format of
`modelreg export`), streamed as it is read, for the project's MAINTAINERs and up.

Query: `models` (repeatable; none: every model) and `since_event` (only what changed after that
event). Every check (caller, role, models, `since_event`) and the archive's first bytes happen
before the response starts, so a refusal is an ordinary `{"error": ...}` answer with its status,
never a broken download. A client that goes away mid-stream stops the export: the stream is
closed at once, which returns its database connection and closes the file it was reading.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from modelreg.auth import authenticate
from modelreg.db import Database
from modelreg.db.types import utcnow
from modelreg.domain.transfer import ArchiveError
from modelreg.errors import DomainError, ErrorCode
from modelreg.http.errors import domain_error_response, error_response
from modelreg.services.transfer.export import export_stream
from modelreg.services.transfer.web_export import parse_since_event, prepare_export
from modelreg.storage import Storage

logger = logging.getLogger("modelreg.export")

ROUTE = "/api/v1/projects/{project}/export"
MEDIA_TYPE = "application/x-tar"


def _attachment(name: str) -> str:
    return f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name, safe='')}"


class ArchiveResponse(StreamingResponse):
    """A streamed archive whose first piece is read already, closed however the response ends:
    finished, failed, or the client gone (Starlette then stops iterating and leaves the body's
    generator suspended, holding its database connection until garbage collection)."""

    def __init__(
        self,
        first: bytes,
        stream: AsyncGenerator[bytes, None],
        filename: str,
        done: Callable[[], None],
    ) -> None:
        self.stream = stream
        self.done = done
        self.finished = False
        super().__init__(
            self._body(first),
            media_type=MEDIA_TYPE,
            headers={"content-disposition": _attachment(filename), "cache-control": "no-store"},
        )

    async def _body(self, first: bytes) -> AsyncGenerator[bytes, None]:
        yield first
        async for piece in self.stream:
            yield piece
        self.finished = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            if not self.finished:
                # The client went away (ASGI 2.4 servers raise on send, older ones cancel the
                # body), or reading failed (logged by the app as an error).
                logger.info("an export stopped before its end; its client has an incomplete file")
            try:
                await self.stream.aclose()
            finally:
                self.done()


# Exports streaming at once, per process. Each holds a database connection (its read session)
# for as long as its client takes to download: without a cap, slow downloads could take the
# whole pool from the rest of the app.
MAX_RUNNING = 2


class ExportRoutes:
    def __init__(self, db: Database, storage: Storage, *, max_running: int = MAX_RUNNING) -> None:
        self.db = db
        self.storage = storage
        self.max_running = max_running
        self.running = 0

    def _done(self) -> None:
        self.running -= 1

    def routes(self) -> list[BaseRoute]:
        return [Route(ROUTE, self.export, methods=["GET"])]

    async def export(self, request: Request) -> Response:
        try:
            actor = await authenticate(self.db, request)
            since_event = parse_since_event(request.query_params.get("since_event"))
            async with self.db.read() as session:
                checked = await prepare_export(
                    session,
                    actor=actor,
                    project_path=request.path_params["project"],
                    models=request.query_params.getlist("models"),
                    since_event=since_event,
                    now=utcnow(),
                )
        except DomainError as error:
            return domain_error_response(error)
        if request.method == "HEAD":
            return Response(
                media_type=MEDIA_TYPE,
                headers={"content-disposition": _attachment(checked.filename)},
            )
        if self.running >= self.max_running:
            response = error_response(
                503,
                ErrorCode.UNAVAILABLE,
                f"{self.running} exports are being downloaded from this server already; "
                "try again when one has finished.",
            )
            response.headers["retry-after"] = "30"
            return response
        self.running += 1
        stream = export_stream(db=self.db, storage=self.storage, selection=checked.selection)
        try:
            first = await anext(stream)
        except BaseException as error:
            await stream.aclose()
            self._done()
            if isinstance(error, ArchiveError):  # checked above; a model deleted since lands here
                return error_response(409, ErrorCode.CONFLICT, f"{error.message} Try again.")
            raise
        return ArchiveResponse(first, stream, checked.filename, self._done)
