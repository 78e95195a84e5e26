"""An MLflow server as a RecordSource: `modelreg import-mlflow` reads registered models,
versions, stages, aliases, tags and files over MLflow's REST API and hands them to the same
plan and apply as an archive (conflicts, --dry-run, resuming, re-runs that bring what is new).

The source instance (the origin map's key) is `mlflow:` and a digest of the server's URL, so a
later run against the same server updates what an earlier one made. Record ids are digests of
MLflow's natural keys (model name, version number, alias, tag key, file path).

`scan` reads everything once: the records (metadata only) stay in memory, each file is
streamed to a spool directory while its SHA-256 is computed (the plan needs every file's
digest), so memory stays flat whatever the files' size; `blob_chunks` reads them back and
`close` removes them. What MLflow no longer has (a deleted run, missing files) does not stop
the import: the version comes with what there is and `missing` says what was not.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import semver
import sqlalchemy as sa

from modelreg.db import Database, plain
from modelreg.db.models import metadata
from modelreg.domain.transfer import CHUNK_RECORDS, PRESENT, ArchiveError, Header, Manifest
from modelreg.domain.versions import precedence_key
from modelreg.services.transfer.apply import ImportResult, import_archive
from modelreg.services.transfer.mlflow_rest import API, MlflowRest
from modelreg.services.transfer.plan import Record, origin_table
from modelreg.storage import Storage

VERSION_TAG = "modelreg.version"
STAGES = {"none": "NONE", "staging": "STAGING", "production": "PRODUCTION", "archived": "ARCHIVED"}
PROJECT = "project"
PAGE_SIZE = 100


def source_instance(url: str) -> str:
    """The origin map's key of an MLflow server (fits its 64 characters)."""
    return "mlflow:" + hashlib.sha256(url.encode()).hexdigest()[:40]


def record_id(*parts: str | int) -> str:
    """A short, stable id for a record named by MLflow's natural key."""
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:40]


def timestamp(millis: object) -> str:
    """MLflow's milliseconds since the epoch as ISO 8601 (UTC); the epoch when absent."""
    value = int(millis) if isinstance(millis, int | str) and str(millis).isdigit() else 0
    return datetime.fromtimestamp(value / 1000, tz=UTC).isoformat()


def semantic_versions(numbers: list[int], tags: dict[int, str]) -> tuple[dict[int, str], list[str]]:
    """Each MLflow version number's SemVer: its `modelreg.version` tag when that is a valid
    SemVer no other version of the model takes, else 1.0.(number - 1). Also the problems."""
    chosen: dict[int, str] = {}
    problems: list[str] = []
    taken: set[str] = set()
    for number in sorted(numbers):
        text = tags.get(number)
        if text is None:
            continue
        if not semver.Version.is_valid(text):
            problems.append(f"version {number}: tag {VERSION_TAG}={text!r} is not a SemVer")
        elif text in taken:
            problems.append(f"version {number}: tag {VERSION_TAG}={text!r} is taken")
        else:
            chosen[number] = text
            taken.add(text)
    for number in sorted(numbers):
        if number in chosen:
            continue
        default = f"1.0.{number - 1}"
        if default in taken:
            default = f"1.0.{number - 1}+mlflow.{number}"
            problems.append(f"version {number}: 1.0.{number - 1} is taken, imported as {default}")
        chosen[number] = default
        taken.add(default)
    return chosen, problems


def stage(value: object) -> str:
    return STAGES.get(str(value or "none").lower(), "NONE")


def _tags(item: dict[str, Any]) -> dict[str, str]:
    tags = item.get("tags") or []
    return {
        str(t["key"]): str(t.get("value", "")) for t in tags if isinstance(t, dict) and "key" in t
    }


def proxied_path(uri: str) -> str | None:
    """The artifact proxy's path of an `mlflow-artifacts:` URI; None for any other store."""
    parts = urlsplit(uri)
    if parts.scheme != "mlflow-artifacts":
        return None
    return parts.path.strip("/")


@dataclass(frozen=True, slots=True)
class SpooledFile:
    path: str
    sha256: str
    size: int


