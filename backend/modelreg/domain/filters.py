"""Search filters in MLflow's syntax, extended with OR and parentheses: text → AST. Pure.

    name LIKE 'churn%' AND tags.team = 'growth'
    tags.`data set` IN ('a', 'b') OR (version_number >= 3 AND run_id != 'abc')

Comparisons are `=`, `!=`, `<`, `<=`, `>`, `>=`, `LIKE` (case-sensitive), `ILIKE`, `IN (...)`
and `NOT IN (...)`; keywords are case-insensitive; strings use single or double quotes; tag keys
with spaces or dots go in backticks (or double quotes). `AND` binds tighter than `OR`. Each
search says which fields it knows; the services turn the AST into SQL.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from modelreg.errors import InvalidArgument

FILTER_MAX = 10_000
# Deeper nesting is refused before parsing: turning the parse tree into an AST, checking it and
# compiling its SQL each recurse once per level.
NESTING_MAX = 20
# Numbers are compared with 64-bit integer columns.
_INT64 = 2**63
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")


class Op(StrEnum):
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    LIKE = "LIKE"
    ILIKE = "ILIKE"
    IN = "IN"
    NOT_IN = "NOT IN"


@dataclass(frozen=True, slots=True)
class FieldRef:
    """`name`, `version_number`... (`attribute.name` is accepted too) or a tag: `tags.<key>`
    (`tag.<key>` is accepted too)."""

    name: str
    tag: str | None = None

    def __str__(self) -> str:
        return f"tags.{self.tag}" if self.tag is not None else self.name


Value = str | int | float


@dataclass(frozen=True, slots=True)
class Comparison:
    field: FieldRef
    op: Op
    value: Value | tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Filter, ...]


Filter = Comparison | And | Or

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: atom (_AND atom)*
?atom: comparison
     | "(" or_expr ")"
comparison: field COMPARE value          -> compare
          | field _IN "(" values ")"      -> is_in
          | field _NOT _IN "(" values ")" -> not_in
values: value ("," value)*
field: NAME ("." key)?
?key: NAME | BACKTICKED | DQ_STRING
?value: SQ_STRING | DQ_STRING | NUMBER

COMPARE: "!=" | "<=" | ">=" | "=" | "<" | ">" | /(?i:i?like)\b/
_AND: /(?i:and)\b/
_OR: /(?i:or)\b/
_IN: /(?i:in)\b/
_NOT: /(?i:not)\b/
NAME: /[A-Za-z_][A-Za-z0-9_]*/
BACKTICKED: /`[^`]*`/
SQ_STRING: /'(?:[^'\\]|\\.)*'/
DQ_STRING: /"(?:[^"\\]|\\.)*"/
NUMBER: /-?[0-9]+(\.[0-9]+)?/

%import common.WS
%ignore WS
"""


@functools.cache
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)


def _unquote(token: Token) -> str:
    text = str(token)
    if token.type in ("SQ_STRING", "DQ_STRING"):
        body = text[1:-1]
        return body.replace("\\" + text[0], text[0]).replace("\\\\", "\\")
    if token.type == "BACKTICKED":
        return text[1:-1]
    return text


def _value(token: Token) -> Value:
    if token.type == "NUMBER":
        text = str(token)
        if "." in text:
            return float(text)
        # Checked before int(): Python refuses to convert more than 4300 digits.
        if len(text.lstrip("-")) > 19 or not -_INT64 <= int(text) < _INT64:
            raise InvalidArgument(
                f"The number {text[:30]}{'...' if len(text) > 30 else ''} in the filter is out "
                "of range; numbers are 64-bit integers.",
                field="filter",
            )
        return int(text)
    return _unquote(token)


def _nesting(text: str) -> int:
    """How deep the parentheses outside quotes nest (at most one pass over `text`)."""
    bare = _QUOTED.sub("", text)
    steps = (1 if c == "(" else -1 for c in bare if c in "()")
    return max(itertools.accumulate(steps, initial=0))


# MLflow's names for a plain field written with its kind: `attribute.name` is `name`.
_ATTRIBUTE_PREFIXES = frozenset({"attribute", "attributes", "attr"})


