"""What a GraphQL request must pass before anything runs: parse, limits, validation, variables.

One extension does the three steps in order, so the cheap checks always come first:

1. parse (at most `query_max_tokens` tokens), large documents in a worker thread so the event
   loop keeps answering; parsed documents are cached, bounded by bytes (`DocumentCache`);
2. the document limits (`limits.check`: depth, aliases, expanded size), linear in the document,
   before graphql-core's standard rules, which are quadratic in the expanded document and would
   otherwise see documents that expand exponentially;
3. graphql-core's validation (cached with the document; a large document in a worker thread);
4. the variables: text with a lone surrogate (`"\\ud800"`, which JSON allows and no database
   stores) is refused with INVALID_ARGUMENT naming the variable and field.

Hooks never raise: a syntax error becomes the request's error as graphql-core reported it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext

from modelreg import metrics
from modelreg.errors import ErrorCode
from modelreg.graphql import limits
from modelreg.graphql.document_cache import DocumentCache, Entry
from modelreg.graphql.redaction import (
    Redactor,
    SecretInputs,
    secrets_in_document,
    secrets_in_variables,
)

# Documents longer than this (characters) are parsed in a worker thread: graphql-core's lexer
# takes about a second per MiB.
THREAD_PARSE_CHARS = 64 * 1024
# Documents that select more than this (fragments expanded) are validated in a worker thread.
THREAD_VALIDATE_SELECTIONS = 200


class RequestGuard(SchemaExtension):
    def __init__(
        self,
        *,
        cache: DocumentCache,
        document_limits: limits.DocumentLimits,
        secret_inputs: SecretInputs,
    ) -> None:
        self.cache = cache
        self.document_limits = document_limits
        self.secret_inputs = secret_inputs
        self._entry: Entry | None = None

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        query = context.query
        if context.graphql_document is None and query:
            self._entry = self.cache.get(query)
            if self._entry is not None:
                context.graphql_document = self._entry.document
            else:
                max_tokens = context.parse_options.get("max_tokens")
                try:
                    if len(query) > THREAD_PARSE_CHARS:
                        document = await asyncio.to_thread(parse, query, max_tokens=max_tokens)
                    else:
                        document = parse(query, max_tokens=max_tokens)
                except GraphQLError as error:
                    # Reported as the request's only error, without parsing it again.
                    await _redact_syntax_error(error, query, context.variables, self.secret_inputs)
                    context.graphql_document = _placeholder(context.operation_name)
                    context.pre_execution_errors = [error]
                else:
                    context.graphql_document = document
                    self._entry = self.cache.put(query, document)
        _label_operation(context)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors is None and document is not None:
            errors = await self._validate(document)
            if not errors:
                errors = lone_surrogate_errors(context.variables)
            # A list (even empty) tells strawberry validation has been done.
            context.pre_execution_errors = errors
        yield

    async def _validate(self, document: DocumentNode) -> list[GraphQLError]:
        entry = self._entry
        if entry is not None and entry.document is not document:
            entry = None  # another extension supplied the document
        if entry is not None and entry.errors is not None:
            # A fresh list: errors are reshaped per request, the cached ones stay as they are.
            return list(entry.errors)
        cost, errors = limits.check(document, self.document_limits)
        if not errors:
            schema = self.execution_context.schema._schema
            rules = self.execution_context.validation_rules
            if cost.selections > THREAD_VALIDATE_SELECTIONS:
                errors = await asyncio.to_thread(validate_document, schema, document, rules)
            else:
                errors = validate_document(schema, document, rules)
        if entry is not None:
            entry.errors = tuple(errors)
        return list(errors)


def _label_operation(context: ExecutionContext) -> None:
    """Name the request's operation type for its metrics (never its client-chosen name)."""
    request = getattr(context.context, "request", None)
    document = context.graphql_document
    if request is None or document is None:
        return
    operation = "invalid"
    if not is_placeholder(document):
        # No operation of the requested name: strawberry refuses it later.
        with contextlib.suppress(Exception):
            operation = context.operation_type.value
    metrics.label_operation(request.scope, operation)


async def _redact_syntax_error(
    error: GraphQLError, query: str, variables: Any, inputs: SecretInputs
) -> None:
    """A syntax error quotes the token it stopped at, which may be a password: the secrets of
    a document that does not parse are found by lexing it (in a thread when it is large)."""
    if len(query) > THREAD_PARSE_CHARS:
        secrets = await asyncio.to_thread(secrets_in_document, query, inputs)
    else:
        secrets = secrets_in_document(query, inputs)
    redact = Redactor.for_secrets(secrets | secrets_in_variables(variables))
    error.message = redact(error.message)
    error.extensions = {**(error.extensions or {}), "code": ErrorCode.INVALID_ARGUMENT.value}


class _Placeholder(DocumentNode):
    __slots__ = ()


def is_placeholder(document: DocumentNode) -> bool:
    """The stand-in for a document that did not parse."""
    return isinstance(document, _Placeholder)


def _placeholder(operation_name: str | None) -> DocumentNode:
    """A document with the operation the request names, so that strawberry can tell its type
    and go on to report the syntax error (strawberry would otherwise parse the text again)."""
    return _Placeholder(
        definitions=(
            OperationDefinitionNode(
                operation=OperationType.QUERY,
                name=NameNode(value=operation_name) if operation_name else None,
                variable_definitions=(),
                directives=(),
                selection_set=SelectionSetNode(selections=()),
            ),
        )
    )


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _path(parts: list[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return _printable(out)


def lone_surrogate_errors(variables: dict[str, Any] | None) -> list[GraphQLError]:
    """INVALID_ARGUMENT for the first text (value or key) in the variables that is not valid
    Unicode; the error names the variable and the field inside it, e.g. `input.name`."""
    stack: list[tuple[Any, list[str | int]]] = [(variables or {}, [])]
    while stack:
        value, path = stack.pop()
        bad: list[str | int] | None = None
        if isinstance(value, str) and _has_lone_surrogate(value):
            bad = path
        elif isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(key, str) and _has_lone_surrogate(key):
                    bad = [*path, key]
                    break
                stack.append((inner, [*path, key]))
        elif isinstance(value, list):
            stack.extend((inner, [*path, i]) for i, inner in enumerate(value))
        if bad:
            where = _path(bad)
            return [
                GraphQLError(
                    f"Variable '${_printable(str(bad[0]))}' has text that is not valid Unicode "
                    f"at '{where}' (a lone surrogate such as \\ud800); send UTF-8 text.",
                    extensions={"code": ErrorCode.INVALID_ARGUMENT.value, "field": where},
                )
            ]
    return []
