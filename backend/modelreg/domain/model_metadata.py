"""What a version's files say about the model: the MLmodel file (flavors, signature, python and
mlflow versions, runtime fields) and its dependency files (`requirements.txt`, `conda.yaml`,
`python_env.yaml`), with warnings a reviewer should see. Pure: callers pass the bytes.

Malformed files never raise; they become a MALFORMED_FILE warning and the rest is still read.

Reading rules:

- YAML is read with a safe loader (PyYAML's libyaml-based `CSafeLoader`, or the pure-Python
  `SafeLoader` when PyYAML was built without libyaml) that resolves no implicit ints, floats or
  timestamps, so `python: 3.10` stays the text "3.10" (not the float 3.1) and every scalar field
  keeps the text that was written. Booleans are rendered "true"/"false".
- Reading costs time linear in the file's size. A YAML document whose aliases (`*name`) would
  expand it past MAX_YAML_EXPANDED_SIZE (nodes plus scalar characters, counting each alias as a
  copy of what it names; a "billion laughs" bomb) or that refers to itself is not read (a
  MALFORMED_FILE warning): a document without aliases never comes near that bound.
- MLmodel: `flavors` keeps the file's order. `python_version` comes from the `python_function`
  flavor, else from python_env.yaml's `python:`, else from a pinned `python` in conda.yaml.
  `runtime` holds every other top-level scalar field (nulls are left out). Signature columns are
  matched as MLflow writes them: column specs (`required: false`, or the older `optional: true`,
  make a column optional; no key means required), tensor specs (type = numpy dtype, shape kept;
  always required), and array/object/map types described as "array<double>",
  "object{a: long, b?: string}" (properties sorted by name, "?" marks an optional one) and
  "map<string, double>". When any part of the signature (inputs, outputs or params) cannot be
  read, the whole signature is None (a half-read signature would give misleading diffs) and a
  MALFORMED_FILE warning says why; an MLmodel without a `signature` is not a warning.
- requirements.txt: blank lines and comments are skipped, inline comments stripped, backslash
  continuations joined; option lines (`-r`, `-c`, `-e`, `--index-url`, ...) and per-requirement
  options (`--hash=...`) are ignored. A line `packaging` cannot parse is a MALFORMED_FILE warning
  naming its line number; the other lines are still read. A requirement is pinned when it has
  exactly one `==` or `===` specifier without a wildcard; a direct reference (`name @ url`) is
  not pinned.
- conda.yaml: `channels`, and `dependencies` whose strings are conda match specs ("python=3.11.9",
  "numpy 1.26.4 py311_0", "conda-forge::numpy>=1") and whose `{pip: [...]}` entry lists pip
  requirements read like requirements.txt lines. A conda spec is pinned by "=1.2.3", "==1.2.3",
  "=1.2.3=build" or "name 1.2.3" (no wildcard, range or alternative).
- python_env.yaml: `python`, `build_dependencies` and `dependencies` (pip requirements; MLflow's
  `-r requirements.txt` is an option line and is skipped).
- The same package (PEP 503 name; conda names lower-cased) in several files is one Dependency:
  requirement, specifier, version and pinned come from the first source in DependencySource
  order (requirements.txt, conda packages, conda pip, python_env.yaml); `sources` lists each.

Warnings (sorted by file in METADATA_FILES order, then as found):

- UNPINNED_REQUIREMENT: one per package that requirements.txt, conda.yaml's pip list or
  python_env.yaml's `dependencies` list without an exact pin (file = the first such file).
  Conda packages (`python`, `pip`, ...) and python_env.yaml's `build_dependencies` (pip,
  setuptools, wheel: tools that build the environment, not the model's code) never are.
- CONDA_DEFAULTS_CHANNEL: once per conda.yaml whose `channels` list Anaconda's `defaults` (or
  the channels it stands for: `main`, `r`, `msys2`, `pkgs/...`, repo.anaconda.com URLs). A
  conda.yaml without `channels` is not flagged.
- MISSING_DEPENDENCY_FILE: with an MLmodel, one per dependency file missing from its directory
  (`file` is None; the message names the expected path). Without an MLmodel, nothing is missing.
- MALFORMED_FILE: a file over MAX_METADATA_FILE_BYTES (passed as None; it still counts as found),
  not UTF-8, invalid YAML, not a mapping at the top, an MLmodel without flavors or with an
  unreadable signature, a requirement line or conda entry that cannot be parsed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

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


# --------------------------------------------------------------------------------------------
# choosing the files


def _join(root: str, name: str) -> str:
    return f"{root}/{name}" if root else name


def _dirname(path: str) -> str:
    return path.rpartition("/")[0]


def _basename(path: str) -> str:
    return path.rpartition("/")[2]


def metadata_paths(paths: Iterable[str]) -> dict[str, str]:
    """Which of a version's files to read, by name in METADATA_FILES → version-relative path.

    The model root is the directory of the shallowest MLmodel (the root itself when it has one;
    ties broken by path order); the dependency files are read from that same directory. Without
    any MLmodel, dependency files at the version's root are still read.
    """
    present = set(paths)
    mlmodels = [path for path in present if _basename(path) == MLMODEL]
    chosen: dict[str, str] = {}
    root = ""
    if mlmodels:
        mlmodel = min(mlmodels, key=lambda path: (path.count("/"), path))
        chosen[MLMODEL] = mlmodel
        root = _dirname(mlmodel)
    for name in METADATA_FILES[1:]:
        path = _join(root, name)
        if path in present:
            chosen[name] = path
    return chosen


# --------------------------------------------------------------------------------------------
# low-level reading


class _Malformed(Exception):
    """Part of a file that cannot be read; it becomes a MALFORMED_FILE warning."""


class _YamlTooLarge(yaml.YAMLError):
    """A document whose aliases expand it past MAX_YAML_EXPANDED_SIZE, or refer to itself."""


def _check_expanded_size(root: yaml.Node, limit: int) -> None:
    """Refuse a composed document whose tree, with every alias expanded, exceeds `limit`
    (nodes plus scalar characters) or has a cycle. Each distinct collection is visited once
    (its expanded size is memoised), so this costs time linear in the document, not in its
    expansion."""
    sizes: dict[int, int] = {}
    # Collections on the current path, with their scalars' size and their nested collections.
    open_: dict[int, tuple[int, list[yaml.Node]]] = {}
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        entry = open_.get(key)
        if entry is None:
            if key in sizes:  # reached again through an alias: already counted
                stack.pop()
                continue
            own, nested = 1, []
            for child in _children(node):
                if isinstance(child, yaml.ScalarNode):
                    own += 1 + len(child.value)
                elif child is node or id(child) in open_:
                    raise _YamlTooLarge("an alias refers to a node that contains it")
                else:
                    nested.append(child)
            open_[key] = (own, nested)
            stack.extend(child for child in nested if id(child) not in sizes)
            continue
        stack.pop()
        del open_[key]
        own, nested = entry
        size = own + sum(sizes[id(child)] for child in nested)
        if size > limit:
            raise _YamlTooLarge(
                f"its aliases expand it to more than {limit // MAX_METADATA_FILE_BYTES} times "
                f"the {MAX_METADATA_FILE_BYTES // 1024} KiB a metadata file may have"
            )
        sizes[key] = size


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


class _BoundedLoader:
    """Mixin for a PyYAML loader: refuses alias bombs before constructing anything."""

    def get_single_data(self) -> Any:
        loader = cast(yaml.SafeLoader, self)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node, MAX_YAML_EXPANDED_SIZE)
        return loader.construct_document(node)


_TEXT_ONLY_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:value",
}


def text_loader(base: type) -> type:
    """`base` (a PyYAML safe loader class) without implicit int/float/timestamp resolution
    (scalars keep their text), refusing alias bombs."""
    loader = type(f"Text{base.__name__}", (_BoundedLoader, base), {})
    resolvers: dict[Any, list[tuple[str, Any]]] = base.yaml_implicit_resolvers  # type: ignore[attr-defined]
    loader.yaml_implicit_resolvers = {  # type: ignore[attr-defined]
        first: [(tag, pattern) for tag, pattern in found if tag not in _TEXT_ONLY_TAGS]
        for first, found in resolvers.items()
    }
    return loader


# libyaml's loader parses in C, in linear time; PyYAML built without libyaml only has the
# pure-Python one (linear too, about ten times slower).
_TextLoader = text_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))

_NOT_READ = object()


class _Warnings:
    """Warnings collected while reading, sorted by file (METADATA_FILES order) at the end."""

    def __init__(self) -> None:
        self._items: list[tuple[int, int, MetadataWarning]] = []

    def add(self, code: WarningCode, name: str, file: str | None, message: str) -> None:
        rank = METADATA_FILES.index(name)
        self._items.append((rank, len(self._items), MetadataWarning(code, file, message)))

    def malformed(self, name: str, path: str, message: str) -> None:
        self.add(WarningCode.MALFORMED_FILE, name, path, message)

    def sorted(self) -> tuple[MetadataWarning, ...]:
        return tuple(item[2] for item in sorted(self._items, key=lambda item: item[:2]))


def _decode(name: str, path: str, data: bytes | None, warnings: _Warnings) -> str | None:
    if data is None:
        warnings.malformed(
            name,
            path,
            f"{path} is larger than {MAX_METADATA_FILE_BYTES // 1024} KiB and was not read.",
        )
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        warnings.malformed(
            name, path, f"{path} is not UTF-8 text (byte {error.start}) and was not read."
        )
        return None
    return text.removeprefix("\ufeff")


def _load_yaml(name: str, path: str, text: str, warnings: _Warnings) -> dict[Any, Any] | None:
    """The top-level mapping of a YAML file; None (with a warning) when there is none."""
    try:
        document = yaml.load(text, Loader=_TextLoader)  # a safe loader subclass: safe
    except _YamlTooLarge as error:
        warnings.malformed(name, path, f"{path} was not read: {error}.")
        return None
    except yaml.MarkedYAMLError as error:
        where = f" at line {error.problem_mark.line + 1}" if error.problem_mark else ""
        problem = error.problem or error.context or "syntax error"
        warnings.malformed(name, path, f"{path} is not valid YAML{where}: {problem}.")
        return None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as error:
        warnings.malformed(name, path, f"{path} is not valid YAML: {error}.")
        return None
    if not isinstance(document, dict):
        kind = "empty" if document is None else "not a YAML mapping"
        warnings.malformed(name, path, f"{path} is {kind} and was not read.")
        return None
    return document


def _scalar_text(value: object) -> str | None:
    """A YAML scalar as text; None for null, mappings, lists and binary values."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return None


