"""Errors as data for mutations (top-level errors are shaped and logged in `reporting`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import strawberry
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.extensions import SchemaExtension

from modelreg import errors
from modelreg.graphql.context import Context, Info
from modelreg.services import files as file_service

logger = logging.getLogger("modelreg.graphql")

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
    info: Info, action: Callable[[AsyncSession], Awaitable[T]], *, frees_files: bool = False
) -> tuple[T | None, list[UserError]]:
    """One transaction; a domain error rolls it back and becomes a typed error.

    `frees_files`: the action may leave file contents unreferenced; collect them after commit.
    """
    # A write ends the request's read snapshot, so what the payload shows is what was written.
    await info.context.end_reads()
    try:
        async with info.context.db.begin() as session:
            result = await action(session)
        info.context.notify_events()
        if frees_files:
            await _collect_garbage(info)
        return result, []
    except errors.DomainError as error:
        return None, [UserError.from_domain(error)]
    except IntegrityError as error:
        # One line, no trace: the statement's parameters (a password hash, say) stay out.
        reason = str(error.orig).splitlines()[0] if error.orig is not None else "integrity error"
        logger.info("mutation refused as a conflict: %s", reason[:200])
        conflict = errors.Conflict(
            "Someone else changed the same data at the same moment; reload and try again."
        )
        return None, [UserError.from_domain(conflict)]
    finally:
        await info.context.end_reads()


async def _collect_garbage(info: Info) -> None:
    try:
        await file_service.collect_garbage(db=info.context.db, storage=info.context.storage)
    except Exception:
        # The change is committed; unreferenced contents are collected on the next occasion.
        logger.warning("collecting unreferenced file contents failed", exc_info=True)


class ReadSessionExtension(SchemaExtension):
    """Closes the request's read transaction when the operation ends."""

    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            context = self.execution_context.context
            if isinstance(context, Context):
                await context.end_reads()
