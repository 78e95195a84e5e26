"""A version's files in a local cache, verified by SHA-256, and where its MLmodel lies.

The cache holds one folder per version id. A version is downloaded into a temporary folder
next to it and renamed into place once every file is checked, so a folder under its final name
is always complete; a later start checks its files against the registry's list and reuses them.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from modelreg.client import ClientError, RegistryClient, RemoteFile, file_sha256, safe_target
from modelreg.serving.resolve import Resolved


def cache_folder(cache_dir: Path, version: Resolved) -> Path:
    """The folder of `version` in the cache (named after a hash of its id: ids may hold any
    character)."""
    return cache_dir / hashlib.sha256(version.id.encode()).hexdigest()[:32]


def fetch_version(client: RegistryClient, version: Resolved, cache_dir: Path) -> tuple[Path, str]:
    """The version's files under the cache, and "downloaded" or "reused" (blocking)."""
    files = client.list_files(version.project, version.model, version.version)
    if not files:
        raise ClientError(f"version {version.version} of '{version.model}' has no files to serve")
    target = cache_folder(cache_dir, version)
    try:
        if _verified(target, files):
            return target, "reused"
        cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=".part-", dir=cache_dir))
    except OSError as exc:
        raise ClientError(f"could not use the cache {cache_dir}: {exc.strerror or exc}") from None
    try:
        for remote in files:
            client.download(
                remote, temporary, project=version.project, model=version.model,
                version=version.version,
            )  # fmt: skip
        if _verified(target, files):
            return target, "reused"  # another process sharing the cache was quicker
        if target.exists():  # a damaged earlier copy: moved aside in one step, then removed
            stale = Path(tempfile.mkdtemp(prefix=".stale-", dir=cache_dir))
            target.rename(stale / "old")
            shutil.rmtree(stale, ignore_errors=True)
        try:
            temporary.rename(target)
        except OSError:
            if _verified(target, files):  # renamed into place by another process meanwhile
                return target, "reused"
            raise
    except OSError as exc:
        raise ClientError(f"could not write the cache {cache_dir}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return target, "downloaded"


def _verified(target: Path, files: list[RemoteFile]) -> bool:
    """Whether `target` holds every listed file with its size and SHA-256."""
    return target.is_dir() and all(
        (path := safe_target(target, f.path)).is_file()
        and path.stat().st_size == f.size
        and file_sha256(path) == f.sha256
        for f in files
    )


def model_root(folder: Path) -> Path:
    """The folder holding MLmodel: `folder` itself or its one subfolder that holds one."""
    if (folder / "MLmodel").is_file():
        return folder
    found = sorted(p.parent for p in folder.glob("*/MLmodel") if p.is_file())
    if len(found) == 1:
        return found[0]
    where = "none of its folders" if not found else "several folders"
    raise ClientError(
        f"the version's files are not an MLflow model: {where} hold an MLmodel file "
        "(log it with mlflow.<flavor>.log_model, or upload the folder save_model wrote)"
    )
