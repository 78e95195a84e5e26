"""The environment files: conda.yaml (channels, conda packages and its pip list) and
python_env.yaml (python, build dependencies and dependencies)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from modelreg.domain.model_metadata.reading import _decode, _Malformed, _Warnings
from modelreg.domain.model_metadata.records import (
    CONDA,
    PYTHON_ENV,
    DependencySource,
    WarningCode,
)
from modelreg.domain.model_metadata.requirements import _Entry, _read_pip_list
from modelreg.domain.model_metadata.yaml_text import _load_yaml, _scalar_text

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
