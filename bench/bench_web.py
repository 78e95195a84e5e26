"""Web app weight: the bytes a browser downloads, and how long they take, with and without
compression, served by a real `modelreg serve`.

Reads Vite's build manifest (`<ui-dir>/.vite/manifest.json`, `make ui` builds it) for two views:

- first load: index.html, the entry chunk with its static imports and CSS, and the projects page
  (the app's index route) with its own;
- compare page, opened directly: the same shell, the compare page's chunks, and the Plotly chunk
  it imports on first draw (`src/lib/plotlyBundle.ts`).

Each file is fetched with `Accept-Encoding: identity` (the baseline, taken in the same run),
`gzip` and `br, gzip` (what browsers send), counting the bytes on the wire; a response that is
not a 200, or that is not encoded the way the build's `.gz`/`.br` copies say it must be, stops
the run. Then each view is fetched whole, six requests at a time like a browser on HTTP/1.1, in
rounds that alternate between the encodings (median time on loopback, where bytes cost almost
nothing: the time at a 10 Mbit/s link is computed from the bytes). Last, a large GraphQL
document (the schema's types) shows the on-the-fly gzip of API responses: bytes and latency.

With Chromium and the frontend's node_modules present (`--no-browser` skips it), `web_timing.mjs`
then loads the app in Chromium over a link throttled by DevTools (10 Mbit/s, 40 ms RTT unless
told otherwise), with an empty cache each round, once with `Accept-Encoding: identity` forced and
once as the browser asks: the page's load time and the time from asking for the Plotly chunk to
a drawn plot.

    .venv/bin/python bench/bench_web.py [--ui-dir frontend/dist] [--rounds 20] [--no-browser]

See README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from harness import free_port, server

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_UI = BENCH_DIR.parent / "frontend" / "dist"
ENCODINGS = {"identity": "identity", "gzip": "gzip", "br": "br, gzip"}
COPY_SUFFIX = {"gzip": ".gz", "br": ".br"}
FIRST_PAGE = "src/pages/ProjectsPage.tsx"
COMPARE_PAGE = "src/pages/ComparePage.tsx"
PLOTLY = "src/lib/plotlyBundle.ts"
LINK_BITS_PER_S = 10_000_000
BROWSER_CONNECTIONS = 6
SCHEMA_QUERY = "{ __schema { types { name kind description fields { name description } } } }"


# --- which files a view needs -------------------------------------------------------------------


def _closure(manifest: dict[str, dict[str, Any]], key: str, seen: set[str]) -> None:
    if key in seen:
        return
    seen.add(key)
    for child in manifest[key].get("imports", []):
        _closure(manifest, child, seen)


def view_files(manifest: dict[str, dict[str, Any]], roots: list[str]) -> list[str]:
    """index.html, then every JS and CSS file of the roots and their static imports."""
    entry = next(key for key, chunk in manifest.items() if chunk.get("isEntry"))
    keys: set[str] = set()
    for root in [entry, *roots]:
        if root not in manifest:
            raise SystemExit(f"{root} is not in the build manifest: rebuild the web app")
        _closure(manifest, root, keys)
    files = {manifest[key]["file"] for key in keys}
    files |= {css for key in keys for css in manifest[key].get("css", [])}
    return ["index.html", *sorted(files)]


# --- the server ---------------------------------------------------------------------------------


@contextmanager
def modelreg_server(work: Path, ui_dir: Path) -> Iterator[str]:
    """One `modelreg serve` process serving `ui_dir`, with a fresh registry under `work`."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELREG_")}
    env.update(
        MODELREG_DATA_DIR=str(work / "data"),
        MODELREG_LOG_LEVEL="warning",
        MODELREG_UI_DIR=str(ui_dir),
    )
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "modelreg", "serve", "--port", str(port)]
    with server(command, f"{base}/healthz", work / "server.log", env):
        yield base


# --- fetching -----------------------------------------------------------------------------------


async def fetch(client: httpx.AsyncClient, url: str, accept: str) -> tuple[int, str | None]:
    """Bytes on the wire and the Content-Encoding of one GET; anything but a 200 stops the run."""
    async with client.stream("GET", url, headers={"accept-encoding": accept}) as response:
        size = 0
        async for chunk in response.aiter_raw():
            size += len(chunk)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} ({accept}): {response.status_code}, not 200")
        return size, response.headers.get("content-encoding")


