"""Imports that must refuse, with a stable code, having written nothing: conflicts, damaged,
truncated or foreign archives, files whose SHA-256 does not match. And the export's memory:
no piece of the stream is larger than a record chunk or a storage chunk."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from contextlib import aclosing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from modelreg.db import Database
from modelreg.domain.transfer import CHUNK_BYTES, ArchiveError
from modelreg.services.transfer.export import Selection, export_stream
from modelreg.storage import create_storage
from modelreg.storage.common import CHUNK_SIZE
from tests.support.registry import create_model, create_project
from tests.support.transfer import (
    Instance,
    export_to,
    import_from,
    instances,
    populate,
    rows,
    target_database_url,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def target_url(
    request: pytest.FixtureRequest, db_kind: str, database_url: str, tmp_path: Path
) -> str:
    """The target's database; `database_url` first makes the session's template."""
    return target_database_url(request, db_kind, tmp_path)


TABLES = ("project", "registered_model", "model_version", "event", "blob", "transfer_origin")


async def _archive(source: Instance, tmp_path: Path) -> Path:
    await populate(source)
    return await export_to(source, tmp_path / "demo.tar")


async def _counts(target: Instance) -> dict[str, int]:
    return {table: await rows(target.db, table) for table in TABLES}


def _files(target: Instance) -> list[Path]:
    return [p for p in (target.settings.data_dir).rglob("*") if p.is_file() and "blobs" in p.parts]


def _rewrite(archive: Path, out: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """A copy of `archive` with each member's bytes passed through `change` (None: dropped)."""
    with tarfile.open(archive) as source, tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as dst:
        for member in source.getmembers():
            handle = source.extractfile(member)
            assert handle is not None
            data = change(member.name, handle.read())
            if data is None:
                continue
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


async def _refused(target: Instance, archive: Path, code: str, **options: str) -> ArchiveError:
    before = await _counts(target)
    with pytest.raises(ArchiveError) as refused:
        await import_from(target, archive, **options)  # type: ignore[arg-type]
    assert refused.value.code == code, refused.value.message
    assert await _counts(target) == before
    assert _files(target) == []
    return refused.value


