"""Server CPU per request of MLflow registry searches, in process (no HTTP server, no load
generator).

Seeds the registry `bench_mlflow.py` uses into a temporary directory (or reuses --data-dir),
builds the app with `create_app` and sends the MLflow REST requests of `bench_mlflow.py` (a
search page of 100: first page, later page, by tag; get model) through httpx's ASGI transport,
checking every answer. Prints the process CPU time per request (best of --runs); with
--profile, a cProfile of the search by tag (sorted by own time) as well. See README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench_core import model_name, seed_modelreg, seed_modelreg_user
from modelreg.app import create_app
from modelreg.settings import Settings

API = "/projects/bench/mlflow/api/2.0/mlflow"


async def measure(data_dir: Path, token: str, args: argparse.Namespace) -> None:
    app = create_app(Settings(data_dir=data_dir, log_level="warning"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"authorization": f"Bearer {token}", "accept-encoding": "gzip"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=headers
        ) as client:

            async def call(path: str, params: dict[str, Any]) -> dict[str, Any]:
                resp = await client.get(f"{API}/{path}", params=params)
                if resp.status_code != 200:
                    raise RuntimeError(f"{path}: {resp.status_code} {resp.text[:300]}")
                found: dict[str, Any] = resp.json()
                return found

            first = await call("registered-models/search", {"max_results": 100})
            token_later = first["next_page_token"]

            async def search(params: dict[str, Any]) -> None:
                page = (await call("registered-models/search", params))["registered_models"]
                if len(page) != 100:
                    raise RuntimeError(f"{len(page)} models on the page")
                team = params.get("filter", "").partition("= '")[2].rstrip("'")
                if team and any({"key": "team", "value": team} not in m["tags"] for m in page):
                    raise RuntimeError(f"a model without team={team} in a search by it")

            async def get_model() -> None:
                found = await call("registered-models/get", {"name": model_name(7)})
                if found["registered_model"]["name"] != model_name(7):
                    raise RuntimeError("get model: another model")

            variants = {
                "first page": lambda: search({"max_results": 100}),
                "later page": lambda: search({"max_results": 100, "page_token": token_later}),
                "by tag": lambda: search({"max_results": 100, "filter": "tags.team = 'team-3'"}),
                "get model": get_model,
            }
            for name, op in variants.items():
                for _ in range(10):  # warm-up: statement caches
                    await op()
                runs = []
                for _ in range(args.runs):
                    start = time.process_time()
                    for _ in range(args.requests):
                        await op()
                    runs.append((time.process_time() - start) / args.requests * 1000)
                shown = ", ".join(f"{r:.2f}" for r in runs)
                print(f"{name:12} {min(runs):6.2f} ms CPU/request  (runs {shown})")
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.requests):
                    await variants["by tag"]()
                profiler.disable()
                pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=5_000)
    parser.add_argument("--versions", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50, help="per run and variant")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, help="seeded once, reused on later runs")
    parser.add_argument("--gc", action="store_true", help="keep the garbage collector on")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key")
    parser.add_argument("--lines", type=int, default=40, help="cProfile lines shown")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-mlflow-search-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        token_file = data_dir / "bench-token"
        if not token_file.exists():
            seed_modelreg(data_dir, args.models, args.versions)
            token_file.write_text(asyncio.run(seed_modelreg_user(data_dir)))
        if not args.gc:
            gc.disable()  # collections land on whichever request allocates: noise
        print(f"{args.models} models x {args.versions} versions, {args.requests} requests a run")
        asyncio.run(measure(data_dir, token_file.read_text(), args))


if __name__ == "__main__":
    main()