class _ToAst(Transformer[Token, Filter]):
    @v_args(inline=True)
    def field(self, name: Token, key: Token | None = None) -> FieldRef:
        base = str(name)
        if key is None:
            return FieldRef(base.lower())
        if base.lower() in _ATTRIBUTE_PREFIXES:
            return FieldRef(_unquote(key).lower())
        if base.lower() not in ("tags", "tag"):
            raise InvalidArgument(
                f"'{base}.{_unquote(key)}' is not a field; only tags have keys "
                "(tags.<key>, with backticks around keys that contain spaces or dots).",
                field="filter",
            )
        return FieldRef("tags", _unquote(key))

    @v_args(inline=True)
    def compare(self, field: FieldRef, op: Token, value: Token) -> Comparison:
        return Comparison(field, Op(str(op).upper()), _value(value))

    def values(self, items: list[Token]) -> tuple[Value, ...]:
        return tuple(_value(t) for t in items)

    @v_args(inline=True)
    def is_in(self, field: FieldRef, values: tuple[Value, ...]) -> Comparison:
        return Comparison(field, Op.IN, values)

    @v_args(inline=True)
    def not_in(self, field: FieldRef, values: tuple[Value, ...]) -> Comparison:
        return Comparison(field, Op.NOT_IN, values)

    def and_expr(self, items: list[Filter]) -> And:
        return And(tuple(items))

    def or_expr(self, items: list[Filter]) -> Or:
        return Or(tuple(items))


def _syntax_error(text: str, error: UnexpectedInput) -> InvalidArgument:
    column = getattr(error, "column", None)
    token = getattr(error, "token", None)
    at_end = token is not None and getattr(token, "type", "") == "$END"
    if isinstance(error, UnexpectedEOF) or at_end or column in (None, -1):
        where = "the filter ends too early"
    else:
        near = text[error.pos_in_stream : error.pos_in_stream + 15] if error.pos_in_stream else ""
        where = f"at column {column}" + (f" (near '{near}')" if near else "")
    if isinstance(error, UnexpectedCharacters):
        what = "an unexpected character"
    else:
        what = "unexpected input"
    return InvalidArgument(
        f"Could not read the filter: {what} — {where}. Write comparisons such as "
        "name LIKE 'churn%' AND tags.team = 'growth', joined by AND or OR; quote strings.",
        field="filter",
    )


def parse_filter(
    text: str, *, fields: Collection[str], numeric: Collection[str] = ()
) -> Filter | None:
    """The AST of `text`, checked against the fields this search knows; None when blank.

    `fields` are the plain fields (`name`, `run_id`...); tags are always allowed. `numeric`
    fields compare with numbers (and `=`/`!=`/`<`/`IN`...), the others with strings.
    """
    if not text or not text.strip():
        return None
    if len(text) > FILTER_MAX:
        raise InvalidArgument(
            f"The filter is {len(text)} characters long; the limit is {FILTER_MAX}.",
            field="filter",
        )
    if _nesting(text) > NESTING_MAX:
        raise InvalidArgument(
            f"The filter nests parentheses more than {NESTING_MAX} levels deep; write it flatter.",
            field="filter",
        )
    try:
        tree = _parser().parse(text)
        ast = _ToAst().transform(tree)
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    except VisitError as error:
        if isinstance(error.orig_exc, InvalidArgument):
            raise error.orig_exc from None
        raise
    _check(ast, fields=set(fields), numeric=set(numeric))
    return ast


def _check(node: Filter, *, fields: set[str], numeric: set[str]) -> None:
    if isinstance(node, And | Or):
        for item in node.items:
            _check(item, fields=fields, numeric=numeric)
        return
    field = node.field
    if field.tag is None and field.name not in fields | numeric:
        known = ", ".join(sorted(fields | numeric | {"tags.<key>"}))
        raise InvalidArgument(
            f"Unknown field '{field.name}' in the filter; use one of {known}.", field="filter"
        )
    values = node.value if isinstance(node.value, tuple) else (node.value,)
    if field.name in numeric:
        if node.op in (Op.LIKE, Op.ILIKE):
            raise InvalidArgument(
                f"{field} is a number; compare it with =, !=, <, <=, >, >= or IN.",
                field="filter",
            )
        if not all(isinstance(v, int) for v in values):
            raise InvalidArgument(
                f"{field} is compared with whole numbers, e.g. {field} >= 3.", field="filter"
            )
        return
    if node.op in (Op.LT, Op.LE, Op.GT, Op.GE):
        raise InvalidArgument(
            f"{field} is text; compare it with =, !=, LIKE, ILIKE or IN.", field="filter"
        )
    if not all(isinstance(v, str) for v in values):
        raise InvalidArgument(
            f"{field} is text; quote the value, e.g. {field} = '{values[0]}'.", field="filter"
        )
