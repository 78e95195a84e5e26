"""`create_app`: the Starlette application, with every dependency injected."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from modelreg import __version__
from modelreg.db import Database
from modelreg.errors import ErrorCode
from modelreg.events.mail_worker import MailWorker
from modelreg.events.webhook_worker import WebhookWorker
from modelreg.graphql.endpoint import GraphQLEndpoint
from modelreg.http.compression import CompressResponses
from modelreg.http.errors import code_for_status, error_response
from modelreg.http.export import ExportRoutes
from modelreg.http.files import FileRoutes
from modelreg.http.metrics import MetricsRoute, RequestMetrics
from modelreg.http.unsubscribe import UnsubscribeRoutes
from modelreg.mlflow import MlflowApp
from modelreg.mlflow import endpoints as mlflow_endpoints
from modelreg.settings import Settings, load_settings
from modelreg.spa import mlflow_link_routes, ui_routes
from modelreg.storage import LocalStorage, Storage
from modelreg.storage.factory import create_storage

logger = logging.getLogger("modelreg")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, code_for_status(exc.status_code), str(exc.detail))


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    logger.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        500,
        ErrorCode.INTERNAL,
        "Unexpected error; it has been logged. Try again, and report it if it persists.",
    )


def create_app(
    settings: Settings, *, db: Database | None = None, storage: Storage | None = None
) -> Starlette:
    owns_db = db is None
    database = db if db is not None else Database(settings.resolved_database_url)
    owns_storage = storage is None
    blobs = storage if storage is not None else create_storage(settings)

    async def health(request: Request) -> Response:
        async with database.read() as session:
            await session.exec(sa.select(1))  # type: ignore[call-overload]
        return JSONResponse({"status": "ok", "version": __version__})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if isinstance(blobs, LocalStorage):
            await blobs.cleanup()  # partial files left by a crash during an upload
        mailer = MailWorker(database, settings)  # with mail off it only drops queued jobs
        mailer.start()
        webhooks = WebhookWorker(database, settings) if settings.webhooks_enabled else None
        if webhooks is not None:
            webhooks.start()
        listener = database.listener()  # other processes' commits wake this one's followers
        if listener is not None:
            listener.start()
        yield
        if listener is not None:
            await listener.stop()
        await mailer.stop()
        if webhooks is not None:
            await webhooks.stop()
        if owns_storage:
            await blobs.close()
        if owns_db:
            await database.dispose()

    graphql = GraphQLEndpoint(settings, database, blobs)
    app = Starlette(
        routes=[
            Route("/healthz", health),
            *(MetricsRoute(settings, database).routes() if settings.metrics else []),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            *FileRoutes(settings, database, blobs).routes(),
            *ExportRoutes(database, blobs).routes(),
            *UnsubscribeRoutes(database).routes(),
            *mlflow_link_routes(settings.ui_dir),  # a browser opening a printed run link
            *MlflowApp(settings, database, blobs, mlflow_endpoints()).routes(),
            # Last: the web app's assets and its history fallback (or the landing page).
            *ui_routes(settings.ui_dir),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _unexpected_error},
        lifespan=lifespan,
    )
    # gzip for API documents (JSON, GraphiQL); never file downloads nor WebSockets.
    app.add_middleware(CompressResponses)
    if settings.metrics:
        # Outermost: a request's latency includes compressing its answer.
        app.add_middleware(RequestMetrics)
    app.state.settings = settings
    app.state.db = database
    app.state.storage = blobs
    return app


# Allocations between two collections of the garbage collector's youngest generation in a
# server process (Python's default is 700). A list page of 50 models makes tens of thousands
# of short-lived objects, so at the default the collector ran dozens of times a page, each time
# walking every object of the requests in flight: with 8 requests at once, a page cost 8.2 ms
# of CPU against 7.5 ms at 20,000 (bench/README.md). Objects in a reference cycle that die
# young wait a little longer to be freed; nothing else changes.
GC_YOUNG_THRESHOLD = 20_000


def tune_garbage_collector() -> None:
    """Collect the youngest generation every GC_YOUNG_THRESHOLD allocations (a server
    process's setting, made by `modelreg serve`, never by `create_app`: tests and other
    embedders keep theirs)."""
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(young, GC_YOUNG_THRESHOLD), middle, old)


def app_from_environment() -> Starlette:
    """The application of one `modelreg serve --workers N` process: settings from MODELREG_*
    (the parent exported its flags there before starting the processes)."""
    tune_garbage_collector()
    return create_app(load_settings())
