"""MLflow request parameters: the body read under a cap, parsed at bounded cost, and every
parameter checked against the type its endpoint declares, in one place before a handler runs.

MLflow's server parses a request into its endpoint's protobuf message and checks a schema of
`_assert_string`, `_assert_required`, `_assert_intlike`... (mlflow/server/handlers.py): a value
of the wrong JSON type (`{"name": 123}`) is `INVALID_PARAMETER_VALUE` (400). Each `Endpoint`
declares its parameters the same way (`Param`), and `check()` gives a handler only those, each of
its declared type and shape, or refuses the request naming the parameter (`tags[2].value`).

Cost is linear in the request and bounded whatever it holds: the body is capped
(`mlflow_max_body_bytes`) by its Content-Length and while it streams in; a large body is parsed
off the event loop; JSON nested too deeply for the parser is refused as soon as the parser meets
it (RecursionError), naming the parameter. Nothing undeclared reaches a handler, so no handler
walks caller-shaped data, and strings with a lone surrogate or a NUL (which no database stores)
are refused where they are checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import anyio.to_thread
from starlette.requests import ClientDisconnect, Request

from modelreg.mlflow.protocol import MlflowError, Params

# Deeper than any MLflow request (a dataset input's tags are at level 4).
MAX_DEPTH = 32
# Bodies larger than this are parsed in a worker thread.
THREAD_PARSE_BYTES = 256 * 1024
_INT64 = 2**63
_INTEGER = re.compile(r"-?[0-9]{1,19}")
# A lone surrogate (a valid pair is decoded to one character) or NUL.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A JSON string (with group 1 set when it is an object key) or a bracket.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?|[\[\]{}]', re.DOTALL)


class Kind(StrEnum):
    """A parameter's JSON type; the value is how messages name it."""

    STRING = "a string"
    INT = "an integer"
    DOUBLE = "a number"
    BOOL = "true or false"
    ENUM = "a name or a number"
    LIST = "a list"
    OBJECT = "an object"


@dataclass(frozen=True)
class Param:
    kind: Kind
    required: bool = False
    # A string of decimal digits: an id MLflow's store parses as an integer (experiment ids),
    # so "abc" is INVALID_PARAMETER_VALUE there, not an experiment it fails to find.
    digits: bool = False
    # A list's items; an object's fields (other fields of the object are dropped).
    item: Param | None = None
    fields: Mapping[str, Param] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.kind is Kind.LIST) != (self.item is not None):
            raise ValueError("a list parameter, and only one, declares its items")
        if (self.kind is Kind.OBJECT) != bool(self.fields):
            raise ValueError("an object parameter, and only one, declares its fields")


Schema = Mapping[str, Param]

STRING = Param(Kind.STRING)
REQUIRED = Param(Kind.STRING, required=True)
INT = Param(Kind.INT)
DOUBLE = Param(Kind.DOUBLE)
BOOL = Param(Kind.BOOL)
ENUM = Param(Kind.ENUM)


def list_of(item: Param, *, required: bool = False) -> Param:
    return Param(Kind.LIST, required=required, item=item)


def obj(**fields: Param) -> Param:
    return Param(Kind.OBJECT, fields=fields)


STRINGS = list_of(STRING)
ID = Param(Kind.STRING, digits=True)
REQUIRED_ID = Param(Kind.STRING, required=True, digits=True)
IDS = list_of(ID)
KEY_VALUES = list_of(obj(key=REQUIRED, value=STRING))


# --- reading and parsing the body ------------------------------------------------------------