class MlflowSource:
    """Records and files of an MLflow server's registry, imported into project `into`."""

    def __init__(
        self,
        rest: MlflowRest,
        *,
        into: str,
        models: tuple[str, ...] = (),
        imported: Mapping[str, tuple[str, int]] | None = None,
    ) -> None:
        """`imported`: file record id -> (SHA-256, size) of the files an earlier run brought
        (`imported_files`); a file listed with the same size is not downloaded again."""
        self.rest = rest
        self.into = into
        self.models = models
        self.imported = imported or {}
        self.missing: list[str] = []
        self.downloaded = 0
        self._remote: dict[str, str] = {}  # SHA-256 -> proxy path of a file not spooled
        self._scanned: tuple[Header, Manifest] | None = None
        # One chunk (one transaction of the apply) per model, split at CHUNK_RECORDS: an
        # interrupted import keeps the models before the one it was writing.
        self._chunks: list[list[Record]] = [[]]
        self._spool = Path(tempfile.mkdtemp(prefix="modelreg-mlflow-"))
        self._blobs: dict[str, int] = {}

    def close(self) -> None:
        shutil.rmtree(self._spool, ignore_errors=True)
        self.rest.close()

    def scan(self) -> tuple[Header, Manifest]:
        if self._scanned is None:
            try:
                self._read()
            except (KeyError, TypeError, ValueError, AttributeError):
                raise ArchiveError(
                    "mlflow.bad_answer",
                    f"the MLflow server at {self.rest.url} answered with a registry document "
                    "this importer cannot read (a field missing or of the wrong type); nothing "
                    "was imported. Check that the URL is an MLflow tracking server.",
                ) from None
            counts: dict[str, int] = {}
            for kind, _, _ in (record for chunk in self._chunks for record in chunk):
                counts[kind] = counts.get(kind, 0) + 1
            header = Header(
                source_instance=source_instance(self.rest.url),
                created_at=datetime.now(UTC).isoformat(),
                since_event=None,
                projects=(self.into,),
                models=self.models,
            )
            self._scanned = (header, Manifest(counts=counts, chunks=(), blobs=dict(self._blobs)))
        return self._scanned

    def records(self) -> Iterator[list[Record]]:
        self.scan()
        yield from (chunk for chunk in self._chunks if chunk)

    def _add(self, kind: str, source_id: str, data: dict[str, Any]) -> None:
        if len(self._chunks[-1]) >= CHUNK_RECORDS:
            self._chunks.append([])
        self._chunks[-1].append((kind, source_id, data))

    def blob_chunks(self, sha256: str) -> Iterator[bytes]:
        """A spooled file's bytes; a file an earlier run brought (and the target has lost since)
        straight from MLflow (apply checks its SHA-256 on the way)."""
        spooled = self._spool / sha256
        if not spooled.exists() and sha256 in self._remote:
            with self.rest.download_proxied(self._remote[sha256]) as pieces:
                yield from pieces or ()
            return
        with spooled.open("rb") as data:
            while piece := data.read(1024 * 1024):
                yield piece

    # Reading MLflow

    def _read(self) -> None:
        models = list(
            self.rest.pages(
                "/registered-models/search", {"max_results": PAGE_SIZE}, "registered_models"
            )
        )
        names = {str(m.get("name")) for m in models}
        absent = sorted(set(self.models) - names)
        if absent:
            raise ArchiveError(
                "mlflow.model_not_found",
                f"the MLflow server at {self.rest.url} has no registered model "
                f"{', '.join(absent)}; nothing was imported.",
            )
        self._add(PROJECT, PROJECT, {"path": self.into})
        for model in sorted(models, key=lambda m: str(m.get("name"))):
            if not self.models or model.get("name") in self.models:
                self._read_model(model)

    def _read_model(self, model: dict[str, Any]) -> None:
        name = str(model["name"])
        versions = sorted(
            self.rest.pages(
                "/model-versions/search",
                {"filter": f"name='{_quoted(name)}'", "max_results": 1000},
                "model_versions",
            ),
            key=lambda v: int(v.get("version", 0)),
        )
        numbers = [int(v["version"]) for v in versions]
        semvers, problems = semantic_versions(
            numbers,
            {int(v["version"]): t[VERSION_TAG] for v in versions if VERSION_TAG in (t := _tags(v))},
        )
        self.missing.extend(f"model {name}: {p}" for p in problems)
        model_id = record_id("model", name)
        first_author = next((str(v["user_id"]) for v in versions if v.get("user_id")), "")
        self._chunks.append([])
        self._add(
            "registered_model",
            model_id,
            {
                "project_id": PROJECT,
                "name": name,
                "description": model.get("description") or "",
                "last_version_number": max(numbers, default=0),
                "created_by": str(model.get("user_id") or first_author or "system"),
                "created_at": timestamp(model.get("creation_timestamp")),
                "updated_at": timestamp(model.get("last_updated_timestamp")),
            },
        )
        children: dict[str, list[str]] = {"model_tag": [], "model_alias": []}
        for key, value in sorted(_tags(model).items()):
            data = {"model_id": model_id, "key": key, "value": value}
            children["model_tag"].append(record_id("model_tag", name, key))
            self._add("model_tag", children["model_tag"][-1], data)
        version_ids: dict[str, str] = {}
        for version in versions:
            version_ids[str(version["version"])] = self._read_version(
                name, model_id, version, semvers
            )
        for alias in model.get("aliases") or []:
            target = version_ids.get(str(alias.get("version"))) if isinstance(alias, dict) else None
            if target is None:
                continue
            data = {
                "model_id": model_id,
                "alias": str(alias["alias"]),
                "version_id": target,
                "created_by": "system",
                "updated_at": timestamp(model.get("last_updated_timestamp")),
            }
            children["model_alias"].append(record_id("alias", name, data["alias"]))
            self._add("model_alias", children["model_alias"][-1], data)
        self._present("registered_model", model_id, children)

    def _present(self, parent: str, parent_id: str, children: dict[str, list[str]]) -> None:
        """Which children the parent has in MLflow now: a re-run deletes the rows an earlier
        one made that are not listed. Only labels (tags, aliases) are listed: versions and
        files MLflow no longer has stay (the import never loses what it brought)."""
        data = {"parent": parent, "parent_id": parent_id, "children": children}
        self._add(PRESENT, f"{parent}:{parent_id}", data)

    def _read_version(
        self, name: str, model_id: str, version: dict[str, Any], semvers: dict[int, str]
    ) -> str:
        number = int(version["version"])
        text = semvers[number]
        parsed = semver.Version.parse(text)
        run_uuid, run_user = self._run(name, number, version.get("run_id"))
        # MLflow without authentication records no user on a version: its run's user then.
        author = str(version.get("user_id") or run_user or "system")
        created = timestamp(version.get("creation_timestamp"))
        version_id = record_id("version", name, number)
        self._add(
            "model_version",
            version_id,
            {
                "model_id": model_id,
                "number": number,
                "version": text,
                "sort_key": precedence_key(parsed),
                "is_prerelease": parsed.prerelease is not None,
                "description": version.get("description") or "",
                "stage": stage(version.get("current_stage")),
                "created_by": author,
                "created_at": created,
                "updated_at": timestamp(version.get("last_updated_timestamp")),
                "run_uuid": run_uuid,
                "source": str(version.get("source") or ""),
                "logged_model_uuid": None,
            },
        )
        tags: list[str] = []
        for key, value in sorted(_tags(version).items()):
            data = {"version_id": version_id, "key": key, "value": value}
            tags.append(record_id("version_tag", name, number, key))
            self._add("version_tag", tags[-1], data)
        self._present("model_version", version_id, {"version_tag": tags})
        for spooled in self._files(name, number):
            if spooled.sha256 not in self._blobs:
                self._blobs[spooled.sha256] = spooled.size
                blob = {"sha256": spooled.sha256, "size": spooled.size, "created_at": created}
                self._add("blob", spooled.sha256, blob)
            content_type = mimetypes.guess_type(spooled.path)[0] or "application/octet-stream"
            data = {
                "version_id": version_id,
                "path": spooled.path,
                "blob_id": spooled.sha256,
                "content_type": content_type,
                "created_by": author,
                "created_at": created,
            }
            self._add("artifact", record_id("file", name, number, spooled.path), data)
        return version_id

    def _run(self, name: str, number: int, run_id: object) -> tuple[str | None, str | None]:
        """The version's run id when MLflow can still read the run (else None, reported) and
        the run's user."""
        if not run_id:
            return None, None
        found = self.rest.get(API + "/runs/get", {"run_id": str(run_id)}, missing_ok=True)
        info = (found or {}).get("run", {}).get("info", {})
        if not info:
            self.missing.append(f"model {name} version {number}: run {run_id} does not exist")
            return None, None
        user = str(info.get("user_id") or "") or None
        if info.get("lifecycle_stage") == "deleted":
            self.missing.append(f"model {name} version {number}: run {run_id} was deleted")
            return None, user
        return str(run_id)[:32], user

    def _files(self, name: str, number: int) -> Iterator[SpooledFile]:
        """The version's files, each spooled; what cannot be read is reported."""
        answer = self.rest.get(
            API + "/model-versions/get-download-uri", {"name": name, "version": str(number)}
        )
        uri = str((answer or {}).get("artifact_uri") or "")
        root = proxied_path(uri)
        where = f"model {name} version {number}"
        if root is None:
            self.missing.append(
                f"{where}: files at {uri or '(no location)'} are not served by the MLflow "
                "server's artifact proxy (mlflow server --serve-artifacts); copy them separately"
            )
            return
        found = False
        pending = [""]
        while pending:
            relative = pending.pop()
            entries = self.rest.list_proxied(f"{root}/{relative}".rstrip("/"))
            for entry in entries or []:
                child = _child(relative, str(entry.get("path", "")))
                if entry.get("is_dir"):
                    pending.append(child)
                    continue
                known = self.imported.get(record_id("file", name, number, child))
                if known is not None and known[1] == entry.get("file_size"):
                    self._remote.setdefault(known[0], f"{root}/{child}")
                    found = True
                    yield SpooledFile(path=child, sha256=known[0], size=known[1])
                    continue
                spooled = self._spool_file(f"{root}/{child}", child)
                if spooled is None:
                    self.missing.append(f"{where}: file {child} could not be downloaded")
                else:
                    found = True
                    yield spooled
        if not found:
            self.missing.append(f"{where}: no files at {uri}")

    def _spool_file(self, remote: str, path: str) -> SpooledFile | None:
        digest = hashlib.sha256()
        size = 0
        with (
            tempfile.NamedTemporaryFile(dir=self._spool, delete=False) as out,
            self.rest.download_proxied(remote) as pieces,
        ):
            if pieces is None:
                Path(out.name).unlink()
                return None
            for piece in pieces:
                digest.update(piece)
                size += len(piece)
                out.write(piece)
        sha = digest.hexdigest()
        Path(out.name).replace(self._spool / sha)
        self.downloaded += 1
        return SpooledFile(path=path, sha256=sha, size=size)