# --------------------------------------------------------------------------------------------
# MLmodel


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


# --------------------------------------------------------------------------------------------
# dependencies


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    requirement: str
    specifier: str
    version: str | None
    pinned: bool
    source: DependencySource
    file_name: str  # the METADATA_FILES name
    path: str
    # Whether an unpinned entry deserves an UNPINNED_REQUIREMENT warning.
    checked: bool


_SOURCE_ORDER = {source: rank for rank, source in enumerate(DependencySource)}
# Where a comment or the per-requirement options (`--hash=...`) start. Single characters
# before the mark, so a search never backtracks over a long run of spaces.
_COMMENT_START = re.compile(r"(?:^|\s)#")
_OPTIONS_START = re.compile(r"\s--[A-Za-z]")
_PIP_NAME = re.compile(r"\s*[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*(?:\[[^\]]*\])?\s*")


def _pip_line(line: str) -> str | None:
    """The requirement on a pip line, without comments and options; None when there is none."""
    text = _cut(line, _COMMENT_START).strip()
    if not text or text.startswith("-"):
        return None
    return _cut(text, _OPTIONS_START).strip() or None


def _cut(text: str, start: re.Pattern[str]) -> str:
    """`text` up to the first match of `start` (all of it when there is none)."""
    found = start.search(text)
    return text if found is None else text[: found.start()]


