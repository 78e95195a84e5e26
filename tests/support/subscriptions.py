"""Waiting, by a signal rather than a sleep, until a websocket subscription follows its events.

A subscription reads its start position (the newest event) some moment after the client sent
`subscribe`, and the protocol (`graphql-transport-ws`) acknowledges nothing in between: a change
made before that moment is rightly never delivered. The one signal a client can see is an event
arriving, so `until_following` makes a change the subscription follows, again if nothing
arrives soon, and returns once one has: from then on every change is delivered.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection

# How long one try waits for its change to arrive before making another. A change that arrives
# later is still read (and skipped) before `until_following` returns.
TRY_SECONDS = 0.25


async def _next_event_id(ws: ClientConnection, within: float) -> str:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), within))
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    (event,) = message["payload"]["data"].values()
    event_id: str = event["id"]
    return event_id


async def until_following(
    ws: ClientConnection, change: Callable[[], Awaitable[str]], *, within: float = 10.0
) -> None:
    """Returns once the subscription on `ws` delivers events.

    `change` makes a change the subscription follows and returns the id of the newest event
    after it (the subscription's selection must include the event's `id`). Once one change
    arrives, the messages up to the last change's event are read, so the next message on `ws`
    is whatever the test does next.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        last = await change()
        try:
            received = await _next_event_id(ws, TRY_SECONDS)
        except TimeoutError:
            if loop.time() > deadline:
                raise AssertionError(f"the subscription delivered nothing in {within} s") from None
            continue
        while received != last:  # events arrive in id order: the last change's comes last
            received = await _next_event_id(ws, max(deadline - loop.time(), TRY_SECONDS))
        return
