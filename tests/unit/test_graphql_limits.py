"""Document limits: measured with each fragment visited once, so cost is linear in the text."""

from __future__ import annotations

import time

import pytest
from graphql import parse

from modelreg.graphql.limits import SATURATED, DocumentLimits, check, measure

LIMITS = DocumentLimits(max_depth=12, max_aliases=30, max_complexity=1000)


def doubling(n: int, leaf: str = "__typename") -> str:
    """Fragment F<i> spreads F<i-1> twice: 2**n leaves once expanded, in O(n) text."""
    parts = [f"query {{ ...F{n} }}", f"fragment F0 on Query {{ {leaf} }}"]
    parts += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, n + 1)]
    return "\n".join(parts)


def messages(text: str, limits: DocumentLimits = LIMITS) -> list[str]:
    return [error.message for error in check(parse(text), limits)[1]]


def test_a_plain_query_is_within_the_limits() -> None:
    cost, errors = check(
        parse('{ project(path: "a") { id name models { nodes { id } } } }'), LIMITS
    )
    assert errors == []
    assert (cost.depth, cost.aliases, cost.selections) == (3, 0, 6)


@pytest.mark.parametrize("n", [20, 60, 2000])
def test_exponential_fragments_are_measured_in_linear_time(n: int) -> None:
    document = parse(doubling(n), max_tokens=100_000)
    started = time.perf_counter()
    cost, errors = check(document, LIMITS)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.5, f"n={n} took {elapsed:.2f}s"
    assert cost.selections == min(3 * 2**n - 1, SATURATED)  # 2**n leaves, 2**(n+1)-1 spreads
    [error] = errors
    assert error.extensions == {"code": "INVALID_ARGUMENT"}
    assert "once its fragments are expanded; the limit is 1,000" in error.message


def test_the_expanded_size_counts_spreads_of_unknown_fragments_too() -> None:
    # No field at all once expanded, yet 2**20 spreads for the standard rules to walk.
    text = doubling(20).replace(
        "fragment F0 on Query { __typename }", "fragment F0 on Query { ...Nope }"
    )
    assert "selects 3,145,727 fields" in messages(text)[0]


def test_depth_counts_through_fragments() -> None:
    nested = "fragment Deep on Project { models { nodes { project { models { nodes { id } } } } } }"
    text = f'{{ project(path: "a") {{ ...Deep }} }} {nested}'
    assert measure(parse(text)).depth == 6
    [message] = messages(text, DocumentLimits(max_depth=5, max_aliases=30, max_complexity=1000))
    assert message.startswith("The operation nests fields 6 levels deep")
    assert "exceeds the maximum operation depth of 5" in message
    assert messages(text, DocumentLimits(max_depth=6, max_aliases=30, max_complexity=1000)) == []


def test_introspection_does_not_count_towards_depth() -> None:
    inner = "name"
    for _ in range(15):
        inner = f"ofType {{ {inner} }}"
    cost = measure(parse(f"{{ __schema {{ types {{ {inner} }} }} }}"))
    assert cost.depth == 0
    assert cost.selections == 18


def test_aliases_count_once_per_spread() -> None:
    text = (
        "fragment A on Query { a1: __typename a2: __typename a3: __typename } "
        "{ ...A ...A x: __typename ... on Query { ...A } }"
    )
    cost = measure(parse(text))
    assert cost.aliases == 10
    [message] = messages(text, DocumentLimits(max_depth=12, max_aliases=9, max_complexity=1000))
    assert message.startswith("The document uses 10 aliases once its fragments are expanded")


def test_aliases_through_exponential_fragments_are_refused_at_once() -> None:
    text = doubling(40, leaf="a: __typename")
    [complexity, aliases] = messages(text)
    assert "more than a billion fields" in complexity
    assert "more than a billion aliases" in aliases


def test_a_fragment_no_one_spreads_counts_too() -> None:
    # Standard validation walks it (and reports it unused): its expansion is bounded as well.
    text = doubling(30).replace("query { ...F30 }", "{ __typename }")
    assert "once its fragments are expanded" in messages(text)[0]


@pytest.mark.parametrize(
    "cycle",
    [
        "fragment A on Query { ...A }",
        "fragment A on Query { ...B } fragment B on Query { ...A }",
        "fragment A on Query { ...B ...B } fragment B on Query { ...C ...C } "
        "fragment C on Query { __typename ...A }",
    ],
)
def test_cycles_are_refused_without_hanging(cycle: str) -> None:
    started = time.perf_counter()
    [message] = messages(f"{{ ...A }} {cycle}")
    assert time.perf_counter() - started < 0.5
    assert "spreads itself" in message


def test_a_long_chain_of_fragments_does_not_exhaust_the_stack() -> None:
    n = 5000
    parts = ["{ ...F0 }"] + [f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(n)]
    parts.append(f"fragment F{n} on Query {{ __typename }}")
    cost = measure(parse("\n".join(parts)))
    assert cost.selections == n + 2
