from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from modelreg.auth import credentials
from modelreg.db import Database
from modelreg.domain.actor import ANONYMOUS, Actor
from modelreg.errors import DomainError, ErrorCode
from modelreg.graphql.access_log import elide_graphql_queries
from modelreg.graphql.context import Context
from modelreg.graphql.request_body import call_with_body_limit, decode_json
from modelreg.graphql.schema import create_schema
from modelreg.graphql.websocket import LegacyWSHandler, TransportWSHandler, WebSocketAdapter
from modelreg.services import authentication
from modelreg.settings import Settings
from modelreg.storage import Storage

_ACTOR = "modelreg.actor"
_CREDENTIALS = "modelreg.credentials"
_READS = "modelreg.reads"  # the read transaction an HTTP request was authenticated in


class GraphQLEndpoint(GraphQL[Context, None]):
    """`/graphql`: queries and mutations over HTTP, subscriptions over websockets, GraphiQL.

    The caller is authenticated before anything is parsed: a bad, expired or revoked token is a
    401 for the whole request, never a partial answer. Over HTTP the body is received first (it
    is capped) and the caller is then read in the read transaction the request's reads go on
    to use (`Context.adopt_reads`), so no connection is held while a slow client sends.
    """

    # A websocket's rights are checked again before each operation and while it streams.
    websocket_adapter_class = WebSocketAdapter
    graphql_transport_ws_handler_class = TransportWSHandler
    graphql_ws_handler_class = LegacyWSHandler

    def __init__(self, settings: Settings, db: Database, storage: Storage) -> None:
        super().__init__(
            create_schema(settings), graphql_ide="graphiql" if settings.graphiql else None
        )
        self._settings = settings
        self._db = db
        self._storage = storage
        elide_graphql_queries()  # a GET's query string may hold a password: not in the log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            try:
                found = credentials(HTTPConnection(scope))
                scope[_ACTOR] = await authentication.authenticate(self._db, found)
                scope[_CREDENTIALS] = found
            except DomainError as error:
                unauthenticated = error.code == ErrorCode.UNAUTHENTICATED
                await WebSocket(scope, receive, send).close(
                    code=4401 if unauthenticated else 4403, reason=error.message[:120]
                )
                return
        app = self._http if scope["type"] == "http" else super().__call__
        try:
            await call_with_body_limit(
                app, scope, receive, send, limit=self._settings.graphql_max_body_bytes
            )
        except ClientDisconnect:
            # The browser went away mid-request (a page left while a query was sent): there is
            # no one to answer, and nothing was run.
            return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An HTTP request: its whole body, then its caller in the read transaction its reads
        will use, then Strawberry (which reads the body as received)."""
        messages = [await receive()]
        while messages[-1]["type"] == "http.request" and messages[-1].get("more_body", False):
            messages.append(await receive())
        if messages[-1]["type"] == "http.disconnect":
            return  # gone before it finished sending: no one to answer
        reads = self._db.read_session()
        try:
            await reads.begin()
            scope[_ACTOR] = await authentication.authenticate(
                self._db, credentials(HTTPConnection(scope)), session=reads
            )
        except DomainError as error:
            await reads.close()
            await _refusal(error)(scope, receive, send)
            return
        except BaseException:
            await reads.close()
            raise
        scope[_READS] = reads

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        try:
            await super().__call__(scope, replay, send)
        finally:
            scope.pop(_READS, None)
            await reads.close()  # a no-op when the context closed it at the operation's end

    def decode_json(self, data: str | bytes) -> object:
        return decode_json(data)  # bad UTF-8 or deep nesting: a 400, as for other bad JSON

    def parse_json(self, data: str | bytes) -> Any:
        # A request (or its GET `variables`) is a JSON object; Strawberry would read `null`,
        # a number or a list of numbers as one and fail with a 500.
        found = super().parse_json(data)
        items = found if isinstance(found, list) else [found]
        if not all(isinstance(item, dict) for item in items):
            raise HTTPException(
                400,
                'Send a JSON object such as {"query": "{ projects { edges { node { path } } } }", '
                '"variables": {}}; variables and extensions are objects too.',
            )
        return found

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        actor: Actor = request.scope.get(_ACTOR, ANONYMOUS)
        context = Context(
            db=self._db,
            storage=self._storage,
            settings=self._settings,
            actor=actor,
            request=request,
            response=response,
            # A websocket outlives its opening: it asks again with what it opened with.
            credentials=request.scope.get(_CREDENTIALS) if isinstance(request, WebSocket) else None,
        )
        reads = request.scope.pop(_READS, None)
        if reads is not None:
            context.adopt_reads(reads)
        return context


def _refusal(error: DomainError) -> JSONResponse:
    """The 401 or 403 for a request whose credentials do not stand."""
    unauthenticated = error.code == ErrorCode.UNAUTHENTICATED
    body = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
    headers = {"www-authenticate": "Bearer"} if unauthenticated else None
    return JSONResponse(body, status_code=401 if unauthenticated else 403, headers=headers)