def _quoted(name: str) -> str:
    return name.replace("\\", "\\\\").replace("'", "\\'")


def _child(parent: str, entry: str) -> str:
    """An entry's path relative to the version's root (the proxy answers with paths relative
    to the listed directory, some servers with paths from the root)."""
    entry = entry.strip("/")
    if parent and not entry.startswith(parent + "/"):
        entry = f"{parent}/{entry.rsplit('/', 1)[-1]}"
    return entry


async def imported_files(db: Database, source: str) -> dict[str, tuple[str, int]]:
    """File record id -> (SHA-256, size) of every file an earlier import from `source` made
    that the target still has."""
    origin, artifact, blob = origin_table(), metadata.tables["artifact"], metadata.tables["blob"]
    statement = (
        sa.select(origin.c.source_id, blob.c.sha256, blob.c.size)
        .join(artifact, artifact.c.id == origin.c.target_id)
        .join(blob, blob.c.id == artifact.c.blob_id)
        .where(origin.c.source_instance == source, origin.c.kind == "artifact")
    )
    async with db.read() as session:
        conn = await plain(session)
        return {str(r[0]): (str(r[1]), int(r[2])) for r in await conn.execute(statement)}


@dataclass(frozen=True, slots=True)
class MlflowImport:
    result: ImportResult
    missing: list[str]
    downloaded: int


async def import_mlflow(
    db: Database,
    storage: Storage,
    rest: MlflowRest,
    *,
    into: str,
    models: tuple[str, ...] = (),
    dry_run: bool = False,
    on_record: Callable[[int], None] | None = None,
) -> MlflowImport:
    """Import MLflow's registry at `rest` into project `into` (plan, refuse on conflicts,
    apply unless `dry_run`); closes `rest`. `on_record` as for `import_archive`."""
    try:
        imported = await imported_files(db, source_instance(rest.url))
    except BaseException:
        rest.close()
        raise
    source = MlflowSource(rest, into=into, models=models, imported=imported)
    try:
        result = await import_archive(
            db, storage, source, into=into, dry_run=dry_run, on_record=on_record
        )
        return MlflowImport(result, list(source.missing), source.downloaded)
    finally:
        source.close()
