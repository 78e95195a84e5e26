"""The MLmodel file: its flavors, python and mlflow versions, runtime fields and signature."""

from __future__ import annotations

from dataclasses import dataclass

from modelreg.domain.model_metadata.reading import _decode, _Malformed, _Warnings
from modelreg.domain.model_metadata.records import MLMODEL, Signature
from modelreg.domain.model_metadata.signature import _read_signature
from modelreg.domain.model_metadata.yaml_text import _load_yaml, _scalar_text


@dataclass(slots=True)
class _MLmodelInfo:
    flavors: tuple[str, ...] = ()
    python_version: str | None = None
    mlflow_version: str | None = None
    runtime: tuple[tuple[str, str], ...] = ()
    signature: Signature | None = None


_MLMODEL_STRUCTURED = frozenset({"flavors", "signature", "mlflow_version"})


def _read_mlmodel(path: str, data: bytes | None, warnings: _Warnings) -> _MLmodelInfo:
    info = _MLmodelInfo()
    text = _decode(MLMODEL, path, data, warnings)
    if text is None:
        return info
    document = _load_yaml(MLMODEL, path, text, warnings)
    if document is None:
        return info

    flavors = document.get("flavors")
    if isinstance(flavors, dict) and flavors:
        info.flavors = tuple(str(key) for key in flavors)
        pyfunc = flavors.get("python_function")
        if isinstance(pyfunc, dict):
            info.python_version = _scalar_text(pyfunc.get("python_version"))
    elif flavors is None or isinstance(flavors, dict):
        warnings.malformed(MLMODEL, path, f"{path} lists no flavors.")
    else:
        warnings.malformed(MLMODEL, path, f"{path} has a `flavors` field that is not a mapping.")

    info.mlflow_version = _scalar_text(document.get("mlflow_version"))
    runtime: list[tuple[str, str]] = []
    for key, value in document.items():
        key_text = _scalar_text(key)
        value_text = _scalar_text(value)
        if key_text is None or key_text in _MLMODEL_STRUCTURED or value_text is None:
            continue
        runtime.append((key_text, value_text))
    info.runtime = tuple(sorted(runtime))

    raw_signature = document.get("signature")
    if raw_signature is not None:
        try:
            info.signature = _read_signature(raw_signature)
        except _Malformed as error:
            warnings.malformed(
                MLMODEL, path, f"{path} has a signature that cannot be read: {error}."
            )
        except RecursionError:
            warnings.malformed(
                MLMODEL,
                path,
                f"{path} has a signature that cannot be read: it is nested too deeply.",
            )
    return info
