"""Plain leaf fields without graphql-core's per-field machinery.

Most of an answer is leaves read straight off an object: a model's `name`, a tag's `key` and
`value`, a version's `version`. For each, graphql-core's executor still builds a resolve info,
calls Strawberry's wrapper, checks twice whether the result is awaitable and dispatches on the
return type before it coerces the value; on the model list page that is about 400 fields and a
quarter of the request's CPU.

`LeafFastExecutor` reads such a field itself: when the field is one Strawberry marks as basic (no
resolver, no permission classes or field extensions, no arguments) and its type is a scalar or
an enum, possibly non-null, the value is `getattr(source, python_name)` coerced by the type's
own `coerce_output_value` - exactly what the generic path computes. A relay node's `id` (50 on
a list page, each through Strawberry's resolver wrapper) is read the same way: the `GlobalID` of
the parent type's name and the node's `NodeID` attribute, as `relay.Node._id` builds it, when
the node's class keeps relay's own `resolve_id` and `resolve_typename`. Anything else takes the
generic path: a null, an awaitable or an error (which the generic path then reads again and
awaits or reports, so null handling and error reporting stay graphql-core's own), a resolver,
an object or list type, graphql-core middleware. Whether a field qualifies is decided once per
field definition and remembered on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
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


def _make_plan(field_def: GraphQLField) -> _Plan:
    definition = (field_def.extensions or {}).get(_DEFINITION)
    if not field_def.args and isinstance(definition, StrawberryField) and _is_relay_id(definition):
        leaf = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else None
        return (RELAY_ID, leaf.coerce_output_value) if isinstance(leaf, GraphQLScalarType) else None
    if field_def.args or not getattr(field_def.resolve, "_is_default", False):
        return None
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    if definition.default_resolver is not getattr:
        return None
    leaf = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
    if not isinstance(leaf, GraphQLScalarType | GraphQLEnumType):
        return None
    return definition.python_name, leaf.coerce_output_value


class LeafFastExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with plain leaf fields read in one step (see module doc)."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        middleware = self.middleware_manager  # Strawberry passes one, usually empty
        if middleware is None or not middleware.middlewares:
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
                        if value is None or hasattr(value, "__await__"):
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
