"""Objects completed from a plan (`LeafFastExecutor.complete_value`) answer exactly what
Strawberry's own executor answers - data, errors and their paths - and the plan is what
completes plain selections: graphql-core's per-field path runs only for the rest."""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry
from strawberry import relay
from strawberry.relay import to_base64
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from modelreg.graphql.execution import LeafFastExecutor
from tests.support.awaitables import Later


@strawberry.enum
class Level(enum.Enum):
    LOW = "low"
    HIGH = "high"


@strawberry.type
class Tag:
    key: str
    value: str | None = None


@strawberry.type
class Version:
    version: str
    level: Level = Level.LOW
    tags: list[Tag] = strawberry.field(default_factory=list)


@strawberry.type
class Model(relay.Node):
    id: relay.NodeID[int]
    name: str
    count: int = 0
    latest: Version | None = None
    tags: list[Tag] = strawberry.field(default_factory=list)
    maybe_tags: list[Tag | None] | None = None
    scores: list[float] = strawberry.field(default_factory=list)

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@strawberry.type
class Edge:
    node: Model
    cursor: str = ""


@strawberry.type
class Page:
    edges: list[Edge]
    total: int


def _model(n: int, **changes: Any) -> Model:
    fields: dict[str, Any] = {
        "id": n,
        "name": f"m{n}",
        "count": n * 2,
        "latest": Version(version=f"1.{n}.0", tags=[Tag(key="k", value=str(n))]),
        "tags": [Tag(key="team", value=f"t{n}"), Tag(key="empty")],
        "maybe_tags": [Tag(key="x", value="y"), None],
        "scores": [0.5, n],
    }
    fields.update(changes)
    return Model(**fields)


def _generator() -> Iterator[Tag]:
    yield Tag(key="from", value="generator")


PLAIN: list[Any] = [_model(1), _model(2, latest=None, maybe_tags=None)]


def _odd() -> list[Any]:
    """Models that each break the plan somewhere deep (made anew for each request: one holds a
    generator); the generic path must answer exactly as without the plan."""
    return [
        _model(3),
        _model(4, tags=[Tag(key=None), Tag(key="fine")]),  # type: ignore[arg-type]  # null, non-null
        _model(5, latest=Later(Version(version="later"))),  # an awaitable object
        _model(6, tags=(Tag(key="tuple"),)),  # a tuple is a list too
        _model(7, tags=_generator()),  # any iterable
        _model(8, latest=Tag(key="not a version")),  # an object of the wrong type
        _model(9, name=ValueError("no name")),  # an error as a value
        _model(10, count=2**40),  # does not coerce to Int
        _model(11, scores=[1.0, float("nan")]),  # nor does NaN to Float
        _model(12, maybe_tags=[None, Tag(key=None)]),  # type: ignore[arg-type]
        _model(13),
    ]


ODD_COUNT = len(_odd())


@strawberry.type
class Query:
    @strawberry.field
    def plain(self) -> Page:
        return Page(edges=[Edge(node=m, cursor=f"c{m.id}") for m in PLAIN], total=len(PLAIN))

    @strawberry.field
    def odd(self) -> list[Edge | None]:
        # The last edge's node is not a Model (whose `is_type_of` says so).
        return [Edge(node=m) for m in _odd()] + [Edge(node=Tag(key="not a model"))]  # type: ignore[arg-type]

    @strawberry.field
    def model(self, n: int) -> Model | None:
        return next((m for m in PLAIN if m.id == n), None)


SELECTION = """
  id __typename name count again: count
  latest { version level tags { key value } }
  tags { key ...TagValue }
  maybeTags { key value }
  scores
"""

PLAIN_QUERY = f"""query {{
  plain {{
    total
    edges {{ cursor node {{ {SELECTION} }} }}
    first: edges {{ node {{ id }} }}
  }}
}}
fragment TagValue on Tag {{ value }}"""

ODD_QUERY = f"""query {{
  odd {{ node {{ {SELECTION} }} }}
  model(n: 2) {{ name shout latest {{ version }} }}
  skipped: plain {{ edges {{ node {{ name @skip(if: true) count @include(if: true) }} }} }}
}}
fragment TagValue on Tag {{ value }}"""


