"""The MLflow endpoint of each project: authentication, project lookup, dispatch, errors."""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from modelreg import auth, metrics
from modelreg.db import Database
from modelreg.domain.actor import Actor
from modelreg.errors import DomainError, Unauthenticated
from modelreg.mlflow import params as checks
from modelreg.mlflow.messages import mlflow_message
from modelreg.mlflow.protocol import (
    MlflowContext,
    MlflowError,
    Params,
    error_response,
    mlflow_code,
)
from modelreg.services import authentication
from modelreg.services.projects import get_project_by_path
from modelreg.settings import Settings
from modelreg.storage import Storage

logger = logging.getLogger("modelreg.mlflow")

# The route label of an endpoint in metrics: its pattern after the template of the tracking URI.
ROUTE_PREFIX = "/projects/{project}/mlflow/"
# The prefix MLflow's web UI puts before the REST API's paths instead of `api/`.
AJAX_PREFIX = "ajax-api/"

HandlerResult = dict[str, Any] | Response
EndpointHandler = Callable[[MlflowContext, Params], Awaitable[HandlerResult]]


@dataclass(frozen=True)
class Endpoint:
    """`pattern` is the path after the tracking URI, e.g. `api/2.0/mlflow/runs/get`;
    `{name}` matches one path segment, `{name:path}` the rest of the path."""

    method: str
    pattern: str
    handler: EndpointHandler
    # Streaming endpoints (artifact upload) read the body themselves.
    raw_body: bool = False
    # A writing endpoint that runs in one transaction with the authentication: it reads the
    # caller, the project, changes what it changes and reads its response in that transaction
    # (`ctx.write()` and `ctx.read()` give it). Endpoints that retry (tracking writes), stream
    # (artifact uploads) or delete open their own transactions instead; work after a commit
    # (collecting unreferenced blobs) is the services' business (db/after_commit.py).
    transaction: bool = False
    # Every parameter the handler reads, with its type (path parameters too): the handler gets
    # these, checked, and nothing else (see mlflow/params.py).
    params: checks.Schema = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        undeclared = set(re.findall(r"\{(\w+)", self.pattern)) - set(self.params)
        if undeclared:
            raise ValueError(f"{self.pattern} does not declare {sorted(undeclared)}")

    def compile(self) -> re.Pattern[str]:
        regex = re.sub(r"\{(\w+):path\}", r"(?P<\1>.*)", self.pattern)
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", regex)
        return re.compile(regex)


def _credentials(request: Request) -> authentication.Credentials:
    """MLflow clients send `MLFLOW_TRACKING_TOKEN` as a bearer token; with
    `MLFLOW_TRACKING_USERNAME`/`PASSWORD` they send Basic, whose password must be a token."""
    found = auth.credentials(request)
    header = (found.authorization or "").strip()
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthenticated("The Basic authorization header is malformed.") from None
        _, _, password = decoded.partition(":")
        found = replace(found, authorization=f"Bearer {password}")
    return found


