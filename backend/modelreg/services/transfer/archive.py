"""The archive as bytes: a tar stream written forwards only (usable as an HTTP response body),
and a reader of an archive file that visits records without reading blobs.

Tar rather than zip: a tar member's header is written before its bytes and needs nothing
written after them, so the writer never seeks and never holds more than one record chunk; the
reader can skip a blob by seeking past it. Headers are POSIX (pax) so long names and sizes over
8 GiB are fine.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import time
from collections.abc import AsyncGenerator, AsyncIterable, Iterator
from pathlib import Path
from typing import IO, Any

from modelreg.domain.transfer import (
    BLOBS_PREFIX,
    CHUNK_BYTES,
    CHUNK_RECORDS,
    HEADER_NAME,
    MANIFEST_NAME,
    MAX_DOCUMENT_BYTES,
    RECORDS_PREFIX,
    ArchiveError,
    ChunkEntry,
    Header,
    Manifest,
    check_record,
    parse_header,
    parse_manifest,
)

BLOCK = 512
READ_SIZE = 1024 * 1024


def _member_header(name: str, size: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(time.time())
    info.mode = 0o644
    return info.tobuf(format=tarfile.PAX_FORMAT)


def _padding(size: int) -> bytes:
    return b"\0" * (-size % BLOCK)


def _json_bytes(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


class ArchiveWriter:
    """Builds the tar stream piece by piece; every method returns or yields the bytes to send.

    `records` chunks the records (CHUNK_RECORDS / CHUNK_BYTES), `blob` streams one file's bytes
    (whose size the caller knows), `finish` writes the manifest and the end of the archive.
    """

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.chunks: list[ChunkEntry] = []
        self.blobs: dict[str, int] = {}

    def header(self, header: Header) -> bytes:
        return self._document(HEADER_NAME, header.to_json())

    async def records(self, records: AsyncIterable[dict[str, Any]]) -> AsyncGenerator[bytes, None]:
        buffer = bytearray()
        count = 0
        async for record in records:
            line = _json_bytes(record) + b"\n"
            buffer += line
            count += 1
            kind = str(record["kind"])
            self.counts[kind] = self.counts.get(kind, 0) + 1
            if count >= CHUNK_RECORDS or len(buffer) >= CHUNK_BYTES:
                yield self._chunk(bytes(buffer), count)
                buffer.clear()
                count = 0
        if count:
            yield self._chunk(bytes(buffer), count)

    def _chunk(self, data: bytes, count: int) -> bytes:
        name = f"{RECORDS_PREFIX}{len(self.chunks) + 1:06d}.jsonl"
        self.chunks.append(ChunkEntry(name, hashlib.sha256(data).hexdigest(), count))
        return _member_header(name, len(data)) + data + _padding(len(data))

    async def blob(
        self, sha256: str, size: int, chunks: AsyncIterable[bytes]
    ) -> AsyncGenerator[bytes, None]:
        """The member `blobs/<sha256>`; the file must have exactly `size` bytes."""
        yield _member_header(BLOBS_PREFIX + sha256, size)
        written = 0
        async for chunk in chunks:
            written += len(chunk)
            if written > size:
                break
            yield chunk
        if written != size:
            raise ArchiveError(
                "archive.blob_changed",
                f"the stored file {sha256} does not have the {size} bytes the registry recorded; "
                "the export stopped.",
            )
        self.blobs[sha256] = size
        yield _padding(size)

    def finish(self) -> bytes:
        manifest = Manifest(counts=self.counts, chunks=tuple(self.chunks), blobs=self.blobs)
        return self._document(MANIFEST_NAME, manifest.to_json()) + b"\0" * (2 * BLOCK)

    @staticmethod
    def _document(name: str, document: Any) -> bytes:
        data = _json_bytes(document)
        return _member_header(name, len(data)) + data + _padding(len(data))


_TRUNCATED = ArchiveError(
    "archive.truncated",
    "the archive ends early or is damaged (a tar member is cut short); export it again or copy "
    "the whole file.",
)


class ArchiveReader:
    """An archive file opened for import. `scan()` reads the header, every record chunk (checked
    against the manifest's SHA-256) and the manifest, skipping blobs; `blob_chunks` reads one
    blob's bytes. Records are verified once in full before anything is applied."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._file: IO[bytes] = path.open("rb")
            self._tar = tarfile.open(fileobj=self._file, mode="r:")  # noqa: SIM115 (closed by close())
        except tarfile.TarError:
            self.close()
            raise ArchiveError(
                "archive.not_an_archive",
                f"{path} is not a modelreg archive (not a tar file); pass a file written by "
                "'modelreg export'.",
            ) from None
        except OSError as exc:
            raise ArchiveError(
                "archive.unreadable", f"cannot read {path}: {exc.strerror or exc}."
            ) from None
        self._blob_members: dict[str, tarfile.TarInfo] = {}
        self._chunk_members: list[tarfile.TarInfo] = []
        self.header: Header | None = None
        self.manifest: Manifest | None = None

    def close(self) -> None:
        if hasattr(self, "_tar"):
            self._tar.close()
        if hasattr(self, "_file"):
            self._file.close()

    def _members(self) -> Iterator[tarfile.TarInfo]:
        try:
            while True:
                member = self._tar.next()
                if member is None:
                    return
                yield member
        except (tarfile.TarError, EOFError):
            raise _TRUNCATED from None

    def _read(self, member: tarfile.TarInfo) -> bytes:
        handle = self._tar.extractfile(member)
        if handle is None:
            raise ArchiveError(
                "archive.corrupt", f"the archive member {member.name} is not a file."
            )
        try:
            data = handle.read()
        except (tarfile.TarError, EOFError, OSError):
            raise _TRUNCATED from None
        if len(data) != member.size:
            raise _TRUNCATED
        return data

    def _document(self, member: tarfile.TarInfo) -> Any:
        if member.size > MAX_DOCUMENT_BYTES:
            raise ArchiveError("archive.corrupt", f"{member.name} is too large to be ours.")
        try:
            return json.loads(self._read(member))
        except ValueError:
            raise ArchiveError("archive.corrupt", f"{member.name} is not valid JSON.") from None

    def scan(self) -> tuple[Header, Manifest]:
        """Index the members; check the header first and the manifest against the chunks."""
        for member in self._members():
            if self.header is None:
                if member.name != HEADER_NAME:
                    parse_header(None)  # raises: the first member is not our header
                self.header = parse_header(self._document(member))
            elif member.name.startswith(RECORDS_PREFIX):
                self._chunk_members.append(member)
            elif member.name.startswith(BLOBS_PREFIX):
                self._blob_members[member.name[len(BLOBS_PREFIX) :]] = member
            elif member.name == MANIFEST_NAME:
                self.manifest = parse_manifest(self._document(member))
        if self.header is None:
            parse_header(None)  # raises: an empty archive
        if self.manifest is None:
            raise _TRUNCATED
        self._check_contents(self.manifest)
        return self.header, self.manifest  # type: ignore[return-value]

    def _check_contents(self, manifest: Manifest) -> None:
        names = [m.name for m in self._chunk_members]
        missing = [c.name for c in manifest.chunks if c.name not in names]
        if missing or len(names) != len(manifest.chunks):
            raise ArchiveError(
                "archive.records_missing",
                f"the manifest names record chunks the archive lacks ({', '.join(missing[:5])}); "
                "the archive is incomplete, export it again.",
            )
        absent = [sha for sha in manifest.blobs if sha not in self._blob_members]
        if absent:
            raise ArchiveError(
                "archive.blob_missing",
                f"the manifest names {len(absent)} file(s) the archive lacks (first {absent[0]}); "
                "the archive is incomplete, export it again.",
            )

    def records(self) -> Iterator[list[tuple[str, str, dict[str, Any]]]]:
        """The records, one list per chunk, each chunk checked against its SHA-256 and count."""
        assert self.manifest is not None, "scan() first"
        members = {m.name: m for m in self._chunk_members}
        for entry in self.manifest.chunks:
            member = members[entry.name]
            if member.size > MAX_DOCUMENT_BYTES:
                raise ArchiveError(
                    "archive.corrupt",
                    f"the record chunk {entry.name} is {member.size} bytes, more than a modelreg "
                    "archive ever holds in one chunk.",
                )
            data = self._read(member)
            if hashlib.sha256(data).hexdigest() != entry.sha256:
                raise ArchiveError(
                    "archive.checksum",
                    f"the record chunk {entry.name} does not match its SHA-256 in the manifest; "
                    "the archive is damaged, export it again.",
                )
            try:
                lines = [check_record(json.loads(line)) for line in data.splitlines() if line]
            except ValueError:
                raise ArchiveError(
                    "archive.corrupt", f"the record chunk {entry.name} is not JSON Lines."
                ) from None
            if len(lines) != entry.records:
                raise ArchiveError(
                    "archive.records_missing",
                    f"the record chunk {entry.name} holds {len(lines)} records, the manifest "
                    f"says {entry.records}; the archive is damaged, export it again.",
                )
            yield lines

    def blob_chunks(self, sha256: str) -> Iterator[bytes]:
        """The bytes of `blobs/<sha256>` in READ_SIZE pieces (not verified here: the importer
        hashes them as it stores them)."""
        member = self._blob_members.get(sha256)
        if member is None:
            raise ArchiveError("archive.blob_missing", f"the archive lacks the file {sha256}.")
        handle = self._tar.extractfile(member)
        assert handle is not None
        left = member.size
        try:
            while left > 0:
                piece = handle.read(min(READ_SIZE, left))
                if not piece:
                    raise _TRUNCATED
                left -= len(piece)
                yield piece
        except (tarfile.TarError, EOFError, OSError):
            raise _TRUNCATED from None
