"""`LeafFastExecutor` answers exactly what Strawberry's own executor answers, and takes its
short path only for plain leaf fields."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
from typing import Any, NewType, Self

import pytest
import strawberry
from graphql import GraphQLField
from strawberry import relay
from strawberry.relay import to_base64

from modelreg.graphql import execution
from modelreg.graphql.execution import LeafFastExecutor, leaf_plan
from tests.support.awaitables import Later


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


# A scalar that serializes any object (as a string): an awaitable must be awaited, not shown.
Loud = NewType("Loud", str)
LOUD = strawberry.scalar(name="Loud", serialize=lambda value: str(value).upper())


@strawberry.type
class Item:
    name: str
    size: int
    colour: Colour
    seen: dt.datetime
    note: str | None = None
    required: str = ""
    # Values loaded on demand (awaitables), as graphql/model_page.py gives a model's row fields.
    later: int = 0
    extra: Loud | None = None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    def prefixed(self, prefix: str) -> str:
        return prefix + self.name


class Broken:
    """Reads like an Item, but its `name` raises and its `required` is missing."""

    size = 3
    colour = Colour.RED
    seen = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    note = None

    @property
    def name(self) -> str:
        raise ValueError("name is not available")


ITEMS: list[Any] = [
    Item(
        name="a",
        size=1,
        colour=Colour.RED,
        seen=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
        later=Later(41),  # type: ignore[arg-type]
        extra=Later("quiet"),
    ),
    Item(name="b", size=2, colour=Colour.BLUE, seen=dt.datetime(2026, 3, 4), note="n"),
    Item(name="c", size=-5, colour=Colour.BLUE, seen=dt.datetime(2026, 5, 6), required=None),  # type: ignore[arg-type]
    Broken(),
]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return ITEMS

    @strawberry.field
    def count(self) -> int:
        return len(ITEMS)


QUERY = """{
  count
  items { name size colour seen note required later extra shout prefixed(prefix: "x-") alias: name }
}"""


def _run(schema: strawberry.Schema) -> tuple[Any, list[tuple[Any, str]]]:
    result = asyncio.run(schema.execute(QUERY))
    errors = sorted((tuple(e.path or ()), e.message) for e in result.errors or [])
    return result.data, errors


def test_answers_and_errors_equal_strawberrys_own() -> None:
    plain = strawberry.Schema(query=Query, scalar_overrides={Loud: LOUD})
    fast = strawberry.Schema(
        query=Query, scalar_overrides={Loud: LOUD}, execution_context_class=LeafFastExecutor
    )
    expected = _run(plain)
    assert _run(fast) == expected
    data, errors = expected
    assert data["items"][0]["colour"] == "RED" and data["items"][1]["note"] == "n"
    # Awaited, then serialized: not the awaitable's own text.
    assert data["items"][0]["later"] == 41 and data["items"][0]["extra"] == "QUIET"
    # The null in a non-null field and the raising property are graphql-core's errors.
    assert data["items"][2] is None and data["items"][3] is None
    assert [path for path, _ in errors] == [("items", 2, "required"), ("items", 3, "name")]


def test_short_path_taken_for_plain_leaves_only(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = strawberry.Schema(
        query=Query, scalar_overrides={Loud: LOUD}, execution_context_class=LeafFastExecutor
    )
    fields = schema._schema.type_map["Item"].fields  # type: ignore[attr-defined]
    planned = {name for name, field in fields.items() if leaf_plan(field) is not None}
    assert planned == {"name", "size", "colour", "seen", "note", "required", "later", "extra"}

    # Objects completed from a plan (tests/unit/test_graphql_plain_objects.py) read their
    # leaves there; here each field goes through `execute_field`.
    monkeypatch.setattr(LeafFastExecutor, "_object_plan", lambda self, *args: None)
    read: list[str] = []
    original = execution.leaf_plan

    def counting(field: GraphQLField) -> Any:
        plan = original(field)
        if plan is not None:
            read.append(plan[0])
        return plan

    monkeypatch.setattr(execution, "leaf_plan", counting)
    data, _ = _run(schema)
    assert data["items"][0]["alias"] == "a"
    # `name` and its alias on the two whole items; on the third, the null in `required` ends the
    # item before the alias is read; on the fourth, reading `name` raises and ends it.
    assert read.count("name") == 2 + 2 + 1 + 1
    assert "shout" not in read and "prefixed" not in read


@strawberry.type
class Thing(relay.Node):
    id: relay.NodeID[int]
    name: str


@strawberry.type
class Custom(relay.Node):
    key: relay.NodeID[str]

    @classmethod
    def resolve_id(cls, root: Self, *, info: strawberry.Info) -> str:
        return f"custom-{root.key}"


@strawberry.type
class Renamed(relay.Node):
    id: relay.NodeID[int]

    @classmethod
    def resolve_typename(cls, root: Self, info: strawberry.Info) -> str:
        return "Other"


@strawberry.type
class NodeQuery:
    @strawberry.field
    def things(self) -> list[Thing]:
        return [Thing(id=1, name="a"), Thing(id=22, name="b")]

    @strawberry.field
    def missing(self) -> list[Thing | None]:
        return [Thing(id=None, name="no id")]  # type: ignore[arg-type]

    @strawberry.field
    def others(self) -> list[Custom | Renamed]:
        return [Custom(key="k"), Renamed(id=3)]

    @strawberry.field
    def any_node(self) -> relay.Node:
        return Thing(id=5, name="e")


NODE_QUERY = """{
  things { id name again: id }
  missing { id }
  others { ... on Custom { id } ... on Renamed { id } }
  anyNode { id ... on Thing { name } }
}"""


def test_relay_ids_equal_strawberrys_own(monkeypatch: pytest.MonkeyPatch) -> None:
    def run(schema: strawberry.Schema) -> tuple[Any, list[tuple[Any, str]]]:
        result = asyncio.run(schema.execute(NODE_QUERY))
        errors = sorted((tuple(e.path or ()), e.message) for e in result.errors or [])
        return result.data, errors

    expected = run(strawberry.Schema(query=NodeQuery))
    fast_ids: list[str] = []
    original = execution._relay_id

    def counting(parent_type: Any, source: Any) -> Any:
        found = original(parent_type, source)
        if found is not None:
            fast_ids.append(str(found))
        return found

    monkeypatch.setattr(execution, "_relay_id", counting)
    fast = strawberry.Schema(query=NodeQuery, execution_context_class=LeafFastExecutor)
    assert run(fast) == expected
    data, errors = expected
    assert [t["id"] for t in data["things"]] == [to_base64("Thing", 1), to_base64("Thing", 22)]
    assert data["things"][1]["again"] == to_base64("Thing", 22)
    assert data["others"] == [
        {"id": to_base64("Custom", "custom-k")},
        {"id": to_base64("Other", 3)},
    ]
    assert data["anyNode"] == {"id": to_base64("Thing", 5), "name": "e"}
    assert data["missing"] == [None] and [path for path, _ in errors] == [("missing", 0, "id")]
    # Relay's resolver ran only for the missing id and the classes that override it.
    assert sorted(fast_ids) == sorted(to_base64("Thing", n) for n in (1, 1, 22, 22, 5))
