from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from modelreg.db import Database
from modelreg.domain.actor import ANONYMOUS, Actor
from modelreg.events import EventNotifier
from modelreg.graphql.context import Context
from modelreg.graphql.schema import create_schema
from modelreg.settings import Settings
from modelreg.storage import Storage

TEST_ACTOR_HEADER = "X-Modelreg-Test-Actor"


class GraphQLEndpoint(GraphQL[Context, None]):
    """`/graphql`: queries and mutations over HTTP, subscriptions over websockets, GraphiQL."""

    def __init__(self, settings: Settings, db: Database, storage: Storage) -> None:
        super().__init__(
            create_schema(settings), graphql_ide="graphiql" if settings.graphiql else None
        )
        self._settings = settings
        self._db = db
        self._storage = storage
        # One per process: mutations signal it, subscriptions of this process wake on it.
        self._notifier = EventNotifier()

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return Context(
            db=self._db,
            storage=self._storage,
            settings=self._settings,
            actor=self._actor(request),
            request=request,
            response=response,
            notifier=self._notifier,
        )

    def _actor(self, request: Request | WebSocket) -> Actor:
        """Anonymous until accounts exist; tests may name the actor when the setting allows."""
        if self._settings.trust_actor_header:
            name = request.headers.get(TEST_ACTOR_HEADER, "").strip()
            if name and len(name) <= 255:
                return Actor(name=name)
        return ANONYMOUS
