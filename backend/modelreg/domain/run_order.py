"""The `order_by` of a run search, in MLflow's syntax: text → what to sort by. Pure.

    metrics.accuracy DESC
    params.`learning rate`
    tags."data set" ASC
    attributes.start_time        (or `start_time`, `created`, `Created`)

A clause is `<type>.<key>` (a bare key is an attribute) and an optional `ASC` (the default) or
`DESC`, case-insensitive. Types: `metric`/`metrics`, `param`/`params`/`parameter`/`parameters`,
`tag`/`tags`, `attribute`/`attributes`/`attr`/`run`. Keys with spaces or dots go in backticks or
double quotes. The attributes are the ones MLflow orders by: `start_time` (`created`,
`Created`), `end_time`, `status`, `run_name`, `run_id`, `user_id` and `artifact_uri`.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from modelreg.errors import InvalidArgument

ORDER_BY_MAX = 100


class OrderKind(StrEnum):
    ATTRIBUTE = "attribute"
    METRIC = "metric"
    PARAM = "parameter"
    TAG = "tag"


_KINDS = {
    "attribute": OrderKind.ATTRIBUTE,
    "attributes": OrderKind.ATTRIBUTE,
    "attr": OrderKind.ATTRIBUTE,
    "run": OrderKind.ATTRIBUTE,
    "metric": OrderKind.METRIC,
    "metrics": OrderKind.METRIC,
    "parameter": OrderKind.PARAM,
    "parameters": OrderKind.PARAM,
    "param": OrderKind.PARAM,
    "params": OrderKind.PARAM,
    "tag": OrderKind.TAG,
    "tags": OrderKind.TAG,
}
# The names MLflow lists for a wrong type (datasets filter runs but do not order them).
_KIND_NAMES = ["metric", "parameter", "tag", "attribute"]

ATTRIBUTES = frozenset(
    {"start_time", "end_time", "status", "run_name", "run_id", "user_id", "artifact_uri"}
)
_ALIASES = {"created": "start_time", "Created": "start_time"}


@dataclass(frozen=True, slots=True)
class RunOrder:
    """One clause: sort by this attribute (canonical name) / metric / param / tag key."""

    kind: OrderKind
    key: str
    ascending: bool = True


def _invalid(message: str) -> InvalidArgument:
    return InvalidArgument(message, field="order_by")


def parse_run_order_clause(clause: str) -> RunOrder:
    """One `order_by` clause; a clause MLflow refuses is an `InvalidArgument` in its words."""
    unparsable = _invalid(f"Invalid order_by clause '{clause}'. Could not be parsed.")
    try:
        tokens = shlex.split(clause.replace("`", '"'))
    except ValueError:
        raise unparsable from None
    if not tokens or len(tokens) > 2:
        raise unparsable
    ascending = True
    if len(tokens) == 2:
        direction = tokens[1].lower()
        if direction not in ("asc", "desc"):
            raise _invalid(f"Invalid ordering key in order_by clause '{clause}'.")
        ascending = direction == "asc"
    identifier = tokens[0].strip()
    kind_name, dot, key = identifier.partition(".")
    if not dot:
        kind_name, key = "attribute", identifier
    kind = _KINDS.get(kind_name)
    if kind is None:
        raise _invalid(f"Invalid entity type '{kind_name}'. Valid values are {_KIND_NAMES}")
    if not key:
        raise unparsable
    if kind is OrderKind.ATTRIBUTE:
        key = _ALIASES.get(key, key)
        if key not in ATTRIBUTES:
            raise _invalid(
                f"Invalid attribute key '{key}' specified. Valid keys are "
                f"{sorted(ATTRIBUTES | set(_ALIASES))}"
            )
    return RunOrder(kind, key, ascending)


def parse_run_order(clauses: Sequence[str]) -> list[RunOrder]:
    """Every clause, in order; a field named twice (`created` is `start_time`) is refused."""
    if len(clauses) > ORDER_BY_MAX:
        raise _invalid(f"At most {ORDER_BY_MAX} order_by clauses; got {len(clauses)}.")
    orders: list[RunOrder] = []
    seen: set[tuple[OrderKind, str]] = set()
    for clause in clauses:
        order = parse_run_order_clause(clause)
        if (order.kind, order.key) in seen:
            raise _invalid(f"`order_by` contains duplicate fields: {list(clauses)}")
        seen.add((order.kind, order.key))
        orders.append(order)
    return orders


def orders_by_start_time(orders: Sequence[RunOrder]) -> bool:
    """Whether `start_time` is ordered already: else the default tie-break sorts it (newest
    first) after the given clauses, then the run id."""
    return any(o.kind is OrderKind.ATTRIBUTE and o.key == "start_time" for o in orders)
