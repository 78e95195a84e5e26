"""What the browser downloads on a first visit to a page of the web app, gzip-compressed.

Reads Vite's build manifest (frontend/dist/.vite/manifest.json) and follows the static imports of
the entry and of the page's lazily loaded chunk. Run `make ui` first.

    .venv/bin/python bench/bundle_size.py [--page src/pages/ProjectsPage.tsx]
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

DIST = Path(__file__).resolve().parents[1] / "frontend" / "dist"


def closure(manifest: dict[str, dict], key: str, seen: set[str]) -> None:
    if key in seen:
        return
    seen.add(key)
    for child in manifest[key].get("imports", []):
        closure(manifest, child, seen)


def files_for(manifest: dict[str, dict], keys: set[str]) -> list[str]:
    files: list[str] = []
    for key in sorted(keys):
        chunk = manifest[key]
        files.append(chunk["file"])
        files.extend(chunk.get("css", []))
    return sorted(set(files))


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--page",
        action="append",
        default=None,
        help="page module to load after the shell (repeatable)",
    )
    args = parser.parse_args()
    pages = args.page or ["src/pages/ProjectsPage.tsx"]
    manifest = json.loads((DIST / ".vite" / "manifest.json").read_text())
    entry = next(k for k, v in manifest.items() if v.get("isEntry"))

    total_raw = total_gz = 0
    whole = sum(gz(p) for p in (DIST / "assets").iterdir() if p.suffix in (".js", ".css"))
    for page in pages:
        keys: set[str] = set()
        closure(manifest, entry, keys)
        closure(manifest, page, keys)
        print(f"first load of {page}:")
        total_raw = total_gz = 0
        for name in files_for(manifest, keys):
            path = DIST / name
            raw, packed = path.stat().st_size, gz(path)
            total_raw += raw
            total_gz += packed
            print(f"  {name:48} {raw / 1024:8.1f} KiB  {packed / 1024:7.1f} KiB gzip")
        print(f"  {'total':48} {total_raw / 1024:8.1f} KiB  {total_gz / 1024:7.1f} KiB gzip")
        print(
            f"  share of the whole bundle (gzip): {total_gz / whole:.0%} of {whole / 1024:.1f} KiB"
        )


if __name__ == "__main__":
    main()
