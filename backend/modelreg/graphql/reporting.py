"""Every error of a GraphQL request, shaped for the client and logged, in one place.

Strawberry hands each request's errors to `Schema.process_errors` on every path (a syntax
error, a validation error, a resolver's error, each event of a subscription), before they are
sent; `report_errors` is called there. It

- gives every error a stable `extensions.code` (a domain error keeps its own code and field;
  syntax, validation and variable errors are INVALID_ARGUMENT);
- masks unexpected errors as INTERNAL with a generic message: no exception text or trace
  reaches the client;
- replaces the values the request gave to secret fields (passwords, token secrets) wherever a
  message echoes them (see `redaction`);
- logs client errors as one INFO line per request, without document, variables or trace, and
  unexpected errors at ERROR with their trace (secrets replaced there too).
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import MissingQueryError
from strawberry.relay.types import GlobalIDValueError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionContext

from modelreg import errors
from modelreg.graphql import guard
from modelreg.graphql.redaction import (
    NO_SECRET_INPUTS,
    Redactor,
    SecretInputs,
    secrets_in_ast,
    secrets_in_variables,
)

logger = logging.getLogger("modelreg.graphql")

UNEXPECTED = "Unexpected error; it has been logged. Try again, and report it if it persists."
_CLIENT_ORIGINALS = (
    errors.DomainError,
    GraphQLError,
    GlobalIDValueError,
    CannotGetOperationTypeError,
    InvalidOperationTypeError,
    MissingQueryError,
)
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
_LOGGED_MESSAGES = 3
_LOGGED_CHARS = 300


def is_client_error(error: GraphQLError) -> bool:
    """Caused by what the client sent (and answered as such), not by a fault of the server."""
    original = error.original_error
    if original is None or isinstance(original, _CLIENT_ORIGINALS):
        return True
    # Raised while checking the document or coercing the variables (a custom scalar refusing a
    # value): such errors point at the document and have no response path.
    return error.path is None and bool(error.nodes)


def shape(error: GraphQLError, redact: Redactor) -> GraphQLError:
    """The error as the client sees it; a new object unless it is a (per-request) syntax error.
    Cached validation errors are shared between requests, so they are never changed."""
    original = error.original_error
    if not is_client_error(error):
        return GraphQLError(
            UNEXPECTED,
            error.nodes,
            error.source,
            error.positions,
            error.path,
            extensions={"code": errors.ErrorCode.INTERNAL.value},
        )
    extensions = dict(error.extensions or {})
    if isinstance(original, errors.DomainError):
        extensions["code"] = original.code.value
        if original.field:
            extensions["field"] = original.field
    else:
        extensions.setdefault("code", errors.ErrorCode.INVALID_ARGUMENT.value)
    message = redact(error.message)
    if isinstance(error, GraphQLSyntaxError):
        # Kept as its own class (websockets close on a syntax error); never cached.
        error.message, error.extensions = message, extensions
        return error
    return GraphQLError(
        message, error.nodes, error.source, error.positions, error.path, original, extensions
    )


def _redactor(context: ExecutionContext | None, inputs: SecretInputs) -> Redactor:
    if context is None:
        return Redactor(None)
    document = context.graphql_document
    if document is None or guard.is_placeholder(document):
        # No document, or a syntax error (whose message the guard has redacted already).
        return Redactor.for_secrets(secrets_in_variables(context.variables))
    return Redactor.for_secrets(secrets_in_ast(document, context.variables, inputs))


def _printable(text: str, limit: int = _LOGGED_CHARS) -> str:
    """One line of valid text (no line breaks a reader could mistake for another entry)."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _operation(context: ExecutionContext | None) -> str:
    if context is None:
        return "operation"
    try:
        kind = context.operation_type.value
    except Exception:  # no document, or no such operation: still worth one line
        kind = "operation"
    name = context.operation_name
    if name and _NAME.fullmatch(name):
        return f"{kind} {name}"
    return kind


def report_errors(
    found: list[GraphQLError],
    context: ExecutionContext | None,
    inputs: SecretInputs = NO_SECRET_INPUTS,
) -> None:
    """Shape `found` in place (it is the list the client receives) and log it; `inputs`: where
    the schema takes secrets."""
    redact = _redactor(context, inputs)
    client: list[GraphQLError] = []
    for index, error in enumerate(found):
        shaped = shape(error, redact)
        found[index] = shaped
        if is_client_error(error):
            client.append(shaped)
        else:
            _log_unexpected(error, redact, context)
    if client:
        summary = "; ".join(
            f"{(e.extensions or {}).get('code')}: {_printable(e.message)}"
            for e in client[:_LOGGED_MESSAGES]
        )
        more = len(client) - _LOGGED_MESSAGES
        logger.info(
            "GraphQL %s answered with client errors: %s%s",
            _operation(context),
            summary,
            f" (and {more} more)" if more > 0 else "",
        )


def _log_unexpected(
    error: GraphQLError, redact: Redactor, context: ExecutionContext | None
) -> None:
    original: Any = error.original_error
    trace = "".join(traceback.format_exception(original)) if original is not None else ""
    where = ".".join(str(p) for p in error.path) if error.path else "(before execution)"
    # The trace is formatted here, not by the log handler, so secrets can be replaced in it.
    logger.error(
        "unexpected error in GraphQL %s at %s\n%s",
        _operation(context),
        where,
        redact(trace).encode("utf-8", "backslashreplace").decode("utf-8").rstrip(),
    )
