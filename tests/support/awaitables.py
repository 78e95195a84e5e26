"""Test values that graphql-core must await before it completes them."""

from __future__ import annotations

import asyncio
from typing import Any


class Later:
    """An awaitable of `value`, as `graphql/model_page.py`'s `Deferred` is: it gives the event
    loop a turn before answering, so a value shown without being awaited is caught."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __await__(self) -> Any:
        yield from asyncio.sleep(0).__await__()
        return self.value
