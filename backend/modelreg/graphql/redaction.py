"""Secret input values (passwords, token secrets) kept out of error messages and log lines.

graphql-core echoes input values in its messages: `found: { username: "a", password: "..." }`,
`Variable '$input' has invalid value: ... found: {'password': '...'}`, `String cannot represent
a non string value: 12345678`, `Expected ':', found String "..."`. So the values a request gives
to secrets are collected, and every printed form of them is replaced in messages and log lines.

What counts as given to a secret:
- the value of an argument, input field or variable whose name looks secret (`password`,
  `newPassword`, `currentPassword`, `secret`, `token`, ...), whatever its shape;
- every argument value of a field that takes a secret anywhere in its input (`login`,
  `createUser`, `changePassword`, `resetUserPassword`: derived from the schema), so a password
  sent in the wrong place or shape (`input: "hunter2"`, an unknown field `pw`) is covered too;
- the value of every variable used in those places.

A document that does not parse is lexed instead (its tokens survive the syntax error).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    ListValueNode,
    Node,
    ObjectFieldNode,
    ObjectValueNode,
    Source,
    TokenKind,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
)
from graphql.language.lexer import Lexer
from graphql.pyutils import inspect

REDACTED = "[redacted]"

# Input fields, arguments and variables whose values are secret: `password`, `newPassword`,
# `currentPassword`, `secret`, `token`, `apiKey`, and misspellings such as `passwd`.
SECRET_NAME = re.compile(r"pass|pwd|secret|token|credential|api_?key|private_?key", re.IGNORECASE)

_SCALAR_TOKENS = (TokenKind.STRING, TokenKind.BLOCK_STRING, TokenKind.INT, TokenKind.FLOAT)
_OPENERS = {
    TokenKind.BRACKET_L: TokenKind.BRACKET_R,
    TokenKind.BRACE_L: TokenKind.BRACE_R,
    TokenKind.PAREN_L: TokenKind.PAREN_R,
}


def is_secret_name(name: str) -> bool:
    return SECRET_NAME.search(name) is not None


def _holds_secret(type_: GraphQLNamedType, seen: set[str]) -> bool:
    if not isinstance(type_, GraphQLInputObjectType) or type_.name in seen:
        return False
    seen.add(type_.name)
    return any(
        is_secret_name(name) or _holds_secret(get_named_type(field.type), seen)
        for name, field in type_.fields.items()
    )


@dataclass(frozen=True)
class SecretInputs:
    """Where a schema takes secrets: input fields by name, and the fields whose arguments
    carry one (e.g. `login(input: LoginInput!)`, as `LoginInput.password` is secret)."""

    input_fields: frozenset[str]  # `LoginInput.password`, ...
    fields: frozenset[str]  # `login`, `createUser`, ...
    # The other fields of the input types that hold a secret (`username`, ...): their values
    # are not secret, even inside `login(...)`.
    plain_fields: frozenset[str] = frozenset()

    @classmethod
    def from_schema(cls, schema: GraphQLSchema) -> SecretInputs:
        input_fields = {
            f"{type_.name}.{name}"
            for type_ in schema.type_map.values()
            if isinstance(type_, GraphQLInputObjectType)
            for name in type_.fields
            if is_secret_name(name)
        }
        plain_fields = {
            name
            for type_ in schema.type_map.values()
            if isinstance(type_, GraphQLInputObjectType) and _holds_secret(type_, set())
            for name in type_.fields
            if not is_secret_name(name)
        }
        fields = set()
        for type_ in schema.type_map.values():
            if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
                continue
            for name, field in type_.fields.items():
                for arg_name, arg in field.args.items():
                    arg_type: GraphQLInputType = arg.type
                    if is_secret_name(arg_name) or _holds_secret(get_named_type(arg_type), set()):
                        fields.add(name)
        return cls(frozenset(input_fields), frozenset(fields), frozenset(plain_fields))


NO_SECRET_INPUTS = SecretInputs(frozenset(), frozenset())


def _leaves(value: Any, plain: frozenset[str] = frozenset()) -> Iterator[str]:
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            stack.extend(v for k, v in current.items() if k not in plain)
        elif isinstance(current, list):
            stack.extend(current)
        elif isinstance(current, str):
            yield current
        elif isinstance(current, int | float) and not isinstance(current, bool):
            yield repr(current)


def secrets_in_variables(
    variables: Any,
    secret_variables: Iterable[str] = (),
    plain: frozenset[str] = frozenset(),
) -> set[str]:
    """Every scalar under a secret-named key, at any depth, and every scalar of the variables
    named in `secret_variables` (but for those under a `plain` key)."""
    found: set[str] = set()
    if not isinstance(variables, dict):
        return found
    for name in secret_variables:
        found.update(_leaves(variables.get(name), plain))
    stack: list[Any] = [variables]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if isinstance(key, str) and is_secret_name(key):
                    found.update(_leaves(value))
                else:
                    stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)
    return found


def _value_leaves(
    node: Node | None, variables: set[str], plain: frozenset[str] = frozenset()
) -> Iterator[str]:
    """The literal scalars inside a value (but for those of `plain` fields); the names of the
    variables it uses go to `variables`."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ListValueNode):
            stack.extend(current.values)
        elif isinstance(current, ObjectValueNode):
            stack.extend(f.value for f in current.fields if f.name.value not in plain)
        elif isinstance(current, VariableNode):
            variables.add(current.name.value)
        else:
            text = getattr(current, "value", None)  # String, Int, Float and Enum values
            if isinstance(text, str):
                yield text


