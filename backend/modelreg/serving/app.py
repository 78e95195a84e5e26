"""The scoring app: the protocol of `mlflow models serve` (GET /ping, GET /health,
POST /invocations) plus GET /version, in Starlette.

Reading the body is capped; parsing, the signature check and predict run in worker threads,
at most `threads` at a time. Every answer to /invocations names the version that produced it
(`X-Modelreg-Version`, and `X-Modelreg-Role`: primary or the canary's alias).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from modelreg.serving import payload, signature
from modelreg.serving.holder import Loaded, Slot
from modelreg.serving.payload import ServingError
from modelreg.serving.reference import CanarySplit

logger = logging.getLogger("modelreg.serving")

DEFAULT_MAX_BODY = 64 * 1024 * 1024
VERSION_HEADER = "X-Modelreg-Version"
ROLE_HEADER = "X-Modelreg-Role"


@dataclass
class ServingState:
    """What the app and the follower share: the slots, the canary split, the limits."""

    primary: Slot
    canary: Slot | None = None
    split: CanarySplit | None = None
    threads: int = 4
    max_body: int = DEFAULT_MAX_BODY

    def pick(self) -> Slot:
        """The slot that answers the next request (the canary's share goes to it once loaded)."""
        canary, split = self.canary, self.split
        if canary is not None and split is not None and split.next_is_canary() and canary.current:
            return canary
        return self.primary


def _error(error: ServingError, loaded: Loaded | None = None) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status, headers=_headers(loaded))


def _headers(loaded: Loaded | None) -> dict[str, str]:
    if loaded is None:
        return {}
    return {VERSION_HEADER: loaded.version.version, ROLE_HEADER: loaded.role}


def score(loaded: Loaded, body: bytes, mime: str) -> str:
    """The JSON answer for one request (blocking: runs in a worker thread)."""
    from mlflow.exceptions import MlflowException
    from mlflow.pyfunc.scoring_server import predictions_to_json

    try:
        data, params = payload.parse(body, mime)
        signature.check(data, loaded.schema)
    except ServingError:
        raise
    except Exception as exc:  # a shape the checks above did not foresee: still the input's fault
        logger.warning("could not read a request: %s", type(exc).__name__, exc_info=True)
        raise payload.bad(
            f"could not read the request ({type(exc).__name__}); send one of the documented formats"
        ) from None
    try:
        if loaded.accepts_params:
            predictions = loaded.model.predict(data, params=params)
        else:
            predictions = loaded.model.predict(data)
    except MlflowException as exc:
        reason = " ".join(str(exc.message).split())[:500]
        raise payload.bad(f"the model refused the input: {reason}") from None
    except Exception as exc:  # the model's own code: any error is the input's or the model's
        logger.warning("the model raised %s while predicting", type(exc).__name__, exc_info=True)
        raise payload.bad(
            f"the model raised {type(exc).__name__} while predicting; check that the input "
            "matches what the model was trained on"
        ) from None
    out = io.StringIO()
    predictions_to_json(predictions, out)  # type: ignore[no-untyped-call]
    return out.getvalue()


async def _read_body(request: Request, cap: int) -> bytes:
    too_big = ServingError(
        413, "REQUEST_LIMIT_EXCEEDED", f"the request body is over the limit of {cap} bytes"
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def build_app(state: ServingState) -> Starlette:
    """The scoring app over `state` (its slots may be filled and swapped later)."""
    limiter = anyio.CapacityLimiter(state.threads)

    async def ping(request: Request) -> Response:
        if state.primary.current is None:
            return PlainTextResponse("no model loaded yet\n", status_code=503)
        return PlainTextResponse("\n")

    async def version(request: Request) -> Response:
        answer: dict[str, Any] = {"primary": _describe(state.primary), "canary": None}
        if state.canary is not None and state.split is not None:
            answer["canary"] = _describe(state.canary)
            answer["split"] = {
                "primary_percent": 100 - state.split.percent,
                "canary_percent": state.split.percent,
            }
        return JSONResponse(answer)

    async def invocations(request: Request) -> Response:
        try:
            mime = payload.media_type(request.headers.get("content-type", ""))
            body = await _read_body(request, state.max_body)
        except ServingError as error:
            return _error(error)
        except ClientDisconnect:
            return Response(status_code=400)
        slot = state.pick()
        loaded = slot.current  # kept to the end: a swap does not change it under this request
        if loaded is None:
            return _error(ServingError(503, "SERVICE_UNAVAILABLE", "no model is loaded yet"))
        try:
            text = await anyio.to_thread.run_sync(score, loaded, body, mime, limiter=limiter)
        except ServingError as error:
            return _error(error, loaded)
        return Response(text, media_type="application/json", headers=_headers(loaded))

    return Starlette(
        routes=[
            Route("/ping", ping, methods=["GET"]),
            Route("/health", ping, methods=["GET"]),
            Route("/version", version, methods=["GET"]),
            Route("/invocations", invocations, methods=["POST"]),
        ]
    )


def _describe(slot: Slot) -> dict[str, Any] | None:
    if slot.current is None:
        return {"role": slot.role, "reference": slot.reference, "loaded": False}
    return {"role": slot.role, "loaded": True, **slot.current.describe()}
