"""What the commands print besides sentences: tables, byte sizes, the transfer progress bar."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import datetime

import click


def _when(moment: datetime | None, never: str = "never") -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment is not None else never


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    for line in (headers, *rows):
        click.echo("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


class _Bar:
    """One progress bar over all bytes, on standard error, showing MiB/s; redrawn at most
    ten times a second so that a fast transfer does not spend its time drawing."""

    def __init__(self, total: int, label: str) -> None:
        self.total = total
        self.done = 0
        self.drawn = 0
        self.started = time.monotonic()
        self.last_draw = 0.0
        self._bar = click.progressbar(
            length=max(total, 1),
            label=label,
            file=sys.stderr,
            show_eta=True,
            item_show_func=self._info,
        )

    def _info(self, _item: object) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed / 1024**2
        return f"{_size(self.done)} of {_size(self.total)}  {rate:,.1f} MiB/s"

    def __enter__(self) -> _Bar:
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._flush()
        self._bar.__exit__(None, None, None)

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last_draw >= 0.1:
            self.last_draw = now
            self._flush()

    def _flush(self) -> None:
        step, self.drawn = self.done - self.drawn, self.done
        if step:
            self._bar.update(step, None)

    def rate(self, moved: int) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return f"{elapsed:.1f} s, {moved / elapsed / 1024**2:,.1f} MiB/s"