def _pip_entry(
    text: str, *, source: DependencySource, file_name: str, path: str, checked: bool
) -> _Entry:
    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        raise _Malformed(f"'{text}' is not a valid requirement ({error})") from None
    specifier = ""
    if requirement.url is None:
        written = text.split(";", 1)[0]
        match = _PIP_NAME.match(written)
        rest = written[match.end() :] if match else ""
        specifier = re.sub(r"\s+", "", rest).removeprefix("(").removesuffix(")")
        if not specifier and len(requirement.specifier) > 0:
            specifier = str(requirement.specifier)
    specs = list(requirement.specifier)
    version = None
    if (
        requirement.url is None
        and len(specs) == 1
        and specs[0].operator in ("==", "===")
        and "*" not in specs[0].version
    ):
        version = specs[0].version
    return _Entry(
        name=canonicalize_name(requirement.name),
        requirement=text,
        specifier=specifier,
        version=version,
        pinned=version is not None,
        source=source,
        file_name=file_name,
        path=path,
        checked=checked,
    )


def _read_requirements(path: str, data: bytes | None, warnings: _Warnings) -> list[_Entry]:
    text = _decode(REQUIREMENTS, path, data, warnings)
    if text is None:
        return []
    entries: list[_Entry] = []

    def add(line: str, start: int) -> None:
        requirement = _pip_line(line)
        if requirement is None:
            return
        try:
            entries.append(
                _pip_entry(
                    requirement,
                    source=DependencySource.REQUIREMENTS,
                    file_name=REQUIREMENTS,
                    path=path,
                    checked=True,
                )
            )
        except _Malformed as error:
            warnings.malformed(REQUIREMENTS, path, f"{path}, line {start}: {error}.")

    pending = ""
    start = 0
    for number, raw_line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if raw_line.endswith("\\"):
            pending += raw_line[:-1]
            continue
        line, pending = pending + raw_line, ""
        add(line, start)
    if pending:
        add(pending, start)
    return entries


