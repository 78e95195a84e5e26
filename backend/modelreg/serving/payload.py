"""A POST /invocations body to model input, as `mlflow models serve` reads it: JSON with exactly
one of dataframe_split, dataframe_records, instances, inputs (and optional params), or CSV.

Parsing uses MLflow's own converters (mlflow.utils.proto_json_utils, pandas) so the model sees
what it would under `mlflow models serve`; this module adds strict checks of the JSON's shape.
Blocking and CPU-bound: call it in a worker thread.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

FORMATS = ("dataframe_split", "dataframe_records", "instances", "inputs")
PARAMS = "params"
JSON = "application/json"
CSV = "text/csv"


@dataclass(frozen=True, slots=True)
class ServingError(Exception):
    """A refused request: HTTP status, MLflow-style error code and a sentence for a person."""

    status: int
    code: str
    message: str

    def body(self) -> dict[str, str]:
        return {"error_code": self.code, "message": self.message}


def bad(message: str) -> ServingError:
    return ServingError(400, "BAD_REQUEST", message)


def media_type(content_type: str) -> str:
    """The media type of a Content-Type header, checked: JSON or CSV in UTF-8, else 415."""
    mime, *parameters = (part.strip() for part in content_type.split(";"))
    mime = mime.lower()
    if mime not in (JSON, CSV):
        shown = mime or "none"
        raise ServingError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"Content-Type {shown!r} is not supported; send application/json or text/csv",
        )
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() != "charset" or value.strip().strip('"').lower() != "utf-8":
            raise ServingError(
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                f"the Content-Type parameter {parameter!r} is not supported; only charset=utf-8",
            )
    return mime


def parse(body: bytes, mime: str) -> tuple[Any, dict[str, Any] | None]:
    """(model input, params or None) from a body of media type `mime` (JSON or CSV)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad("the request body is not valid UTF-8") from None
    if mime == CSV:
        return _csv(text), None
    return _json(text)


def _csv(text: str) -> Any:
    import pandas as pd  # type: ignore[import-untyped]

    if not text.strip():
        raise bad("the CSV body is empty; send a header line and at least one row")
    try:
        return pd.read_csv(io.StringIO(text))
    except (ValueError, pd.errors.ParserError) as exc:
        reason = " ".join(str(exc).split())[:300]
        raise bad(f"the body is not CSV as pandas.DataFrame.to_csv writes it: {reason}") from None


def _json(text: str) -> tuple[Any, dict[str, Any] | None]:
    try:
        document = json.loads(text)
    except RecursionError:
        raise bad("the JSON body is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise bad(
            f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(document, dict):
        raise bad(f"the JSON body must be an object with exactly one of the keys {_keys()}")
    unknown = sorted(set(document) - {*FORMATS, PARAMS})
    if unknown:
        raise bad(
            f"unknown key(s) {', '.join(repr(k) for k in unknown)} in the JSON body; "
            f"use exactly one of {_keys()} (and optionally 'params')"
        )
    present = [key for key in FORMATS if key in document]
    if len(present) != 1:
        raise bad(f"the JSON body must have exactly one of the keys {_keys()}")
    params = document.get(PARAMS)
    if params is not None and not isinstance(params, dict):
        raise bad("'params' must be a JSON object of parameter names to values")
    key = present[0]
    return _convert(key, document[key]), params


def _convert(key: str, value: Any) -> Any:
    from mlflow.exceptions import MlflowException
    from mlflow.utils.proto_json_utils import dataframe_from_parsed_json, parse_tf_serving_input

    if key == "dataframe_split" and not (
        isinstance(value, dict) and isinstance(value.get("data"), list)
    ):
        raise bad("'dataframe_split' must be an object with 'columns' and a 'data' list of rows")
    if key == "dataframe_records" and not (
        isinstance(value, list) and all(isinstance(row, dict) for row in value)
    ):
        raise bad("'dataframe_records' must be a list of objects, one per row")
    try:
        if key in ("instances", "inputs"):
            return parse_tf_serving_input({key: value})  # type: ignore[no-untyped-call]
        orient = key.removeprefix("dataframe_")
        return dataframe_from_parsed_json(value, pandas_orient=orient)  # type: ignore[no-untyped-call]
    except RecursionError:
        raise bad(f"'{key}' is nested too deeply") from None
    except (MlflowException, ValueError, TypeError, KeyError, AssertionError) as exc:
        reason = " ".join(str(getattr(exc, "message", exc)).split())[:300]
        raise bad(f"could not read '{key}': {reason}") from None


def _keys() -> str:
    return ", ".join(repr(k) for k in FORMATS)
