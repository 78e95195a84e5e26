"""Choosing which of a version's files to read, and combining what they say into one
ModelMetadata: dependencies merged across files, missing files flagged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from modelreg.domain.model_metadata.environments import (
    _CondaInfo,
    _PythonEnvInfo,
    _read_conda,
    _read_python_env,
)
from modelreg.domain.model_metadata.mlmodel import _MLmodelInfo, _read_mlmodel
from modelreg.domain.model_metadata.reading import _Warnings
from modelreg.domain.model_metadata.records import (
    CONDA,
    METADATA_FILES,
    MLMODEL,
    PYTHON_ENV,
    REQUIREMENTS,
    Dependency,
    DependencySource,
    ModelMetadata,
    WarningCode,
)
from modelreg.domain.model_metadata.requirements import _Entry, _read_requirements

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
# dependencies named in several files


_SOURCE_ORDER = {source: rank for rank, source in enumerate(DependencySource)}


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