def _read_pip_list(
    items: object,
    *,
    field: str,
    source: DependencySource,
    file_name: str,
    path: str,
    checked: bool,
    warnings: _Warnings,
) -> list[_Entry]:
    if items is None:
        return []
    if not isinstance(items, list):
        warnings.malformed(file_name, path, f"{path}: `{field}` is not a list.")
        return []
    entries = []
    for item in items:
        if not isinstance(item, str):
            warnings.malformed(file_name, path, f"{path}: `{field}` has an entry that is not text.")
            continue
        requirement = _pip_line(item)
        if requirement is None:
            continue
        try:
            entries.append(
                _pip_entry(
                    requirement, source=source, file_name=file_name, path=path, checked=checked
                )
            )
        except _Malformed as error:
            warnings.malformed(file_name, path, f"{path}, `{field}`: {error}.")
    return entries


_CONDA_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*")
_CONDA_VERSION = re.compile(r"[A-Za-z0-9_.+!]+")
# Channels that Anaconda's terms of service cover: `defaults` and what it stands for.
_ANACONDA_CHANNELS = frozenset({"defaults", "main", "r", "msys2", "anaconda"})


def _conda_entry(spec: str, path: str) -> _Entry:
    text = spec.strip()
    body = text.rpartition("::")[2].strip()  # drop a "channel::" prefix
    match = _CONDA_NAME.match(body)
    if not text or match is None:
        raise _Malformed(f"'{spec}' is not a conda package specification")
    name = match.group(0).lower()
    rest = body[match.end() :].strip()
    version: str | None = None
    if rest.startswith("=="):
        candidate = rest[2:].split("=", 1)[0]
    elif rest.startswith("="):
        candidate = rest[1:].split("=", 1)[0]
    elif rest and body[match.end()].isspace() and rest[0] not in "<>!~=[":
        candidate = rest.split()[0]  # "numpy 1.26.4 py311_0"
    else:
        candidate = ""
    if candidate and _CONDA_VERSION.fullmatch(candidate):
        version = candidate
    return _Entry(
        name=name,
        requirement=text,
        specifier=rest,
        version=version,
        pinned=version is not None,
        source=DependencySource.CONDA,
        file_name=CONDA,
        path=path,
        checked=False,
    )


