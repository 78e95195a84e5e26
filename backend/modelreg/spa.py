"""Serving the built single-page app: hashed assets, top-level files and the history fallback.

The build output (`index.html` plus content-hashed files under `assets/`) is looked up on every
request, so rebuilding the web app while the server runs needs no restart. Without `index.html`
the server shows a landing page at `/` that explains how to build the web app.

`vite build` writes `<file>.br` and `<file>.gz` beside each text file; a client that accepts
Brotli (preferred) or gzip gets that copy with `Content-Encoding`, the original's type and an
ETag of its own. Range requests get the original, so byte offsets keep their meaning.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import anyio.to_thread
from starlette.datastructures import Headers, URLPath
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Match, Mount, NoMatchFound, Route
from starlette.staticfiles import NotModifiedResponse, PathLike, StaticFiles
from starlette.types import Receive, Scope, Send

from modelreg import __version__
from modelreg.domain.content_coding import negotiate

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
NO_CACHE = "no-cache"

# Precompressed copies written by the build, by content coding, in order of preference.
_PRECOMPRESSED = {"br": ".br", "gzip": ".gz"}

# Paths that belong to the API (now or later): never answered with index.html.
_API_PATH = re.compile(r"/(?:graphql|healthz|api|projects/[^/]+/mlflow)(?:/.*)?", re.DOTALL)

LANDING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>modelreg</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>modelreg {version}</h1>
<p>The registry is running; explore the API in <a href="/graphql">GraphiQL</a>.</p>
<p>The web app is not built yet. <code>make run</code> builds it (or run
<code>npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build</code>);
then reload this page. The server looks for it in <code>MODELREG_UI_DIR</code>
(by default <code>frontend/dist</code> in the source checkout).</p>
</body></html>
"""


def _route_path(scope: Scope) -> str:
    """The path below the application's root path (as Starlette's router sees it)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("", "/"):
        return path[len(root) :] or "/"
    return path


def _file_stat(path: Path) -> os.stat_result | None:
    try:
        result = path.stat()
    except (OSError, ValueError):
        return None
    return result if stat.S_ISREG(result.st_mode) else None


def is_api_path(path: str) -> bool:
    return _API_PATH.fullmatch(path) is not None


def landing_page() -> Response:
    return HTMLResponse(LANDING.format(version=__version__))


def _with(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


class _Files(StaticFiles):
    """StaticFiles with a Cache-Control header; a missing directory is a 404, never a 500."""

    def __init__(self, directory: Path, *, cache_control: str) -> None:
        super().__init__(directory=directory, check_dir=False)
        self.cache_control = cache_control

    async def check_config(self) -> None:
        # The build may not exist (yet): lookups then find nothing and answer 404.
        return None

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        # Unreadable entries, symlink loops and odd names are "not here", never a 500.
        try:
            return super().lookup_path(path)
        except (OSError, ValueError):
            return "", None

    def precompressed_response(
        self, path: Path, stat_result: os.stat_result, scope: Scope, status_code: int
    ) -> Response | None:
        """The build's `.br`/`.gz` copy of `path` when the client accepts it (None: send `path`).

        Headers are the original's (type, Last-Modified) with Content-Encoding and an ETag of the
        original's with the coding appended, so each copy validates on its own. A Range request or
        a non-200 answer gets None: ranges apply to the original's bytes."""
        headers = Headers(scope=scope)
        if status_code != 200 or "range" in headers:
            return None
        copies = {c: _with(path, suffix) for c, suffix in _PRECOMPRESSED.items()}
        stats = {c: st for c, copy in copies.items() if (st := _file_stat(copy)) is not None}
        coding = negotiate(headers.get("accept-encoding", ""), list(stats))
        if coding is None:
            return None
        variant, variant_stat = copies[coding], stats[coding]
        identity = FileResponse(path, stat_result=stat_result)
        response = FileResponse(
            variant,
            stat_result=variant_stat,
            media_type=identity.media_type,
            headers={
                "content-encoding": coding,
                "etag": identity.headers["etag"][:-1] + f'-{coding}"',
                "last-modified": identity.headers["last-modified"],
                "vary": "Accept-Encoding",
            },
        )
        if self.is_not_modified(response.headers, headers):
            return NotModifiedResponse(response.headers)
        return response

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = self.precompressed_response(Path(full_path), stat_result, scope, status_code)
        if response is None:
            response = super().file_response(full_path, stat_result, scope, status_code)
        # Caches must key on Accept-Encoding: the same URL has encoded copies.
        response.headers["vary"] = "Accept-Encoding"
        is_html_entry = Path(full_path).name == "index.html"
        response.headers["cache-control"] = NO_CACHE if is_html_entry else self.cache_control
        response.headers["x-content-type-options"] = "nosniff"
        return response


