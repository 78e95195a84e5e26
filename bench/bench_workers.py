"""Scale-out benchmark: the GraphQL list page and a write on 1, 2 and 4 server processes.

Seeds one registry (N models x V versions) into SQLite and copies it into a PostgreSQL the bench
starts itself (initdb + pg_ctl in a temporary directory), then for each database and each worker
count starts `modelreg serve --workers N` and drives it from several load-generator processes,
checking every response; see README.md ("bench_workers.py").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bench_core import CREATE_MUTATION, LIST_QUERY, list_op, seed_modelreg, seed_modelreg_user
from harness import fmt, run_load, server
from modelreg import __version__ as modelreg_version
from modelreg.db.migrate import upgrade
from modelreg.db.models import metadata
from modelreg.graphql.ids import encode_id

BENCH_DIR = Path(__file__).resolve().parent
SERVER_PORTS = range(8890, 8910)
POSTGRES_PORTS = range(55490, 55500)
MODELREG = str(Path(sys.executable).parent / "modelreg")


class BenchFailure(SystemExit):
    """A refused or failed request: the run stops and says which (exit status 1)."""

    def __init__(self, message: str) -> None:
        super().__init__(f"bench_workers: FAILED: {message}")


# --- ports, PostgreSQL, seeding (not measured) ------------------------------------------------


def port_in(ports: range) -> int:
    """The first port of the range nothing listens on."""
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise BenchFailure(f"no free port in {ports.start}-{ports.stop - 1}")


def _pg_tool(name: str) -> str:
    for candidate in (
        shutil.which(name),
        f"/usr/local/bin/{name}",
        f"/usr/lib/postgresql/15/bin/{name}",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    raise BenchFailure(
        f"{name} not found: PostgreSQL 15 server binaries are needed (or --db sqlite)"
    )


@contextmanager
def postgres() -> Iterator[tuple[int, int]]:
    """A PostgreSQL server in a temporary directory of its own (as the `postgres` user when run
    as root), removed afterwards; yields its port. Durable like SQLite in WAL mode with
    synchronous=NORMAL: fsync on, synchronous_commit off. Yields its port and the postmaster's
    process id."""
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="bench-workers-pg-"))
    if as_user:
        shutil.chown(root, user="postgres")
    data, port = root / "data", port_in(POSTGRES_PORTS)

    def run(*command: str) -> None:
        done = subprocess.run([*as_user, *command], capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise BenchFailure(f"{Path(command[0]).name}: {(done.stdout + done.stderr)[-1500:]}")

    try:
        run(_pg_tool("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync")
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {root} -c max_connections=300"
        options += " -c synchronous_commit=off"
        log = str(root / "log")
        run(_pg_tool("pg_ctl"), "-D", str(data), "-o", options, "-l", log, "-w", "start")
        try:
            yield port, int((data / "postmaster.pid").read_text().split()[0])
        finally:
            run(_pg_tool("pg_ctl"), "-D", str(data), "-m", "fast", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


async def copy_registry(sqlite_file: Path, pg_port: int) -> str:
    """A database `bench` on the PostgreSQL, migrated, with every row of the seeded SQLite file
    (the same models, versions, user and token); its URL."""
    conn = await asyncpg.connect(host="127.0.0.1", port=pg_port, user="postgres")
    try:
        await conn.execute("CREATE DATABASE bench")
    finally:
        await conn.close()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{pg_port}/bench"
    await asyncio.to_thread(upgrade, url)
    source = sa.create_engine(f"sqlite:///{sqlite_file}")
    target = create_async_engine(url)
    try:
        async with target.begin() as dst:
            for table in metadata.sorted_tables:
                with source.connect() as src:
                    rows = [dict(r._mapping) for r in src.execute(sa.select(table))]
                for at in range(0, len(rows), 1000):
                    await dst.execute(sa.insert(table), rows[at : at + 1000])
                if rows and list(table.primary_key.columns.keys()) == ["id"]:
                    # Rows came with their ids: move the id sequence past them.
                    name = f'"{table.name}"'
                    await dst.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                            f" (SELECT max(id) FROM {name}))"
                        )
                    )
    finally:
        source.dispose()
        await target.dispose()
    return url


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of a live process and all its descendants, ended ones
    included, from /proc: a server and its worker processes, PostgreSQL's postmaster and its
    backends."""
    parent, ticks = {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        pid = int(stat.parent.name)
        # utime + stime, plus cutime + cstime: the CPU of children it has reaped, so a backend
        # that ended during the measurement still counts (it would otherwise vanish).
        parent[pid] = int(fields[1])
        ticks[pid] = sum(int(f) for f in fields[11:15])
    total = 0
    for pid, tick in ticks.items():
        ancestor = pid
        while ancestor > 1 and ancestor != root:
            ancestor = parent.get(ancestor, 0)
        total += tick if ancestor == root else 0
    return total / os.sysconf("SC_CLK_TCK")


def server_pid(port: int) -> int:
    """The `modelreg serve` process listening on `port` (found by its command line)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in args and str(port).encode() in args:
            return int(cmdline.parent.name)
    raise BenchFailure(f"no modelreg serve process on port {port}")


def serve_supports_workers() -> bool:
    out = subprocess.run([MODELREG, "serve", "--help"], capture_output=True, text=True, check=True)
    return "--workers" in out.stdout


# --- load generator processes -----------------------------------------------------------------


def load_process(spec: dict, barrier: Any, results: Any) -> None:
    """One load-generator process: warm up, wait for the others, then the measured requests."""
    results.put(asyncio.run(_drive(spec, barrier)))


async def _drive(spec: dict, barrier: Any) -> dict:
    limits = httpx.Limits(max_connections=spec["concurrency"])
    headers = {"authorization": f"Bearer {spec['token']}"}
    async with httpx.AsyncClient(
        base_url=spec["base"], timeout=120, limits=limits, headers=headers
    ) as client:
        op = make_op(client, spec)
        offset = spec["process"] * 1_000_000
        warm = await run_load(op, spec["warmup"], spec["concurrency"], offset)
        barrier.wait(timeout=600)  # nothing else runs on this loop meanwhile
        cpu0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
        run = await run_load(op, spec["requests"], spec["concurrency"], offset + spec["warmup"])
        cpu1, t1 = resource.getrusage(resource.RUSAGE_SELF), time.monotonic()
    cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    errors = warm["errors"] + run["errors"]
    return {"start": t0, "end": t1, "samples": run["samples"], "errors": errors, "cpu": cpu}


def make_op(client: httpx.AsyncClient, spec: dict) -> Any:
    """The list page (three variants, bench_core.list_op) or createVersion of a random model;
    a non-2xx answer, GraphQL errors or a payload error raise, and run_load counts them."""
    rng = random.Random(spec["process"])

    async def gql(query: str, variables: dict) -> dict:
        resp = await client.post("/graphql", json={"query": query, "variables": variables})
        resp.raise_for_status()
        body = resp.json()
        if body.get("errors") or not body.get("data"):
            raise RuntimeError(body.get("errors") or body)
        return body["data"]

    async def list_models(variant: str, argument: Any) -> int:
        variables: dict = {"after": argument} if variant == "cursor page" else {}
        if variant == "search+tag":
            variables = {"search": argument[0], "tags": [{"key": "team", "value": argument[1]}]}
        return len((await gql(LIST_QUERY, variables))["project"]["models"]["edges"])

    async def create_version(i: int) -> str:
        model_id = encode_id("RegisteredModel", rng.randint(1, spec["models"]))
        # Unique per database (major), server run (minor), process and request (patch).
        variables = {
            "input": {"modelId": model_id, "version": f"{spec['major']}.{spec['minor']}.{i}"}
        }
        payload = (await gql(CREATE_MUTATION, variables))["createVersion"]
        if payload["errors"] or not payload["modelVersion"]:
            raise RuntimeError(payload["errors"])
        return "create"

    return list_op(list_models, spec["cursors"]) if spec["op"] == "list" else create_version


def drive(spec: dict, processes: int, roots: dict[str, int]) -> dict:
    """`spec["requests"]` requests split over `processes` load processes (the concurrency too),
    started together once all have warmed up; their results, with the span from the first start
    to the last end and the CPU seconds of the `roots` (name -> process id: the server, the
    database, each with its descendants) meanwhile. Any failed request stops the bench."""
    ctx = mp.get_context("spawn")
    barrier, queue = ctx.Barrier(processes + 1), ctx.Queue()
    procs = []
    for n in range(processes):
        part = spec | {
            "process": n,
            "requests": spec["requests"] // processes + (n < spec["requests"] % processes),
            "concurrency": max(1, spec["concurrency"] // processes),
            "warmup": max(1, spec["warmup"] // processes),
        }
        procs.append(ctx.Process(target=load_process, args=(part, barrier, queue)))
    load0 = os.getloadavg()[0]
    for proc in procs:
        proc.start()
    barrier.wait(timeout=600)  # every load process warmed up: the measured part starts
    cpu0 = {name: tree_cpu(pid) for name, pid in roots.items()}
    parts = [queue.get(timeout=1200) for _ in procs]
    cpu = {name: tree_cpu(pid) - cpu0[name] for name, pid in roots.items()}
    for proc in procs:
        proc.join()
    errors = [e for p in parts for e in p["errors"]]
    if errors:
        raise BenchFailure(f"{spec['op']}: {len(errors)} requests failed; first: {errors[0]}")
    return {
        "latencies": [ms for p in parts for _, ms in p["samples"]],
        "span": max(p["end"] for p in parts) - min(p["start"] for p in parts),
        "cpu": sum(p["cpu"] for p in parts),
        "load": [load0, os.getloadavg()[0]],
        "server_cpu": cpu,
    }


def combine(runs: list[dict]) -> dict:
    """One row from the runs (rounds) of one phase: req/s is their requests over the sum of
    their spans, latencies are pooled."""
    latencies = [ms for run in runs for ms in run["latencies"]]
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "rps": len(latencies) / sum(run["span"] for run in runs),
        "rps_by_round": [len(run["latencies"]) / run["span"] for run in runs],
        "p50": q[49],
        "p95": q[94],
        "client_cpu_ms_per_request": 1000 * sum(run["cpu"] for run in runs) / len(latencies),
        "server_cpu_ms_per_request": {
            name: 1000 * sum(run["server_cpu"][name] for run in runs) / len(latencies)
            for name in runs[0]["server_cpu"]
        },
        "loadavg_1m": [x for run in runs for x in run["load"]],
    }


# --- one database, every worker count ---------------------------------------------------------


def cursors_of(base: str, token: str, pages: int) -> list[str]:
    cursors, after = [], None
    with httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}) as client:
        for _ in range(pages):
            resp = client.post(
                "/graphql", json={"query": LIST_QUERY, "variables": {"after": after}}
            )
            resp.raise_for_status()
            if resp.json().get("errors"):
                raise BenchFailure(f"list page: {resp.json()['errors']}")
            after = resp.json()["data"]["project"]["models"]["pageInfo"]["endCursor"]
            cursors.append(after)
    return cursors


def bench_database(
    db: str, url: str, token: str, workdir: Path, args: argparse.Namespace, major: int
) -> dict[int, dict]:
    """Every worker count in `args.rounds` rounds, the order reversed every other round (1 2 4,
    4 2 1, ...), so load on the machine that drifts during the run falls on all of them alike;
    each round sends its share of the requests."""
    counts = [w for w in args.workers if w == 1 or args.has_workers]
    if counts != args.workers:
        print(f"{db}: only 1 worker (this `modelreg serve` has no --workers)")
    runs: dict[int, dict[str, list[dict]]] = {w: {"list": [], "write": []} for w in counts}
    for round_no in range(args.rounds):
        for workers in counts if round_no % 2 == 0 else counts[::-1]:
            print(f"  {db}, {workers} workers, round {round_no + 1}/{args.rounds}", flush=True)
            minor = 1000 * round_no + workers
            run = serve_and_drive(db, url, token, workdir, args, workers, (major, minor))
            for phase, result in run.items():
                runs[workers][phase].append(result)
    rows = {w: {phase: combine(r) for phase, r in by_phase.items()} for w, by_phase in runs.items()}
    print_header()
    for workers, row in rows.items():
        print_row(db, workers, row, rows[1])
    return rows


@contextmanager
def server_log_on_failure(log: Path) -> Iterator[None]:
    """A failure while the server runs prints the end of its log (its traceback) first."""
    try:
        yield
    except BaseException:
        print(f"--- end of {log.name} ---\n{log.read_text(errors='replace')[-4000:]}", flush=True)
        raise


def serve_and_drive(
    db: str,
    url: str,
    token: str,
    workdir: Path,
    args: argparse.Namespace,
    workers: int,
    version: tuple[int, int],
) -> dict[str, dict]:
    """One `modelreg serve --workers N`: its share of list requests, then of writes."""
    share = {
        "list": -(-args.list_requests // args.rounds),
        "write": -(-args.write_requests // args.rounds),
    }
    port = port_in(SERVER_PORTS)
    cmd = [MODELREG, "serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--data-dir", str(workdir / "data"), "--database-url", url]
    cmd += ["--workers", str(workers)] if args.has_workers else []
    env = {**os.environ, "MODELREG_LOG_LEVEL": "warning"}
    base = f"http://127.0.0.1:{port}"
    log = workdir / f"serve-{db}-{workers}-{version[1]}.log"
    with server(cmd, f"{base}/healthz", log, env), server_log_on_failure(log):
        time.sleep(1 + workers)  # the other workers finish starting (warm-up covers the rest)
        spec = {"base": base, "token": token, "models": args.models, "warmup": args.warmup}
        spec |= {"concurrency": args.concurrency, "major": version[0], "minor": version[1]}
        spec["cursors"] = cursors_of(base, token, args.cursor_pages)
        roots = {"server": server_pid(port)}
        if db in args.db_pids:
            roots["db"] = args.db_pids[db]
        return {
            phase: drive(spec | {"op": phase, "requests": n}, args.load_processes, roots)
            for phase, n in share.items()
        }


def print_row(db: str, workers: int, row: dict, one: dict) -> None:
    cells = [f"{db:<10}{workers:>8}"]
    for phase in ("list", "write"):
        r = row[phase]
        ratio, cpu = r["rps"] / one[phase]["rps"], r["server_cpu_ms_per_request"]
        cells.append(
            f"{fmt(r['rps']):>9}{fmt(ratio, 2) + 'x':>8}{fmt(r['p50']):>8}{fmt(r['p95']):>8}"
            f"{fmt(cpu.get('server')):>7}{fmt(cpu.get('db')):>6}"
            f"{fmt(r['client_cpu_ms_per_request']):>7}"
        )
    loads = row["list"]["loadavg_1m"] + row["write"]["loadavg_1m"]
    print("".join(cells) + f"   {min(loads):.1f}-{max(loads):.1f}", flush=True)


def print_header() -> None:
    phase = (
        f"{'req/s':>9}{'vs 1':>8}{'p50 ms':>8}{'p95 ms':>8}{'srv ms':>7}{'db ms':>6}{'cli ms':>7}"
    )
    print(f"\n{'':<18}{'list page (GraphQL, 50 models)':^53}{'write (createVersion)':^53}")
    print(f"{'db':<10}{'workers':>8}{phase}{phase}   load avg")


# --- main -------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small run (about two minutes)")
    parser.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="both")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--models", type=int, default=None, help="default 10000 (quick: 2000)")
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--list-requests", type=int, default=None, help="default 400 (quick: 150)")
    parser.add_argument("--write-requests", type=int, default=None, help="default 600 (quick: 300)")
    parser.add_argument("--warmup", type=int, default=None, help="default 60 (quick: 30)")
    parser.add_argument("--concurrency", type=int, default=16, help="in flight, all processes")
    parser.add_argument("--load-processes", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=None, help="default 2 (quick: 1)")
    parser.add_argument("--cursor-pages", type=int, default=20)
    parser.add_argument("--output", type=Path, default=None, help="JSON file to write")
    args = parser.parse_args()
    quick = args.quick
    for name, full, small in (
        ("models", 10_000, 2000),
        ("list_requests", 400, 150),
        ("write_requests", 600, 300),
        ("warmup", 60, 30),
        ("rounds", 2, 1),
    ):
        if getattr(args, name) is None:
            setattr(args, name, small if quick else full)
    if args.models < 50 * (args.cursor_pages + 1):
        parser.error("--models must be at least 50 x (--cursor-pages + 1)")
    if sorted(args.workers)[0] != 1:
        parser.error("--workers must include 1 (the ratios are against one process)")
    args.workers = sorted(set(args.workers))
    return args


def main() -> None:
    args = parse_args()
    args.has_workers = serve_supports_workers()
    args.db_pids = {}  # database -> its server's process id, for its CPU time
    shape = f"{args.models} models x {args.versions} versions"
    print(
        f"{shape}; list {args.list_requests} and write {args.write_requests} requests per "
        f"(db, workers), concurrency {args.concurrency} over {args.load_processes} load processes; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
    )
    report: dict = {
        "args": {k: str(v) for k, v in vars(args).items()},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()}
        | {"python": platform.python_version(), "modelreg": modelreg_version},
        "results": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp, ExitStack() as stack:
        root = Path(tmp)
        seed_dir = root / "sqlite"
        t0 = time.perf_counter()
        seed_modelreg(seed_dir, args.models, args.versions)
        token = asyncio.run(seed_modelreg_user(seed_dir))
        print(f"seeded SQLite in {time.perf_counter() - t0:.1f} s")
        databases: dict[str, str] = {}
        if args.db in ("postgresql", "both"):
            t0 = time.perf_counter()
            pg_port, pg_pid = stack.enter_context(postgres())
            args.db_pids["postgresql"] = pg_pid
            databases["postgresql"] = asyncio.run(copy_registry(seed_dir / "registry.db", pg_port))
            print(f"started PostgreSQL and copied the registry in {time.perf_counter() - t0:.1f} s")
        if args.db in ("sqlite", "both"):
            databases["sqlite"] = f"sqlite+aiosqlite:///{seed_dir / 'registry.db'}"
        for n, (db, url) in enumerate(databases.items()):
            workdir = root / f"run-{db}"
            workdir.mkdir()
            rows = bench_database(db, url, token, workdir, args, major=100 + n)
            report["results"][db] = {str(w): r for w, r in rows.items()}
    print(
        "\nreq/s: all load processes together; 'vs 1': req/s against 1 worker on the same "
        "database; CPU ms per request (user + system, in the measured part): 'srv' of all the "
        "modelreg processes, 'db' of PostgreSQL's (SQLite runs inside the server), 'cli' of the "
        "load generator, which takes it from the same cores as the server."
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = args.output or BENCH_DIR / "results" / f"workers-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