def secrets_in_ast(
    document: DocumentNode, variables: Any, inputs: SecretInputs = NO_SECRET_INPUTS
) -> set[str]:
    """The values a parsed document (and its variables) gives to secrets."""
    found: set[str] = set()
    secret_variables: set[str] = set()
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple | list):
            stack.extend(node)
            continue
        if not isinstance(node, Node):
            continue
        if isinstance(node, FieldNode) and node.name.value in inputs.fields:
            for argument in node.arguments or ():
                found.update(_value_leaves(argument.value, secret_variables, inputs.plain_fields))
        elif isinstance(node, ArgumentNode | ObjectFieldNode) and is_secret_name(node.name.value):
            found.update(_value_leaves(node.value, secret_variables))
            continue
        elif isinstance(node, VariableDefinitionNode) and is_secret_name(node.variable.name.value):
            secret_variables.add(node.variable.name.value)
            found.update(_value_leaves(node.default_value, secret_variables))
            continue
        stack.extend(getattr(node, key) for key in node.keys if key != "loc")
    return found | secrets_in_variables(variables, secret_variables, inputs.plain_fields)


def secrets_in_document(text: str, inputs: SecretInputs = NO_SECRET_INPUTS) -> set[str]:
    """The literal values given to secrets in a document's text, found from its tokens, so
    also in a document that does not parse: `password: "x"`, `password "x"` (colon missing),
    `password: x` (quotes missing), `password: ["x"]`, `login(input: "x")`."""
    found: set[str] = set()
    pending = False  # the previous token named a secret
    after_colon = False
    depth = 0  # inside a list, object or argument list given to a secret
    opener = closer = TokenKind.EOF
    before = TokenKind.SOF
    key: str | None = None  # the name before the last colon
    previous: str | None = None
    for token in _tokens(text):
        kind, value = token.kind, token.value
        if kind == TokenKind.COLON:
            key = previous if before == TokenKind.NAME else None
        if depth:
            if kind == opener:
                depth += 1
            elif kind == closer:
                depth -= 1
            elif (
                (kind in _SCALAR_TOKENS or (before == TokenKind.COLON and kind == TokenKind.NAME))
                and value is not None
                and not (before == TokenKind.COLON and key in inputs.plain_fields)
            ):
                found.add(value)
        elif kind == TokenKind.COLON and pending and not after_colon:
            after_colon = True
        else:
            if pending:
                if value is not None and (
                    kind in _SCALAR_TOKENS or (after_colon and kind == TokenKind.NAME)
                ):
                    found.add(value)
                elif kind in _OPENERS and (after_colon or kind == TokenKind.PAREN_L):
                    opener, closer, depth = kind, _OPENERS[kind], 1
            # `$password: String!` declares a variable (its value comes in the variables) and
            # the name after its colon is a type.
            pending = (
                kind == TokenKind.NAME
                and before != TokenKind.DOLLAR
                and _names_secret(value, inputs)
            )
            after_colon = False
        before, previous = kind, value
    return found


def _names_secret(value: str | None, inputs: SecretInputs) -> bool:
    return bool(value) and (is_secret_name(value or "") or value in inputs.fields)


def _tokens(text: str) -> Iterator[Any]:
    lexer = Lexer(Source(text))
    try:
        while True:
            token = lexer.advance()
            if token.kind == TokenKind.EOF:
                return
            yield token
    except GraphQLSyntaxError:
        return  # the rest does not lex; graphql-core's message quotes no value from it


def _printed_forms(secret: str) -> set[str]:
    """How graphql-core, Python and JSON may print the value inside a message."""
    forms = {secret, json.dumps(secret)[1:-1], repr(secret)[1:-1], inspect(secret)}
    return {form for form in forms if form}


@dataclass(frozen=True)
class Redactor:
    pattern: re.Pattern[str] | None

    @classmethod
    def for_secrets(cls, secrets: Iterable[str]) -> Redactor:
        forms = {form for secret in secrets if secret for form in _printed_forms(secret)}
        if not forms:
            return cls(None)
        # Longest first, so a secret containing another is replaced whole; never inside a word.
        alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        return cls(re.compile(rf"(?<![A-Za-z0-9_])(?:{alternatives})(?![A-Za-z0-9_])"))

    def __call__(self, text: str) -> str:
        if self.pattern is None:
            return text
        return self.pattern.sub(REDACTED, text)
