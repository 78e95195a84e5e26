"""Server CPU per request of the GraphQL list page, in process (no HTTP server, no load generator).

Seeds the registry `bench_core.py` uses into a temporary directory (or reuses --data-dir), builds
the app with `create_app` and sends `bench_core.LIST_QUERY` and variants of it through
httpx's ASGI transport, checking every answer. Prints the process CPU time per request (best of
--runs), so the cost of a field shows as the difference between two variants; with --profile,
a cProfile of the full page (sorted by own time) as well. See README.md.
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

import httpx

from bench_core import LIST_QUERY, seed_modelreg, seed_modelreg_user
from modelreg.app import create_app
from modelreg.settings import Settings

ROW = "versionCount latestVersion { version } tags { key value }"
VARIANTS = {
    "full page": LIST_QUERY,
    "id name": LIST_QUERY.replace(ROW, ""),
    "+versionCount": LIST_QUERY.replace(ROW, "versionCount"),
    "+latestVersion": LIST_QUERY.replace(ROW, "latestVersion { version }"),
    "+tags": LIST_QUERY.replace(ROW, "tags { key value }"),
    "full, 1 row": LIST_QUERY.replace("first: 50", "first: 1"),
}


async def measure(data_dir: Path, token: str, args: argparse.Namespace) -> None:
    app = create_app(Settings(data_dir=data_dir, log_level="warning"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            client.headers["authorization"] = f"Bearer {token}"

            async def page(query: str) -> None:
                resp = await client.post("/graphql", json={"query": query})
                body = resp.json()
                if resp.status_code != 200 or body.get("errors"):
                    raise RuntimeError(f"{resp.status_code}: {body}")
                rows = len(body["data"]["project"]["models"]["edges"])
                if rows != (1 if "first: 1," in query else 50):
                    raise RuntimeError(f"{rows} models on the page")

            for name, query in VARIANTS.items():
                for _ in range(10):  # warm-up: document cache, statement caches
                    await page(query)
                runs = []
                for _ in range(args.runs):
                    start = time.process_time()
                    for _ in range(args.requests):
                        await page(query)
                    runs.append((time.process_time() - start) / args.requests * 1000)
                shown = ", ".join(f"{r:.1f}" for r in runs)
                print(f"{name:16} {min(runs):6.1f} ms CPU/request  (runs {shown})")
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.requests):
                    await page(LIST_QUERY)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40, help="per run and variant")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, help="seeded once, reused on later runs")
    parser.add_argument("--gc", action="store_true", help="keep the garbage collector on")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-list-") as tmp:
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
