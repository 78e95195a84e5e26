"""`StreamWriter`: a received stream written whole and in order, in blocks on a worker thread,
flushed to disk while it arrives and fsynced by `finish`; write errors reach the caller."""

from __future__ import annotations

import hashlib
import random
import threading
from pathlib import Path
from typing import Any

import pytest

from modelreg import stream_writer
from modelreg.stream_writer import BLOCK, StreamWriter

KiB, MiB = 1024, 1024 * 1024


def _data(size: int) -> bytes:
    return random.Random(3).randbytes(size)


def _feed(writer: StreamWriter, data: bytes, piece: int = 64 * KiB) -> None:
    for offset in range(0, len(data), piece):
        writer.write(data[offset : offset + piece])


def test_the_file_and_its_hash_are_the_stream_in_order(tmp_path: Path) -> None:
    data = _data(3 * BLOCK + 12_345)
    hasher = hashlib.sha256()
    target = tmp_path / "f.part"
    with target.open("wb") as out, StreamWriter(out, hasher) as writer:
        _feed(writer, data, piece=60_001)  # pieces that straddle the blocks
        writer.finish()
    assert target.read_bytes() == data
    assert hasher.hexdigest() == hashlib.sha256(data).hexdigest()


def test_blocks_are_written_on_a_worker_thread_and_flushed_before_the_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream_writer, "SYNC_EVERY", BLOCK)
    caller = threading.get_ident()
    written: list[tuple[int, int]] = []  # (bytes in the block, thread)
    flushed_after: list[int] = []  # bytes handed over when each background flush ran
    handed = 0
    write_block = StreamWriter._write_block

    def recording_write(self: Any, block: list[bytes]) -> None:
        written.append((sum(len(c) for c in block), threading.get_ident()))
        write_block(self, block)

    def recording_sync(fd: int) -> None:
        flushed_after.append(handed)

    monkeypatch.setattr(StreamWriter, "_write_block", recording_write)
    monkeypatch.setattr(stream_writer, "_datasync", recording_sync)
    data = _data(4 * BLOCK)
    with (tmp_path / "f").open("wb") as out, StreamWriter(out, hashlib.sha256()) as writer:
        for offset in range(0, len(data), 64 * KiB):
            writer.write(data[offset : offset + 64 * KiB])
            handed = offset + 64 * KiB
        writer.finish()
    assert [size for size, _ in written] == [BLOCK] * 4
    assert all(thread != caller for _, thread in written)
    assert flushed_after and min(flushed_after) < len(data), "no flush before the end"


def test_a_write_error_reaches_the_caller(tmp_path: Path) -> None:
    target = tmp_path / "f"
    target.write_bytes(b"")
    with (
        target.open("rb") as read_only,  # writing to it fails with an OSError
        pytest.raises(OSError),
        StreamWriter(read_only, hashlib.sha256()) as writer,
    ):
        _feed(writer, _data(2 * BLOCK + 1))
        writer.finish()
