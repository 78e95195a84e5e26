"""Shared pieces of the benchmarks: server processes, the load generator, the report tables."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import socket
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

Op = Callable[[int], Awaitable[str]]  # request number -> the variant it exercised


# --- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def server(
    cmd: list[str], health_url: str, log_file: Path, env: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """Run one server process (in its own process group, whose id is its pid) until the block
    ends."""
    with log_file.open("wb") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 120
        while not _healthy(health_url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[0]} did not start: {log_file.read_text()[-2000:]}")
            time.sleep(0.3)
        yield proc
    finally:
        _stop(proc)


def group_cpu_seconds(pgid: int) -> float:
    """User and system CPU seconds of the live processes in process group `pgid` (a server
    started by `server` and its workers), from /proc; 0.0 where /proc is missing."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == pgid:  # state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, SIGKILL after 20 s; a group already gone is fine (a server
    that failed to start must show its log, not a ProcessLookupError)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


# --- load generator ---------------------------------------------------------------------------


async def run_load(op: Op, total: int, concurrency: int, offset: int = 0) -> dict:
    """`total` calls of op(offset + i), `concurrency` at a time; latencies in ms by variant."""
    counter = itertools.count()
    samples: list[tuple[str, float]] = []
    errors: list[str] = []

    async def worker() -> None:
        while (i := next(counter)) < total:
            t0 = time.perf_counter()
            try:
                variant = await op(offset + i)
            except Exception as exc:  # every failure is counted, and the first one shown
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
                continue
            samples.append((variant, (time.perf_counter() - t0) * 1000))

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {"elapsed": time.perf_counter() - start, "samples": samples, "errors": errors}


def summarize(run: dict, name: str) -> dict[str, dict]:
    """One row for the phase, plus a latency-only row per variant when there are several."""

    def row(latencies: list[float], rps: float | None, errors: int) -> dict:
        q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else []
        return {"requests": len(latencies), "errors": errors, "rps": rps} | {
            f"p{p}": (q[p - 1] if q else None) for p in (50, 95, 99)
        }

    samples = run["samples"]
    all_ms = [ms for _, ms in samples]
    rows = {name: row(all_ms, len(samples) / run["elapsed"], len(run["errors"]))}
    variants = sorted({v for v, _ in samples})
    for variant in variants if len(variants) > 1 else []:
        rows[f"  {variant}"] = row([ms for v, ms in samples if v == variant], None, 0)
    rows[name]["loadavg_1m"] = run.get("load")
    if "cpu" in run and samples:
        rows[name]["server_cpu_ms"] = run["cpu"] * 1000 / len(samples)
    if run["errors"]:
        print(f"  {name}: {len(run['errors'])} errors, first: {run['errors'][0]}")
    return rows


async def measure(
    ops: dict[str, Op],
    name: str,
    args: Any,
    offset: int = 0,
    cpu: dict[str, Callable[[], float]] | None = None,
) -> dict[str, dict]:
    """The same operation on several systems: `args.warmup` unmeasured requests each, then
    `args.requests` measured each, at `args.concurrency`, in `args.rounds` rounds that take the
    systems in turn, so that background load drifting over the run falls on all of them alike.
    Request numbers start at `offset`, so operations that need unique input stay unique.
    `cpu` (by system): a reader of the server's CPU seconds, for its CPU per request."""
    cpu = cpu or {}
    for op in ops.values():
        await run_load(op, args.warmup, args.concurrency, offset)
    runs = {system: {"elapsed": 0.0, "samples": [], "errors": [], "load": []} for system in ops}
    share = -(-args.requests // args.rounds)
    for start in range(0, args.requests, share):
        for system, op in ops.items():
            run, count = runs[system], min(share, args.requests - start)
            run["load"].append(os.getloadavg()[0])
            cpu_before = cpu[system]() if system in cpu else 0.0
            part = await run_load(op, count, args.concurrency, offset + args.warmup + start)
            if system in cpu:
                run["cpu"] = run.get("cpu", 0.0) + cpu[system]() - cpu_before
            run["elapsed"] += part["elapsed"]
            run["samples"] += part["samples"]
            run["errors"] += part["errors"]
    return {system: summarize(run, name) for system, run in runs.items()}


# --- report -----------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def print_table(title: str, results: dict) -> None:
    print(f"\n{title}")
    head = ("operation", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms")
    print(f"{head[0]:<18}" + "".join(f"{h:>9}" for h in head[1:]))
    for name, r in results.items():
        cells = [str(r["requests"]), str(r["errors"])]
        cells += [fmt(r[k]) for k in ("rps", "p50", "p95", "p99")]
        print(f"{name:<18}" + "".join(f"{c:>9}" for c in cells))
    cpu = [
        f"{n.strip()} {r['server_cpu_ms']:.2f}" for n, r in results.items() if "server_cpu_ms" in r
    ]
    if cpu:
        print("(server CPU ms per request, all its processes: " + ", ".join(cpu) + ")")
    loads = [x for r in results.values() for x in r.get("loadavg_1m") or []]
    if loads:
        print(f"(1-minute load average while measured: {min(loads):.1f} to {max(loads):.1f})")


def ratios(ours: dict, theirs: dict) -> dict:
    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    keys = ("rps", "p50", "p95", "p99")
    return {n: {k: ratio(r[k], theirs[n][k]) for k in keys} for n, r in ours.items()}


def print_ratios(table: dict) -> None:
    print("\nmodelreg / mlflow  (req/s: above 1 = modelreg faster; latency: below 1 = faster)")
    print(f"{'operation':<18}" + "".join(f"{h:>9}" for h in ("req/s", "p50", "p95", "p99")))
    for name, r in table.items():
        print(f"{name:<18}" + "".join(f"{fmt(r[k], 2):>9}" for k in ("rps", "p50", "p95", "p99")))
