"""An MLmodel's signature: the input and output schemas (column and tensor specs, with
MLflow's array, object and map types as readable text) and the inference params."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from modelreg.domain.model_metadata.reading import _Malformed
from modelreg.domain.model_metadata.records import Column, Signature, SignatureParam


def _read_signature(raw: object) -> Signature:
    if not isinstance(raw, dict):
        raise _Malformed("`signature` is not a mapping")
    inputs = _schema_items(raw.get("inputs"), "inputs")
    outputs = _schema_items(raw.get("outputs"), "outputs")
    params = _schema_items(raw.get("params"), "params")
    return Signature(
        inputs=tuple(_column(item, index, "input") for index, item in enumerate(inputs)),
        outputs=tuple(_column(item, index, "output") for index, item in enumerate(outputs)),
        params=tuple(_param(item, index) for index, item in enumerate(params)),
    )


def _schema_items(raw: object, part: str) -> list[Any]:
    """The JSON list of a signature part; MLflow stores it as a JSON string in the YAML."""
    if raw is None:
        return []
    loaded: object = raw
    if isinstance(raw, str):
        try:
            loaded = json.loads(raw)
        except ValueError as error:
            raise _Malformed(f"its {part} are not valid JSON ({error})") from None
    if loaded is None:
        return []
    if not isinstance(loaded, list):
        raise _Malformed(f"its {part} are not a JSON list")
    return loaded


def _optional(spec: Mapping[str, Any], what: str) -> bool:
    if "required" in spec:
        required = spec["required"]
        if not isinstance(required, bool):
            raise _Malformed(f"{what} has a `required` that is not true or false")
        return not required
    if "optional" in spec:  # MLflow 2.x before `required`
        optional = spec["optional"]
        if not isinstance(optional, bool):
            raise _Malformed(f"{what} has an `optional` that is not true or false")
        return optional
    return False


def _shape(raw: object, what: str) -> tuple[int, ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(
        isinstance(size, int) and not isinstance(size, bool) for size in raw
    ):
        raise _Malformed(f"{what} has a shape that is not a list of integers")
    return tuple(raw)


def _type_text(spec: object, what: str) -> str:
    """MLflow's type as readable text: "double", "array<long>", "object{a: long, b?: string}"."""
    parts: list[str] = []
    _type_parts(spec, what, parts)
    return "".join(parts)


def _type_parts(spec: object, what: str, out: list[str]) -> None:
    """Append the pieces of `_type_text` to `out` (joined once at the end: a nested type's
    text is never copied at each level)."""
    if not isinstance(spec, dict):
        raise _Malformed(f"{what} has a type that is not a JSON object")
    kind = spec.get("type")
    if not isinstance(kind, str) or not kind:
        raise _Malformed(f"{what} has no type")
    if kind == "array":
        out.append("array<")
        _type_parts(spec.get("items"), what, out)
        out.append(">")
    elif kind == "map":
        out.append("map<string, ")
        _type_parts(spec.get("values"), what, out)
        out.append(">")
    elif kind == "object":
        properties = spec.get("properties")
        if not isinstance(properties, dict):
            raise _Malformed(f"{what} is an object without properties")
        out.append("object{")
        for index, name in enumerate(sorted(properties, key=str)):
            prop = properties[name]
            if not isinstance(prop, dict):
                raise _Malformed(f"{what} has a property {name!r} that is not a JSON object")
            mark = "?" if _optional(prop, what) else ""
            out.append(f"{', ' if index else ''}{name}{mark}: ")
            _type_parts(prop, what, out)
        out.append("}")
    else:
        out.append(kind)


def _column(item: object, index: int, part: str) -> Column:
    what = f"{part} #{index}"
    if not isinstance(item, dict):
        raise _Malformed(f"{what} is not a JSON object")
    name = item.get("name")
    if name is not None and not isinstance(name, str):
        raise _Malformed(f"{what} has a name that is not text")
    if name is not None:
        what = f"{part} {name!r}"
    if item.get("type") == "tensor":
        spec = item.get("tensor-spec")
        if not isinstance(spec, dict) or not isinstance(spec.get("dtype"), str):
            raise _Malformed(f"{what} is a tensor without a dtype")
        return Column(
            name=name,
            type=spec["dtype"],
            shape=_shape(spec.get("shape"), what),
            optional=_optional(item, what),
        )
    return Column(
        name=name, type=_type_text(item, what), shape=None, optional=_optional(item, what)
    )


def _param(item: object, index: int) -> SignatureParam:
    what = f"param #{index}"
    if not isinstance(item, dict):
        raise _Malformed(f"{what} is not a JSON object")
    name = item.get("name")
    if not isinstance(name, str) or not name:
        raise _Malformed(f"{what} has no name")
    what = f"param {name!r}"
    default = (
        json.dumps(item["default"], ensure_ascii=False, default=str) if "default" in item else None
    )
    return SignatureParam(
        name=name,
        type=_type_text(item, what),
        default=default,
        shape=_shape(item.get("shape"), what),
    )
