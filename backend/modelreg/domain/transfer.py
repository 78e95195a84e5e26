"""The export archive's format: its version, the kinds of records it carries and in which order,
how records refer to each other, and the checks on its header and manifest. Pure: no I/O.

An archive is a tar stream (see docs/archive-format.md):

    header.json                 what this archive is (FORMAT_VERSION, source instance, selection)
    records/000001.jsonl ...    records, one JSON object a line, in KINDS order, bounded chunks
    blobs/<sha256>              each file's bytes once, named by their SHA-256
    manifest.json               counts per kind, every chunk's SHA-256, every blob's size

A record is `{"kind": ..., "id": <source id>, "data": {<column>: <value>}}`. References to
other records (`REFERENCES`) hold the source id; the importer maps them to the target's ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

FORMAT = "modelreg-archive"
FORMAT_VERSION = 1

HEADER_NAME = "header.json"
MANIFEST_NAME = "manifest.json"
RECORDS_PREFIX = "records/"
BLOBS_PREFIX = "blobs/"

# A chunk of records closes at whichever limit it reaches first: memory stays bounded.
CHUNK_RECORDS = 1000
CHUNK_BYTES = 4 * 1024 * 1024
# A header or manifest larger than this is not one of ours.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
MAX_RECORD_BYTES = CHUNK_BYTES

# Every kind, parents before children: the order records are written and applied in.
KINDS: tuple[str, ...] = (
    "project",
    "experiment",
    "run",
    "run_param",
    "run_tag",
    "run_metric",
    "logged_model",
    "logged_model_metric",
    "registered_model",
    "model_tag",
    "model_version",
    "version_tag",
    "version_metadata",
    "blob",
    "artifact",
    "tracked_file",
    "model_alias",
    "transition_request",
    "comment",
    "event",
)
# The last records of an archive: for each exported parent, the source ids of ALL its current
# children of the kinds in SCOPES (not only those the archive carries). An import deletes the
# rows it made from this source under that parent which the list no longer names.
PRESENT = "present"
RECORD_KINDS: tuple[str, ...] = (*KINDS, PRESENT)

# parent kind -> ((child kind, the child's column naming the parent), ...): what a present record
# lists. Events are history and never deleted; metrics are append-only.
SCOPES: dict[str, tuple[tuple[str, str], ...]] = {
    "project": (("registered_model", "project_id"), ("tracked_file", "project_id")),
    "registered_model": (
        ("model_version", "model_id"),
        ("model_tag", "model_id"),
        ("model_alias", "model_id"),
    ),
    "model_version": (
        ("version_tag", "version_id"),
        ("artifact", "version_id"),
        ("transition_request", "version_id"),
        ("comment", "version_id"),
    ),
    "run": (("run_param", "run_id"), ("run_tag", "run_id")),
}

# column -> the kind it refers to. Event references are optional: history outlives its subjects.
REFERENCES: dict[str, dict[str, str]] = {
    "experiment": {"project_id": "project"},
    "run": {"experiment_id": "experiment"},
    "run_param": {"run_id": "run"},
    "run_tag": {"run_id": "run"},
    "run_metric": {"run_id": "run"},
    "logged_model": {"experiment_id": "experiment"},
    "logged_model_metric": {"logged_model_id": "logged_model"},
    "registered_model": {"project_id": "project"},
    "model_tag": {"model_id": "registered_model"},
    "model_version": {"model_id": "registered_model"},
    "version_tag": {"version_id": "model_version"},
    "version_metadata": {"version_id": "model_version"},
    "artifact": {"version_id": "model_version", "blob_id": "blob"},
    "tracked_file": {"project_id": "project", "blob_id": "blob"},
    "model_alias": {"model_id": "registered_model", "version_id": "model_version"},
    "transition_request": {"version_id": "model_version"},
    "comment": {"version_id": "model_version"},
    "event": {
        "project_id": "project",
        "model_id": "registered_model",
        "version_id": "model_version",
    },
}
OPTIONAL_REFERENCES = frozenset({"event"})

# Keys inside an event's payload that name a row by id -> its kind. The importer rewrites them
# to the target's ids (None when the target has no such row: it was deleted before the export).
# Not mapped: `run_id` (a run's uuid, kept as it is), a logged model's `model_id` (its uuid).
PAYLOAD_REFERENCES: dict[str, str] = {
    "version_id": "model_version",
    "from_version_id": "model_version",
    "archived_by_version_id": "model_version",
    "request_id": "transition_request",
    "comment_id": "comment",
    "experiment_id": "experiment",  # a string, "0" for the Default experiment (kept)
}
# Payload ids of rows no archive carries: set to None on import (they would name another row).
UNEXPORTED_PAYLOAD_IDS = frozenset({"deployment_id"})

# What identifies a row in the target besides its id. A row of a CONFLICTING kind found by this
# key that did not come from the archive's source is a conflict; a row of another kind found by
# it is the same row (updated in place: a tag of a model imported earlier).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "project": ("path",),
    "experiment": ("project_id", "name"),
    "run": ("uuid",),
    "logged_model": ("uuid",),
    "registered_model": ("project_id", "name"),
    "model_version": ("model_id", "number"),
    "model_tag": ("model_id", "key"),
    "version_tag": ("version_id", "key"),
    "run_param": ("run_id", "key"),
    "run_tag": ("run_id", "key"),
    "version_metadata": ("version_id",),
    "blob": ("sha256",),
    "artifact": ("version_id", "path"),
    "tracked_file": ("project_id", "path"),
    "model_alias": ("model_id", "alias"),
}
CONFLICTING = frozenset(
    {"project", "experiment", "run", "logged_model", "registered_model", "model_version"}
)
# Kinds whose rows the target keeps under its own storage details (blob: storage key).
LOCAL_COLUMNS: dict[str, frozenset[str]] = {"blob": frozenset({"storage_key"})}

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ArchiveError(Exception):
    """The archive cannot be read or applied. `code` is stable; the message says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and _SHA256.match(value) is not None


