"""The records a version's metadata files are read into (ModelMetadata, its signature,
dependencies and warnings), the names and size limits of those files, and ModelMetadata's
JSON round trip."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

MLMODEL = "MLmodel"
REQUIREMENTS = "requirements.txt"
CONDA = "conda.yaml"
PYTHON_ENV = "python_env.yaml"
METADATA_FILES = (MLMODEL, REQUIREMENTS, CONDA, PYTHON_ENV)
# Larger metadata files are not read (a MALFORMED_FILE warning says so).
MAX_METADATA_FILE_BYTES = 1024 * 1024
# How big a YAML document may become once its aliases are expanded, in nodes plus scalar
# characters. Without aliases a document has at most about two units per byte, so only
# documents that multiply their content through aliases reach it.
MAX_YAML_EXPANDED_SIZE = 4 * MAX_METADATA_FILE_BYTES


class WarningCode(StrEnum):
    UNPINNED_REQUIREMENT = "UNPINNED_REQUIREMENT"
    CONDA_DEFAULTS_CHANNEL = "CONDA_DEFAULTS_CHANNEL"
    MISSING_DEPENDENCY_FILE = "MISSING_DEPENDENCY_FILE"
    MALFORMED_FILE = "MALFORMED_FILE"


@dataclass(frozen=True, slots=True)
class MetadataWarning:
    code: WarningCode
    # Version-relative path of the file concerned; None when the warning is about a missing file
    # that has no path (the message names it).
    file: str | None
    message: str


@dataclass(frozen=True, slots=True)
class Column:
    """One input or output of a signature: a named column (`colspec`) or a tensor."""

    # None for unnamed tensors and unnamed columns; diffs then match by position ("#0", "#1").
    name: str | None
    # MLflow's type: "double", "long", "string", "boolean", "binary", "datetime", "float",
    # "integer", an "array<...>"/"object"/"map" description, or a tensor's numpy dtype ("float64").
    type: str
    shape: tuple[int, ...] | None
    optional: bool


@dataclass(frozen=True, slots=True)
class SignatureParam:
    """An inference parameter of the signature's `params` schema."""

    name: str
    type: str
    default: str | None  # JSON text of the default
    shape: tuple[int, ...] | None


@dataclass(frozen=True, slots=True)
class Signature:
    inputs: tuple[Column, ...]
    outputs: tuple[Column, ...]
    params: tuple[SignatureParam, ...]


class DependencySource(StrEnum):
    REQUIREMENTS = "REQUIREMENTS"  # requirements.txt
    CONDA = "CONDA"  # conda.yaml `dependencies` (conda packages)
    CONDA_PIP = "CONDA_PIP"  # conda.yaml `dependencies: - pip: [...]`
    PYTHON_ENV = "PYTHON_ENV"  # python_env.yaml `build_dependencies` / `dependencies`


@dataclass(frozen=True, slots=True)
class Dependency:
    # Normalised project name (PEP 503: lower case, runs of -_. become "-"); conda packages are
    # lower-cased. "python" appears here when conda.yaml pins it.
    name: str
    # The requirement as written in the first file that lists it ("scikit-learn==1.5.2").
    requirement: str
    # The version specifier alone ("==1.5.2", ">=1.0,<2"; "" when none).
    specifier: str
    # The exact version when pinned with == or === (or conda's "=1.2.3"/"==1.2.3"), else None.
    version: str | None
    pinned: bool
    # Every file that lists it, in METADATA_FILES order.
    sources: tuple[DependencySource, ...]


