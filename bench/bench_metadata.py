"""Metadata parsing: modelreg's reading of hostile MLmodel and dependency files, against PyYAML's
plain `CSafeLoader` on the same bytes, and against the pure-Python loader used before.

For each shape of tests/support/hostile_metadata.py (tiny nodes, many keys, a long line, a huge
signature JSON string, deep nesting, a deeply nested signature type, runs of spaces in
requirement lines, comment marks in conda pip entries, a mix) and each size, three timings, the
least of `--repeat` runs each (other processes only ever add time):

- `CSafeLoader`: `yaml.load(text, Loader=yaml.CSafeLoader)`, the baseline: libyaml plus PyYAML's
  object construction, nothing of ours;
- `modelreg`: `read_metadata` as the server runs it (libyaml with text-only scalars, the alias
  check, the signature, requirements and warnings);
- `pure-Python`: the same `read_metadata` with PyYAML's pure-Python `SafeLoader` underneath, as
  before issue 14 (without the quadratic regexes issue 14 also removed).

Then the alias bombs: a "billion laughs" of 10 levels of 10 aliases, refused before it is built.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))  # for tests.support

from tests.support.hostile_metadata import BUILDERS, bomb  # noqa: E402

from harness import fmt  # noqa: E402
from modelreg.domain.model_metadata import read_metadata, text_loader, yaml_text  # noqa: E402

KIB = 1024


def fastest(run: Callable[[], object], repeat: int) -> float:
    """The least of `repeat` runs, in ms, with the garbage collector paused while timing."""
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - start)
    finally:
        gc.enable()
    return best * 1000


def plain_csafe(data: bytes) -> Callable[[], object]:
    def run() -> object:
        try:
            return yaml.load(data, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            return None

    return run


def ours(name: str, data: bytes, loader: type | None = None) -> Callable[[], object]:
    def run() -> object:
        if loader is None:
            return read_metadata({name: data})
        saved = yaml_text._TextLoader
        yaml_text._TextLoader = loader
        try:
            return read_metadata({name: data})
        finally:
            yaml_text._TextLoader = saved

    return run


def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    pure = text_loader(yaml.SafeLoader)
    rows = []
    for shape, build in BUILDERS.items():
        for size in args.sizes:
            name, data = build(size * KIB)
            row: dict[str, Any] = {"shape": shape, "file": name, "size_kib": size}
            row["csafe_ms"] = fastest(plain_csafe(data), args.repeat)
            row["modelreg_ms"] = fastest(ours(name, data), args.repeat)
            row["pure_ms"] = (
                fastest(ours(name, data, pure), args.pure_repeat) if args.pure else None
            )
            rows.append(row)
            print(
                f"  {shape:<20} {size:>6} KiB  csafe {row['csafe_ms']:9.1f} ms  "
                f"modelreg {row['modelreg_ms']:9.1f} ms",
                flush=True,
            )
    for levels, width in ((10, 10), (30, 2)):
        data = bomb(levels, width)
        rows.append(
            {
                "shape": f"alias bomb {width}^{levels}",
                "file": "MLmodel",
                "size_kib": len(data) / KIB,
                "csafe_ms": fastest(plain_csafe(data), args.repeat),
                "modelreg_ms": fastest(ours("MLmodel", data), args.repeat),
                "pure_ms": fastest(ours("MLmodel", data, pure), args.repeat) if args.pure else None,
            }
        )
    return rows


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def print_report(rows: list[dict[str, Any]]) -> None:
    print(
        "\nparse time, least of the runs (ms); "
        "ratios: modelreg / CSafeLoader, pure-Python / modelreg"
    )
    head = ("shape", "KiB", "CSafeLoader", "modelreg", "x CSafe", "pure-Python", "speed-up")
    print(f"{head[0]:<22}{head[1]:>7}" + "".join(f"{h:>13}" for h in head[2:]))
    for r in rows:
        cells = [
            fmt(r["csafe_ms"]),
            fmt(r["modelreg_ms"]),
            fmt(ratio(r["modelreg_ms"], r["csafe_ms"]), 2),
            fmt(r["pure_ms"]),
            fmt(ratio(r["pure_ms"], r["modelreg_ms"]), 1),
        ]
        print(f"{r['shape']:<22}{r['size_kib']:>7.0f}" + "".join(f"{c:>13}" for c in cells))
    print(
        "\nCSafeLoader is libyaml plus PyYAML's constructor alone; modelreg adds the alias check,"
        "\nthe signature JSON, requirement parsing and warnings. For requirements.txt the baseline"
        "\nreads the text as one YAML scalar."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[64, 1024], help="file sizes in KiB"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (least kept)")
    parser.add_argument(
        "--pure",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the pure-Python loader (about 10 s for the worst 1 MiB file)",
    )
    parser.add_argument("--pure-repeat", type=int, default=1, help="runs of the pure-Python one")
    parser.add_argument("--output", type=Path, default=None, help="JSON results file")
    args = parser.parse_args()
    if not yaml.__with_libyaml__:
        sys.exit("PyYAML was built without libyaml: there is no CSafeLoader to compare with")

    started = datetime.now(UTC)
    load = os.getloadavg()[0]
    print(f"metadata parsing, sizes {args.sizes} KiB, {args.repeat} runs each (load {load:.1f})")
    rows = measure(args)
    print_report(rows)
    output = args.output or BENCH_DIR / "results" / f"metadata-{started:%Y%m%dT%H%M%SZ}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "started": started.isoformat(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "pyyaml": yaml.__version__,
        "load_before": load,
        "load_after": os.getloadavg()[0],
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "rows": rows,
    }
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"results: {output}")


if __name__ == "__main__":
    main()