def _is_anaconda_channel(channel: str) -> bool:
    lowered = channel.strip().lower().rstrip("/")
    if lowered in _ANACONDA_CHANNELS or lowered.startswith("pkgs/"):
        return True
    return "repo.anaconda.com" in lowered or "repo.continuum.io" in lowered


@dataclass(slots=True)
class _CondaInfo:
    channels: tuple[str, ...] = ()
    entries: tuple[_Entry, ...] = ()


def _read_conda(path: str, data: bytes | None, warnings: _Warnings) -> _CondaInfo:
    info = _CondaInfo()
    text = _decode(CONDA, path, data, warnings)
    if text is None:
        return info
    document = _load_yaml(CONDA, path, text, warnings)
    if document is None:
        return info

    channels = document.get("channels")
    if isinstance(channels, list):
        info.channels = tuple(text for c in channels if (text := _scalar_text(c)) is not None)
    elif channels is not None:
        warnings.malformed(CONDA, path, f"{path}: `channels` is not a list.")
    anaconda = [channel for channel in info.channels if _is_anaconda_channel(channel)]
    if anaconda:
        named = ", ".join(f"'{channel}'" for channel in anaconda)
        warnings.add(
            WarningCode.CONDA_DEFAULTS_CHANNEL,
            CONDA,
            path,
            f"{path} uses Anaconda's {named} channel: since Anaconda changed its terms of "
            "service, installing from it may need a commercial licence. Use conda-forge "
            "instead.",
        )

    dependencies = document.get("dependencies")
    entries: list[_Entry] = []
    if isinstance(dependencies, list):
        for item in dependencies:
            if isinstance(item, dict) and "pip" in item:
                entries.extend(
                    _read_pip_list(
                        item["pip"],
                        field="dependencies: pip",
                        source=DependencySource.CONDA_PIP,
                        file_name=CONDA,
                        path=path,
                        checked=True,
                        warnings=warnings,
                    )
                )
            elif isinstance(item, str):
                try:
                    entries.append(_conda_entry(item, path))
                except _Malformed as error:
                    warnings.malformed(CONDA, path, f"{path}, `dependencies`: {error}.")
            else:
                warnings.malformed(
                    CONDA, path, f"{path}: `dependencies` has an entry that is not a package."
                )
    elif dependencies is not None:
        warnings.malformed(CONDA, path, f"{path}: `dependencies` is not a list.")
    info.entries = tuple(entries)
    return info


@dataclass(slots=True)
class _PythonEnvInfo:
    python: str | None = None
    entries: tuple[_Entry, ...] = ()


def _read_python_env(path: str, data: bytes | None, warnings: _Warnings) -> _PythonEnvInfo:
    info = _PythonEnvInfo()
    text = _decode(PYTHON_ENV, path, data, warnings)
    if text is None:
        return info
    document = _load_yaml(PYTHON_ENV, path, text, warnings)
    if document is None:
        return info
    info.python = _scalar_text(document.get("python"))
    entries: list[_Entry] = []
    for field, checked in (("build_dependencies", False), ("dependencies", True)):
        entries.extend(
            _read_pip_list(
                document.get(field),
                field=field,
                source=DependencySource.PYTHON_ENV,
                file_name=PYTHON_ENV,
                path=path,
                checked=checked,
                warnings=warnings,
            )
        )
    info.entries = tuple(entries)
    return info