@dataclass(frozen=True, slots=True)
class Header:
    """The first member: what the archive holds and where it came from."""

    source_instance: str
    created_at: str
    since_event: int | None
    projects: tuple[str, ...]
    models: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "source_instance": self.source_instance,
            "created_at": self.created_at,
            "since_event": self.since_event,
            "selection": {"projects": list(self.projects), "models": list(self.models)},
        }


def parse_header(document: object) -> Header:
    """The header, or ArchiveError (archive.not_an_archive / archive.format_version)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ArchiveError(
            "archive.not_an_archive",
            "this file is not a modelreg archive (its first member is not a modelreg header); "
            "pass a file written by 'modelreg export'.",
        )
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise ArchiveError(
            "archive.format_version",
            f"the archive has format version {version!r}, this modelreg reads version "
            f"{FORMAT_VERSION}; import it with the modelreg release that matches the exporter.",
        )
    selection = document.get("selection")
    source = document.get("source_instance")
    since = document.get("since_event")
    if (
        not isinstance(source, str)
        or not source
        or not isinstance(selection, dict)
        or not isinstance(document.get("created_at"), str)
        or not (since is None or (isinstance(since, int) and not isinstance(since, bool)))
    ):
        raise ArchiveError("archive.corrupt", "the archive's header is incomplete or malformed.")
    return Header(
        source_instance=source,
        created_at=str(document["created_at"]),
        since_event=since,
        projects=tuple(str(p) for p in selection.get("projects", [])),
        models=tuple(str(m) for m in selection.get("models", [])),
    )


@dataclass(frozen=True, slots=True)
class ChunkEntry:
    name: str
    sha256: str
    records: int


@dataclass(frozen=True, slots=True)
class Manifest:
    counts: dict[str, int]
    chunks: tuple[ChunkEntry, ...]
    blobs: dict[str, int]  # sha256 -> size

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "chunks": [
                {"name": c.name, "sha256": c.sha256, "records": c.records} for c in self.chunks
            ],
            "blobs": self.blobs,
        }


def parse_manifest(document: object) -> Manifest:
    """The manifest, or ArchiveError archive.corrupt."""
    bad = ArchiveError("archive.corrupt", "the archive's manifest is malformed.")
    if not isinstance(document, dict):
        raise bad
    counts, chunks, blobs = document.get("counts"), document.get("chunks"), document.get("blobs")
    if not isinstance(counts, dict) or not isinstance(chunks, list) or not isinstance(blobs, dict):
        raise bad
    entries: list[ChunkEntry] = []
    for chunk in chunks:
        if (
            not isinstance(chunk, dict)
            or not isinstance(chunk.get("name"), str)
            or not is_sha256(chunk.get("sha256"))
            or not isinstance(chunk.get("records"), int)
        ):
            raise bad
        entries.append(ChunkEntry(chunk["name"], chunk["sha256"], chunk["records"]))
    if not all(k in RECORD_KINDS and isinstance(v, int) for k, v in counts.items()):
        raise bad
    if not all(is_sha256(k) and isinstance(v, int) and v >= 0 for k, v in blobs.items()):
        raise bad
    return Manifest(counts=dict(counts), chunks=tuple(entries), blobs=dict(blobs))


def check_record(record: object) -> tuple[str, str, dict[str, Any]]:
    """(kind, source id, data) of one record line, or ArchiveError archive.corrupt."""
    if not isinstance(record, dict):
        raise ArchiveError("archive.corrupt", "a record of the archive is not a JSON object.")
    kind, source_id, data = record.get("kind"), record.get("id"), record.get("data")
    if kind not in RECORD_KINDS or not isinstance(data, dict) or source_id is None:
        raise ArchiveError(
            "archive.corrupt", f"a record of the archive is malformed (kind {kind!r})."
        )
    return str(kind), str(source_id), data


@dataclass(frozen=True, slots=True)
class Present:
    """A present record: the children `parent` (source id `parent_id`) has in the source."""

    parent: str
    parent_id: str
    children: dict[str, frozenset[str]]


def check_present(data: dict[str, Any]) -> Present:
    """A present record's data, or ArchiveError archive.corrupt."""
    parent, parent_id, children = data.get("parent"), data.get("parent_id"), data.get("children")
    allowed = dict(SCOPES.get(parent, ())) if isinstance(parent, str) else {}
    if (
        not allowed
        or parent_id is None
        or not isinstance(children, dict)
        or not all(k in allowed and isinstance(v, list) for k, v in children.items())
    ):
        raise ArchiveError("archive.corrupt", f"a present record is malformed (parent {parent!r}).")
    return Present(
        parent=str(parent),
        parent_id=str(parent_id),
        children={k: frozenset(str(i) for i in v) for k, v in children.items()},
    )