def expected_encoding(ui_dir: Path, name: str, encoding: str) -> str | None:
    """The Content-Encoding the server must answer with: the build's copy when there is one."""
    if encoding == "identity":
        return None
    order = ["br", "gzip"] if encoding == "br" else ["gzip"]
    for coding in order:
        if (ui_dir / (name + COPY_SUFFIX[coding])).is_file():
            return coding
    return None


async def view_bytes(
    client: httpx.AsyncClient, ui_dir: Path, files: list[str]
) -> dict[str, dict[str, int]]:
    """Bytes per file and encoding, each response checked against the build's copies."""
    sizes: dict[str, dict[str, int]] = {}
    for encoding, accept in ENCODINGS.items():
        sizes[encoding] = {}
        for name in files:
            url = "/" if name == "index.html" else f"/{name}"
            size, coding = await fetch(client, url, accept)
            want = expected_encoding(ui_dir, name, encoding)
            if coding != want:
                raise SystemExit(f"GET /{name} ({accept}): encoded {coding!r}, expected {want!r}")
            sizes[encoding][name] = size
    return sizes


async def view_time(client: httpx.AsyncClient, files: list[str], accept: str) -> float:
    """Seconds to fetch the whole view, BROWSER_CONNECTIONS requests at a time."""
    queue = list(files)

    async def worker() -> None:
        while queue:
            name = queue.pop(0)
            await fetch(client, "/" if name == "index.html" else f"/{name}", accept)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(BROWSER_CONNECTIONS)))
    return time.perf_counter() - start


async def api_figures(client: httpx.AsyncClient, rounds: int) -> dict[str, dict[str, float]]:
    """The schema document over POST /graphql, plain and gzipped: bytes and median latency."""
    out: dict[str, dict[str, float]] = {}
    times: dict[str, list[float]] = {"identity": [], "gzip": []}
    sizes: dict[str, int] = {}
    for _ in range(rounds):
        for encoding in times:
            start = time.perf_counter()
            request = client.build_request(
                "POST",
                "/graphql",
                json={"query": SCHEMA_QUERY},
                headers={"accept-encoding": encoding},
            )
            response = await client.send(request, stream=True)
            body = b"".join([chunk async for chunk in response.aiter_raw()])
            await response.aclose()
            times[encoding].append(time.perf_counter() - start)
            coding = response.headers.get("content-encoding")
            if response.status_code != 200 or coding != (
                None if encoding == "identity" else "gzip"
            ):
                raise SystemExit(f"POST /graphql ({encoding}): {response.status_code}, {coding!r}")
            sizes[encoding] = len(body)
    for encoding, samples in times.items():
        out[encoding] = {"bytes": sizes[encoding], "p50_ms": statistics.median(samples) * 1000}
    return out


