"""Errors as data for mutations (top-level errors are shaped and logged in `reporting`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.extensions import SchemaExtension

from modelreg import errors
from modelreg.graphql.context import Context, Info
from modelreg.services import transactions

strawberry.enum(errors.ErrorCode, description="Stable machine-readable error codes.")

T = TypeVar("T")


@strawberry.type(
    description="A problem with the input of a mutation, in words a person can act on."
)
class UserError:
    code: errors.ErrorCode
    message: str
    field: str | None = strawberry.field(
        description="The input field the problem concerns, when there is one."
    )

    @classmethod
    def from_domain(cls, error: errors.DomainError) -> UserError:
        return cls(code=error.code, message=error.message, field=error.field)


async def run_mutation(
    info: Info, action: Callable[[AsyncSession], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """One transaction; a domain error rolls it back and becomes a typed error.

    Work after the commit (collecting files, waking subscriptions) is what the services
    registered on the transaction, run by `Database.begin` (`db/after_commit.py`). A change
    that lost a race is run once more, then refused as CONFLICT (`services.transactions`).
    """
    # A write ends the request's read snapshot, so what the payload shows is what was written.
    await info.context.end_reads()
    try:
        return await transactions.write(info.context.db, action), []
    except errors.DomainError as error:
        return None, [UserError.from_domain(error)]
    finally:
        await info.context.end_reads()


class ReadSessionExtension(SchemaExtension):
    """Closes the request's read transaction when the operation ends."""

    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            context = self.execution_context.context
            if isinstance(context, Context):
                await context.end_reads()