class _HistoryFallback(BaseRoute):
    """GET/HEAD of any non-API path: a file at the top of the build, else index.html.

    It is the last route, so every real route wins; API paths and other methods fall through
    to the JSON 404 (or 405 of a route that matched the path).
    """

    def __init__(self, ui_dir: Path) -> None:
        self.ui_dir = ui_dir
        self.files = _Files(ui_dir, cache_control=SHORT)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and not is_api_path(_route_path(scope))
        ):
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: object) -> URLPath:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = _route_path(scope)
        if path == "/assets":  # the Mount serves /assets/...; the folder itself is no page
            raise HTTPException(status_code=404)
        index = self.ui_dir / "index.html"
        index_stat = await anyio.to_thread.run_sync(_file_stat, index)
        if index_stat is None:
            if path != "/":
                raise HTTPException(status_code=404)
            response = landing_page()
        else:
            try:
                response = await self.files.get_response(self.files.get_path(scope), scope)
            except HTTPException as exc:
                if exc.status_code != 404:
                    raise
                # A client-side route (or a path outside the build): the app routes it.
                response = self.files.file_response(index, index_stat, scope)
        await response(scope, receive, send)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(ui_dir={str(self.ui_dir)!r})"


# The tracking URI itself (`/projects/<p>/mlflow`, with or without the slash), nothing below.
_MLFLOW_LINK = re.compile(r"/projects/[^/]+/mlflow/?")


class _MlflowLinkPage(BaseRoute):
    """A browser opening a link the MLflow client printed (`<tracking_uri>/#/experiments/1/
    runs/<id>`: the fragment never reaches the server) gets index.html, and the web app's
    `projects/:project/mlflow` route opens the run. Placed before the MLflow routes; only
    GET/HEAD of the tracking URI with `Accept: text/html` and a built app: every API call
    still reaches the MLflow routes."""

    def __init__(self, ui_dir: Path) -> None:
        self.index = ui_dir / "index.html"
        self.files = _Files(ui_dir, cache_control=SHORT)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        accept: bytes = dict(scope["headers"]).get(b"accept", b"")
        if (
            b"text/html" in accept.lower()
            and scope["method"] in ("GET", "HEAD")
            and _MLFLOW_LINK.fullmatch(_route_path(scope))
            and _file_stat(self.index) is not None
        ):
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: object) -> URLPath:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        index_stat = await anyio.to_thread.run_sync(_file_stat, self.index)
        if index_stat is None:
            raise HTTPException(status_code=404)
        await self.files.file_response(self.index, index_stat, scope)(scope, receive, send)


def mlflow_link_routes(ui_dir: Path | None) -> list[BaseRoute]:
    """Routes to put before the MLflow routes (none without a web app build)."""
    return [] if ui_dir is None else [_MlflowLinkPage(ui_dir)]


async def _landing(request: Request) -> Response:
    return landing_page()


def ui_routes(ui_dir: Path | None) -> list[BaseRoute]:
    """Routes to append after every API route."""
    if ui_dir is None:
        return [Route("/", _landing)]
    return [
        Mount("/assets", app=_Files(ui_dir / "assets", cache_control=IMMUTABLE)),
        _HistoryFallback(ui_dir),
    ]