class MlflowApp:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        storage: Storage,
        endpoints: Sequence[Endpoint],
    ) -> None:
        self.settings = settings
        self.db = db
        self.storage = storage
        self._endpoints = [(e, e.compile()) for e in endpoints]

    def routes(self) -> list[BaseRoute]:
        methods = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"]
        return [
            Route("/projects/{project}/mlflow", self.handle, methods=methods),
            Route("/projects/{project}/mlflow/{rest:path}", self.handle, methods=methods),
        ]

    def _match(self, method: str, rest: str) -> tuple[Endpoint, dict[str, str]] | None:
        """The endpoint `rest` names. MLflow's web UI calls the REST API under `ajax-api/`:
        what is not an `ajax-api/` endpoint of its own is the `api/` endpoint of that name."""
        if rest.startswith(AJAX_PREFIX) and not any(
            regex.fullmatch(rest) for _, regex in self._endpoints
        ):
            rest = "api/" + rest[len(AJAX_PREFIX) :]
        allowed = False
        for endpoint, regex in self._endpoints:
            found = regex.fullmatch(rest)
            if found is None:
                continue
            allowed = True
            if endpoint.method == method or (method == "HEAD" and endpoint.method == "GET"):
                return endpoint, found.groupdict()
        if allowed:
            raise MlflowError(
                f"{method} is not supported on this endpoint.",
                code="ENDPOINT_NOT_FOUND",
                status=405,
            )
        return None

    async def _record_use(self, actor: Actor | None, writable: bool) -> None:
        """A failed write rolled back the record of its token's use: record it on its own."""
        if writable and actor is not None:
            await authentication.record_token_use(self.db, actor)

    async def _params(
        self, request: Request, endpoint: Endpoint, raw: bytes, path_params: dict[str, str]
    ) -> Params:
        """The endpoint's declared parameters from the query string (GET) or the JSON body,
        and its path, each checked against its declared type."""
        if endpoint.raw_body:
            given: dict[str, Any] = {}
        elif request.method in ("GET", "HEAD"):
            given = checks.query_values(endpoint.params, request)
        else:
            given = await checks.parse_body(raw)
        return checks.check(endpoint.params, {**given, **path_params})

    async def handle(self, request: Request) -> Response:
        try:
            return await self._handle(request)
        except Exception:
            # A defect, not the caller's doing: the trace goes to the log, not to the client.
            path = request.url.path.encode("unicode_escape").decode("ascii")
            logger.exception("unexpected error on MLflow %s %s", request.method, path)
            return error_response(
                "INTERNAL_ERROR",
                "Unexpected error; it has been logged. Try again, and report it if it persists.",
                500,
            )

    def _refused(self, request: Request, status: int, code: str) -> None:
        """An expected client error: one INFO line (method, path, status, code), no trace, none
        of the parameters or body the caller sent."""
        path = request.url.path.encode("unicode_escape").decode("ascii")  # one line, always
        logger.info("MLflow %s %s: %s %s", request.method, path, status, code)

    async def _handle(self, request: Request) -> Response:
        rest = request.path_params.get("rest", "").strip("/")
        actor: Actor | None = None
        writable = False
        # What matched and its checked parameters, for the wording of a refusal (mlflow/messages).
        matched: tuple[Endpoint, dict[str, str]] | None = None
        params: Params = {}
        try:
            # An unknown endpoint is reported after authentication, like every other error.
            unmatched: MlflowError | None = None
            try:
                matched = self._match(request.method, rest)
            except MlflowError as error:
                unmatched = error
            endpoint = matched[0] if matched else None
            writable = endpoint is not None and endpoint.method != "GET" and endpoint.transaction
            # The body is read and checked before a write transaction opens: SQLite's writers
            # wait in line for it, and must not wait on a client's upload or on parsing. A
            # malformed request is refused after authentication, like an unknown endpoint.
            invalid: MlflowError | None = None
            if matched is not None:
                endpoint, path_params = matched
                metrics.label_route(request.scope, f"{ROUTE_PREFIX}{endpoint.pattern}")
                raw = (
                    b""
                    if endpoint.raw_body
                    else await checks.read_body(request, self.settings.mlflow_max_body_bytes)
                )
                try:
                    params = await self._params(request, endpoint, raw, path_params)
                except MlflowError as error:
                    invalid = error
            # The caller and the project are read in one transaction, which GET handlers and
            # `transaction` endpoints go on using; other requests that write open their own.
            async with AsyncExitStack() as stack:
                session = await stack.enter_async_context(
                    self.db.begin() if writable else self.db.read()
                )
                actor = await authentication.authenticate(
                    self.db,
                    _credentials(request),
                    session=session,
                    writable=writable,
                    project_path=request.path_params["project"],
                )
                project = await get_project_by_path(
                    session, path=request.path_params["project"], actor=actor, field="project"
                )
                if unmatched is not None:
                    raise unmatched
                if matched is None:
                    self._refused(request, 404, "ENDPOINT_NOT_FOUND")
                    return error_response(
                        "ENDPOINT_NOT_FOUND",
                        f"modelreg's MLflow endpoint has no '{rest}'; see the README's list of "
                        "supported MLflow calls.",
                        404,
                    )
                if invalid is not None:
                    raise invalid
                endpoint = matched[0]
                in_request = writable or endpoint.method == "GET"
                if not in_request:
                    await stack.aclose()
                tracking_uri = f"{str(request.base_url).rstrip('/')}/projects/{project.path}/mlflow"
                context = MlflowContext(
                    db=self.db,
                    storage=self.storage,
                    settings=self.settings,
                    actor=actor,
                    project=project,
                    request=request,
                    tracking_uri=tracking_uri,
                    request_session=session if in_request else None,
                    writable=writable,
                )
                result = await endpoint.handler(context, params)
        except DomainError as error:
            await self._record_use(actor, writable)
            code, status = mlflow_code(error)
            self._refused(request, status, code)
            pattern = matched[0].pattern if matched is not None else None
            return error_response(code, mlflow_message(error, pattern, params), status)
        except MlflowError as error:
            await self._record_use(actor, writable)
            self._refused(request, error.status, error.code)
            return error_response(error.code, error.message, error.status)
        except ClientDisconnect:
            # The client is gone: there is no one to answer.
            self._refused(request, 400, "CLIENT_DISCONNECTED")
            return Response(status_code=400)
        if isinstance(result, Response):
            return result
        return JSONResponse(result)