@dataclass(frozen=True, slots=True)
class ModelMetadata:
    # Directory (version-relative, "" for the root) holding the MLmodel and dependency files.
    root: str
    mlmodel_path: str | None
    flavors: tuple[str, ...]
    python_version: str | None
    mlflow_version: str | None
    # Other top-level scalar MLmodel fields (model_uuid, utc_time_created, databricks_runtime,
    # model_size_bytes, ...), as text, sorted by key.
    runtime: tuple[tuple[str, str], ...]
    signature: Signature | None
    conda_channels: tuple[str, ...]
    dependencies: tuple[Dependency, ...]  # sorted by name
    dependency_files: tuple[str, ...]  # version-relative paths of the dependency files found
    warnings: tuple[MetadataWarning, ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible document; `from_json(to_json())` gives an equal object."""
        return {
            "root": self.root,
            "mlmodel_path": self.mlmodel_path,
            "flavors": list(self.flavors),
            "python_version": self.python_version,
            "mlflow_version": self.mlflow_version,
            "runtime": [[key, value] for key, value in self.runtime],
            "signature": None if self.signature is None else _signature_to_json(self.signature),
            "conda_channels": list(self.conda_channels),
            "dependencies": [
                {
                    "name": dep.name,
                    "requirement": dep.requirement,
                    "specifier": dep.specifier,
                    "version": dep.version,
                    "pinned": dep.pinned,
                    "sources": [source.value for source in dep.sources],
                }
                for dep in self.dependencies
            ],
            "dependency_files": list(self.dependency_files),
            "warnings": [
                {"code": w.code.value, "file": w.file, "message": w.message} for w in self.warnings
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ModelMetadata:
        signature = data.get("signature")
        return cls(
            root=str(data["root"]),
            mlmodel_path=data.get("mlmodel_path"),
            flavors=tuple(str(flavor) for flavor in data.get("flavors", ())),
            python_version=data.get("python_version"),
            mlflow_version=data.get("mlflow_version"),
            runtime=tuple((str(key), str(value)) for key, value in data.get("runtime", ())),
            signature=None if signature is None else _signature_from_json(signature),
            conda_channels=tuple(str(channel) for channel in data.get("conda_channels", ())),
            dependencies=tuple(
                Dependency(
                    name=str(dep["name"]),
                    requirement=str(dep["requirement"]),
                    specifier=str(dep["specifier"]),
                    version=dep.get("version"),
                    pinned=bool(dep["pinned"]),
                    sources=tuple(DependencySource(source) for source in dep["sources"]),
                )
                for dep in data.get("dependencies", ())
            ),
            dependency_files=tuple(str(path) for path in data.get("dependency_files", ())),
            warnings=tuple(
                MetadataWarning(
                    code=WarningCode(w["code"]), file=w.get("file"), message=str(w["message"])
                )
                for w in data.get("warnings", ())
            ),
        )


def _shape_to_json(shape: tuple[int, ...] | None) -> list[int] | None:
    return None if shape is None else list(shape)


def _shape_from_json(shape: Iterable[int] | None) -> tuple[int, ...] | None:
    return None if shape is None else tuple(int(size) for size in shape)


def _column_to_json(column: Column) -> dict[str, Any]:
    return {
        "name": column.name,
        "type": column.type,
        "shape": _shape_to_json(column.shape),
        "optional": column.optional,
    }


def _column_from_json(data: Mapping[str, Any]) -> Column:
    return Column(
        name=data.get("name"),
        type=str(data["type"]),
        shape=_shape_from_json(data.get("shape")),
        optional=bool(data.get("optional", False)),
    )


def _signature_to_json(signature: Signature) -> dict[str, Any]:
    return {
        "inputs": [_column_to_json(column) for column in signature.inputs],
        "outputs": [_column_to_json(column) for column in signature.outputs],
        "params": [
            {
                "name": param.name,
                "type": param.type,
                "default": param.default,
                "shape": _shape_to_json(param.shape),
            }
            for param in signature.params
        ],
    }


def _signature_from_json(data: Mapping[str, Any]) -> Signature:
    return Signature(
        inputs=tuple(_column_from_json(column) for column in data.get("inputs", ())),
        outputs=tuple(_column_from_json(column) for column in data.get("outputs", ())),
        params=tuple(
            SignatureParam(
                name=str(param["name"]),
                type=str(param["type"]),
                default=param.get("default"),
                shape=_shape_from_json(param.get("shape")),
            )
            for param in data.get("params", ())
        ),
    )
