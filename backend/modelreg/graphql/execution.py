"""Plain fields and plain objects without graphql-core's per-field machinery.

Most of an answer is values read straight off objects: a model's `name`, a tag's `key` and
`value`, a version's `version`, a connection's edges and their nodes. For each field,
graphql-core's executor still builds a resolve info, calls Strawberry's wrapper, checks twice
whether the result is awaitable and dispatches on the return type before it coerces the value;
for each object it collects the subfields, builds a path per field and loops again. On the
model list page (about 200 objects and 600 fields) that was most of the request's CPU.

A field is plain when Strawberry marks it as basic (no resolver, no permission classes or field
extensions, no arguments) and reads it with `getattr(source, python_name)`; a relay node's `id`
is plain when the node's class keeps relay's own `resolve_id` and `resolve_typename` (the
`GlobalID` of the parent type's name and the node's `NodeID` attribute, as `relay.Node._id`
builds it).

- `LeafFastExecutor.execute_field` reads a plain field of a scalar or enum type itself: the
  value coerced by the type's own `coerce_output_value`, exactly what the generic path computes.
- `LeafFastExecutor.complete_value` completes a whole value from a plan when every field
  selected in it, at every depth, is plain (or `__typename`) and its types are objects, lists
  of them, scalars and enums: one loop of `getattr`s and coercions per object, no paths, no
  resolve infos. The plan is made once per request for each selection (it depends on the
  document's fields, fragments and `@skip`/`@include`, which graphql-core's own
  `collect_subfields` resolves) and reused for every row of a list.

Anything unusual takes the generic path, which then reads the value again and completes it as
graphql-core does, so null handling, awaiting and error reporting stay graphql-core's own: a
null where the type forbids one, an awaitable (a value loaded on demand: graphql/model_page.py),
an exception as a value, a value that does not coerce, an object whose `is_type_of` does not say
yes, an iterable that is not a list or tuple, a resolver, arguments, an abstract type, a list of
lists, a directive on a list field, a deferred fragment, graphql-core middleware. A plan that
failed once is not tried again in the same request (the remaining rows go the generic way
rather than doing the work twice). Whether a field is plain is decided once per field
definition and remembered on it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
)
from graphql.pyutils import Path, Undefined
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

_DEFINITION = "strawberry-definition"

_PLAN = "_modelreg_leaf_plan"  # remembered on the field definition itself

# (python attribute name, coercion), or None when the field takes the generic path
_Plan = tuple[str, Callable[[Any], Any]] | None

# The attribute name of the plan for a relay node's `id` (no Python attribute has this name).
RELAY_ID = "<relay id>"
_NODE_ID_FIELD = relay.Node.__dict__["_id"].__func__
_DEFAULT_RESOLVE_ID = relay.Node.__dict__["resolve_id"].__func__
_DEFAULT_RESOLVE_TYPENAME = relay.Node.__dict__["resolve_typename"].__func__


def leaf_plan(field_def: GraphQLField) -> _Plan:
    """How to read `field_def` directly, or None when graphql-core must resolve it."""
    try:
        plan: _Plan = getattr(field_def, _PLAN)
    except AttributeError:
        plan = _make_plan(field_def)
        setattr(field_def, _PLAN, plan)
    return plan


def _is_relay_id(definition: StrawberryField) -> bool:
    """Relay's own `id` field of a Node, without permission classes or field extensions."""
    resolver = definition.base_resolver
    wrapped = getattr(resolver.wrapped_func, "__func__", None) if resolver is not None else None
    return (
        wrapped is _NODE_ID_FIELD
        and not definition.permission_classes
        and not definition.extensions
    )


def _plain_attribute(field_def: GraphQLField) -> str | None:
    """The Python attribute a field reads when it is a plain one (no resolver, arguments,
    permission classes or field extensions, Strawberry's default `getattr`), else None."""
    if field_def.args or not getattr(field_def.resolve, "_is_default", False):
        return None
    definition = (field_def.extensions or {}).get(_DEFINITION)
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    if definition.default_resolver is not getattr:
        return None
    return definition.python_name


