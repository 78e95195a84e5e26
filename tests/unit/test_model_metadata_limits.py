"""Reading hostile metadata files costs time linear in their size: libyaml's loader, no
backtracking regexes, and YAML alias bombs refused before anything is built from them."""

from __future__ import annotations

import gc
import time

import pytest
import yaml

from modelreg.domain.model_metadata import (
    MLMODEL,
    ModelMetadata,
    WarningCode,
    read_metadata,
    requirements,
    text_loader,
    yaml_text,
)
from tests.support.hostile_metadata import BUILDERS, HEADER, bomb, cycle

KiB = 1024
MiB = 1024 * KiB


def _read(name: str, data: bytes) -> ModelMetadata:
    found = read_metadata({name: data})
    assert found is not None
    return found


def _malformed(found: ModelMetadata) -> list[str]:
    return [w.message for w in found.warnings if w.code is WarningCode.MALFORMED_FILE]


def _fastest(name: str, data: bytes, runs: int = 3) -> tuple[float, ModelMetadata]:
    """The least of `runs` reading times: noise from other processes only adds time. The
    garbage collector is paused while timing: its full passes cost in proportion to the whole
    test process's heap, which would blur the growth of the reading itself."""
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(runs):
            start = time.perf_counter()
            found = read_metadata({name: data})
            best = min(best, time.perf_counter() - start)
    finally:
        gc.enable()
    assert found is not None
    return best, found


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
def test_yaml_is_read_by_libyaml() -> None:
    # The pure-Python loader is linear too but about ten times slower: a 1 MiB MLmodel of
    # tiny nodes took 10 s with it.
    assert issubclass(yaml_text._TextLoader, yaml.CSafeLoader)


@pytest.mark.parametrize("shape", sorted(BUILDERS))
def test_reading_time_grows_linearly_with_the_size(shape: str) -> None:
    name, small = BUILDERS[shape](32 * KiB)
    _, large = BUILDERS[shape](512 * KiB)
    assert (len(small), len(large)) == (32 * KiB, 512 * KiB)
    small_time, _ = _fastest(name, small)
    large_time, found = _fastest(name, large)
    # The files are read (not refused), so their whole content was parsed.
    assert not any("aliases" in message for message in _malformed(found))
    if name == MLMODEL:
        assert found.flavors == ("python_function", "sklearn")
    else:
        assert found.dependencies
    # 16 times the bytes: about 16 times the time when linear, 256 when quadratic (a
    # backtracking regex on a run of spaces took 114 s for a 1 MiB requirements file).
    ratio = large_time / max(small_time, 1e-4)
    assert ratio < 48, f"{shape}: {small_time * 1000:.1f} ms -> {large_time * 1000:.1f} ms"


@pytest.mark.parametrize(
    ("levels", "width", "where"),
    [(10, 10, "lol"), (10, 4, "default"), (60, 2, "lol")],
    ids=["billion-laughs", "million-in-a-default", "deep-pairs"],
)
def test_alias_bombs_are_refused_at_once(levels: int, width: int, where: str) -> None:
    text = bomb(levels, width, where)
    assert len(text) < 2 * KiB
    start = time.perf_counter()
    found = _read(MLMODEL, text)
    elapsed = time.perf_counter() - start
    assert _malformed(found) == [
        "MLmodel was not read: its aliases expand it to more than 4 times the 1024 KiB a "
        "metadata file may have."
    ]
    assert found.flavors == () and found.signature is None
    assert elapsed < 1.0  # the check visits each distinct node once


@pytest.mark.parametrize(
    "text",
    [
        cycle(),
        (HEADER + "a: &a [*a]\n").encode(),
        (HEADER + "a: &a {k: *a}\n").encode(),
        b"&top {flavors: {x: {}}, k: [[*top]]}\n",
    ],
    ids=["in-a-default", "list", "mapping", "document"],
)
def test_an_alias_inside_itself_is_refused(text: bytes) -> None:
    # In a param's default it used to escape as ValueError ("Circular reference detected"):
    # an internal error for checkVersion and for the upload.
    found = _read(MLMODEL, text)
    assert _malformed(found) == [
        "MLmodel was not read: an alias refers to a node that contains it."
    ]
    assert found.signature is None


def test_ordinary_aliases_are_read() -> None:
    mlmodel = HEADER + (
        "signature:\n"
        '  inputs: &columns \'[{"type": "long", "name": "a"}]\'\n'
        "  outputs: *columns\n"
        "shared: &shared {x: 1}\n"
        "again: *shared\n"
    )
    conda = (
        "channels: &ch [conda-forge]\n"
        "dependencies:\n- &py python=3.11.9\n- pip:\n  - numpy==2.1.0\n"
        "extra: [*ch, *py]\n"
    )
    found = read_metadata({MLMODEL: mlmodel.encode(), "conda.yaml": conda.encode()})
    assert found is not None
    assert _malformed(found) == []
    assert found.signature is not None
    assert found.signature.inputs == found.signature.outputs
    assert [(d.name, d.version) for d in found.dependencies] == [
        ("numpy", "2.1.0"),
        ("python", "3.11.9"),
    ]


def test_documents_without_aliases_stay_far_below_the_alias_bound() -> None:
    # The most nodes 1 MiB can hold (one per two bytes) counts under half the bound.
    name, data = BUILDERS["tiny nodes"](MiB)
    assert _malformed(_read(name, data)) == []
    node = yaml.compose(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    yaml_text._check_expanded_size(node, yaml_text.MAX_YAML_EXPANDED_SIZE // 2)


def test_pure_python_loader_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where PyYAML has no libyaml, the pure-Python loader is used with the same rules."""
    texts = {
        "plain": (
            HEADER + "mlflow_version: 2.10\nsize: 0x10\nflag: yes\nwhen: 2024-01-01\n"
        ).encode(),
        "bomb": bomb(10, 4, "default"),
        "cycle": cycle(),
    }
    with_c = {key: _read(MLMODEL, text) for key, text in texts.items()}
    monkeypatch.setattr(yaml_text, "_TextLoader", text_loader(yaml.SafeLoader))
    pure = {key: _read(MLMODEL, text) for key, text in texts.items()}
    assert pure == with_c
    assert pure["plain"].mlflow_version == "2.10"
    assert dict(pure["plain"].runtime)["flag"] == "true"
    assert dict(pure["plain"].runtime)["when"] == "2024-01-01"


@pytest.mark.parametrize(
    ("line", "requirement"),
    [
        ("numpy==1.26.4 --hash=sha256:abc --hash=sha256:def", "numpy==1.26.4"),
        ("numpy==1.26.4      --config-settings=x", "numpy==1.26.4"),
        ("pandas>=2  # the data frames", "pandas>=2"),
        ("pandas>=2#not-a-comment", "pandas>=2#not-a-comment"),
        ("# only a comment", None),
        ("--index-url https://example.org/simple", None),
        ("scipy --no-binary", "scipy"),
        ("torch==2.4.0+cpu", "torch==2.4.0+cpu"),
    ],
)
def test_comments_and_options_are_cut_from_pip_lines(line: str, requirement: str | None) -> None:
    assert requirements._pip_line(line) == requirement