async def test_a_project_made_in_the_target_is_a_conflict(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        archive = await _archive(source, tmp_path)
        await create_project(target.gql, "demo")

        refused = await _refused(target, archive, "import.conflict")

        assert "project 'demo' already exists" in refused.message


async def test_into_a_project_with_a_model_of_that_name_is_a_conflict(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        archive = await _archive(source, tmp_path)
        project = await create_project(target.gql, "prod")
        await create_model(target.gql, project["id"], "churn")

        refused = await _refused(target, archive, "import.conflict", into="prod")

        assert "model 'churn' already exists" in refused.message
        assert "fraud" not in refused.message


async def test_into_another_project_keeps_the_models(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        archive = await _archive(source, tmp_path)
        await create_project(target.gql, "prod")

        await import_from(target, archive, into="prod")

        found = await target.gql.execute(
            'query { project(path: "prod") { models(first: 5) { edges { node { name versionCount'
            " } } } } }"
        )
        models = {
            e["node"]["name"]: e["node"]["versionCount"]
            for e in found["project"]["models"]["edges"]
        }
        assert models == {"churn": 3, "fraud": 0}


async def test_into_a_missing_project_is_refused(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        archive = await _archive(source, tmp_path)
        await _refused(target, archive, "import.project_not_found", into="nope")


async def test_a_truncated_archive_is_refused(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        archive = await _archive(source, tmp_path)
        cut = tmp_path / "cut.tar"
        cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

        await _refused(target, cut, "archive.truncated")


async def test_another_format_version_is_refused(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        archive = await _archive(source, tmp_path)

        def newer(name: str, data: bytes) -> bytes:
            if name != "header.json":
                return data
            return json.dumps({**json.loads(data), "format_version": 99}).encode()

        refused = await _refused(
            target, _rewrite(archive, tmp_path / "v99.tar", newer), "archive.format_version"
        )

        assert "version 99" in refused.message


async def test_a_file_that_is_not_an_archive_is_refused(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (_source, target):
        other = tmp_path / "notes.txt"
        other.write_text("hello")

        await _refused(target, other, "archive.not_an_archive")


async def test_a_damaged_record_chunk_is_refused(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        archive = await _archive(source, tmp_path)

        def damage(name: str, data: bytes) -> bytes:
            return data.replace(b'"churn"', b'"chum!"') if name.startswith("records/") else data

        await _refused(target, _rewrite(archive, tmp_path / "bad.tar", damage), "archive.checksum")


async def test_a_manifest_naming_missing_records_is_refused(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        archive = await _archive(source, tmp_path)

        def drop(name: str, data: bytes) -> bytes | None:
            return None if name == "records/000001.jsonl" else data

        await _refused(
            target, _rewrite(archive, tmp_path / "gap.tar", drop), "archive.records_missing"
        )


async def test_a_file_whose_sha256_does_not_match_leaves_nothing(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        archive = await _archive(source, tmp_path)
        blobs: list[str] = []

        def flip_last_blob(name: str, data: bytes) -> bytes:
            if name.startswith("blobs/"):
                blobs.append(name)
                if len(blobs) == 2:  # the first file is stored, then removed again
                    return bytes([data[0] ^ 1]) + data[1:]
            return data

        damaged = _rewrite(archive, tmp_path / "flip.tar", flip_last_blob)
        assert len(blobs) == 2

        await _refused(target, damaged, "archive.checksum")


async def test_export_pieces_stay_bounded(db: Database, target_url: str, tmp_path: Path) -> None:
    async with instances(db, target_url, tmp_path) as (source, _target):
        # given: a 5 MiB file and a version with 3000 tags' worth of records
        await populate(source, big_file=b"x" * (5 * 1024 * 1024))
        storage = create_storage(source.settings)

        # when
        largest = 0
        total = 0
        stream = export_stream(db=source.db, storage=storage, selection=Selection(("demo",)))
        async with aclosing(stream) as pieces:
            async for piece in pieces:
                largest = max(largest, len(piece))
                total += len(piece)
        await storage.close()

        # then: nothing held is larger than a chunk (plus its tar header)
        assert total > 5 * 1024 * 1024
        assert largest <= max(CHUNK_BYTES, CHUNK_SIZE) + 4096


async def test_an_incremental_archive_without_its_base_is_refused(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        await populate(source)
        model = await source.gql.execute(
            'query { project(path: "demo") { model(name: "churn") { id } } }'
        )
        async with source.db.read() as session:
            last = (await session.exec(sa.text("SELECT max(id) FROM event"))).scalar_one()  # type: ignore[call-overload]
        await source.gql.execute(
            "mutation($i: CreateVersionInput!) { createVersion(input: $i) { errors { code } } }",
            {"i": {"modelId": model["project"]["model"]["id"], "version": "3.0.0"}},
        )
        since = await export_to(source, tmp_path / "since.tar", since_event=int(last))

        refused = await _refused(target, since, "archive.reference_missing")

        assert "import the earlier archive first" in refused.message


def _resealed(archive: Path, out: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy whose records pass through `change` with the manifest's checksums made to match:
    an archive that is intact but holds what the target refuses."""
    chunks: dict[str, bytes] = {}

    def records(name: str, data: bytes) -> bytes:
        if not name.startswith("records/"):
            return data
        lines = [json.loads(line) for line in data.splitlines()]
        for record in lines:
            change(record)
        chunks[name] = b"".join(json.dumps(r).encode() + b"\n" for r in lines)
        return chunks[name]

    middle = _rewrite(archive, out.with_suffix(".tmp"), records)

    def manifest(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        document = json.loads(data)
        for entry in document["chunks"]:
            entry["sha256"] = hashlib.sha256(chunks[entry["name"]]).hexdigest()
        return json.dumps(document).encode()

    return _rewrite(middle, out, manifest)


async def test_a_record_the_database_refuses_stops_the_import_with_its_chunk(
    db: Database, target_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("modelreg.services.transfer.archive.CHUNK_RECORDS", 5)
    async with instances(db, target_url, tmp_path) as (source, target):
        archive = await _archive(source, tmp_path)

        def no_comment_author(record: dict[str, Any]) -> None:
            if record["kind"] == "comment":
                record["data"]["author"] = None

        bad = _resealed(archive, tmp_path / "bad.tar", no_comment_author)

        with pytest.raises(ArchiveError) as refused:
            await import_from(target, bad)

        assert refused.value.code == "import.stopped"
        assert "run the same import again" in refused.value.message
        # The chunks before it are kept (resumable): the versions are there, no comment.
        assert await rows(target.db, "model_version") == 3
        assert await rows(target.db, "comment") == 0


async def test_a_malformed_present_record_is_refused_before_anything_is_written(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    async with instances(db, target_url, tmp_path) as (source, target):
        archive = await _archive(source, tmp_path)

        def list_events(record: dict[str, Any]) -> None:
            if record["kind"] == "present" and record["data"]["parent"] == "model_version":
                record["data"]["children"]["event"] = [1]  # events are never listed

        bad = _resealed(archive, tmp_path / "bad.tar", list_events)

        refused = await _refused(target, bad, "archive.corrupt")

        assert "present record" in refused.message
