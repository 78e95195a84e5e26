"""What the node types share: tags, ordering, counted relay connections, BigInt."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NewType

import strawberry
from strawberry import relay

from modelreg.graphql.context import Info
from modelreg.services.pagination import Page, check_page_size

if TYPE_CHECKING:
    pass


@strawberry.enum
class OrderDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.type
class Tag:
    key: str
    value: str


@strawberry.input(description="Matches models that have tag `key`, with `value` when given.")
class TagFilterInput:
    key: str
    value: str | None = None


def tag_list(found: dict[str, str] | None) -> list[Tag]:
    return [Tag(key=k, value=v) for k, v in sorted((found or {}).items())]


def page_size(info: Info, first: int | None) -> int:
    return check_page_size(first, maximum=info.context.settings.page_size_max)


CountFn = Callable[[], Awaitable[int]]


@strawberry.type
class CountedConnection(relay.Connection[relay.NodeType]):
    count: strawberry.Private[CountFn]

    @strawberry.field(description="How many items match, across all pages.")
    async def total_count(self) -> int:
        return await self.count()


def connection_parts(
    page: Page[Any], to_node: Callable[[Any], Any], *, edge_cursors: bool = True
) -> dict[str, Any]:
    """Edges and page info. With `edge_cursors` False (the query selects no edge's `cursor`)
    the edges' cursors are left empty, never shown: each is encoded only when asked for, and
    a page of 50 spent a millisecond encoding them. `pageInfo` has its own."""
    cursors = page.cursors if edge_cursors else [""] * len(page.items)
    edges = [
        relay.Edge(cursor=cursor, node=to_node(item))
        for item, cursor in zip(page.items, cursors, strict=True)
    ]
    return {
        "edges": edges,
        "page_info": relay.PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
    }


BigInt = NewType("BigInt", int)
BIG_INT_SCALAR = strawberry.scalar(
    name="BigInt",
    serialize=int,
    parse_value=int,
    description="An integer that may exceed 32 bits (file sizes in bytes).",
)
