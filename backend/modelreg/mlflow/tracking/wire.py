"""What the tracking endpoints share: reading parameters (strings, key/value lists, run ids,
int64s, view types, experiment ids), paging (page sizes and page tokens), the key/value lists
responses carry, the parameters several endpoints declare, and the retried write.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from modelreg.domain import tracking as rules
from modelreg.mlflow.params import INT, STRING
from modelreg.mlflow.protocol import MlflowContext, MlflowError, listed
from modelreg.services import transactions

API = "api/2.0/mlflow"


T = TypeVar("T")


def string_param(params: Mapping[str, Any], name: str, *, default: str | None = None) -> str | None:
    value = params.get(name)
    if isinstance(value, list):
        value = value[-1] if value else None
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MlflowError(f"Invalid value for parameter '{name}': it must be a string.")
    text = str(value)
    if "\x00" in text:
        raise MlflowError(f"Invalid value for parameter '{name}': it contains a NUL character.")
    return text


def required_string(params: Mapping[str, Any], name: str) -> str:
    value = string_param(params, name)
    if value is None or value == "":
        raise MlflowError(f"Missing value for required parameter '{name}'.")
    return value


def run_id_param(params: Mapping[str, Any]) -> str:
    value = string_param(params, "run_id") or string_param(params, "run_uuid")
    if not value:
        raise MlflowError("Missing value for required parameter 'run_id'.")
    return value


def key_value_pairs(params: Mapping[str, Any], name: str) -> list[tuple[str, str]]:
    """`[{"key": ..., "value": ...}]` as (key, value) pairs."""
    found: list[tuple[str, str]] = []
    for index, item in enumerate(listed(params, name)):
        if not isinstance(item, dict):
            raise MlflowError(f"Invalid value for parameter '{name}[{index}]': expected an object.")
        key = item.get("key")
        if not isinstance(key, str) or not key:
            raise MlflowError(f"Missing value for required parameter '{name}[{index}].key'.")
        value = item.get("value", "")
        if isinstance(value, bool) or not isinstance(value, str | int | float | None):
            raise MlflowError(f"Invalid value for parameter '{name}[{index}].value'.")
        found.append((key, "" if value is None else str(value)))
    return found


def optional_int(params: Mapping[str, Any], name: str, *, minimum: int = 0) -> int | None:
    value = params.get(name)
    if isinstance(value, list):
        value = value[-1] if value else None
    if value is None or value == "":
        return None
    return rules.parse_int64(value, field=name, minimum=minimum)


def page_size(params: Mapping[str, Any], limits: tuple[int, int]) -> int:
    default, maximum = limits
    size = optional_int(params, "max_results", minimum=1)
    if size is None:
        return default
    if size > maximum:
        raise MlflowError(f"Invalid value for 'max_results': it must be at most {maximum}.")
    return size


def page_offset(params: Mapping[str, Any]) -> int:
    token = string_param(params, "page_token")
    if not token:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = decoded["offset"]
    except (binascii.Error, ValueError, TypeError, KeyError, RecursionError):
        raise MlflowError("Invalid page token.") from None
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset < 2**62:
        raise MlflowError("Invalid page token.")
    return offset


def page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def page_of(
    items: Sequence[T], params: Mapping[str, Any], limits: tuple[int, int]
) -> tuple[list[T], str | None]:
    size, offset = page_size(params, limits), page_offset(params)
    page = list(items[offset : offset + size])
    return page, page_token(offset + size) if offset + size < len(items) else None


def view_param(params: Mapping[str, Any], name: str) -> str:
    value = string_param(params, name, default="ACTIVE_ONLY") or "ACTIVE_ONLY"
    views = {"1": "ACTIVE_ONLY", "2": "DELETED_ONLY", "3": "ALL"}
    view = views.get(value, value.upper())
    if view not in views.values():
        raise MlflowError(f"Invalid value for '{name}': use ACTIVE_ONLY, DELETED_ONLY or ALL.")
    return view


def experiment_ids_param(params: Mapping[str, Any]) -> list[str]:
    ids = listed(params, "experiment_ids")
    if not all(
        isinstance(i, str | int) and not isinstance(i, bool) and "\x00" not in str(i) for i in ids
    ):
        raise MlflowError("Invalid value for 'experiment_ids': expected a list of strings.")
    return [str(i) for i in ids]


async def write(ctx: MlflowContext, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """One transaction, run again once if it lost a race (`services.transactions.write`)."""
    return await transactions.write(ctx.db, action)


def key_values(items: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in sorted(items.items())]


# Parameters several endpoints declare, with MLflow's types (its protobuf messages and
# handler schemas).
RUN_PARAMS = {"run_id": STRING, "run_uuid": STRING}
PAGE_PARAMS = {"max_results": INT, "page_token": STRING}