def _too_large(limit: int) -> MlflowError:
    return MlflowError(
        f"The request body is larger than {limit} bytes, the limit for an MLflow call "
        "(MODELREG_MLFLOW_MAX_BODY_BYTES). Send fewer items per call; files go through the "
        "artifact endpoints, which have their own limit.",
        status=413,
    )


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body of a request that sends JSON (GET sends none), refusing one over `limit`
    bytes by its Content-Length or, when that is absent or wrong, as it streams in."""
    if request.method in ("GET", "HEAD"):
        return b""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise _too_large(limit)
    except ClientDisconnect:
        raise MlflowError("The client closed the connection before its request was sent.") from None
    return bytes(body)


async def parse_body(raw: bytes) -> dict[str, Any]:
    """The JSON object of a body (empty: no parameters), parsed off the event loop when large."""
    if len(raw) > THREAD_PARSE_BYTES:
        return await anyio.to_thread.run_sync(parse_json, raw)
    return parse_json(raw)


def parse_json(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MlflowError(
            "The request body is not valid UTF-8; send JSON encoded as UTF-8."
        ) from None
    try:
        body = json.loads(text)
    except RecursionError:
        raise _too_deep(_deep_field(raw)) from None
    except ValueError as error:
        raise MlflowError(f"The request body is not valid JSON: {error}.") from None
    if not isinstance(body, dict):
        raise MlflowError("The request body must be a JSON object of parameters.")
    return body


def _deep_field(raw: bytes) -> str | None:
    """The top-level parameter in which `raw` nests deeper than MAX_DEPTH (None when that is
    the body itself): one pass over its strings and brackets, stopping there."""
    depth, current = 0, None
    for token in _TOKEN.finditer(raw):
        text = token.group()
        if text in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                return current
        elif text in (b"]", b"}"):
            depth -= 1
        elif depth == 1 and token.group(1):
            try:
                current = json.loads(text[: text.rindex(b'"') + 1])
            except ValueError:
                current = None
    return None


def _label(name: str | None) -> str:
    """A parameter name as a message shows it: quoted, escaped, short."""
    if name is None:
        return "the body"
    shown = name if len(name) <= 60 else name[:57] + "..."
    return "'" + shown.encode("ascii", "backslashreplace").decode() + "'"


def _too_deep(name: str | None) -> MlflowError:
    where = "The request body" if name is None else f"Parameter {_label(name)}"
    return MlflowError(
        f"{where} nests lists and objects deeper than {MAX_DEPTH} levels; MLflow's requests "
        "never do."
    )


def _storable(text: str, path: str) -> str:
    """`text`, unless it holds a lone surrogate or NUL (no database stores them)."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return text
    char = found.group()
    what = "a NUL character" if char == "\x00" else f"a lone UTF-16 surrogate (\\u{ord(char):04x})"
    raise MlflowError(
        f"Invalid value for parameter '{path}' supplied: it contains {what}, which cannot be "
        "stored; send valid Unicode text."
    )


# --- checking parameters against their declared types ---------------------------------------


def check(schema: Schema, given: Mapping[str, Any]) -> Params:
    """The declared parameters, each of its declared type (absent or null ones left out);
    anything else is ignored, as MLflow's server ignores unknown fields."""
    found: Params = {}
    for name, param in schema.items():
        value = _value(param, given.get(name), name)
        if value is not None:
            found[name] = value
    return found


def query_values(schema: Schema, request: Request) -> dict[str, Any]:
    """A GET's declared parameters from its query string: a list parameter is its repeated
    values, any other its first value (as Flask's `args.get`); "true" and "false" are booleans."""
    args = request.query_params
    given: dict[str, Any] = {}
    for name, param in schema.items():
        values = args.getlist(name)
        if not values:
            continue
        if param.kind is Kind.OBJECT or (
            param.item is not None and param.item.kind in (Kind.LIST, Kind.OBJECT)
        ):
            raise MlflowError(
                f"Parameter '{name}' holds objects, which a query string cannot carry; send it "
                "with POST as JSON."
            )
        if param.kind is Kind.LIST:
            given[name] = values
        elif param.kind is Kind.BOOL:
            given[name] = _query_bool(name, values[0])
        else:
            given[name] = values[0]
    return given


