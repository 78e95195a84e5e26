"""The model's input signature, checked before the model runs, with messages that name the
column or tensor at fault. Without a signature everything passes through. Blocking: worker
thread."""

from __future__ import annotations

import numbers
from typing import Any

from modelreg.serving.payload import bad

_INTEGRAL = {"integer", "long"}
_FLOATING = {"float", "double"}


def check(data: Any, schema: Any) -> None:
    """Raises a 400 ServingError when `data` cannot be what `schema` (an MLflow Schema, or None)
    describes."""
    if schema is None or not getattr(schema, "inputs", None):
        return
    if schema.is_tensor_spec():
        _check_tensors(data, schema)
    else:
        _check_columns(data, schema)


def _check_columns(data: Any, schema: Any) -> None:
    import pandas as pd  # type: ignore[import-untyped]

    if not schema.has_input_names():
        return
    if isinstance(data, dict):
        try:
            data = pd.DataFrame(data)
        except (ValueError, TypeError):
            raise bad(
                "the input is not a table of columns, as the model's signature expects"
            ) from None
    if not isinstance(data, pd.DataFrame):
        raise bad("the model's signature expects named columns; send dataframe_split or CSV")
    for spec in schema.inputs:
        name = spec.name
        if name not in data.columns:
            if getattr(spec, "required", True):
                raise bad(f"column '{name}' is missing; the model's signature requires it")
            continue
        kind = getattr(getattr(spec, "type", None), "name", None)
        if kind is not None:
            _check_column(name, data[name], kind)


def _check_column(name: str, column: Any, kind: str) -> None:
    import pandas as pd

    values = column[column.notna()]
    if values.empty:
        return
    if kind in _INTEGRAL or kind in _FLOATING:
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            wrong = values[~values.map(_number)]
        else:
            wrong = values.iloc[0:0]
        if kind in _INTEGRAL and wrong.empty:
            wrong = values[values.map(lambda v: float(v) % 1 != 0)]
        if not wrong.empty:
            expected = "an integer" if kind in _INTEGRAL else "a number"
            raise bad(f"column '{name}' must hold {expected} ({kind}); got {_shown(wrong.iloc[0])}")
    elif kind == "boolean":
        wrong = values[~values.map(lambda v: isinstance(v, bool) or v in (0, 1))]
        if not wrong.empty:
            raise bad(f"column '{name}' must hold true or false; got {_shown(wrong.iloc[0])}")
    elif kind == "string":
        wrong = values[values.map(lambda v: isinstance(v, list | dict))]
        if not wrong.empty:
            raise bad(f"column '{name}' must hold a string; got {_shown(wrong.iloc[0])}")
    elif kind == "datetime":
        parsed = pd.to_datetime(values, errors="coerce")
        wrong = values[parsed.isna()]
        if not wrong.empty:
            raise bad(f"column '{name}' must hold a date and time; got {_shown(wrong.iloc[0])}")


def _shown(value: Any) -> str:
    """A value as the person sent it (a numpy scalar as the plain number)."""
    return repr(value.item() if hasattr(value, "item") else value)


def _number(value: Any) -> bool:
    import numpy as np

    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _check_tensors(data: Any, schema: Any) -> None:
    import numpy as np

    specs = schema.inputs
    if len(specs) == 1 and not isinstance(data, dict):
        _check_tensor(specs[0].name or "input", data, specs[0])
        return
    if not isinstance(data, dict):
        raise bad("the model's signature expects named tensors; send 'inputs' as an object")
    for spec in specs:
        if spec.name not in data:
            raise bad(f"tensor '{spec.name}' is missing; the model's signature requires it")
        _check_tensor(spec.name, np.asarray(data[spec.name]), spec)


def _check_tensor(name: str, array: Any, spec: Any) -> None:
    import numpy as np

    try:
        array = np.asarray(array)
    except (ValueError, TypeError):
        raise bad(f"tensor '{name}' is ragged: every row must have the same shape") from None
    shape = tuple(spec.shape)
    if array.ndim != len(shape) or any(
        want != -1 and want != have for want, have in zip(shape, array.shape, strict=False)
    ):
        raise bad(
            f"tensor '{name}' has shape {list(array.shape)}; the signature expects {list(shape)}"
            " (-1: any size)"
        )
    want = np.dtype(spec.type)
    if array.dtype.kind == "O" or not np.can_cast(array.dtype, want, casting="same_kind"):
        raise bad(f"tensor '{name}' holds {array.dtype} values; the signature expects {want}")