def browser_timing(args: argparse.Namespace, base: str, plotly: str) -> dict[str, Any]:
    """web_timing.mjs in Chromium: page load and Plotly-to-plot times, identity against br."""
    command = ["node", str(BENCH_DIR / "web_timing.mjs"), base, plotly]
    command += [str(args.browser_rounds), str(args.mbit), str(args.rtt)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise SystemExit(f"web_timing.mjs failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"\nChromium, {args.mbit} Mbit/s and {args.rtt} ms RTT, empty cache, "
        f"median of {args.browser_rounds}"
    )
    print(f"  {'':<12}{'transferred':>14}{'page load':>12}{'Plotly to plot':>16}{'sum':>10}")
    for mode, row in result.items():
        load, plot = statistics.median(row["load_ms"]), statistics.median(row["plot_ms"])
        size = statistics.median(row["bytes"])
        print(f"  {mode:<12}{kib(size):>14}{load:>10.0f} ms{plot:>14.0f} ms{load + plot:>7.0f} ms")
    return result


# --- report -------------------------------------------------------------------------------------


def kib(n: float) -> str:
    return f"{n / 1024:,.1f} KiB"


def print_view(title: str, sizes: dict[str, dict[str, int]], times: dict[str, list[float]]) -> None:
    print(f"\n{title}")
    names = list(sizes["identity"])
    print(f"  {'file':<52}" + "".join(f"{e:>14}" for e in ENCODINGS))
    for name in names:
        print(f"  {name:<52}" + "".join(f"{kib(sizes[e][name]):>14}" for e in ENCODINGS))
    totals = {e: sum(sizes[e].values()) for e in ENCODINGS}
    print(
        f"  {'total (' + str(len(names)) + ' files)':<52}"
        + "".join(f"{kib(totals[e]):>14}" for e in ENCODINGS)
    )
    base = totals["identity"]
    print(f"  {'share of identity':<52}" + "".join(f"{totals[e] / base:>14.0%}" for e in ENCODINGS))
    link = {e: totals[e] * 8 / LINK_BITS_PER_S for e in ENCODINGS}
    print(f"  {'at 10 Mbit/s (computed)':<52}" + "".join(f"{link[e]:>12.2f} s" for e in ENCODINGS))
    medians = {e: statistics.median(times[e]) * 1000 for e in ENCODINGS}
    print(
        f"  {'fetched on loopback, median':<52}"
        + "".join(f"{medians[e]:>11.1f} ms" for e in ENCODINGS)
    )


async def run(args: argparse.Namespace, base: str) -> dict[str, Any]:
    manifest = json.loads((args.ui_dir / ".vite" / "manifest.json").read_text(encoding="utf-8"))
    views = {
        "first load (projects page)": view_files(manifest, [FIRST_PAGE]),
        "compare page opened directly, with Plotly": view_files(manifest, [COMPARE_PAGE, PLOTLY]),
    }
    report: dict[str, Any] = {"views": {}, "loadavg_1m": [os.getloadavg()[0]]}
    limits = httpx.Limits(max_connections=BROWSER_CONNECTIONS)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        for title, files in views.items():
            sizes = await view_bytes(client, args.ui_dir, files)
            times: dict[str, list[float]] = {e: [] for e in ENCODINGS}
            for _ in range(args.rounds):  # the encodings take turns, so drifting load hits all
                for encoding, accept in ENCODINGS.items():
                    times[encoding].append(await view_time(client, files, accept))
            report["loadavg_1m"].append(os.getloadavg()[0])
            print_view(title, sizes, times)
            report["views"][title] = {"bytes": sizes, "seconds": times}
        api = await api_figures(client, args.rounds)
    report["graphql_schema_document"] = api
    report["loadavg_1m"].append(os.getloadavg()[0])
    print("\nGraphQL, the schema's types (POST /graphql)")
    for encoding, row in api.items():
        print(f"  {encoding:<10} {kib(row['bytes']):>12}   median {row['p50_ms']:.1f} ms")
    if args.browser:
        plotly = manifest[PLOTLY]["file"]
        report["browser"] = browser_timing(args, base, plotly)
        report["loadavg_1m"].append(os.getloadavg()[0])
    loads = report["loadavg_1m"]
    print(f"\n(1-minute load average while measured: {min(loads):.1f} to {max(loads):.1f})")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ui-dir", type=Path, default=DEFAULT_UI, help="the web app's build")
    parser.add_argument(
        "--rounds", type=int, default=20, help="timed fetches per view and encoding"
    )
    parser.add_argument("--output", type=Path, default=None, help="JSON results file")
    parser.add_argument(
        "--browser",
        action=argparse.BooleanOptionalAction,
        default=shutil.which("node") is not None and Path("/usr/bin/chromium").exists(),
        help="also time the app in Chromium (default: when node and Chromium are there)",
    )
    parser.add_argument("--browser-rounds", type=int, default=3, help="Chromium loads per mode")
    parser.add_argument("--mbit", type=float, default=10, help="throttled link, Mbit/s")
    parser.add_argument("--rtt", type=int, default=40, help="throttled round trip, ms")
    args = parser.parse_args()
    args.ui_dir = args.ui_dir.resolve()
    if not (args.ui_dir / ".vite" / "manifest.json").is_file():
        raise SystemExit(f"no build in {args.ui_dir}: run `make ui` first")
    started = datetime.now(UTC)
    with (
        tempfile.TemporaryDirectory(prefix="modelreg-bench-web-") as work,
        modelreg_server(Path(work), args.ui_dir) as base,
    ):
        report = asyncio.run(run(args, base))
    report["started"] = started.isoformat()
    report["ui_dir"] = str(args.ui_dir)
    output = args.output or BENCH_DIR / "results" / f"web-{started:%Y%m%dT%H%M%SZ}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"results: {output}")


if __name__ == "__main__":
    main()