def _query_bool(name: str, value: str) -> bool | str:
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "":
        return value
    raise MlflowError(
        f"Invalid boolean value '{value[:60]}' for parameter '{name}'; use true or false."
    )


def _missing(path: str) -> MlflowError:
    return MlflowError(f"Missing value for required parameter '{path}'.")


def _wrong(param: Param, value: Any, path: str) -> MlflowError:
    shown = _show(value)
    return MlflowError(
        f"Invalid value {shown}for parameter '{path}' supplied: it must be {param.kind.value}, "
        f"not {_json_type(value)}."
    )


def _show(value: Any) -> str:
    if isinstance(value, list | dict):
        return ""
    if isinstance(value, str) and len(value) > 60:
        return json.dumps(value[:57] + "...") + " "
    text = json.dumps(value)
    return (text if len(text) <= 60 else text[:57] + "...") + " "


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _value(param: Param, value: Any, path: str) -> Any:
    """`value` as `param` declares it (None when absent), or MlflowError naming `path`."""
    if value is None or (value == "" and param.kind is not Kind.STRING):
        if param.required:
            raise _missing(path)
        return None
    kind = param.kind
    if kind is Kind.STRING:
        if not isinstance(value, str):
            raise _wrong(param, value, path)
        if value == "" and param.required:
            raise _missing(path)
        text = _storable(value, path)
        if param.digits and text and not (text.isascii() and text.isdigit()):
            raise MlflowError(
                f"Invalid value {_show(text)}for parameter '{path}' supplied: it must be an id "
                "of digits, as MLflow's ids are integers."
            )
        if param.digits and text:
            # MLflow reads the id as an integer: "007" is experiment 7.
            return text.lstrip("0") or "0"
        return text
    if kind is Kind.INT:
        return _int(param, value, path)
    if kind is Kind.DOUBLE:
        _double(param, value, path)
        return value
    if kind is Kind.BOOL:
        if not isinstance(value, bool):
            raise _wrong(param, value, path)
        return value
    if kind is Kind.ENUM:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _wrong(param, value, path)
        return _storable(value, path) if isinstance(value, str) else value
    if kind is Kind.LIST:
        if not isinstance(value, list):
            raise _wrong(param, value, path)
        item = param.item
        assert item is not None
        return [_item(item, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, dict):
        raise _wrong(param, value, path)
    found = {}
    for name, declared in param.fields.items():
        checked = _value(declared, value.get(name), f"{path}.{name}")
        if checked is not None:
            found[name] = checked
    return found


def _item(param: Param, value: Any, path: str) -> Any:
    """A list item: null is not an absent item."""
    if value is None:
        raise MlflowError(
            f"Invalid value null for parameter '{path}' supplied: it must be {param.kind.value}."
        )
    return _value(param, value, path)


def _int(param: Param, value: Any, path: str) -> int:
    """An int64 as protobuf's JSON reads one: a number without a fraction, or its digits."""
    integral = (
        isinstance(value, int)
        or (isinstance(value, float) and value.is_integer())
        or (isinstance(value, str) and _INTEGER.fullmatch(value) is not None)
    )
    if isinstance(value, bool) or not integral:
        raise _wrong(param, value, path)
    number = int(value)
    if not -_INT64 <= number < _INT64:
        raise MlflowError(
            f"Invalid value {_show(value)}for parameter '{path}' supplied: it must be a 64-bit "
            "integer."
        )
    return number


def _double(param: Param, value: Any, path: str) -> None:
    if isinstance(value, bool):
        raise _wrong(param, value, path)
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            raise MlflowError(
                f"Invalid value for parameter '{path}' supplied: it must be a number a 64-bit "
                "float can hold."
            ) from None
        return
    if isinstance(value, float):
        return
    if isinstance(value, str):
        # Also "NaN", "Infinity" and "-Infinity", as protobuf's JSON writes non-finite doubles.
        try:
            float(value)
            return
        except ValueError:
            pass
    raise _wrong(param, value, path)
