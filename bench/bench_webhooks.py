"""Webhook delivery: latency from commit to receiver, and deliveries per second on one process.

One `modelreg serve` process (SQLite in a temporary directory) and a loopback receiver in this
process that verifies every signature. Three phases, each with its baseline in the same run:

1. **writes**: `createVersion` one at a time in a project without webhooks (baseline), then in a
   project whose webhook wants `version.created`: what the outbox adds to a write.
2. **latency**: for each write of phase 1's second half, from the moment its response arrived
   (the commit is acknowledged) to the moment the receiver got its delivery.
3. **throughput**: a backlog written while the worker is off (`MODELREG_WEBHOOKS_ENABLED=false`),
   then a server start with the worker on; deliveries per second from the first arrival to the
   last. Baseline: this process POSTing the same bodies to the same receiver with the same
   concurrency (`MODELREG_WEBHOOK_CONCURRENCY`), with no database in between.
See README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from harness import fmt, free_port, server
from modelreg.domain.webhooks import verify

BENCH_DIR = Path(__file__).resolve().parent

CREATE_PROJECT = """mutation($path: String!) {
  createProject(input: {path: $path}) { project { id } errors { message } } }"""
CREATE_MODEL = """mutation($projectId: ID!) {
  createModel(input: {projectId: $projectId, name: "m"}) { model { id } errors { message } } }"""
CREATE_VERSION = """mutation($modelId: ID!, $version: String!) {
  createVersion(input: {modelId: $modelId, version: $version}) {
    modelVersion { id } errors { message } } }"""
CREATE_WEBHOOK = """mutation($projectId: ID!, $url: String!) {
  createWebhook(input: {projectId: $projectId, url: $url, events: ["version.created"]}) {
    secret errors { message } } }"""


# --- the receiver -----------------------------------------------------------------------------


class Receiver:
    """Records (arrival time, semver) per delivery; counts bad signatures."""

    def __init__(self) -> None:
        self.secret = ""
        self.secrets: list[str] = []  # one per webhook, when there are several
        self.arrivals: dict[str, float] = {}  # message id -> perf_counter at arrival
        self.versions: dict[str, str] = {}  # message id -> the version's SemVer
        self.bad: list[str] = []
        self.lock = threading.Lock()
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def handle(self, headers: dict[str, str], body: bytes) -> None:
        at = time.perf_counter()
        now = int(time.time())
        keys = self.secrets or ([self.secret] if self.secret else [])
        with self.lock:
            if keys and not any(verify(k, headers=headers, body=body, now=now) for k in keys):
                self.bad.append(headers.get("webhook-id", "?"))
            elif keys:
                message = json.loads(body)
                self.arrivals.setdefault(message["id"], at)
                self.versions[message["id"]] = message["version"]["semver"]

    @contextmanager
    def running(self) -> Iterator[None]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        httpd.daemon_threads = True
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield
        finally:
            httpd.shutdown()
            httpd.server_close()


# --- the server -------------------------------------------------------------------------------


@contextmanager
def modelreg(workdir: Path, args: argparse.Namespace, **env: str) -> Iterator[str]:
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "modelreg"), "serve", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--data-dir", str(workdir / "data")]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MODELREG_")}
    environment |= {
        "MODELREG_LOG_LEVEL": "warning",
        "MODELREG_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
        "MODELREG_WEBHOOK_CONCURRENCY": str(args.concurrency),
        **env,
    }
    base = f"http://127.0.0.1:{port}"
    log = workdir / f"modelreg-{port}.log"
    with server(cmd, f"{base}/healthz", log, environment):
        yield base


def token(workdir: Path) -> str:
    command = [str(Path(sys.executable).parent / "modelreg"), "token", "create"]
    command += ["--user", "admin", "--name", "bench", "--scope", "api"]
    done = subprocess.run(
        [*command, "--data-dir", str(workdir / "data")],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    [payload] = body["data"].values()
    if payload["errors"]:
        raise RuntimeError(f"refused: {payload['errors']}")
    result: dict[str, Any] = payload
    return result


async def model_in(client: httpx.AsyncClient, path: str) -> tuple[str, str]:
    project = (await gql(client, CREATE_PROJECT, path=path))["project"]["id"]
    return project, (await gql(client, CREATE_MODEL, projectId=project))["model"]["id"]


async def create_versions(
    client: httpx.AsyncClient, model: str, prefix: str, count: int, concurrency: int = 1
) -> dict[str, tuple[float, float]]:
    """`count` versions `<prefix>.<n>`; per SemVer: (request sent, response received)."""
    times: dict[str, tuple[float, float]] = {}
    numbers = iter(range(count))

    async def worker() -> None:
        for n in numbers:
            version = f"{prefix}.{n}"
            sent = time.perf_counter()
            await gql(client, CREATE_VERSION, modelId=model, version=version)
            times[version] = (sent, time.perf_counter())

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return times


def wait_for(receiver: Receiver, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.arrivals) < count:
        if receiver.bad:
            raise RuntimeError(f"{len(receiver.bad)} deliveries failed signature verification")
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(receiver.arrivals)} of {count} deliveries arrived")
        time.sleep(0.02)


def quantiles(values: list[float]) -> dict[str, float]:
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "p99": q[98], "max": max(values)}


# --- the phases -------------------------------------------------------------------------------


async def writes_and_latency(base: str, key: str, receiver: Receiver, args: Any) -> dict:
    async with httpx.AsyncClient(
        base_url=base, headers={"authorization": f"Bearer {key}"}, timeout=60
    ) as client:
        _, plain_model = await model_in(client, "plain")
        hooked_project, hooked_model = await model_in(client, "hooked")
        created = await gql(client, CREATE_WEBHOOK, projectId=hooked_project, url=receiver.url)
        receiver.secret = created["secret"]
        await create_versions(client, plain_model, "0.0", args.warmup)  # warm-up, unmeasured
        await create_versions(client, hooked_model, "0.0", args.warmup)
        wait_for(receiver, args.warmup, 60)
        receiver.arrivals.clear()
        rounds: dict[str, dict[str, tuple[float, float]]] = {"plain": {}, "hooked": {}}
        share = -(-args.events // args.rounds)
        for r in range(args.rounds):
            for name, model in (("plain", plain_model), ("hooked", hooked_model)):
                rounds[name] |= await create_versions(client, model, f"1.{r}", share)
        wait_for(receiver, len(rounds["hooked"]), 120)
    by_version = {
        v: receiver.arrivals[m] for m, v in receiver.versions.items() if m in receiver.arrivals
    }
    latency = [1000 * (by_version[v] - done) for v, (_, done) in rounds["hooked"].items()]
    writes = {
        name: quantiles([1000 * (done - sent) for sent, done in times.values()])
        for name, times in rounds.items()
    }
    return {"writes_ms": writes, "latency_ms": quantiles(latency), "events": len(latency)}


async def baseline_posts(receiver: Receiver, bodies: list[bytes], concurrency: int) -> float:
    """POSTs/s of the same bodies straight to the receiver, `concurrency` at a time."""
    receiver.secret, receiver.secrets = "", []  # not signed: the receiver only answers
    items = iter(bodies)
    async with httpx.AsyncClient(timeout=30) as client:

        async def worker() -> None:
            for body in items:
                response = await client.post(receiver.url, content=body)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return len(bodies) / (time.perf_counter() - started)


def throughput(workdir: Path, key: str, receiver: Receiver, args: Any) -> dict:
    receivers_secrets: list[str] = []
    with modelreg(workdir, args, MODELREG_WEBHOOKS_ENABLED="false") as base:

        async def backlog() -> None:
            async with httpx.AsyncClient(
                base_url=base, headers={"authorization": f"Bearer {key}"}, timeout=60
            ) as client:
                # A model per 100 versions: a new version's SemVer verdict reads its model's
                # versions, so one model of thousands would measure that instead.
                for start in range(0, args.backlog, 100):
                    path = f"backlog-{start // 100}"
                    project, model = await model_in(client, path)
                    created = await gql(client, CREATE_WEBHOOK, projectId=project, url=receiver.url)
                    receivers_secrets.append(created["secret"])
                    count = min(100, args.backlog - start)
                    await create_versions(client, model, "3.0", count, concurrency=8)

        asyncio.run(backlog())
    receiver.secrets = receivers_secrets
    receiver.arrivals.clear()
    load = os.getloadavg()[0]
    with modelreg(workdir, args):
        wait_for(receiver, args.backlog, 600)
    times = sorted(receiver.arrivals.values())
    rate = (len(times) - 1) / (times[-1] - times[0])
    size = len(json.dumps({"pad": "x" * 900}).encode())  # about a delivery body's size
    posts = asyncio.run(
        baseline_posts(receiver, [b"{}".ljust(size)] * args.backlog, args.concurrency)
    )
    return {"deliveries_per_s": rate, "plain_posts_per_s": posts, "loadavg_1m": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=400, help="measured writes per project")
    parser.add_argument("--rounds", type=int, default=4, help="rounds alternating the projects")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--backlog", type=int, default=2000, help="deliveries in phase 3")
    parser.add_argument("--concurrency", type=int, default=4, help="MODELREG_WEBHOOK_CONCURRENCY")
    parser.add_argument("--output", type=Path, default=None, help="JSON results file")
    args = parser.parse_args()
    started = datetime.now(UTC)
    loads = [os.getloadavg()[0]]
    receiver = Receiver()
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp, receiver.running():
        workdir = Path(tmp)
        with modelreg(workdir, args):
            pass  # the first start creates the admin
        key = token(workdir)
        with modelreg(workdir, args) as base:
            first = asyncio.run(writes_and_latency(base, key, receiver, args))
        loads.append(os.getloadavg()[0])
        third = throughput(workdir, key, receiver, args)
        loads.append(os.getloadavg()[0])
    if receiver.bad:
        raise SystemExit(f"{len(receiver.bad)} deliveries failed signature verification")
    writes, latency = first["writes_ms"], first["latency_ms"]
    print(f"\nwrites (createVersion, one at a time, {args.events} per project), ms")
    print(f"{'project':<22}{'p50':>9}{'p95':>9}{'p99':>9}")
    for name, label in (("plain", "no webhook (baseline)"), ("hooked", "one webhook")):
        print(
            f"{label:<22}" + "".join(f"{fmt(writes[name][k], 2):>9}" for k in ("p50", "p95", "p99"))
        )
    print(f"\ndelivery latency, response of the write -> receiver ({first['events']} events), ms")
    print(
        "".join(f"{k:>9}" for k in latency)
        + "\n"
        + "".join(f"{fmt(v, 2):>9}" for v in latency.values())
    )
    print(f"\nthroughput, one process, backlog of {args.backlog}, concurrency {args.concurrency}")
    rate, posts = third["deliveries_per_s"], third["plain_posts_per_s"]
    print(
        f"  deliveries/s {rate:,.0f}; plain POSTs/s to the same receiver {posts:,.0f} "
        f"(ratio {rate / posts:.2f})"
    )
    print(f"(1-minute load average: {min(loads):.1f} to {max(loads):.1f})")
    output = args.output or BENCH_DIR / "results" / f"webhooks-{started:%Y%m%dT%H%M%SZ}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({
        "started": started.isoformat(), "args": vars(args) | {"output": str(output)},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "loadavg_1m": loads, "writes_ms": writes, "latency_ms": latency, "throughput": third,
    }, indent=2, default=str))  # fmt: skip
    print(f"results: {output}")


if __name__ == "__main__":
    main()
