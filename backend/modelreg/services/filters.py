"""Search filters (domain.filters ASTs) as SQL WHERE clauses, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

import sqlalchemy as sa

from modelreg.domain.filters import And, Comparison, Filter, Op, Or

# A tag comparison: given the key and a condition on the value column, the EXISTS clause.
TagClause = Callable[
    [str, Callable[[sa.ColumnElement[Any]], sa.ColumnElement[bool]]], sa.ColumnElement[bool]
]


def _glob(pattern: str) -> str:
    """A LIKE pattern as a GLOB pattern: SQLite's LIKE ignores case, its GLOB does not."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(f"[{char}]" if char in "*?[" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        elif char in "*?[":
            out.append(f"[{char}]")
        else:
            out.append(char)
    return "".join(out)


def _compare(
    column: sa.ColumnElement[Any], op: Op, value: Any, *, dialect: str
) -> sa.ColumnElement[bool]:
    expr: Any
    match op:
        case Op.EQ:
            expr = column == value
        case Op.NE:
            expr = column != value
        case Op.LT:
            expr = column < value
        case Op.LE:
            expr = column <= value
        case Op.GT:
            expr = column > value
        case Op.GE:
            expr = column >= value
        case Op.IN:
            expr = column.in_(list(value))
        case Op.NOT_IN:
            expr = column.not_in(list(value))
        case Op.LIKE:
            if dialect == "sqlite":
                expr = column.op("GLOB")(_glob(value))
            else:
                expr = column.like(value, escape="\\")
        case Op.ILIKE:
            expr = sa.func.lower(column).like(str(value).lower(), escape="\\")
        case _:  # pragma: no cover
            raise AssertionError(op)
    return cast("sa.ColumnElement[bool]", expr)


_NEGATED = {Op.NE: Op.EQ, Op.NOT_IN: Op.IN}


def where(
    node: Filter,
    *,
    columns: Mapping[str, Any],
    tag_clause: TagClause,
    dialect: str,
) -> sa.ColumnElement[bool]:
    """The WHERE clause for `node`; `columns` maps the search's fields to columns."""
    if isinstance(node, And):
        return sa.and_(
            *(where(i, columns=columns, tag_clause=tag_clause, dialect=dialect) for i in node.items)
        )
    if isinstance(node, Or):
        return sa.or_(
            *(where(i, columns=columns, tag_clause=tag_clause, dialect=dialect) for i in node.items)
        )
    assert isinstance(node, Comparison)
    if node.field.tag is not None:
        if node.op in _NEGATED:
            # `tags.x != 'v'`: objects without tag x match too (MLflow 3 clients rely on it:
            # they add tag.`mlflow.prompt.is_prompt` != 'true' to every model search).
            positive = _NEGATED[node.op]
            return sa.not_(
                tag_clause(
                    node.field.tag,
                    lambda value: _compare(value, positive, node.value, dialect=dialect),
                )
            )
        return tag_clause(
            node.field.tag, lambda value: _compare(value, node.op, node.value, dialect=dialect)
        )
    return _compare(columns[node.field.name], node.op, node.value, dialect=dialect)
