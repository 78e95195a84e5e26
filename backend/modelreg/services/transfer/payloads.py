"""Ids inside imported event payloads, rewritten to the target's (PAYLOAD_REFERENCES).

An event's columns (project, model, version) are references the plan maps; its JSON payload
also names rows by id (`request_id`, `comment_id`, `from_version_id`...). Left as they were, they
would name whatever row of the target has the source's id. They are looked up like any
reference: the rows written in this import, then the origin map of earlier imports; an id
neither knows (a row deleted before the export) becomes None.
"""

from __future__ import annotations

from typing import Any

from modelreg.domain.transfer import PAYLOAD_REFERENCES, UNEXPORTED_PAYLOAD_IDS
from modelreg.services.transfer.plan import Resolver

Key = tuple[str, str]  # (kind, source id)


def _wanted(value: Any, found: set[Key]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            kind = PAYLOAD_REFERENCES.get(key)
            source_id = _source_id(key, item)
            if kind is not None and source_id is not None:
                found.add((kind, source_id))
            else:
                _wanted(item, found)
    elif isinstance(value, list):
        for item in value:
            _wanted(item, found)


def _source_id(key: str, value: Any) -> str | None:
    if key == "experiment_id":
        return value if isinstance(value, str) and value.isdigit() and value != "0" else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def rewrite(value: Any, targets: dict[Key, int]) -> Any:
    """`value` (a payload) with its ids replaced through `targets`; pure."""
    return _rewrite(value, targets)


def _rewrite(value: Any, targets: dict[Key, int]) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            kind = PAYLOAD_REFERENCES.get(key)
            source_id = _source_id(key, item)
            if kind is not None and source_id is not None:
                target = targets.get((kind, source_id))
                out[key] = (
                    None if target is None else (str(target) if key == "experiment_id" else target)
                )
            elif key in UNEXPORTED_PAYLOAD_IDS and _source_id(key, item) is not None:
                out[key] = None
            else:
                out[key] = _rewrite(item, targets)
        return out
    if isinstance(value, list):
        return [_rewrite(item, targets) for item in value]
    return value


async def map_payloads(
    resolver: Resolver, events: list[dict[str, Any]], written: dict[Key, int]
) -> None:
    """Rewrite the ids in these events' payloads (in place). `written`: rows of this chunk not
    yet in the origin map (kind, source id) -> target id."""
    wanted: set[Key] = set()
    for values in events:
        _wanted(values.get("payload"), wanted)
    if not wanted:
        return
    targets: dict[Key, int] = {}
    missing: dict[str, list[str]] = {}
    for key in wanted:
        target = resolver.known.get(key, written.get(key))
        if target is None:
            missing.setdefault(key[0], []).append(key[1])
        else:
            targets[key] = target
    for kind, ids in missing.items():
        for start in range(0, len(ids), 500):
            for source_id, target in (
                await resolver.origins(kind, ids[start : start + 500])
            ).items():
                targets[(kind, source_id)] = target
    for values in events:
        if values.get("payload") is not None:
            values["payload"] = _rewrite(values["payload"], targets)
