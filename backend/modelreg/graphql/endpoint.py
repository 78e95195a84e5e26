from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
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


class GraphQLEndpoint(GraphQL[Context, None]):
    """`/graphql`: queries and mutations over HTTP, subscriptions over websockets, GraphiQL.

    The caller is authenticated before anything is parsed: a bad, expired or revoked token is a
    401 for the whole request, never a partial answer.
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
        if scope["type"] in ("http", "websocket"):
            try:
                found = credentials(HTTPConnection(scope))
                scope[_ACTOR] = await authentication.authenticate(self._db, found)
                scope[_CREDENTIALS] = found
            except DomainError as error:
                unauthenticated = error.code == ErrorCode.UNAUTHENTICATED
                if scope["type"] == "websocket":
                    await WebSocket(scope, receive, send).close(
                        code=4401 if unauthenticated else 4403, reason=error.message[:120]
                    )
                    return
                body = {"errors": [{"message": error.message, "extensions": {"code": error.code}}]}
                headers = {"www-authenticate": "Bearer"} if unauthenticated else None
                response = JSONResponse(
                    body, status_code=401 if unauthenticated else 403, headers=headers
                )
                await response(scope, receive, send)
                return
        try:
            await call_with_body_limit(
                super().__call__, scope, receive, send, limit=self._settings.graphql_max_body_bytes
            )
        except ClientDisconnect:
            # The browser went away mid-request (a page left while a query was sent): there is
            # no one to answer, and nothing was run.
            return

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
        return Context(
            db=self._db,
            storage=self._storage,
            settings=self._settings,
            actor=actor,
            request=request,
            response=response,
            # A websocket outlives its opening: it asks again with what it opened with.
            credentials=request.scope.get(_CREDENTIALS) if isinstance(request, WebSocket) else None,
        )
