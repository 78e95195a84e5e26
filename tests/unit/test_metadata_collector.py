"""Metadata is parsed off the event loop with the cyclic garbage collector paused: a collection
triggered by the parse's allocations would run in the parsing thread holding the GIL and block
the loop (tests/integration/test_metadata_limits.py measures that end to end)."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from modelreg.services import metadata


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_paused_for_the_parse_only(
    monkeypatch: pytest.MonkeyPatch, collector_on: None
) -> None:
    seen: list[tuple[bool, bool]] = []

    def parse(files: Any) -> None:
        seen.append((gc.isenabled(), threading.current_thread() is threading.main_thread()))

    monkeypatch.setattr(metadata, "read_metadata", parse)
    asyncio.run(metadata.read_metadata_off_loop({"MLmodel": b"flavors: {}"}))
    assert seen == [(False, False)]  # paused, and in a worker thread
    assert gc.isenabled()

    def failing(files: Any) -> None:
        raise ValueError("broken parser")

    monkeypatch.setattr(metadata, "read_metadata", failing)
    with pytest.raises(ValueError):
        asyncio.run(metadata.read_metadata_off_loop({"MLmodel": b""}))
    assert gc.isenabled()


def test_overlapping_parses_resume_the_collector_after_the_last(
    monkeypatch: pytest.MonkeyPatch, collector_on: None
) -> None:
    first_in, second_in, first_may_end, second_may_end = (threading.Event() for _ in range(4))
    states: dict[str, bool] = {}

    def parse(files: Any) -> None:
        if "first" in files:
            first_in.set()
            first_may_end.wait(5)
        else:
            second_in.set()
            second_may_end.wait(5)
            states["second, after the first ended"] = gc.isenabled()

    monkeypatch.setattr(metadata, "read_metadata", parse)

    async def both() -> None:
        first = asyncio.create_task(metadata.read_metadata_off_loop({"first": b""}))
        await asyncio.to_thread(first_in.wait, 5)
        second = asyncio.create_task(metadata.read_metadata_off_loop({"second": b""}))
        await asyncio.to_thread(second_in.wait, 5)
        first_may_end.set()
        await first
        states["between the two ends"] = gc.isenabled()
        second_may_end.set()
        await second

    asyncio.run(both())
    assert states == {"between the two ends": False, "second, after the first ended": False}
    assert gc.isenabled()


def test_a_collector_the_process_turned_off_stays_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metadata, "read_metadata", lambda files: None)
    was = gc.isenabled()
    gc.disable()
    try:
        asyncio.run(metadata.read_metadata_off_loop({"MLmodel": b""}))
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()