def _run(schema: strawberry.Schema, query: str) -> tuple[Any, list[tuple[Any, str]]]:
    result = asyncio.run(schema.execute(query))
    errors = sorted((tuple(e.path or ()), e.message) for e in result.errors or [])
    return result.data, errors


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    return (
        strawberry.Schema(query=Query),
        strawberry.Schema(query=Query, execution_context_class=LeafFastExecutor),
    )


def _count_generic_fields(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The fields graphql-core's own `execute_field` resolves (the plan's are not among them)."""
    seen: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.execute_field

    def counting(self: Any, parent_type: Any, source: Any, details: Any, *rest: Any) -> Any:
        seen.append(f"{parent_type.name}.{details[0].node.name.value}")
        return original(self, parent_type, source, details, *rest)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counting)
    return seen


def test_plain_page_equals_strawberrys_own_in_one_step(monkeypatch: pytest.MonkeyPatch) -> None:
    plain, fast = _schemas()
    expected = _run(plain, PLAIN_QUERY)
    generic = _count_generic_fields(monkeypatch)
    assert _run(fast, PLAIN_QUERY) == expected
    # Only the root's resolver took graphql-core's per-field path: the page came from the plan.
    assert generic == ["Query.plain"]

    data, errors = expected
    assert errors == []
    first = data["plain"]["edges"][0]
    assert list(first) == ["cursor", "node"]
    node = first["node"]
    assert node["id"] == to_base64("Model", 1) and node["__typename"] == "Model"
    assert node["again"] == node["count"] == 2
    assert node["latest"] == {
        "version": "1.1.0",
        "level": "LOW",
        "tags": [{"key": "k", "value": "1"}],
    }
    assert node["tags"] == [{"key": "team", "value": "t1"}, {"key": "empty", "value": None}]
    assert node["maybeTags"] == [{"key": "x", "value": "y"}, None]
    assert node["scores"] == [0.5, 1.0]
    second = data["plain"]["edges"][1]["node"]
    assert second["latest"] is None and second["maybeTags"] is None
    assert data["plain"]["first"] == [{"node": {"id": to_base64("Model", n)}} for n in (1, 2)]


def test_values_the_plan_cannot_complete_answer_as_strawberrys_own() -> None:
    plain, fast = _schemas()
    expected = _run(plain, ODD_QUERY)
    assert _run(fast, ODD_QUERY) == expected

    data, errors = expected
    nodes = [edge and edge["node"] for edge in data["odd"]]
    assert nodes[0]["name"] == "m3" and nodes[-2]["name"] == "m13"
    assert nodes[2]["latest"]["version"] == "later"
    assert nodes[3]["tags"] == [{"key": "tuple", "value": None}]
    assert nodes[4]["tags"] == [{"key": "from", "value": "generator"}]
    assert nodes[9]["maybeTags"] == [None, None]
    # A null in a non-null key, a wrong type, an error, values that do not coerce: each is
    # graphql-core's error at its own path, the edge nulled as the schema says.
    assert [nodes[i] for i in (1, 6, 7, 8)] == [None] * 4
    assert nodes[5]["latest"] is None and data["odd"][11] is None
    paths = [path for path, _ in errors]
    assert ("odd", 1, "node", "tags", 0, "key") in paths
    assert ("odd", 5, "node", "latest", "version") in paths
    assert ("odd", 11, "node") in paths
    assert ("odd", 6, "node", "name") in paths
    assert ("odd", 7, "node", "count") in paths
    assert ("odd", 8, "node", "scores", 1) in paths
    assert ("odd", 9, "node", "maybeTags", 1, "key") in paths
    assert data["model"] == {"name": "m2", "shout": "M2", "latest": None}
    assert data["skipped"]["edges"][0]["node"] == {"count": 2}


def test_a_failed_plan_is_not_tried_again_in_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows after one the plan could not complete take the generic path (never wrong, and not
    the plan's work twice for every row), while a new request tries the plan again."""
    _, fast = _schemas()
    generic = _count_generic_fields(monkeypatch)
    _run(fast, "{ odd { node { name } } }")
    # Edge 6's name is an error: from there on every edge goes through graphql-core.
    assert generic.count("Edge.node") == ODD_COUNT + 1 - 6
    generic.clear()
    _run(fast, PLAIN_QUERY)
    assert generic == ["Query.plain"]
