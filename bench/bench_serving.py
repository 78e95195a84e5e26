"""Serving a registered model: `modelreg serve-model` against `mlflow models serve`, same model.

One small scikit-learn model (logistic regression on 8 numeric columns, with a signature) is
logged through the MLflow client into a fresh modelreg registry (SQLite) and given the alias
`champion`. modelreg serves it with `modelreg serve-model bench/iris@champion` (following the
alias); MLflow serves the very same files, downloaded from the registry, with
`mlflow models serve --env-manager local --workers 1` from bench/.venv-mlflow. The load generator
then sends identical `POST /invocations` requests (JSON `dataframe_split`) to both, in
interleaved rounds, for two payloads:

  1 row       one row to score: the per-request overhead
  100 rows    a hundred rows: parsing, the signature check and the model's own work

Every answer is checked: status 200 and the exact predictions the model gives in process; a
refusal or a wrong answer stops the run. After that, `--swap` (default on) measures an alias
move under load: version 2 is registered, `champion` moves to it, and the load keeps going until
every answer comes from version 2; it reports the time until the first answer from the new
version and fails loudly on any failed request during the swap. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from harness import Op, free_port, measure, print_ratios, print_table, ratios, server

BENCH_DIR = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PROJECT, MODEL, ALIAS = "bench", "iris", "champion"
COLUMNS = [f"f{i}" for i in range(8)]
OPERATIONS = {"1 row": 1, "100 rows": 100}


def cli(data_dir: Path, *args: str, stdin: str | None = None) -> str:
    cmd = [str(BIN / "modelreg"), *args, "--data-dir", str(data_dir)]
    done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr.strip()[-500:]}")
    return done.stdout.strip()


def start_registry(stack: ExitStack, workdir: Path) -> tuple[str, str]:
    """A fresh registry with a user `bench` owning project `bench`; its URL and an api token."""
    data_dir = workdir / "registry"
    cli(data_dir, "db", "upgrade")
    cli(data_dir, "user", "create", "bench", "--password-stdin", stdin="bench-password-123")
    token = cli(data_dir, "token", "create", "--user", "bench", "--name", "bench")
    cli(data_dir, "project", "create", PROJECT, "--owner", "bench")
    port = free_port()
    cmd = [str(BIN / "modelreg"), "serve", "--no-migrate", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--data-dir", str(data_dir)]
    env = {**os.environ, "MODELREG_LOG_LEVEL": "warning"}
    base = f"http://127.0.0.1:{port}"
    stack.enter_context(server(cmd, f"{base}/healthz", workdir / "registry.log", env))
    return base, token


def train(seed: int) -> tuple[Any, Any]:
    """A small classifier and the rows the load sends (pandas DataFrame)."""
    import pandas as pd
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    x, y = make_classification(n_samples=2000, n_features=8, n_informative=5, random_state=7)
    frame = pd.DataFrame(x, columns=COLUMNS)
    labels = 1 - y if seed else y  # version 2 answers the opposite class for every row
    model = LogisticRegression(max_iter=500).fit(frame, labels)
    return model, frame


def log_version(base: str, token: str, seed: int) -> tuple[Any, str]:
    """Log a model through the MLflow client, register it and point the alias at it."""
    import mlflow
    from mlflow.models import infer_signature

    os.environ["MLFLOW_TRACKING_URI"] = f"{base}/projects/{PROJECT}/mlflow"
    os.environ["MLFLOW_TRACKING_TOKEN"] = token
    model, frame = train(seed)
    signature = infer_signature(frame, model.predict(frame))
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(
            model, name="model", registered_model_name=MODEL, signature=signature
        )
    version = str(info.registered_model_version)
    mlflow.MlflowClient().set_registered_model_alias(MODEL, ALIAS, version)
    return model, version


def download_model(workdir: Path) -> Path:
    """The registered files, as `mlflow models serve` is given them."""
    import mlflow

    target = workdir / "mlflow-model"
    return Path(mlflow.artifacts.download_artifacts(f"models:/{MODEL}@{ALIAS}", dst_path=target))


def start_serve_model(stack: ExitStack, workdir: Path, base: str, token: str, poll: float) -> str:
    port = free_port()
    cmd = [str(BIN / "modelreg"), "serve-model", f"{PROJECT}/{MODEL}@{ALIAS}"]
    cmd += ["--registry", base, "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--poll-seconds", str(poll), "--cache-dir", str(workdir / "serving-cache")]
    env = {**os.environ, "MODELREG_TOKEN": token, "MODELREG_LOG_LEVEL": "warning"}
    url = f"http://127.0.0.1:{port}"
    stack.enter_context(server(cmd, f"{url}/ping", workdir / "serve-model.log", env))
    return url


def start_mlflow_serve(stack: ExitStack, venv: Path, model_dir: Path, workdir: Path) -> str | None:
    mlflow = venv / "bin" / "mlflow"
    if not mlflow.exists():
        print(f"MLflow baseline unavailable: {mlflow} is missing (run bench_mlflow.py once).")
        return None
    port = free_port()
    cmd = [str(mlflow), "models", "serve", "-m", str(model_dir), "--env-manager", "local"]
    cmd += ["-h", "127.0.0.1", "-p", str(port), "--workers", "1"]
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_TRACKING")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"  # it execs `uvicorn`
    stack.enter_context(server(cmd, f"{url}/ping", workdir / "mlflow-serve.log", env))
    return url


def payload(frame: Any, start: int, rows: int) -> tuple[bytes, list[int]]:
    part = frame.iloc[start : start + rows]
    body = {"dataframe_split": {"columns": COLUMNS, "data": part.to_numpy().tolist()}}
    return json.dumps(body).encode(), part.index.tolist()


def invocation_ops(
    client: httpx.AsyncClient, url: str, system: str, frame: Any, expected: list[int], rows: int
) -> Op:
    bodies = [payload(frame, (i * rows) % (len(frame) - rows), rows) for i in range(16)]
    headers = {"content-type": "application/json"}

    async def op(i: int) -> str:
        body, index = bodies[i % len(bodies)]
        response = await client.post(f"{url}/invocations", content=body, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{system}: {response.status_code} {response.text[:300]}")
        predictions = response.json()["predictions"]
        if predictions != [expected[j] for j in index]:
            raise RuntimeError(f"{system}: wrong predictions {str(predictions)[:200]}")
        return f"{rows} rows"

    return op


async def run(
    args: argparse.Namespace, base: str, urls: dict[str, str], frame: Any, expected: list[int]
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    limits = httpx.Limits(max_connections=args.concurrency * 2)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        for name, rows in OPERATIONS.items():
            ops = {s: invocation_ops(client, u, s, frame, expected, rows) for s, u in urls.items()}
            measured = await measure(ops, name, args)
            for system, rows_out in measured.items():
                first = rows_out[name]
                if first["errors"]:
                    raise SystemExit(f"{system} {name}: {first['errors']} refused or wrong answers")
                results.setdefault(system, {}).update(rows_out)
    return results


async def swap_under_load(
    args: argparse.Namespace, url: str, frame: Any, expected: list[int]
) -> dict[str, Any]:
    """Move the alias to a new version while clients keep calling; every answer must succeed."""
    model2, version2 = await asyncio.to_thread(log_version, args.base, args.token, 1)
    moved = time.perf_counter()
    expected2 = model2.predict(frame).tolist()
    body, index = payload(frame, 0, 20)
    headers = {"content-type": "application/json"}
    expected1 = [expected[j] for j in index]
    first_new: float | None = None
    answered = failed = 0
    stop = asyncio.Event()

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal first_new, answered, failed
        while not stop.is_set():
            response = await client.post(f"{url}/invocations", content=body, headers=headers)
            answered += 1
            if response.status_code != 200:
                failed += 1
                continue
            predictions = response.json()["predictions"]
            if predictions != expected1 and predictions != [expected2[j] for j in index]:
                failed += 1  # neither version's answer
            elif predictions != expected1 and first_new is None:
                first_new = time.perf_counter() - moved
                loop_deadline[0] = time.perf_counter() + 1.0  # a second more on the new one
            if time.perf_counter() > loop_deadline[0]:
                stop.set()

    loop_deadline = [time.perf_counter() + args.poll_seconds * 3 + 60]
    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(args.concurrency)))
        version = (await client.get(f"{url}/version")).json()
    if failed or first_new is None:
        raise SystemExit(
            f"swap: {failed} of {answered} requests failed; new version seen: {first_new}"
        )
    return {
        "requests": answered,
        "failed": failed,
        "seconds_to_new_version": first_new,
        "version_after": version,
        "registered": version2,
        "poll_seconds": args.poll_seconds,
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured, per payload")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured, per payload")
    parser.add_argument("--rounds", type=int, default=4, help="turns taken by the systems")
    parser.add_argument("--poll-seconds", type=float, default=2.0, help="serve-model's poll")
    parser.add_argument("--no-swap", dest="swap", action="store_false")
    parser.add_argument("--baseline", choices=["mlflow", "none"], default="mlflow")
    parser.add_argument("--mlflow-venv", type=Path, default=BENCH_DIR / ".venv-mlflow")
    parser.add_argument("--output", type=Path, default=None, help="JSON file to write")
    args = parser.parse_args()
    if args.rounds < 1 or args.requests < args.rounds:
        parser.error("--rounds must be between 1 and --requests")
    return args


def main() -> None:
    args = parse_args()
    notes = {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "loadavg_start": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory(prefix="bench-serving-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        args.base, args.token = start_registry(stack, workdir)
        model, version = log_version(args.base, args.token, 0)
        _, frame = train(0)
        expected = model.predict(frame).tolist()
        urls = {
            "modelreg": start_serve_model(stack, workdir, args.base, args.token, args.poll_seconds)
        }
        if args.baseline == "mlflow":
            mlflow_url = start_mlflow_serve(
                stack, args.mlflow_venv, download_model(workdir), workdir
            )
            if mlflow_url is not None:
                urls["mlflow"] = mlflow_url
        print(f"model: {MODEL} version {version}, {len(frame)} rows; systems: {', '.join(urls)}")
        results = asyncio.run(run(args, args.base, urls, frame, expected))
        for system, table in results.items():
            print_table(f"{system} (POST /invocations, concurrency {args.concurrency})", table)
        table = ratios(results["modelreg"], results["mlflow"]) if "mlflow" in results else None
        if table:
            print_ratios(table)
        swap = (
            asyncio.run(swap_under_load(args, urls["modelreg"], frame, expected))
            if args.swap
            else None
        )
        if swap:
            print(
                f"\nalias move under load ({args.concurrency} clients, poll every "
                f"{args.poll_seconds:g} s): {swap['requests']} requests, {swap['failed']} "
                f"failed, first answer from the new version after "
                f"{swap['seconds_to_new_version']:.2f} s"
            )
    notes["loadavg_end"] = os.getloadavg()
    print(
        f"load average at start {notes['loadavg_start'][0]:.1f}, "
        f"at end {notes['loadavg_end'][0]:.1f}"
    )
    output = args.output or BENCH_DIR / "results" / (
        f"serving-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    )
    output.parent.mkdir(exist_ok=True)
    output.write_text(
        json.dumps(
            {"notes": notes, "results": results, "ratios": table, "swap": swap},
            indent=2,
            default=str,
        )
    )
    print(f"\nresults written to {output}")


if __name__ == "__main__":
    main()
