"""Websockets whose rights are checked for as long as they are open, not only when they open.

Every operation a client starts on a websocket (a subscription, or a query or mutation sent over
it) first asks whether the websocket's credentials still stand for its user; subscriptions ask
again while they stream (see `modelreg.graphql.subscriptions`). When the answer is no, the whole
websocket is closed with 4401, and nothing more is sent on it.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.websockets import WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage

from modelreg.errors import Unauthenticated
from modelreg.graphql.context import Context


async def still_signed_in(context: Context) -> bool:
    """False (and the websocket closed) when its credentials no longer hold."""
    if context.connection_closed:
        return False
    try:
        async with context.db.read() as session:
            await context.recheck_viewer(session)
    except Unauthenticated:
        return False
    return True


class WebSocketAdapter(ASGIWebSocketAdapter):
    async def send_json(self, message: Mapping[str, object]) -> None:
        # A websocket closed because its rights ended: operations still finishing send nothing.
        if self.ws.application_state == WebSocketState.DISCONNECTED:
            return
        await super().send_json(message)


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """`graphql-transport-ws`, the protocol of the `graphql-ws` client the web app uses."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and not await still_signed_in(self.context):
            return
        await super().handle_subscribe(message)


class LegacyWSHandler(BaseGraphQLWSHandler[Context, None]):
    """The older `graphql-ws` protocol (subscriptions-transport-ws), held to the same rule."""

    async def handle_start(self, message: StartMessage) -> None:
        if self.connection_acknowledged and not await still_signed_in(self.context):
            return
        await super().handle_start(message)