def _merge(entries: Iterable[_Entry], warnings: _Warnings) -> tuple[Dependency, ...]:
    by_name: dict[str, list[_Entry]] = {}
    for entry in sorted(entries, key=lambda entry: _SOURCE_ORDER[entry.source]):
        by_name.setdefault(entry.name, []).append(entry)
    for name, listed in by_name.items():
        unpinned = next((e for e in listed if e.checked and not e.pinned), None)
        if unpinned is not None:
            warnings.add(
                WarningCode.UNPINNED_REQUIREMENT,
                unpinned.file_name,
                unpinned.path,
                f"'{unpinned.requirement}' in {unpinned.path} is not pinned to one version: "
                f"pin it ({name}==<version>) so the model's environment is rebuilt with the "
                "version it was tested with.",
            )
    dependencies = []
    for name in sorted(by_name):
        first = by_name[name][0]
        sources = tuple(dict.fromkeys(entry.source for entry in by_name[name]))
        dependencies.append(
            Dependency(
                name=name,
                requirement=first.requirement,
                specifier=first.specifier,
                version=first.version,
                pinned=first.pinned,
                sources=sources,
            )
        )
    return tuple(dependencies)


# --------------------------------------------------------------------------------------------
# the whole


_MISSING_WHY = {
    REQUIREMENTS: "pip cannot rebuild the model's environment",
    CONDA: "conda cannot rebuild the model's environment",
    PYTHON_ENV: "virtualenv cannot rebuild the model's environment",
}


def read_metadata(files: Mapping[str, bytes | None]) -> ModelMetadata | None:
    """Parse the files chosen by `metadata_paths`, keyed by their version-relative path; a value
    of None means the file exceeded MAX_METADATA_FILE_BYTES and was not read.

    None when there is neither an MLmodel nor a dependency file.
    """
    chosen = metadata_paths(files)
    if not chosen:
        return None
    warnings = _Warnings()
    mlmodel_path = chosen.get(MLMODEL)
    root = _dirname(mlmodel_path) if mlmodel_path is not None else ""

    mlmodel = _MLmodelInfo()
    if mlmodel_path is not None:
        mlmodel = _read_mlmodel(mlmodel_path, files[mlmodel_path], warnings)
        for name in METADATA_FILES[1:]:
            if name not in chosen:
                expected = _join(root, name)
                warnings.add(
                    WarningCode.MISSING_DEPENDENCY_FILE,
                    name,
                    None,
                    f"{expected} is missing next to {mlmodel_path}: without it "
                    f"{_MISSING_WHY[name]} the way MLflow recorded it.",
                )

    entries: list[_Entry] = []
    if REQUIREMENTS in chosen:
        entries.extend(
            _read_requirements(chosen[REQUIREMENTS], files[chosen[REQUIREMENTS]], warnings)
        )
    conda = _CondaInfo()
    if CONDA in chosen:
        conda = _read_conda(chosen[CONDA], files[chosen[CONDA]], warnings)
        entries.extend(conda.entries)
    python_env = _PythonEnvInfo()
    if PYTHON_ENV in chosen:
        python_env = _read_python_env(chosen[PYTHON_ENV], files[chosen[PYTHON_ENV]], warnings)
        entries.extend(python_env.entries)
    dependencies = _merge(entries, warnings)

    python_version = mlmodel.python_version or python_env.python
    if python_version is None:
        python_version = next(
            (dep.version for dep in dependencies if dep.name == "python" and dep.version), None
        )
    return ModelMetadata(
        root=root,
        mlmodel_path=mlmodel_path,
        flavors=mlmodel.flavors,
        python_version=python_version,
        mlflow_version=mlmodel.mlflow_version,
        runtime=mlmodel.runtime,
        signature=mlmodel.signature,
        conda_channels=conda.channels,
        dependencies=dependencies,
        dependency_files=tuple(chosen[name] for name in METADATA_FILES[1:] if name in chosen),
        warnings=warnings.sorted(),
    )
