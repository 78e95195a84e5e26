"""Core registry benchmark: list models and create versions, modelreg against MLflow.

Seeds N models x V versions into a fresh SQLite registry for each server (not measured), starts
one server process each, and drives them in turn with an httpx load generator; see README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import semver
import sqlalchemy as sa

from harness import (
    Op,
    free_port,
    group_cpu_seconds,
    measure,
    print_ratios,
    print_table,
    ratios,
    server,
)
from modelreg import __version__ as modelreg_version
from modelreg.db import Database
from modelreg.db.migrate import upgrade
from modelreg.db.models import ModelTag, ModelVersion, Project, RegisteredModel
from modelreg.domain.actor import SYSTEM
from modelreg.domain.policy import Role, Visibility
from modelreg.domain.versions import precedence_key
from modelreg.graphql.ids import encode_id
from modelreg.services import accounts, members, tokens

BENCH_DIR = Path(__file__).resolve().parent
TASKS = ("classification", "regression", "detection", "ranking")
LIST_QUERY = """
query Models($after: String, $search: String, $tags: [TagFilterInput!]) {
  project(path: "bench") {
    models(first: 50, after: $after, search: $search, tags: $tags) {
      edges { node { id name versionCount latestVersion { version } tags { key value } } }
      pageInfo { endCursor hasNextPage }
    }
  }
}"""
CREATE_MUTATION = """
mutation Create($input: CreateVersionInput!) {
  createVersion(input: $input) { modelVersion { id number } errors { code message } }
}"""
Ops = dict[str, Op]  # phase name -> one request


# --- seeding (not measured) -------------------------------------------------------------------


def model_name(i: int) -> str:
    return f"model-{i:05d}"


def model_tags(i: int) -> dict[str, str]:
    return {"team": f"team-{i % 10}", "task": TASKS[i % len(TASKS)]}


def version_plan(i: int, count: int) -> list[str]:
    """In creation order. Every 5th model ends on a prerelease above its releases and every 11th
    has only prereleases, so latestVersion has to rank rather than take the last row."""
    if i % 11 == 0:
        return [f"0.1.0-alpha.{j}" for j in range(count)]
    versions = [f"{j // 3}.{j % 3}.{i % 4}" for j in range(count)]
    if i % 5 == 0 and count > 1:
        versions[-1] = f"{(count - 1) // 3 + 1}.0.0-rc.{i % 3 + 1}"
    return versions


def seed_modelreg(data_dir: Path, models: int, versions: int, chunk: int = 1000) -> None:
    db_file = data_dir / "registry.db"
    data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(f"sqlite+aiosqlite:///{db_file}")
    start = datetime.now(UTC) - timedelta(seconds=models * versions)
    common = {"description": "", "created_by": "bench"}
    project = {"id": 1, "path": "bench", "name": "bench", "visibility": Visibility.PUBLIC}
    project |= {**common, "created_at": start, "updated_at": start}
    rows: dict[type, list[dict]] = {RegisteredModel: [], ModelVersion: [], ModelTag: []}
    for i in range(1, models + 1):
        plan = version_plan(i, versions)
        times = [start + timedelta(seconds=(i - 1) * versions + j) for j in range(len(plan))]
        rows[RegisteredModel].append(
            {"id": i, "project_id": 1, "name": model_name(i), "last_version_number": len(plan)}
            | {**common, "created_at": times[0], "updated_at": times[-1]}
        )
        for number, (text, at) in enumerate(zip(plan, times, strict=True), start=1):
            parsed = semver.Version.parse(text)
            row = dict(model_id=i, number=number, version=text, sort_key=precedence_key(parsed))
            row |= dict(is_prerelease=parsed.prerelease is not None, created_at=at, updated_at=at)
            rows[ModelVersion].append(row | common)
        rows[ModelTag] += [{"model_id": i, "key": k, "value": v} for k, v in model_tags(i).items()]
    engine = sa.create_engine(f"sqlite:///{db_file}")
    with engine.begin() as conn:
        conn.execute(sa.insert(Project.__table__).values([project]))
        for table, table_rows in rows.items():
            for at in range(0, len(table_rows), chunk):
                conn.execute(sa.insert(table.__table__).values(table_rows[at : at + chunk]))
    engine.dispose()


async def seed_modelreg_user(data_dir: Path) -> str:
    """A MAINTAINER of the bench project (not an admin: requests pay for the role lookup) and
    an `api` token for it. The load generator authenticates every request with the token."""
    db = Database(f"sqlite+aiosqlite:///{data_dir / 'registry.db'}")
    try:
        async with db.begin() as session:
            await accounts.create_user(session, actor=SYSTEM, username="bench")
            await members.add_member(
                session, actor=SYSTEM, project_id=1, username="bench", role=Role.MAINTAINER
            )
            created = await tokens.create_token(
                session, actor=SYSTEM, username="bench", name="bench", scopes=["api"]
            )
        return created.secret
    finally:
        await db.dispose()


def seed_mlflow(db_file: Path, models: int, versions: int) -> None:
    """Rows shaped like those MLflow 3 writes itself (compared with server-created rows)."""
    now = int(time.time() * 1000) - models * versions * 1000
    conn = sqlite3.connect(db_file)
    with conn:
        for i in range(1, models + 1):
            name, t0 = model_name(i), now + (i - 1) * versions * 1000
            conn.execute(
                "INSERT INTO registered_models (name, creation_time, last_updated_time,"
                " description, workspace) VALUES (?, ?, ?, '', 'default')",
                (name, t0, t0 + (versions - 1) * 1000),
            )
            conn.executemany(
                "INSERT INTO model_versions (name, version, creation_time, last_updated_time,"
                " description, user_id, current_stage, source, run_id, status, status_message,"
                " run_link, storage_location, workspace) VALUES (?, ?, ?, ?, '', NULL, 'None',"
                " ?, '', 'READY', NULL, '', ?, 'default')",
                [
                    (
                        name,
                        n,
                        t0 + (n - 1) * 1000,
                        t0 + (n - 1) * 1000,
                        *[f"s3://bench/{name}/{n}"] * 2,
                    )
                    for n in range(1, versions + 1)
                ],
            )
            conn.executemany(
                "INSERT INTO registered_model_tags (key, value, name, workspace)"
                " VALUES (?, ?, ?, 'default')",
                [(k, v, name) for k, v in model_tags(i).items()],
            )
    conn.close()


def list_op(fetch: Callable[[str, Any], Awaitable[int]], cursors: list[str]) -> Op:
    """Round-robin over the first page, a page after a random cursor, and a name search plus
    tag filter: a two-digit substring (~4% of names) and a team (10%), ~40 matches at 10,000.
    `fetch(variant, argument)` returns the number of models on the page."""
    rng = random.Random(2)

    async def op(i: int) -> str:
        variant, argument = ("first page", "cursor page", "search+tag")[i % 3], None
        if variant == "cursor page":
            argument = rng.choice(cursors)
        elif variant == "search+tag":
            argument = (f"{rng.randrange(100):02d}", f"team-{rng.randrange(10)}")
        found = await fetch(variant, argument)
        if variant != "search+tag" and found != 50:
            raise RuntimeError(f"{variant}: {found} models instead of 50")
        return variant

    return op


async def modelreg_ops(client: httpx.AsyncClient, args: argparse.Namespace) -> Ops:
    rng = random.Random(1)

    client.headers["authorization"] = f"Bearer {args.modelreg_token}"

    async def gql(query: str, variables: dict) -> dict:
        resp = await client.post("/graphql", json={"query": query, "variables": variables})
        resp.raise_for_status()
        body = resp.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])
        return body["data"]

    cursors, after = [], None
    for _ in range(args.cursor_pages):
        after = (await gql(LIST_QUERY, {"after": after}))["project"]["models"]["pageInfo"]
        after = after["endCursor"]
        cursors.append(after)

    async def list_models(variant: str, argument: Any) -> int:
        variables: dict = {"after": argument} if variant == "cursor page" else {}
        if variant == "search+tag":
            variables = {"search": argument[0], "tags": [{"key": "team", "value": argument[1]}]}
        return len((await gql(LIST_QUERY, variables))["project"]["models"]["edges"])

    async def create_version(i: int) -> str:
        model_id = encode_id("RegisteredModel", rng.randint(1, args.models))
        variables = {"input": {"modelId": model_id, "version": f"100.0.{i}"}}
        payload = (await gql(CREATE_MUTATION, variables))["createVersion"]
        if payload["errors"] or not payload["modelVersion"]:
            raise RuntimeError(payload["errors"])
        return "create"

    return {"list models": list_op(list_models, cursors), "create version": create_version}


async def mlflow_ops(client: httpx.AsyncClient, args: argparse.Namespace) -> Ops:
    rng = random.Random(1)

    async def search(params: dict) -> dict:
        resp = await client.get(
            "/api/2.0/mlflow/registered-models/search", params={"max_results": 50, **params}
        )
        resp.raise_for_status()
        return resp.json()

    tokens, params = [], {}
    for _ in range(args.cursor_pages):
        params = {"page_token": (await search(params))["next_page_token"]}
        tokens.append(params["page_token"])

    async def list_models(variant: str, argument: Any) -> int:
        params = {"page_token": argument} if variant == "cursor page" else {}
        if variant == "search+tag":
            params = {"filter": f"name ILIKE '%{argument[0]}%' AND tags.team = '{argument[1]}'"}
        return len((await search(params)).get("registered_models", []))

    async def create_version(i: int) -> str:
        name = model_name(rng.randint(1, args.models))
        body = {"name": name, "source": f"s3://bench/{name}/x{i}"}
        resp = await client.post("/api/2.0/mlflow/model-versions/create", json=body)
        resp.raise_for_status()
        if "model_version" not in resp.json():
            raise RuntimeError(resp.text[:300])
        return "create"

    return {"list models": list_op(list_models, tokens), "create version": create_version}


async def measure_all(
    targets: dict[str, tuple[tuple[str, int], Callable]], args: argparse.Namespace
) -> dict:
    """Both phases, in order; each phase on all the systems together (see harness.measure).
    Each target is ((base URL, server process group), ops maker)."""
    limits = httpx.Limits(max_connections=args.concurrency)
    clients = {
        name: httpx.AsyncClient(base_url=base, timeout=120, limits=limits)
        for name, ((base, _), _) in targets.items()
    }
    cpu = {name: partial(group_cpu_seconds, pgid) for name, ((_, pgid), _) in targets.items()}
    try:
        ops = {name: await make(clients[name], args) for name, (_, make) in targets.items()}
        results: dict[str, dict] = {name: {} for name in targets}
        for phase_no, phase in enumerate(("list models", "create version")):
            offset = phase_no * (args.warmup + args.requests)
            rows = await measure({n: o[phase] for n, o in ops.items()}, phase, args, offset, cpu)
            for name, system_rows in rows.items():
                results[name] |= system_rows
        return results
    finally:
        for client in clients.values():
            await client.aclose()


# --- the two systems --------------------------------------------------------------------------


def start_modelreg(stack: ExitStack, workdir: Path, args: argparse.Namespace) -> tuple[str, int]:
    data_dir = workdir / "modelreg"
    t0 = time.perf_counter()
    seed_modelreg(data_dir, args.models, args.versions)
    args.modelreg_token = asyncio.run(seed_modelreg_user(data_dir))
    print(f"modelreg: seeded in {time.perf_counter() - t0:.1f} s")
    port = free_port()
    cmd = [str(Path(sys.executable).parent / "modelreg"), "serve", "--no-migrate"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data_dir)]
    env = {**os.environ, "MODELREG_LOG_LEVEL": "warning"}
    base = f"http://127.0.0.1:{port}"
    proc = stack.enter_context(server(cmd, f"{base}/healthz", workdir / "modelreg.log", env))
    return base, proc.pid


def ensure_mlflow(venv: Path) -> Path | None:
    """The mlflow command of the bench venv, installed on demand; None when it cannot be."""
    mlflow = venv / "bin" / "mlflow"
    if mlflow.exists():
        return mlflow
    print(f"MLflow baseline: installing mlflow into {venv} (a few minutes) ...")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "-q", "mlflow"]
        subprocess.run(pip, check=True, timeout=1800)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"MLflow baseline unavailable: pip install mlflow failed ({exc}).")
        return None
    return mlflow if mlflow.exists() else None


def start_mlflow(
    stack: ExitStack, mlflow: Path, workdir: Path, args: argparse.Namespace
) -> tuple[str, int]:
    db_file = workdir / "mlflow.db"
    uri = f"sqlite:///{db_file}"
    t0 = time.perf_counter()
    subprocess.run([str(mlflow), "db", "upgrade", uri], check=True, capture_output=True)
    seed_mlflow(db_file, args.models, args.versions)
    print(f"mlflow: schema created and seeded in {time.perf_counter() - t0:.1f} s")
    port = free_port()
    cmd = [str(mlflow), "server", "--backend-store-uri", uri, "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", "1"]
    cmd += ["--artifacts-destination", str(workdir / "mlartifacts")]
    cmd += ["--uvicorn-opts", "--log-level warning --no-access-log"]
    base = f"http://127.0.0.1:{port}"
    proc = stack.enter_context(
        server(cmd, f"{base}/health", workdir / "mlflow.log", dict(os.environ))
    )
    return base, proc.pid


def machine_notes(mlflow: Path | None) -> dict:
    notes = {"cpus": os.cpu_count(), "platform": platform.platform()}
    notes |= {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    notes |= {"modelreg": modelreg_version, "mlflow": None, "loadavg_start": os.getloadavg()}
    if mlflow is not None:
        out = subprocess.run([str(mlflow), "--version"], capture_output=True, text=True)
        notes["mlflow"] = out.stdout.strip().rsplit(" ", 1)[-1]
    return notes


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000, help="measured, per operation")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured, per operation")
    parser.add_argument("--rounds", type=int, default=4, help="turns taken by the systems")
    parser.add_argument("--cursor-pages", type=int, default=20, help="pages of cursors to reuse")
    parser.add_argument("--baseline", choices=["mlflow", "none"], default="mlflow")
    parser.add_argument("--mlflow-venv", type=Path, default=BENCH_DIR / ".venv-mlflow")
    parser.add_argument("--output", type=Path, default=None, help="JSON file to write")
    args = parser.parse_args()
    if args.rounds < 1 or args.requests < args.rounds:
        parser.error("--rounds must be between 1 and --requests")
    if args.models < 50 * (args.cursor_pages + 1):
        parser.error("--models must be at least 50 x (--cursor-pages + 1)")
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
    with tempfile.TemporaryDirectory(prefix="bench-core-") as tmp, ExitStack() as stack:
        targets = {"modelreg": (start_modelreg(stack, Path(tmp), args), modelreg_ops)}
        if mlflow is not None:
            targets["mlflow"] = (start_mlflow(stack, mlflow, Path(tmp), args), mlflow_ops)
        report |= asyncio.run(measure_all(targets, args))
    print_table(f"modelreg {notes['modelreg']} ({shape})", report["modelreg"])
    if mlflow is not None:
        print_table(f"MLflow {notes['mlflow']} ({shape})", report["mlflow"])
        report["ratio_modelreg_over_mlflow"] = ratios(report["modelreg"], report["mlflow"])
        print_ratios(report["ratio_modelreg_over_mlflow"])
    elif args.baseline == "mlflow":
        print("\nMLflow baseline unavailable: no ratios.")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = args.output or BENCH_DIR / "results" / f"core-{stamp}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {output}")


if __name__ == "__main__":
    main()
