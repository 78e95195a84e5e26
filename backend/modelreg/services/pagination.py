"""Keyset pagination: a page is `WHERE (sort..., id) > cursor ORDER BY sort..., id LIMIT n+1`."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar, overload

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from modelreg.db import plain
from modelreg.errors import InvalidArgument

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: Sequence[str]
    has_next_page: bool
    has_previous_page: bool


@dataclass(frozen=True)
class SortKey(Generic[T]):
    column: Any  # a mapped column; SQLModel types it as the Python value
    value: Callable[[T], Any]
    # Sorts against the page's direction (e.g. `name ASC` after `updated DESC`).
    reverse: bool = False


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        return datetime.fromisoformat(value["dt"])
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != length:
            raise ValueError
        return [_decode_value(v) for v in values]
    except (ValueError, binascii.Error, UnicodeDecodeError, TypeError):
        raise _invalid_cursor() from None


def _invalid_cursor() -> InvalidArgument:
    return InvalidArgument(
        "The cursor is not valid for this list; pass the endCursor of a previous page "
        "with the same ordering.",
        field="after",
    )


def check_page_size(first: int | None, *, maximum: int) -> int:
    if first is None:
        return min(DEFAULT_PAGE_SIZE, maximum)
    if first < 0 or first > maximum:
        raise InvalidArgument(
            f"`first` must be between 0 and {maximum}; got {first}.", field="first"
        )
    return first


class _Cursors(Sequence[str]):
    """Each item's cursor, encoded when asked for: an MLflow page wants only the last."""

    def __init__(self, items: Sequence[T], keys: Sequence[SortKey[T]]) -> None:
        self._items = items
        self._keys = keys

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self._cursor(item) for item in self._items[index]]
        return self._cursor(self._items[index])

    def _cursor(self, item: Any) -> str:
        return encode_cursor([k.value(item) for k in self._keys])


def _check_types(values: Sequence[Any], columns: Sequence[Any]) -> None:
    """A cursor of another ordering (its values of other types) is refused, not sent to the
    database, which would fail (PostgreSQL) or compare text with numbers (SQLite)."""
    for value, column in zip(values, columns, strict=True):
        type_ = column.type
        try:
            # A TypeDecorator (UTC timestamps, names) tells its type through what it wraps.
            expected = getattr(type_, "impl_instance", type_).python_type
        except (AttributeError, NotImplementedError):
            continue
        if value is not None and not isinstance(value, expected):
            raise _invalid_cursor()


def _past(columns: Sequence[Any], bounds: Sequence[Any], downward: Sequence[bool]) -> Any:
    """Rows after the cursor's: one row comparison when every key sorts the same way, else
    the expanded form (equal on the first keys, past the cursor on the next)."""
    if len(set(downward)) == 1:
        row, bound = sa.tuple_(*columns), sa.tuple_(*bounds)
        return row < bound if downward[0] else row > bound
    alternatives = []
    for i, (column, bound, down) in enumerate(zip(columns, bounds, downward, strict=True)):
        equal = [c == b for c, b in zip(columns[:i], bounds[:i], strict=True)]
        alternatives.append(sa.and_(*equal, column < bound if down else column > bound))
    return sa.or_(*alternatives)


async def keyset_page(
    session: AsyncSession,
    statement: SelectOfScalar[T],
    *,
    keys: Sequence[SortKey[T]],
    descending: bool,
    first: int,
    after: str | None,
    offset: int = 0,
    core: bool = False,
) -> Page[T]:
    """`keys` must end with a unique column so that every row has exactly one position.

    `offset` skips that many rows (after the cursor, if any): page numbers in a table's URL.
    `core`: `statement` selects plain columns and runs on the session's connection, skipping
    the ORM's execution and loading path (its rows would be the same Core rows)."""
    if offset < 0:
        raise InvalidArgument(f"`offset` must be 0 or more; got {offset}.", field="offset")
    columns = [k.column for k in keys]
    downward = [descending != k.reverse for k in keys]
    if after is not None:
        values = decode_cursor(after, len(keys))
        _check_types(values, columns)
        bounds = [sa.literal(v, type_=c.type) for v, c in zip(values, columns, strict=True)]
        statement = statement.where(_past(columns, bounds, downward))
    order = [c.desc() if down else c.asc() for c, down in zip(columns, downward, strict=True)]
    statement = statement.order_by(*order).limit(first + 1)
    if offset:
        statement = statement.offset(offset)
    rows: list[T]
    if core:
        # The caller's T is then the Core row type (see `list_models(core_rows=True)`).
        rows = list((await (await plain(session)).execute(statement)).all())  # type: ignore[arg-type]
    else:
        rows = list((await session.exec(statement)).all())
    has_next = len(rows) > first
    items: list[T] = rows[:first]
    cursors = _Cursors(items, keys)
    return Page(
        items=items,
        cursors=cursors,
        has_next_page=has_next,
        has_previous_page=after is not None or offset > 0,
    )
