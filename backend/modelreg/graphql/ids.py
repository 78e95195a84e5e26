from __future__ import annotations

from strawberry import relay

from modelreg.errors import InvalidArgument


def decode_id(value: str, expected: str, *, field: str = "id") -> int:
    """A Relay global ID of the expected type, as the integer primary key."""
    try:
        gid = relay.GlobalID.from_id(value)
        number = int(gid.node_id)
    except (relay.GlobalIDValueError, ValueError):
        raise InvalidArgument(
            f"'{value}' is not a valid ID; use the `id` field of a {expected}.", field=field
        ) from None
    if gid.type_name != expected:
        raise InvalidArgument(
            f"ID '{value}' belongs to a {gid.type_name}; a {expected} ID is needed here.",
            field=field,
        )
    return number


def encode_id(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))
