"""The row fields of a model (`versionCount`, `latestVersion`, `tags`) as plain values.

A field with a resolver costs Strawberry and graphql-core far more per row than a plain
attribute (an Info object, argument conversion, the extension chain; when async, a coroutine,
a loader future and graphql-core's handling of an awaitable): on a list page of 50 models it
was most of the CPU, more than the SQL. So these fields are plain attributes of the node:

- a page of models (`fetch_row_fields`) fetches the fields its query selects under
  `edges.node` for all its rows, one statement per field through the same service functions
  the loaders use, primes the loaders with them, and stores plain values on the nodes;
- a model reached any other way (`node`, `project.model`, a version's `model`, a payload) holds
  `Deferred` values: awaitables that graphql-core awaits only if the query selects the field,
  which then load through the request's loaders as a resolver would.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from modelreg.db.models import ModelTag
from modelreg.graphql.context import Info
from modelreg.graphql.loaders import prime
from modelreg.services import models as model_service
from modelreg.services import tags as tag_service
from modelreg.services import version_reads

T = TypeVar("T")

# The GraphQL names of the row fields a page fetches for all its rows at once.
VERSION_COUNT = "versionCount"
LATEST_VERSION = "latestVersion"
TAGS = "tags"
ROW_FIELDS = frozenset({VERSION_COUNT, LATEST_VERSION, TAGS})


class Deferred(Generic[T]):
    """A field's value loaded only when awaited (graphql-core awaits a field's value when it is
    awaitable, and only for the fields the query selects)."""

    __slots__ = ("_args", "_load")

    def __init__(self, load: Callable[..., Coroutine[Any, Any, T]], *args: Any) -> None:
        self._load = load
        self._args = args

    def __await__(self) -> Generator[Any, None, T]:
        return self._load(*self._args).__await__()


@dataclass
class RowFields:
    """Per model id, the row fields a page fetched; a field the query did not select is None."""

    version_counts: dict[int, int] | None = None
    latest_versions: dict[int, version_reads.VersionRow | None] | None = None
    tags: dict[int, dict[str, str]] | None = field(default=None)


def _children(selections: Iterable[Any], name: str) -> list[Any]:
    """The selections under every field called `name`, through fragments."""
    found: list[Any] = []
    for selection in selections:
        if hasattr(selection, "arguments"):  # a field
            if selection.name == name:
                found += selection.selections
        else:  # an inline fragment or a fragment spread
            found += _children(selection.selections, name)
    return found


def _field_names(selections: Iterable[Any]) -> set[str]:
    names: set[str] = set()
    for selection in selections:
        if hasattr(selection, "arguments"):
            names.add(selection.name)
        else:
            names |= _field_names(selection.selections)
    return names


def _edges(info: Info) -> list[Any]:
    # `selected_fields` is the connection field itself (once per alias asking for this page).
    connection = [inner for selected in info.selected_fields for inner in selected.selections]
    return _children(connection, "edges")


def selected_row_fields(info: Info) -> frozenset[str]:
    """Which of ROW_FIELDS the query selects on the connection's `edges { node { ... } }`."""
    return ROW_FIELDS & frozenset(_field_names(_children(_edges(info), "node")))


def selects_edge_cursor(info: Info) -> bool:
    """Whether the query selects `edges { cursor }` on the connection."""
    return "cursor" in _field_names(_edges(info))


async def fetch_row_fields(info: Info, ids: Sequence[int]) -> RowFields:
    """The selected row fields of a page's models, one statement each (none for an empty page
    or one that selects none of them); the request's loaders are primed with them."""
    wanted = selected_row_fields(info)
    fetched = RowFields()
    if not wanted or not ids:
        return fetched
    loaders = info.context.loaders
    async with info.context.read() as session:
        if VERSION_COUNT in wanted:
            counts = await model_service.version_counts(session, ids)
            fetched.version_counts = {i: counts.get(i, 0) for i in ids}
            prime(loaders.version_count, fetched.version_counts)
        if LATEST_VERSION in wanted:
            latest = await version_reads.latest_version_rows(session, ids)
            fetched.latest_versions = {i: latest.get(i) for i in ids}
            prime(loaders.latest_version, fetched.latest_versions)
        if TAGS in wanted:
            tags = await tag_service.tags_by_owner(session, ModelTag, ids)
            fetched.tags = {i: tags.get(i, {}) for i in ids}
            prime(loaders.model_tags, fetched.tags)
    return fetched
