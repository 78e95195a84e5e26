"""`GET /metrics` (Prometheus text format) and the middleware that counts every HTTP request.

The middleware labels a request by the route TEMPLATE that answered it (Starlette's matched
route, or the finer one an endpoint names in the scope: MLflow's endpoint pattern, GraphQL's
operation type), never by the path asked: paths hold project and model names and would give
every new name its own time series. Websockets are not counted (a subscription is one long
connection, not a request).
"""

from __future__ import annotations

import hmac
import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modelreg import metrics
from modelreg.db import Database
from modelreg.errors import ErrorCode
from modelreg.http.errors import error_response
from modelreg.services.backlog import Backlog, outbox_backlog
from modelreg.settings import Settings

# Methods counted by name; any other (a client may send any token) is counted as OTHER.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetrics:
    """Counts each HTTP request (method, route, operation, status) and observes its latency."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering
        sent = 0

        async def send_status(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            elif message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get(metrics.ROUTE_KEY)
            if route is None:
                matched = scope.get("route")
                route = getattr(matched, "path", None) or metrics.UNMATCHED
            method = scope["method"]
            metrics.observe_request(
                method if method in _METHODS else "OTHER",
                route,
                scope.get(metrics.OPERATION_KEY, ""),
                status,
                time.perf_counter() - started,
                sent,
            )


def _gauges(backlog: Backlog) -> list[metrics.Gauge]:
    found: list[metrics.Gauge] = []
    for prefix, what, queue in (
        ("modelreg_webhook_deliveries", "Webhook deliveries", backlog.webhook_deliveries),
        ("modelreg_mail_jobs", "E-mail jobs (one per event that may send mail)", backlog.mail_jobs),
    ):
        found += [
            metrics.Gauge(f"{prefix}_pending", f"{what} not done yet.", queue.pending),
            metrics.Gauge(f"{prefix}_due", f"{what} whose next attempt is due now.", queue.due),
            metrics.Gauge(
                f"{prefix}_oldest_pending_seconds",
                f"Age of the oldest of the {what.lower()} not done yet (0: none).",
                queue.oldest_seconds,
            ),
        ]
    return found


class MetricsRoute:
    """`/metrics`, open unless MODELREG_METRICS_TOKEN is set; then it needs that bearer token."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self._token = settings.metrics_token.get_secret_value().encode()
        self._db = db

    def routes(self) -> list[BaseRoute]:
        return [Route("/metrics", self.metrics, methods=["GET"])]

    def _allowed(self, request: Request) -> bool:
        if not self._token:
            return True
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), self._token
        )

    async def metrics(self, request: Request) -> Response:
        if not self._allowed(request):
            response = error_response(
                401,
                ErrorCode.UNAUTHENTICATED,
                "Send the metrics token (MODELREG_METRICS_TOKEN) as 'Authorization: Bearer "
                "<token>'.",
            )
            response.headers["www-authenticate"] = "Bearer"
            return response
        async with self._db.read() as session:
            backlog = await outbox_backlog(session)
        return Response(metrics.render(_gauges(backlog)), media_type=metrics.CONTENT_TYPE)
