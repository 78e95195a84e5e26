"""gzip for API responses (GraphQL, the REST and MLflow JSON APIs, GraphiQL) on the fly.

Starlette's GZipMiddleware compresses every response, file downloads included, which breaks
Range requests and wastes time on model files that are already compressed. This middleware
compresses only a response that is a document, not a file:

- its type is JSON (`application/json`, `application/*+json`), HTML or plain text;
- it has no Content-Encoding yet (the web app's assets come precompressed, `spa.py`), no
  Content-Range, no Content-Disposition and no `Accept-Ranges` (a file served as such);
- it is not an answer to HEAD, nor 204/206/304;
- its body is at least `minimum_size` bytes (a streamed body is compressed as it streams).

Such responses also get `Vary: Accept-Encoding`, whether or not this client accepted gzip.
WebSockets (graphql-ws subscriptions) and lifespan events pass through untouched.
"""

from __future__ import annotations

import zlib

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modelreg.domain.content_coding import negotiate

MINIMUM_SIZE = 1024
# A part this large is compressed on a worker thread (zlib releases the GIL), off the event loop.
THREAD_SIZE = 64 * 1024
_DOCUMENT_TYPES = ("application/json", "text/html", "text/plain")
_FILE_HEADERS = ("content-encoding", "content-range", "content-disposition", "accept-ranges")
_NO_BODY_STATUSES = (204, 206, 304)


def is_document(status: int, headers: Headers) -> bool:
    """Whether a response with this status and headers may be compressed on the fly."""
    if status in _NO_BODY_STATUSES or any(name in headers for name in _FILE_HEADERS):
        return False
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    return media_type in _DOCUMENT_TYPES or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class CompressResponses:
    """ASGI middleware: gzip document responses for clients that accept it (see module doc)."""

    def __init__(self, app: ASGIApp, *, minimum_size: int = MINIMUM_SIZE, level: int = 6) -> None:
        self.app = app
        self.minimum_size = minimum_size
        self.level = level

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        accepts = negotiate(request.get("accept-encoding", ""), ["gzip"]) == "gzip"
        responder = _Responder(
            send,
            compress=accepts and scope["method"] != "HEAD",
            minimum_size=self.minimum_size,
            level=self.level,
        )
        await self.app(scope, receive, responder.send)


class _Responder:
    """Wraps `send` for one response: holds its start until the first body part decides."""

    def __init__(self, send: Send, *, compress: bool, minimum_size: int, level: int) -> None:
        self._send = send
        self._compress = compress
        self._minimum_size = minimum_size
        self._level = level
        self._start: Message | None = None
        self._passthrough = False
        self._zip: zlib._Compress | None = None

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            headers = MutableHeaders(raw=list(message["headers"]))
            if not is_document(message["status"], headers):
                self._passthrough = True
                await self._send(message)
                return
            headers.add_vary_header("Accept-Encoding")
            message = {**message, "headers": headers.raw}
            if not self._compress:
                self._passthrough = True
                await self._send(message)
                return
            self._start = message
            return
        if kind != "http.response.body" or self._passthrough:
            await self._send(message)
            return
        await self._body(message)

    async def _body(self, message: Message) -> None:
        body: bytes = message.get("body", b"")
        more: bool = message.get("more_body", False)
        if self._zip is None:
            start = self._start
            assert start is not None, "body before start"
            if not more and len(body) < self._minimum_size:
                self._passthrough = True  # too small to be worth it
                await self._send(start)
                await self._send(message)
                return
            self._zip = zlib.compressobj(self._level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            headers = MutableHeaders(raw=start["headers"])
            headers["content-encoding"] = "gzip"
            del headers["content-length"]
            if not more:
                packed = await _deflate(self._zip, body, zlib.Z_FINISH)
                headers["content-length"] = str(len(packed))
                await self._send(start)
                await self._send({"type": "http.response.body", "body": packed})
                return
            await self._send(start)
        # A streamed part goes out now (a slow stream is still a stream); the end closes it.
        chunk = await _deflate(self._zip, body, zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)
        await self._send({"type": "http.response.body", "body": chunk, "more_body": more})


def _deflate_now(packer: zlib._Compress, body: bytes, mode: int) -> bytes:
    return packer.compress(body) + packer.flush(mode)


async def _deflate(packer: zlib._Compress, body: bytes, mode: int) -> bytes:
    """Compress one part and flush it; a large part is compressed off the event loop."""
    if len(body) < THREAD_SIZE:
        return _deflate_now(packer, body, mode)
    return await anyio.to_thread.run_sync(_deflate_now, packer, body, mode)