def _make_plan(field_def: GraphQLField) -> _Plan:
    definition = (field_def.extensions or {}).get(_DEFINITION)
    if not field_def.args and isinstance(definition, StrawberryField) and _is_relay_id(definition):
        leaf = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else None
        return (RELAY_ID, leaf.coerce_output_value) if isinstance(leaf, GraphQLScalarType) else None
    attribute = _plain_attribute(field_def)
    if attribute is None:
        return None
    leaf = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    return attribute, leaf.coerce_output_value


# How a value is completed in an object plan.
_LEAF, _OBJECT, _LIST, _TYPENAME = range(4)


class _Generic(Exception):
    """The value needs graphql-core's generic path (a null where one is not allowed, an
    awaitable, a value that does not coerce, an object that is not of its type, an error).
    Raised as a new instance each time: one kept at module level would hold the frames of the
    last raise (and the request they belong to) through its traceback."""


@dataclass(slots=True)
class _Value:
    """How to complete one value: `kind`, the coercion of a leaf or the plan of an object or of
    a list's items, and whether the type is non-null."""

    kind: int
    complete: Any  # leaf: coerce_output_value; object: _Object; list: _Value of the items
    non_null: bool


@dataclass(slots=True)
class _Object:
    """An object's selection, every field of it plain: (response name, attribute, value)."""

    type: GraphQLObjectType
    fields: list[tuple[str, str, _Value]]


# Values that are neither awaitable nor an exception, whatever else they are.
_BUILTIN_VALUES = frozenset({str, int, float, bool})


def _complete(plan: _Value, value: Any, info: Any) -> Any:
    """`value` completed as graphql-core completes it, or _Generic raised."""
    if value is None:
        if plan.non_null:
            raise _Generic
        return None
    if hasattr(value, "__await__") or isinstance(value, Exception):
        raise _Generic  # graphql-core awaits the one and raises the other
    kind = plan.kind
    if kind is _LEAF:
        coerced = plan.complete(value)
        if coerced is None or coerced is Undefined:
            raise _Generic
        return coerced
    if kind is _OBJECT:
        return _complete_object(plan.complete, value, info)
    if type(value) is not list and type(value) is not tuple:  # other iterables: generic
        raise _Generic
    item = plan.complete
    return [_complete(item, each, info) for each in value]


def _complete_object(plan: _Object, source: Any, info: Any) -> dict[str, Any]:
    object_type = plan.type
    if object_type.is_type_of is not None and object_type.is_type_of(source, info) is not True:
        raise _Generic  # False is graphql-core's error to report; an awaitable its to await
    completed: dict[str, Any] = {}
    for name, attribute, value in plan.fields:
        kind = value.kind
        if kind is _TYPENAME:
            completed[name] = object_type.name
            continue
        raw = (
            _relay_id(object_type, source) if attribute is RELAY_ID else getattr(source, attribute)
        )
        if kind is _LEAF and type(raw) in _BUILTIN_VALUES:  # most leaves: coerced right here
            coerced = value.complete(raw)
            if coerced is None or coerced is Undefined:
                raise _Generic
            completed[name] = coerced
        else:
            completed[name] = _complete(value, raw, info)
    return completed


class LeafFastExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with plain leaf fields read in one step and plain objects
    completed from a plan (see module doc)."""

    _plans: dict[tuple[Any, int], tuple[Any, _Value | None]] | None = None

    def _plain(self) -> bool:
        middleware = self.middleware_manager  # Strawberry passes one, usually empty
        return middleware is None or not middleware.middlewares

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        if self._plain():
            node = field_details_list[0].node
            field_def = self.schema.get_field(parent_type, node.name.value)
            if field_def is not None and not node.arguments:
                plan = leaf_plan(field_def)
                if plan is not None:
                    try:
                        if plan[0] is RELAY_ID:
                            value = _relay_id(parent_type, source)
                        else:
                            value = getattr(source, plan[0])
                        # An awaitable (a value loaded on demand: graphql/model_page.py) is
                        # graphql-core's to await; a pass-through scalar would return it as is.
                        if (
                            value is None
                            or hasattr(value, "__await__")
                            or isinstance(value, Exception)
                        ):
                            coerced = None
                        else:
                            coerced = plan[1](value)
                    except Exception:  # the generic path reads it again and reports it
                        coerced = None
                    if coerced is not Undefined and coerced is not None:
                        return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if result is not None and position_context is None and self._plain():
            plans = self._plans
            if plans is None:
                plans = self._plans = {}
            key = (return_type, id(field_details_list))
            known = plans.get(key)
            if known is None:
                # The list is kept with its plan so that its id is not reused (as
                # graphql-core's own memo of collected subfields does).
                known = plans[key] = (
                    field_details_list,
                    self._value_plan(return_type, field_details_list),
                )
            plan = known[1]
            if plan is not None:
                try:
                    return _complete(plan, result, info)
                except Exception:  # the generic path completes it again and reports what failed
                    plans[key] = (field_details_list, None)  # not again in this request
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _value_plan(self, value_type: Any, field_details_list: Any) -> _Value | None:
        """How to complete a value of `value_type` selected by `field_details_list` in one
        step, or None when some part of it needs graphql-core (a resolver, arguments, an
        abstract type, a list of lists, a streamed list, a deferred fragment)."""
        non_null = isinstance(value_type, GraphQLNonNull)
        inner = value_type.of_type if non_null else value_type
        if isinstance(inner, GraphQLScalarType | GraphQLEnumType):
            return _Value(_LEAF, inner.coerce_output_value, non_null)
        if isinstance(inner, GraphQLObjectType):
            object_plan = self._object_plan(inner, field_details_list)
            return None if object_plan is None else _Value(_OBJECT, object_plan, non_null)
        if isinstance(inner, GraphQLList):
            if any(d.node.directives for d in field_details_list):
                return None  # @stream, or a directive graphql-core should see
            item = self._value_plan(inner.of_type, field_details_list)
            if item is None or item.kind is _LIST:
                return None
            return _Value(_LIST, item, non_null)
        return None

    def _object_plan(
        self, object_type: GraphQLObjectType, field_details_list: Any
    ) -> _Object | None:
        grouped, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if new_defer_usages:
            return None
        fields: list[tuple[str, str, _Value]] = []
        for response_name, details in grouped.items():
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                fields.append((response_name, name, _Value(_TYPENAME, None, True)))
                continue
            field_def = self.schema.get_field(object_type, name)
            if field_def is None or node.arguments:
                return None
            non_null = isinstance(field_def.type, GraphQLNonNull)
            leaf = leaf_plan(field_def)
            if leaf is not None:
                fields.append((response_name, leaf[0], _Value(_LEAF, leaf[1], non_null)))
                continue
            attribute = _plain_attribute(field_def)
            value = None if attribute is None else self._value_plan(field_def.type, details)
            if attribute is None or value is None:
                return None
            fields.append((response_name, attribute, value))
        return _Object(object_type, fields)


def _relay_id(parent_type: GraphQLObjectType, source: Any) -> relay.GlobalID | None:
    """The GlobalID `relay.Node._id` would return for `source`, or None when only that resolver
    can tell (a node class with its own `resolve_id` or `resolve_typename`, a missing id)."""
    cls = type(source)
    if (
        not isinstance(source, relay.Node)
        or getattr(cls.resolve_id, "__func__", None) is not _DEFAULT_RESOLVE_ID
        or getattr(cls.resolve_typename, "__func__", None) is not _DEFAULT_RESOLVE_TYPENAME
    ):
        return None
    node_id = getattr(source, cls.resolve_id_attr())
    if node_id is None or hasattr(node_id, "__await__"):
        return None
    return relay.GlobalID(type_name=parent_type.name, node_id=str(node_id))
