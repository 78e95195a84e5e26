"""Running a change as one transaction, the same way from every interface."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import Database
from modelreg.errors import ConcurrentChange

T = TypeVar("T")

ATTEMPTS = 2


async def write(db: Database, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `action` in one read-write transaction and commit it.

    A change that lost a race with a concurrent one on a unique key (two requests creating the
    same experiment, logging the same param, adding the same tag at once) rolls back whole and
    runs once more, now seeing the winner's rows; losing again is a `ConcurrentChange` (CONFLICT).
    The action must therefore do nothing outside the transaction: work after the commit is
    registered with `db.after_commit` and runs only for the attempt that committed.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with db.begin() as session:
                return await action(session)
        except ConcurrentChange:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")
