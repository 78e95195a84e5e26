"""MLflow client protocol: the same load against `mlflow server` and modelreg's MLflow endpoint.

Both registries start from the same data (N models x V versions, seeded directly into each
one's SQLite database, not measured), one server process each (MLflow: `mlflow server`, SQLite
backend, one uvicorn worker, installed into bench/.venv-mlflow on first use; modelreg: `modelreg
serve`, SQLite). The load generator then sends identical MLflow REST requests to both, in
interleaved rounds, for five operations:

  create model       POST registered-models/create (a new name each time)
  create version     POST model-versions/create (a random model)
  search             GET registered-models/search, a page of 100 (first pages, later pages, and
                     pages filtered by a tag, `tags.team = 'team-N'`)
  get model          GET registered-models/get (a random model, with latest versions and tags)
  transition stage   POST model-versions/transition-stage (version 1 of a different model each
                     time, None -> Staging)

modelreg's requests carry a personal access token of a project MAINTAINER (so they pay for
authentication and the permission check); MLflow's server has no authentication.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from bench_core import (
    BENCH_DIR,
    ensure_mlflow,
    machine_notes,
    model_name,
    start_mlflow,
    start_modelreg,
)
from harness import Op, group_cpu_seconds, measure, print_ratios, print_table, ratios

OPERATIONS = ("create model", "create version", "search", "get model", "transition stage")
API = "api/2.0/mlflow"


def mlflow_ops(client: httpx.AsyncClient, args: argparse.Namespace, system: str) -> dict[str, Op]:
    rng = random.Random(7)
    models = args.models

    async def call(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "GET":
            response = await client.get(f"{API}/{path}", params=body)
        else:
            response = await client.request(method, f"{API}/{path}", json=body)
        if response.status_code != 200:
            raise RuntimeError(f"{system} {path}: {response.status_code} {response.text[:300]}")
        found: dict[str, Any] = response.json()
        return found

    async def create_model(i: int) -> str:
        name = f"new-model-{i:07d}"
        found = await call("POST", "registered-models/create", {"name": name})
        if found.get("registered_model", {}).get("name") != name:
            raise RuntimeError(f"{system}: no registered_model {name} in the answer")
        return "create model"

    async def create_version(i: int) -> str:
        name = model_name(rng.randint(1, models))
        body = {"name": name, "source": f"s3://bench/{name}/{i}"}
        if "model_version" not in await call("POST", "model-versions/create", body):
            raise RuntimeError(f"{system}: no model_version in the answer")
        return "create version"

    tokens: list[str] = []

    async def search(i: int) -> str:
        params: dict[str, Any] = {"max_results": 100}
        variant = "first page"
        team = f"team-{i % 10}"
        if i % 3 == 1 and tokens:
            params["page_token"] = rng.choice(tokens)
            variant = "later page"
        elif i % 3 == 2:
            # Every 10th model has this tag value: a full page of 100 from 2,000 models up.
            params["filter"] = f"tags.team = '{team}'"
            variant = "by tag"
        found = await call("GET", "registered-models/search", params)
        page = found.get("registered_models", [])
        if len(page) != 100:
            raise RuntimeError(f"{system}: search returned a short page")
        if variant == "by tag" and any(
            {"key": "team", "value": team} not in m.get("tags", []) for m in page
        ):
            raise RuntimeError(f"{system}: a model without tag team={team} in a search by it")
        if variant == "first page" and len(tokens) < 20 and "next_page_token" in found:
            tokens.append(found["next_page_token"])
        return variant

    async def get_model(i: int) -> str:
        found = await call(
            "GET", "registered-models/get", {"name": model_name(rng.randint(1, models))}
        )
        if "registered_model" not in found:
            raise RuntimeError(f"{system}: no registered_model in the answer")
        return "get model"

    async def transition(i: int) -> str:
        # Each request moves a different model's version 1, so none is a repeat.
        name = model_name(i % models + 1)
        body = {"name": name, "version": "1", "stage": "Staging"}
        found = await call("POST", "model-versions/transition-stage", body)
        if found.get("model_version", {}).get("current_stage") != "Staging":
            raise RuntimeError(f"{system}: version 1 of {name} is not in Staging")
        return "transition stage"

    return {
        "create model": create_model,
        "create version": create_version,
        "search": search,
        "get model": get_model,
        "transition stage": transition,
    }


async def measure_all(
    targets: dict[str, tuple[str, dict[str, str], int]], args: argparse.Namespace
) -> dict:
    """Each target is (base URL, headers, server process group)."""
    limits = httpx.Limits(max_connections=args.concurrency)
    clients = {
        name: httpx.AsyncClient(base_url=base, headers=headers, timeout=120, limits=limits)
        for name, (base, headers, _) in targets.items()
    }
    cpu = {name: partial(group_cpu_seconds, pgid) for name, (_, _, pgid) in targets.items()}
    try:
        ops = {name: mlflow_ops(clients[name], args, name) for name in targets}
        results: dict[str, dict] = {name: {} for name in targets}
        for number, phase in enumerate(OPERATIONS):
            offset = number * (args.warmup + args.requests)
            rows = await measure({n: o[phase] for n, o in ops.items()}, phase, args, offset, cpu)
            for name, system_rows in rows.items():
                results[name] |= system_rows
        return results
    finally:
        for client in clients.values():
            await client.aclose()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=5_000)
    parser.add_argument("--versions", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1000, help="measured, per operation")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured, per operation")
    parser.add_argument("--rounds", type=int, default=4, help="turns taken by the systems")
    parser.add_argument("--baseline", choices=["mlflow", "none"], default="mlflow")
    parser.add_argument("--mlflow-venv", type=Path, default=BENCH_DIR / ".venv-mlflow")
    parser.add_argument("--output", type=Path, default=None, help="JSON file to write")
    args = parser.parse_args()
    if args.rounds < 1 or args.requests < args.rounds:
        parser.error("--rounds must be between 1 and --requests")
    if args.models < 1000:
        parser.error("--models must be at least 1000 (a search by tag reads a full page of 100)")
    if args.models < args.warmup + args.requests:
        parser.error("--models must be at least --warmup + --requests (transitions)")
    return args


def main() -> None:
    args = parse_args()
    mlflow = ensure_mlflow(args.mlflow_venv) if args.baseline == "mlflow" else None
    notes = machine_notes(mlflow)
    shape = f"{args.models} models x {args.versions} versions"
    print(
        f"{shape}, {args.requests} requests per operation, concurrency {args.concurrency}; "
        f"{notes['cpus']} CPUs, Python {notes['python']}, SQLite {notes['sqlite']}, "
        f"load average {notes['loadavg_start'][0]:.2f}"
    )
    report: dict = {"args": {k: str(v) for k, v in vars(args).items()}, "machine": notes}
    with tempfile.TemporaryDirectory(prefix="bench-mlflow-") as tmp, ExitStack() as stack:
        base, pgid = start_modelreg(stack, Path(tmp), args)
        token = {"authorization": f"Bearer {args.modelreg_token}"}
        targets = {"modelreg": (f"{base}/projects/bench/mlflow", token, pgid)}
        if mlflow is not None:
            mlflow_base, mlflow_pgid = start_mlflow(stack, mlflow, Path(tmp), args)
            targets["mlflow"] = (mlflow_base, {}, mlflow_pgid)
        report |= asyncio.run(measure_all(targets, args))
    print_table(f"modelreg {notes['modelreg']}, MLflow endpoint ({shape})", report["modelreg"])
    if mlflow is not None:
        print_table(f"MLflow {notes['mlflow']} ({shape})", report["mlflow"])
        report["ratio_modelreg_over_mlflow"] = ratios(report["modelreg"], report["mlflow"])
        print_ratios(report["ratio_modelreg_over_mlflow"])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = args.output or BENCH_DIR / "results" / f"mlflow-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {output}")


if __name__ == "__main__":
    main()
