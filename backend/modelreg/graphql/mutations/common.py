from __future__ import annotations

import strawberry

from modelreg.graphql.errors import UserError


@strawberry.input
class TagInput:
    key: str
    value: str


def tag_pairs(tags: list[TagInput] | None) -> list[tuple[str, str]]:
    return [(t.key, t.value) for t in tags or []]


@strawberry.type(description="The result of a delete: the ID of what was deleted, or errors.")
class DeletePayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]
