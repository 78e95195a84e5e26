"""The `/graphql` request body: capped in size, and JSON that cannot be decoded is a 400.

The cap is checked twice, without ever holding more than the cap in memory: against the
declared `Content-Length` before anything is read, and by counting the bytes as they stream
in (a chunked body declares no length).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import Message, Receive, Scope, Send

from modelreg.errors import ErrorCode

ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    message = (
        f"The request body is larger than {limit:,} bytes, the limit for /graphql "
        "(MODELREG_GRAPHQL_MAX_BODY_BYTES); send a smaller document or smaller variables, "
        "and upload files through the files API."
    )
    body = {"errors": [{"message": message, "extensions": {"code": ErrorCode.INVALID_ARGUMENT}}]}
    # The rest of the body is not read: the connection cannot be reused.
    return JSONResponse(body, status_code=413, headers={"connection": "close"})


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None or not value.strip().isdigit():
        return None  # the server refuses a malformed length before the app sees the request
    return int(value)


def _counting(receive: Receive, limit: int) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge
        return message

    return counted


async def call_with_body_limit(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, *, limit: int
) -> None:
    """Runs `app` on an HTTP request whose body is at most `limit` bytes; else answers 413."""
    if scope["type"] != "http":
        await app(scope, receive, send)
        return
    declared = _declared_length(scope)
    if declared is not None and declared > limit:
        await _too_large(limit)(scope, receive, send)
        return
    try:
        await app(scope, _counting(receive, limit), send)
    except BodyTooLarge:
        # Raised while the body was being read, so nothing has been sent yet.
        await _too_large(limit)(scope, receive, send)


def decode_json(data: str | bytes) -> Any:
    """`json.loads`, with every way a body can fail to decode as JSONDecodeError (which the
    GraphQL view answers with 400): bytes that are not UTF-8, nesting too deep to decode."""
    try:
        return json.loads(data)
    except UnicodeDecodeError as error:
        raise json.JSONDecodeError("the body is not UTF-8 text", "", error.start) from None
    except RecursionError:
        raise json.JSONDecodeError("the JSON is nested too deeply", "", 0) from None
