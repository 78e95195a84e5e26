"""File throughput: upload and download through one `modelreg serve`, against `cp` on the same disk.

A file of random bytes is copied with `cp` (the physical limit of this disk), uploaded with a
streaming PUT (1 MiB chunks read from disk) and downloaded with a streaming GET to a file. Every
measurement includes making the written copy durable (fsync), because the server fsyncs each
upload before it answers: `cp` + `sync FILE`, PUT until the 201 arrives, GET + fsync. Page caches
are left alone: the source file was just written, so reads come from memory in all three.
While each transfer runs, a thread samples the server's resident memory (VmRSS) every 50 ms.
See README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from modelreg.stream_writer import StreamWriter

BENCH_DIR = Path(__file__).resolve().parent
MIB = 1024 * 1024
MB = 1000 * 1000
CHUNK = MIB
PROJECT, MODEL, VERSION, PATH = "bench", "weights", "1.0.0", "model/weights.bin"
STREAMED = "download, streamed"
"""The GET written by `modelreg.stream_writer.StreamWriter` (as `modelreg files download`
writes, without its hashing and process start): blocks written on a worker thread while the
next arrive, flushed to disk as they come, so the final fsync has little left to do."""
TARGETS = {
    "upload": 0.75,
    "download": 0.90,
    STREAMED: 0.90,
    "curl upload": 0.75,
    "curl download": 0.90,
}
RSS_GROWTH_TARGET = 64 * MB
NO_DISK = "download, no disk"
"""Diagnostic: the GET streamed to nowhere (no write, no fsync): what the server can send."""


# --- the server and its memory ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def modelreg_server(work: Path, max_file_size: int) -> Iterator[tuple[str, int]]:
    """One `modelreg serve` process with local storage under `work`: (base URL, pid)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELREG_")}
    env.update(
        MODELREG_DATA_DIR=str(work / "data"),
        MODELREG_LOG_LEVEL="warning",
        MODELREG_UI_DIR=str(work / "no-ui"),
        MODELREG_MAX_FILE_SIZE=str(max_file_size),
    )
    log_path = work / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "modelreg", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"modelreg did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield base, proc.pid
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def rss_bytes(pid: int) -> int:
    with Path(f"/proc/{pid}/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def rss_sampler(pid: int, interval: float = 0.05) -> Iterator[dict[str, Any]]:
    """Baseline RSS before the block, peak RSS sampled every `interval` s during it, and the
    server's CPU seconds spent during the block ("cpu")."""
    cpu_before, client_before = cpu_seconds(pid), time.process_time()
    figures: dict[str, Any] = {"baseline": rss_bytes(pid), "peak": 0, "samples": 0}
    figures["peak"] = figures["baseline"]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            figures["peak"] = max(figures["peak"], rss_bytes(pid))
            figures["samples"] += 1
            stop.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield figures
    finally:
        stop.set()
        thread.join()
        figures["peak"] = max(figures["peak"], rss_bytes(pid))
        figures["growth"] = figures["peak"] - figures["baseline"]
        figures["cpu"] = cpu_seconds(pid) - cpu_before
        figures["client_cpu"] = time.process_time() - client_before


# --- the transfers ----------------------------------------------------------------------------


def make_source(path: Path, size: int) -> str:
    """`size` random bytes on disk (fsynced); returns their SHA-256."""
    hasher = hashlib.sha256()
    with path.open("wb") as out:
        left = size
        while left:
            chunk = os.urandom(min(CHUNK, left))
            hasher.update(chunk)
            out.write(chunk)
            left -= len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return hasher.hexdigest()


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_of(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


Phases = dict[str, float]
"""Seconds per phase of one transfer; "total" is what the throughput is computed from."""


def timed(action: Callable[[], None]) -> Phases:
    start = time.perf_counter()
    action()
    return {"total": time.perf_counter() - start}


def cp(source: Path, target: Path) -> Phases:
    start = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    copied = time.perf_counter()
    subprocess.run(["sync", str(target)], check=True)  # coreutils: fsync this one file
    end = time.perf_counter()
    return {"total": end - start, "copy": copied - start, "sync": end - copied}


def upload(client: httpx.Client, url: str, source: Path, expected_sha: str) -> Phases:
    """PUT from disk in 1 MiB chunks. "body": until the last byte is handed to the kernel;
    "answer": from then until the 201 (the server's fsync, rename and database commit)."""
    sent: list[float] = []

    def chunks() -> Iterator[bytes]:
        with source.open("rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk
        sent.append(time.perf_counter())

    size = source.stat().st_size
    start = time.perf_counter()
    response = client.put(url, content=chunks(), headers={"content-length": str(size)})
    end = time.perf_counter()
    if response.status_code != 201 or response.json()["sha256"] != expected_sha:
        raise RuntimeError(f"upload failed: {response.status_code} {response.text[:300]}")
    return {"total": end - start, "body": sent[0] - start, "answer": end - sent[0]}


class _NoHash:
    def update(self, data: bytes, /) -> None:
        pass


def download(
    client: httpx.Client, url: str, target: Path | None, *, streamed: bool = False
) -> Phases:
    """Streaming GET to `target` ("body": receive and write; "sync": fsync), or to nowhere;
    `streamed`: written through StreamWriter (see STREAMED)."""
    start = time.perf_counter()
    with client.stream("GET", url) as response:
        if response.status_code != 200:
            response.read()
            raise RuntimeError(f"download failed: {response.status_code} {response.text[:300]}")
        if target is None:
            received_bytes = sum(len(chunk) for chunk in response.iter_raw())
            end = time.perf_counter()
            expected = int(response.headers["content-length"])
            if received_bytes != expected:
                raise RuntimeError(f"download got {received_bytes} of {expected} bytes")
            return {"total": end - start, "body": end - start}
        if streamed:
            with target.open("wb") as out, StreamWriter(out, _NoHash()) as writer:
                for chunk in response.iter_raw():
                    writer.write(chunk)
                received = time.perf_counter()
                writer.finish()  # the last block, then fsync
            end = time.perf_counter()
            return {"total": end - start, "body": received - start, "sync": end - received}
        with target.open("wb") as out:
            for chunk in response.iter_raw():
                out.write(chunk)
            out.flush()
            received = time.perf_counter()
            os.fsync(out.fileno())
    end = time.perf_counter()
    return {"total": end - start, "body": received - start, "sync": end - received}


def curl(headers: Path, *args: str) -> str:
    """curl with the token read from a file (never on the command line); its output, or an
    error naming the status and body when the answer is not a 2xx."""
    command = ["curl", "-sS", "--fail-with-body", "-H", f"@{headers}", *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"curl {args[0]} failed ({done.returncode}): {done.stdout[:300]}")
    return done.stdout


def curl_upload(headers: Path, url: str, source: Path, expected_sha: str) -> Phases:
    """PUT the file with curl (C, no Python on the client side): what the server sustains."""
    start = time.perf_counter()
    answer = curl(headers, "-X", "PUT", "-T", str(source), "-H", "expect:", url)
    end = time.perf_counter()
    if json.loads(answer).get("sha256") != expected_sha:
        raise RuntimeError(f"curl upload stored something else: {answer[:300]}")
    return {"total": end - start}


def curl_download(headers: Path, url: str, target: Path, size: int) -> Phases:
    """GET with curl into `target`, then fsync it ("sync"), as `cp` is timed."""
    start = time.perf_counter()
    curl(headers, "-o", str(target), url)
    received = time.perf_counter()
    fsync_file(target)
    end = time.perf_counter()
    if target.stat().st_size != size:
        raise RuntimeError(f"curl download got {target.stat().st_size} of {size} bytes")
    return {"total": end - start, "body": received - start, "sync": end - received}


def create_token(work: Path) -> str:
    """An `api` token of `admin` (created by the server's first start), made with the CLI."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELREG_")}
    command = [sys.executable, "-m", "modelreg", "token", "create", "--user", "admin"]
    command += ["--name", "bench-files", "--scope", "api", "--data-dir", str(work / "data")]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError(f"modelreg token create failed: {result.stderr[-1000:]}")
    return result.stdout.strip()


def cli(token: str, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELREG_")}
    env["MODELREG_TOKEN"] = token
    result = subprocess.run(
        [sys.executable, "-m", "modelreg", "files", *args], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"modelreg files {args[0]} failed: {result.stderr[-1000:]}")


def graphql(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    """Run one mutation; fail loudly on a non-2xx answer, GraphQL `errors` or a refusal in the
    payload (its `errors` list). Returns the payload (the mutation's one field)."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    if not response.is_success:
        raise RuntimeError(f"GraphQL answered {response.status_code}: {response.text[:300]}")
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL error: {body['errors']}")
    [payload] = body["data"].values()
    if payload.get("errors"):
        raise RuntimeError(f"GraphQL refused: {payload['errors']}")
    result: dict[str, Any] = payload
    return result


def create_version(client: httpx.Client) -> None:
    project = graphql(
        client,
        "mutation($p: String!) { createProject(input: {path: $p}) "
        "{ project { id } errors { code message } } }",
        p=PROJECT,
    )["project"]["id"]
    model = graphql(
        client,
        "mutation($p: ID!, $n: String!) { createModel(input: {projectId: $p, name: $n}) "
        "{ model { id } errors { code message } } }",
        p=project,
        n=MODEL,
    )["model"]["id"]
    graphql(
        client,
        "mutation($m: ID!, $v: String!) { createVersion(input: {modelId: $m, version: $v}) "
        "{ modelVersion { id } errors { code message } } }",
        m=model,
        v=VERSION,
    )


# --- the run ----------------------------------------------------------------------------------


def filesystem(path: Path) -> str:
    result = subprocess.run(
        ["df", "--output=source,fstype,target", str(path)], capture_output=True, text=True
    )
    lines = result.stdout.strip().splitlines()
    return " ".join(lines[-1].split()) if result.returncode == 0 and lines else "unknown"


def run(args: argparse.Namespace, loads: list[float]) -> dict[str, Any]:
    size = args.size_mib * MIB
    work = Path(tempfile.mkdtemp(prefix="modelreg-bench-files-", dir=args.dir))
    print(f"working directory: {work} (filesystem: {filesystem(work)})")
    runs: dict[str, list[dict[str, Any]]] = {
        "cp": [],
        "upload": [],
        "download": [],
        STREAMED: [],
        NO_DISK: [],
        "curl upload": [],
        "curl download": [],
    }
    if args.cli:
        runs |= {"cli upload": [], "cli download": []}
    try:
        (work / "src").mkdir()
        source = work / "src" / "weights.bin"
        print(f"writing {args.size_mib} MiB of random bytes ...", flush=True)
        sha = make_source(source, size)
        with (
            modelreg_server(work, max_file_size=max(size + MIB, 5 * 1024**3)) as (base, pid),
            httpx.Client(base_url=base, timeout=httpx.Timeout(600.0, connect=10.0)) as client,
        ):
            token = create_token(work)
            client.headers["authorization"] = f"Bearer {token}"
            headers = work / "curl-headers"
            headers.write_text(f"authorization: Bearer {token}\n")
            create_version(client)
            url = f"/api/v1/projects/{PROJECT}/models/{MODEL}/versions/{VERSION}/files/{PATH}"
            target = work / "copy.bin"

            def record(name: str, phases: Phases, rss: dict[str, Any] | None = None) -> None:
                seconds = phases["total"]
                entry: dict[str, Any] = {"seconds": seconds, "mib_s": size / MIB / seconds}
                entry["phases"] = phases
                if rss is not None:
                    entry["rss"] = {k: rss[k] for k in ("baseline", "peak", "growth", "samples")}
                    entry["server_cpu_s"] = rss["cpu"]
                    entry["client_cpu_s"] = rss["client_cpu"]
                runs[name].append(entry)
                parts = ", ".join(f"{k} {v:.2f}" for k, v in phases.items() if k != "total")
                extra = f"  ({parts})" if parts else ""
                if rss is not None:
                    extra += (
                        f"  server RSS {rss['baseline'] / MB:.1f} -> {rss['peak'] / MB:.1f} MB"
                        f" (+{rss['growth'] / MB:.1f}), CPU server {rss['cpu']:.2f} s,"
                        f" client {rss['client_cpu']:.2f} s"
                    )
                print(f"  {name:<18} {seconds:6.2f} s {entry['mib_s']:7.1f} MiB/s{extra}")

            def forget() -> None:
                """Delete the stored file, so that the next upload stores a new blob."""
                response = client.delete(url)
                if response.status_code != 204:
                    status, text = response.status_code, response.text[:300]
                    raise RuntimeError(f"delete failed: {status} {text}")

            common = ["--project", PROJECT, "--model", MODEL, "--version", VERSION, "--url", base]
            cli_out = work / "cli-out"

            def cli_upload() -> None:
                prefix = PATH.rsplit("/", 1)[0]
                cli(token, "upload", str(source.parent), *common, "--prefix", prefix)

            def cli_download() -> None:
                cli(token, "download", str(cli_out), *common)
                fsync_file(cli_out / PATH)

            for repeat in range(1, args.repeat + 1):
                loads.append(os.getloadavg()[0])
                print(f"round {repeat} of {args.repeat} (load {loads[-1]:.1f})", flush=True)
                record("cp", cp(source, target))
                target.unlink()

                with rss_sampler(pid) as rss:
                    phases = upload(client, url, source, sha)
                record("upload", phases, rss)

                with rss_sampler(pid) as rss:
                    phases = download(client, url, target)
                record("download", phases, rss)
                if sha256_of(target) != sha:
                    raise RuntimeError("the downloaded file differs from the source")
                target.unlink()

                with rss_sampler(pid) as rss:
                    phases = download(client, url, target, streamed=True)
                record(STREAMED, phases, rss)
                if sha256_of(target) != sha:
                    raise RuntimeError("the streamed download differs from the source")
                target.unlink()

                with rss_sampler(pid) as rss:
                    phases = download(client, url, None)
                record(NO_DISK, phases, rss)
                forget()

                with rss_sampler(pid) as rss:
                    phases = curl_upload(headers, base + url, source, sha)
                record("curl upload", phases, rss)
                with rss_sampler(pid) as rss:
                    phases = curl_download(headers, base + url, target, size)
                record("curl download", phases, rss)
                if sha256_of(target) != sha:
                    raise RuntimeError("the file curl downloaded differs from the source")
                target.unlink()
                forget()

                if args.cli:
                    with rss_sampler(pid) as rss:
                        phases = timed(cli_upload)
                    record("cli upload", phases, rss)
                    with rss_sampler(pid) as rss:
                        phases = timed(cli_download)
                    record("cli download", phases, rss)
                    shutil.rmtree(cli_out)
                    forget()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return runs


def summarize(runs: dict[str, list[dict[str, Any]]], size: int) -> dict[str, Any]:
    medians = {name: statistics.median(r["mib_s"] for r in rs) for name, rs in runs.items()}
    summary: dict[str, Any] = {
        "median_mib_s": medians,
        "median_phases_s": {
            name: {
                phase: statistics.median(r["phases"][phase] for r in rs)
                for phase in rs[0]["phases"]
            }
            for name, rs in runs.items()
        },
        "ratio_to_cp": {name: rate / medians["cp"] for name, rate in medians.items()},
        "rss": {},
        "server_cpu_s_per_gib": {
            name: statistics.median(r["server_cpu_s"] for r in rs) * 1024 / (size / MIB)
            for name, rs in runs.items()
            if rs and "server_cpu_s" in rs[0]
        },
        "client_cpu_s_per_gib": {
            name: statistics.median(r["client_cpu_s"] for r in rs) * 1024 / (size / MIB)
            for name, rs in runs.items()
            if rs and "client_cpu_s" in rs[0]
        },
    }
    del summary["ratio_to_cp"]["cp"]
    for name, rs in runs.items():
        with_rss = [r["rss"] for r in rs if "rss" in r]
        if with_rss:
            summary["rss"][name] = max(with_rss, key=lambda r: r["growth"])  # the worst run
    summary["targets_met"] = {
        f"{name} >= {target:.0%} of cp": summary["ratio_to_cp"][name] >= target
        for name, target in TARGETS.items()
    } | {
        f"{name} RSS growth < {RSS_GROWTH_TARGET / MB:.0f} MB": rss["growth"] < RSS_GROWTH_TARGET
        for name, rss in summary["rss"].items()
        if name in TARGETS
    }
    return summary


def print_report(args: argparse.Namespace, summary: dict[str, Any], loads: list[float]) -> None:
    print(
        f"\nfile throughput: {args.size_mib} MiB of random bytes, median of {args.repeat} runs; "
        "every figure that writes a file includes its fsync"
    )
    head = ("operation", "MiB/s", "x cp", "target", "RSS base MB", "peak MB", "growth MB")
    print(
        f"{head[0]:<19}{head[1]:>8}{head[2]:>7}{head[3]:>9}{head[4]:>13}{head[5]:>9}{head[6]:>11}"
        "  median phases (s)"
    )
    for name, rate in summary["median_mib_s"].items():
        ratio = summary["ratio_to_cp"].get(name)
        target = TARGETS.get(name)
        rss = summary["rss"].get(name)
        cells = [
            f"{rate:8.1f}",
            f"{ratio:7.2f}" if ratio is not None else f"{'-':>7}",
            f"{'>= ' + format(target, '.2f'):>9}" if target is not None else f"{'-':>9}",
        ]
        if rss is not None:
            cells += [
                f"{rss['baseline'] / MB:13.1f}",
                f"{rss['peak'] / MB:9.1f}",
                f"{rss['growth'] / MB:11.1f}",
            ]
        else:
            cells += [f"{'-':>13}", f"{'-':>9}", f"{'-':>11}"]
        phases = summary["median_phases_s"][name]
        cells.append("  " + ", ".join(f"{k} {v:.2f}" for k, v in phases.items()))
        print(f"{name:<19}" + "".join(cells))
    print(
        f"targets: upload >= {TARGETS['upload']:.0%} of cp, download >= "
        f"{TARGETS['download']:.0%} of cp, server RSS growth < {RSS_GROWTH_TARGET / MB:.0f} MB "
        "during each transfer (RSS columns: the run that grew the most)"
    )
    for who in ("server", "client"):
        figures = summary[f"{who}_cpu_s_per_gib"].items()
        print(f"{who} CPU per GiB (median): " + ", ".join(f"{n} {cpu:.2f} s" for n, cpu in figures))
    for target, met in summary["targets_met"].items():
        print(f"  {'met   ' if met else 'MISSED'}  {target}")
    print(
        f"(1-minute load average during the rounds: {min(loads):.1f} to {max(loads):.1f} "
        f"on {os.cpu_count()} CPUs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="file size (default 1024)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median is reported")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where the temporary files go (default: $TMPDIR)"
    )
    parser.add_argument(
        "--cli",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time `modelreg files upload|download` (default on)",
    )
    parser.add_argument("--output", type=Path, default=None, help="JSON results file")
    args = parser.parse_args()
    started = datetime.now(UTC)
    loads: list[float] = []
    runs = run(args, loads)
    loads.append(os.getloadavg()[0])
    summary = summarize(runs, args.size_mib * MIB)
    print_report(args, summary, loads)
    output = args.output or BENCH_DIR / "results" / f"files-{started:%Y%m%dT%H%M%SZ}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "files",
        "started": started.isoformat(),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "loadavg_1m_per_round_and_end": loads,
        },
        "method": (
            "wall time; every figure that writes a file includes its fsync (cp: `cp` then "
            "`sync FILE`; upload: until the 201, after the server's fsync; download: GET to a "
            "file, then fsync); page caches are not dropped"
        ),
        "targets": {"ratio_to_cp": TARGETS, "rss_growth_bytes": RSS_GROWTH_TARGET},
        "runs": runs,
        "summary": summary,
    }
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"results: {output}")


if __name__ == "__main__":
    main()
