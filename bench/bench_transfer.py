"""Export and import throughput and peak memory, against `cp` of the same bytes.

A source data directory (SQLite, local files) gets one project with VERSIONS versions (each with
three tags and an event) and FILES files of random bytes (FILE_MB each) spread over the first
versions, written straight into the database and the store. Then, each as its own process:
`cp -r` of the source's file store (the disk's limit for these bytes), `modelreg export`, and
`modelreg import` into a fresh data directory. Reported: seconds, MB/s of file bytes, and each
process's peak resident memory (ru_maxrss from wait4). Every command must exit 0 and the imported
registry must hold every version and file, or the benchmark fails. See README.md.

    .venv/bin/python bench/bench_transfer.py --versions 10000 --files 16 --file-mb 64
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from modelreg.db import Database
from modelreg.db.migrate import upgrade
from modelreg.db.models import metadata
from modelreg.db.types import utcnow
from modelreg.domain.versions import parse_version
from modelreg.settings import Settings
from modelreg.storage import create_storage

MODELREG = str(Path(sys.executable).with_name("modelreg"))


async def _random_chunks(size: int) -> object:
    left = size
    while left:
        piece = os.urandom(min(left, 1024 * 1024))
        left -= len(piece)
        yield piece


async def seed(data_dir: Path, versions: int, files: int, file_mb: int) -> None:
    settings = Settings(data_dir=data_dir)
    data_dir.mkdir(parents=True)  # noqa: ASYNC240 (before anything runs)
    url = settings.resolved_database_url
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    storage = create_storage(settings)
    t = metadata.tables
    now = utcnow()
    async with db.begin() as session:
        conn = await session.connection()
        project = (
            await conn.execute(
                t["project"]
                .insert()
                .values(
                    path="bench", name="bench", created_by="admin", created_at=now, updated_at=now
                )
            )
        ).inserted_primary_key[0]
        model = (
            await conn.execute(
                t["registered_model"]
                .insert()
                .values(
                    project_id=project,
                    name="m",
                    created_by="admin",
                    last_version_number=versions,
                    created_at=now,
                    updated_at=now,
                )
            )
        ).inserted_primary_key[0]
        rows = []
        for n in range(1, versions + 1):
            parsed = parse_version(f"1.{n // 1000}.{n % 1000}")
            rows.append(
                {
                    "model_id": model,
                    "number": n,
                    "version": parsed.text,
                    "sort_key": parsed.sort_key,
                    "is_prerelease": False,
                    "created_by": "admin",
                    "created_at": now,
                    "updated_at": now,
                    "description": f"version {n}",
                }
            )
        await conn.execute(t["model_version"].insert(), rows)
        ids = [r[0] for r in await conn.execute(sa.select(t["model_version"].c.id).order_by("id"))]
        await conn.execute(
            t["version_tag"].insert(),
            [{"version_id": v, "key": f"k{i}", "value": "x" * 40} for v in ids for i in range(3)],
        )
        await conn.execute(
            t["event"].insert(),
            [
                {
                    "type": "version.created",
                    "actor": "admin",
                    "project_id": project,
                    "model_id": model,
                    "version_id": v,
                    "payload": {"version": "x"},
                    "created_at": now,
                }
                for v in ids
            ],
        )
    for i in range(files):
        key = f"blobs/{uuid.uuid4().hex}"
        stored = await storage.put(key, _random_chunks(file_mb * 1024 * 1024))  # type: ignore[arg-type]
        async with db.begin() as session:
            conn = await session.connection()
            blob = (
                await conn.execute(
                    t["blob"]
                    .insert()
                    .values(sha256=stored.sha256, size=stored.size, storage_key=key)
                )
            ).inserted_primary_key[0]
            await conn.execute(
                t["artifact"]
                .insert()
                .values(
                    version_id=ids[i % len(ids)],
                    path=f"model-{i}.bin",
                    blob_id=blob,
                    content_type="application/octet-stream",
                    created_by="admin",
                    created_at=now,
                )
            )
    await storage.close()
    await db.dispose()


def _peak_kib(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def timed(command: list[str]) -> tuple[float, int]:
    """Seconds and peak RSS (KiB, VmHWM sampled every 10 ms) of one command; it must succeed.
    (wait4's ru_maxrss would count the forked Python before exec.)"""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _peak_kib(process.pid))
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        assert process.stderr is not None
        raise SystemExit(f"FAILED: {' '.join(command)}\n{process.stderr.read().decode()}")
    return elapsed, peak


async def check(data_dir: Path, versions: int, files: int) -> None:
    db = Database(Settings(data_dir=data_dir).resolved_database_url)
    async with db.read() as session:
        conn = await session.connection()
        found_versions = (
            await conn.execute(sa.text("SELECT count(*) FROM model_version"))
        ).scalar()
        found_files = (await conn.execute(sa.text("SELECT count(*) FROM artifact"))).scalar()
    await db.dispose()
    if (found_versions, found_files) != (versions, files):
        raise SystemExit(
            f"FAILED: imported {found_versions} versions and {found_files} files, "
            f"expected {versions} and {files}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=10000)
    parser.add_argument("--files", type=int, default=16)
    parser.add_argument("--file-mb", type=int, default=64)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary directory.")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-transfer-"))
    try:
        source, target = root / "source", root / "target"
        asyncio.run(seed(source, args.versions, args.files, args.file_mb))
        total_mb = args.files * args.file_mb
        archive = root / "bench.tar"
        cp_s, cp_rss = timed(["cp", "-r", str(source / "artifacts"), str(root / "copy")])
        ex_s, ex_rss = timed(
            [MODELREG, "export", "bench", "-o", str(archive), "--data-dir", str(source)]
        )
        timed([MODELREG, "db", "upgrade", "--data-dir", str(target)])
        im_s, im_rss = timed([MODELREG, "import", str(archive), "--data-dir", str(target)])
        asyncio.run(check(target, args.versions, args.files))
        load = os.getloadavg()
        print(
            f"transfer: {args.versions} versions, {args.files} files x {args.file_mb} MiB "
            f"= {total_mb} MiB; archive {archive.stat().st_size / 2**20:.0f} MiB"
        )
        print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print(f"{'step':<8} {'seconds':>8} {'MiB/s':>8} {'x cp':>6} {'peak RSS MiB':>13}")
        for name, seconds, rss in (
            ("cp", cp_s, cp_rss),
            ("export", ex_s, ex_rss),
            ("import", im_s, im_rss),
        ):
            rate, ratio = total_mb / seconds, cp_s / seconds
            print(f"{name:<8} {seconds:>8.2f} {rate:>8.1f} {ratio:>6.2f} {rss / 1024:>13.0f}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
