"""Document limits whose cost is linear in the document: each fragment is measured once.

A fragment may be spread many times, and fragments may spread each other: a chain of 60
fragments that each spread the previous one twice selects 2**60 fields once expanded. Rules
that walk every spread (strawberry's depth and alias limiters) take exponential time on such a
document. Here each fragment definition is visited once, its cost is memoised, and a spread
adds the memoised cost; counts saturate so even absurd documents stay cheap to measure.

The check runs before graphql-core's standard validation, which is quadratic in the size of the
expanded document (overlapping-field merging): a bounded expansion keeps that bounded too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from modelreg.errors import ErrorCode

# Counts stop growing here: enough to exceed any limit, small enough to add cheaply.
SATURATED = 1 << 62


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    max_depth: int
    max_aliases: int
    max_complexity: int


@dataclass(frozen=True, slots=True)
class Cost:
    """What a selection set costs once every fragment in it is expanded."""

    depth: int = 0  # nested fields that have sub-selections (introspection fields not counted)
    aliases: int = 0  # aliased fields
    selections: int = 0  # fields, fragment spreads and inline fragments

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            depth=max(self.depth, other.depth),
            aliases=min(self.aliases + other.aliases, SATURATED),
            selections=min(self.selections + other.selections, SATURATED),
        )


ZERO = Cost()


class FragmentCycle(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _spreads(selection_set: SelectionSetNode | None) -> Iterator[str]:
    """Names of the fragments spread anywhere inside this selection set."""
    stack = [selection_set]
    while stack:
        current = stack.pop()
        if current is None:
            continue
        for selection in current.selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif isinstance(selection, FieldNode | InlineFragmentNode):
                stack.append(selection.selection_set)


def _measure(selection_set: SelectionSetNode | None, fragments: dict[str, Cost]) -> Cost:
    """The cost of a selection set; a spread adds its fragment's memoised cost (zero for an
    unknown fragment, which standard validation reports). Recursion follows only the nesting of
    the document text, which the parser bounds."""
    total = ZERO
    if selection_set is None:
        return total
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            inner = _measure(selection.selection_set, fragments)
            counted = selection.selection_set is not None and not selection.name.value.startswith(
                "__"
            )
            total += Cost(
                # As strawberry's depth limiter: introspection (`__schema`, `__type`) is free.
                depth=inner.depth + 1 if counted else 0,
                aliases=min(inner.aliases + (1 if selection.alias else 0), SATURATED),
                selections=min(inner.selections + 1, SATURATED),
            )
        elif isinstance(selection, InlineFragmentNode):
            inner = _measure(selection.selection_set, fragments)
            total += Cost(inner.depth, inner.aliases, min(inner.selections + 1, SATURATED))
        elif isinstance(selection, FragmentSpreadNode):
            spread = fragments.get(selection.name.value, ZERO)
            total += Cost(spread.depth, spread.aliases, min(spread.selections + 1, SATURATED))
    return total


def fragment_costs(definitions: dict[str, FragmentDefinitionNode]) -> dict[str, Cost]:
    """Each fragment's cost, every definition visited once (dependencies first, without
    recursion along spread chains, which can be thousands long). Raises FragmentCycle."""
    costs: dict[str, Cost] = {}
    in_progress: set[str] = set()
    for root in definitions:
        if root in costs:
            continue
        # Depth-first, post-order: a fragment is measured once everything it spreads is.
        stack: list[tuple[str, Iterator[str]]] = [(root, _spreads(definitions[root].selection_set))]
        in_progress.add(root)
        while stack:
            name, pending = stack[-1]
            for spread in pending:
                if spread in in_progress:
                    raise FragmentCycle(spread)
                if spread in costs or spread not in definitions:
                    continue
                in_progress.add(spread)
                stack.append((spread, _spreads(definitions[spread].selection_set)))
                break
            else:
                stack.pop()
                in_progress.discard(name)
                costs[name] = _measure(definitions[name].selection_set, costs)
    return costs


@dataclass(frozen=True, slots=True)
class DocumentCost:
    depth: int  # the deepest operation
    aliases: int  # over all operations
    selections: int  # over all operations and the fragments no one spreads


def measure(document: DocumentNode) -> DocumentCost:
    """Raises FragmentCycle when a fragment spreads itself, directly or not."""
    fragments: dict[str, FragmentDefinitionNode] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments.setdefault(definition.name.value, definition)
    costs = fragment_costs(fragments)
    spread_somewhere = {
        name
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode)
        for name in _spreads(definition.selection_set)
    }
    depth = aliases = selections = 0
    roots: Iterable[OperationDefinitionNode | FragmentDefinitionNode] = [
        d for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    for definition in roots:
        cost = _measure(definition.selection_set, costs)
        depth = max(depth, cost.depth)
        aliases = min(aliases + cost.aliases, SATURATED)
        selections = min(selections + cost.selections, SATURATED)
    # A fragment no one spreads is still validated (and reported as unused): count it too.
    for name, cost in costs.items():
        if name not in spread_somewhere:
            selections = min(selections + cost.selections, SATURATED)
    return DocumentCost(depth=depth, aliases=aliases, selections=selections)


def _limit_error(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": ErrorCode.INVALID_ARGUMENT.value})


def check(
    document: DocumentNode, limits: DocumentLimits
) -> tuple[DocumentCost, list[GraphQLError]]:
    """The document's cost, and errors when it is over the limits (empty when within them)."""
    try:
        cost = measure(document)
    except FragmentCycle as cycle:
        message = (
            f"Fragment '{cycle.name}' spreads itself (directly or through other fragments); "
            "remove the cycle."
        )
        return DocumentCost(0, 0, 0), [_limit_error(message)]
    found = []
    if cost.selections > limits.max_complexity:
        count = "more than a billion" if cost.selections >= 10**9 else f"{cost.selections:,}"
        found.append(
            _limit_error(
                f"The document selects {count} fields and fragments once its fragments are "
                f"expanded; the limit is {limits.max_complexity:,}. Select fewer fields, or "
                "spread fewer fragments (each spread counts the whole fragment again)."
            )
        )
    if cost.depth > limits.max_depth:
        found.append(
            _limit_error(
                f"The operation nests fields {cost.depth} levels deep, which exceeds the maximum "
                f"operation depth of {limits.max_depth}; select fewer nested levels."
            )
        )
    if cost.aliases > limits.max_aliases:
        count = "more than a billion" if cost.aliases >= 10**9 else f"{cost.aliases:,}"
        found.append(
            _limit_error(
                f"The document uses {count} aliases once its fragments are expanded; the limit "
                f"is {limits.max_aliases}. Send fewer aliased fields, or split the request."
            )
        )
    return cost, found
