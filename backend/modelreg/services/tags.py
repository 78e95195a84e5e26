"""Tags on models and versions: one implementation for both owners."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.db import plain
from modelreg.db.models import ModelTag, VersionTag
from modelreg.errors import NotFound

TagRow = ModelTag | VersionTag


def _owner_column(table: type[TagRow]) -> Any:
    return col(ModelTag.model_id) if table is ModelTag else col(VersionTag.version_id)


def _tags_statement(table: type[TagRow]) -> Any:
    owner = _owner_column(table)
    return (
        select(owner, col(table.key), col(table.value))
        .where(owner.in_(sa.bindparam("owner_ids", expanding=True)))
        .order_by(owner, col(table.key))
    )


# Built once: every model and version shown reads its tags.
_TAGS: dict[type[TagRow], Any] = {
    ModelTag: _tags_statement(ModelTag),
    VersionTag: _tags_statement(VersionTag),
}


async def tags_by_owner(
    session: AsyncSession, table: type[TagRow], owner_ids: Sequence[int]
) -> dict[int, dict[str, str]]:
    rows = await (await plain(session)).execute(_TAGS[table], {"owner_ids": list(owner_ids)})
    result: dict[int, dict[str, str]] = defaultdict(dict)
    for owner_id, key, value in rows:
        result[owner_id][key] = value
    return result


async def set_tags(
    session: AsyncSession, table: type[TagRow], owner_id: int, tags: Mapping[str, str]
) -> dict[str, str]:
    """Upsert already-validated tags; returns only those whose value changed."""
    current = (await tags_by_owner(session, table, [owner_id])).get(owner_id, {})
    changed = {k: v for k, v in tags.items() if current.get(k) != v}
    owner = _owner_column(table)
    for key, value in changed.items():
        if key in current:
            await session.exec(
                sa.update(table).where(owner == owner_id, col(table.key) == key).values(value=value)
            )
        elif table is ModelTag:
            session.add(ModelTag(model_id=owner_id, key=key, value=value))
        else:
            session.add(VersionTag(version_id=owner_id, key=key, value=value))
    await session.flush()
    return changed


async def delete_tags(
    session: AsyncSession, table: type[TagRow], owner_id: int, keys: Sequence[str], *, owner: str
) -> list[str]:
    """Deletes the given keys, all or none: a key that is not there is NotFound."""
    current = (await tags_by_owner(session, table, [owner_id])).get(owner_id, {})
    unique_keys = list(dict.fromkeys(keys))
    missing = [k for k in unique_keys if k not in current]
    if missing:
        raise NotFound(f"{owner} has no tag {', '.join(repr(k) for k in missing)}.", field="keys")
    if unique_keys:
        await session.exec(
            sa.delete(table).where(
                _owner_column(table) == owner_id, col(table.key).in_(unique_keys)
            )
        )
    return unique_keys
