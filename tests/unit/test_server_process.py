"""A server process collects its youngest garbage generation every GC_YOUNG_THRESHOLD
allocations (`modelreg serve`, one process or several); `create_app` alone leaves it alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from modelreg import app as app_module
from modelreg.cli import server
from modelreg.settings import Settings


@pytest.fixture
def default_thresholds() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*saved)


def test_create_app_keeps_the_callers_collector(
    tmp_path: Path, default_thresholds: tuple[int, int, int]
) -> None:
    app_module.create_app(Settings(data_dir=tmp_path))
    assert gc.get_threshold() == default_thresholds


def test_a_served_process_collects_young_objects_less_often(
    tmp_path: Path, default_thresholds: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    server._app(Settings(data_dir=tmp_path))  # one process: `modelreg serve`
    assert gc.get_threshold() == (app_module.GC_YOUNG_THRESHOLD, 10, 10)

    gc.set_threshold(*default_thresholds)
    monkeypatch.setenv("MODELREG_DATA_DIR", str(tmp_path))
    app_module.app_from_environment()  # each process of `modelreg serve --workers N`
    assert gc.get_threshold() == (app_module.GC_YOUNG_THRESHOLD, 10, 10)

    gc.set_threshold(50_000, 10, 10)  # a higher setting is kept
    app_module.tune_garbage_collector()
    assert gc.get_threshold() == (50_000, 10, 10)
