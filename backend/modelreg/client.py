"""A small HTTP client of a running registry, for the command line.

It speaks only HTTP (GraphQL to list files, the file REST routes to move bytes) and imports
nothing of the server: the CLI is an interface like the others. Files stream from and to disk
in chunks (never whole in memory); both directions check the SHA-256 the server reports against
the bytes on this side. Every failure is a `ClientError` whose message is one line for a person.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, BinaryIO, Literal, Protocol
from urllib.parse import quote

import httpx

from modelreg.stream_writer import StreamWriter

DEFAULT_URL = "http://127.0.0.1:8000"
CHUNK_SIZE = 1024 * 1024
"""Bytes read from disk per chunk of an upload (and per step when hashing local files)."""

PART_SUFFIX = ".part"

Progress = Callable[[int], None]
"""Called with the number of bytes just moved (negative when a download starts over)."""

DownloadOutcome = Literal["downloaded", "resumed", "unchanged"]

_TIMEOUT = httpx.Timeout(300.0, connect=10.0)
"""Generous read/write timeouts: the server fsyncs a large upload before it answers."""

_FILES_QUERY = """
query ModelregCliFiles($project: String!, $model: String!, $version: String!) {
  project(path: $project) {
    model(name: $model) { version(version: $version) { files { path size sha256 } } }
  }
}"""


class _Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


class ClientError(Exception):
    """A failure explained in one line; the command prints it without a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Stop(ClientError):
    """A failure every further file would meet too: the command stops at once."""


class Unreachable(Stop):
    """The server could not be reached at all: there is no point trying further files."""


class VersionMissing(Stop):
    """The project, model or version does not exist, or is hidden from this caller (the
    server's message says which)."""


class Refused(Stop):
    """The server refused the credentials (401) or the permission (403)."""


class UnsafePath(ClientError):
    """A file path from the server that would land outside the target directory."""


@dataclass(frozen=True, slots=True)
class RemoteFile:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class LocalFile:
    path: Path
    remote_path: str
    size: int


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _join_prefix(prefix: str, path: str) -> str:
    prefix = prefix.strip("/")
    return f"{prefix}/{path}" if prefix else path


def local_files(root: Path, *, prefix: str = "") -> list[LocalFile]:
    """Every regular file under `root` (symlinked folders are not followed), sorted by path.

    `remote_path` is the path relative to `root` with '/' between folders, under `prefix`.
    """
    found: list[LocalFile] = []
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if not path.is_file():
                continue  # a broken symlink, a socket, ...
            relative = path.relative_to(root).as_posix()
            found.append(LocalFile(path, _join_prefix(prefix, relative), path.stat().st_size))
    found.sort(key=lambda f: f.remote_path)
    return found


def safe_target(root: Path, path: str) -> Path:
    """Where the version file `path` goes under `root`; UnsafePath if it would escape `root`.

    Refused: empty paths, absolute ones (`/etc/passwd`, `C:\\x`), backslashes, control
    characters, empty, `.` and `..` folder names, and paths that leave `root` through a
    symbolic link already in it.
    """
    if not path:
        raise UnsafePath("the server sent an empty file path; refused to write it")
    shown = repr(path)
    if "\\" in path or any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        raise UnsafePath(f"the server sent the unsafe file path {shown}; refused to write it")
    pure = PurePosixPath(path)
    local = Path(path)
    if pure.is_absolute() or local.is_absolute() or local.drive or local.anchor:
        raise UnsafePath(f"the server sent the absolute file path {shown}; refused to write it")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise UnsafePath(f"the server sent the unsafe file path {shown}; refused to write it")
    base = root.resolve()
    target = (base / local).resolve()
    if target == base or not target.is_relative_to(base):
        raise UnsafePath(
            f"the file path {shown} leads outside {root} (through a symbolic link); "
            "refused to write it"
        )
    return base / local


def file_sha256(path: Path, *, limit: int | None = None) -> str:
    """SHA-256 of a local file (or of its first `limit` bytes), read in chunks."""
    return _hash_file(path, limit).hexdigest()


def _hash_file(path: Path, limit: int | None = None) -> _Hasher:
    hasher = hashlib.sha256()
    remaining = limit
    with path.open("rb") as file:
        while remaining is None or remaining > 0:
            size = CHUNK_SIZE if remaining is None else min(CHUNK_SIZE, remaining)
            chunk = file.read(size)
            if not chunk:
                break
            hasher.update(chunk)
            if remaining is not None:
                remaining -= len(chunk)
    return hasher


def _error_message(response: httpx.Response) -> str:
    """The server's `{"error": {"message"}}`, else the status line."""
    try:
        body = response.json()
        message = body["error"]["message"]
        if isinstance(message, str) and message:
            return _one_line(message)
    except (ValueError, KeyError, TypeError):
        pass
    return f"the server answered HTTP {response.status_code} {response.reason_phrase}".rstrip()


_TOKEN_OPTION = "pass a personal access token with --token or MODELREG_TOKEN"


def _chunks(file: BinaryIO, hasher: _Hasher, progress: Progress) -> Iterator[bytes]:
    while chunk := file.read(CHUNK_SIZE):
        hasher.update(chunk)
        progress(len(chunk))
        yield chunk


class RegistryClient:
    """The registry at `url`; use it as a context manager (it holds a connection pool).

    With `token` (a personal access token) every request carries `Authorization: Bearer`;
    without one the requests are anonymous: public projects only, and read-only.
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        *,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self.url = url.rstrip("/")
        if not self.url.startswith(("http://", "https://")):
            raise ClientError(f"--url must start with http:// or https://, got {url!r}")
        self.token = (token or "").strip() or None
        headers = {}
        if self.token is not None:
            if any(ch.isspace() or not ch.isprintable() for ch in self.token):
                raise ClientError(
                    "the token (--token or MODELREG_TOKEN) contains spaces or control "
                    "characters; a personal access token has none (it starts with 'mrt_')"
                )
            headers["authorization"] = f"Bearer {self.token}"
        self._http = httpx.Client(
            base_url=self.url,
            timeout=_TIMEOUT,
            follow_redirects=False,
            transport=transport,
            headers=headers,
        )

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- plumbing -----------------------------------------------------------------------------

    def _hidden_hint(self) -> str:
        """Why something may look absent: anonymous requests do not see private projects."""
        if self.token is not None:
            return ""
        return f" (private projects are hidden from requests without a token: {_TOKEN_OPTION})"

    def _refused(self, response: httpx.Response, message: str) -> Stop | None:
        """The error for a 401, 403 or 404 (with a hint when no token was sent), else None."""
        status = response.status_code
        if status == 401:
            hint = f" (no token was sent: {_TOKEN_OPTION})" if self.token is None else ""
            return Refused(message + hint)
        if status == 403:
            return Refused(message)
        if status == 404:
            return VersionMissing(message + self._hidden_hint())
        return None

    def _transport_error(self, exc: httpx.HTTPError, doing: str) -> ClientError:
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return Unreachable(
                f"could not connect to {self.url} ({_one_line(str(exc)) or type(exc).__name__}); "
                "is the server running? (modelreg serve, or pass --url)"
            )
        reason = _one_line(str(exc)) or type(exc).__name__
        return ClientError(f"{doing} failed: {reason}")

    @staticmethod
    def version_url(project: str, model: str, version: str) -> str:
        return (
            f"/api/v1/projects/{quote(project, safe='')}/models/{quote(model, safe='')}"
            f"/versions/{quote(version, safe='')}"
        )

    def file_url(self, project: str, model: str, version: str, path: str) -> str:
        return f"{self.version_url(project, model, version)}/files/{quote(path, safe='/')}"

    def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.post("/graphql", json={"query": query, "variables": variables})
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, "the GraphQL request") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ClientError(
                f"{self.url}/graphql did not answer with GraphQL (HTTP {response.status_code}); "
                "is --url a modelreg server?"
            )
        errors = body.get("errors")
        if errors:
            first = errors[0].get("message") if isinstance(errors[0], dict) else None
            message = _one_line(str(first or errors[0]))
            raise self._refused(response, message) or ClientError(message)
        data = body.get("data")
        if not isinstance(data, dict):
            raise ClientError(f"the server answered HTTP {response.status_code} without data")
        return data

    # --- listing ------------------------------------------------------------------------------

    def list_files(self, project: str, model: str, version: str) -> list[RemoteFile]:
        data = self.graphql(_FILES_QUERY, {"project": project, "model": model, "version": version})
        found_project = data.get("project")
        if found_project is None:
            raise VersionMissing(f"No project has the path '{project}'.{self._hidden_hint()}")
        found_model = found_project.get("model")
        if found_model is None:
            raise VersionMissing(f"Project '{project}' has no model named '{model}'.")
        found_version = found_model.get("version")
        if found_version is None:
            raise VersionMissing(f"Model '{model}' has no version {version}.")
        try:
            return [
                RemoteFile(path=str(f["path"]), size=int(f["size"]), sha256=str(f["sha256"]))
                for f in found_version["files"]
            ]
        except (KeyError, TypeError, ValueError):
            raise ClientError("the server's file list is malformed") from None

    # --- upload -------------------------------------------------------------------------------

    def upload(
        self,
        local: LocalFile,
        *,
        project: str,
        model: str,
        version: str,
        progress: Progress = lambda _: None,
    ) -> RemoteFile:
        """Stream one local file to the version; checks the stored size and SHA-256."""
        url = self.file_url(project, model, version, local.remote_path)
        hasher = hashlib.sha256()
        try:
            file = local.path.open("rb")
        except OSError as exc:
            raise ClientError(f"could not read {local.path}: {exc.strerror or exc}") from None
        with file:
            size = os.fstat(file.fileno()).st_size
            headers = {"content-length": str(size), "content-type": "application/octet-stream"}
            try:
                response = self._http.put(
                    url, content=_chunks(file, hasher, progress), headers=headers
                )
            except httpx.HTTPError as exc:
                raise self._transport_error(exc, "the upload") from None
            except OSError as exc:
                raise ClientError(f"could not read {local.path}: {exc.strerror or exc}") from None
        if response.status_code != 201:
            message = _error_message(response)
            raise self._refused(response, message) or ClientError(message)
        try:
            body = response.json()
            stored = RemoteFile(str(body["path"]), int(body["size"]), str(body["sha256"]))
        except (ValueError, KeyError, TypeError):
            raise ClientError("the server's answer to the upload is malformed") from None
        digest = hasher.hexdigest()
        if stored.sha256 != digest or stored.size != size:
            raise ClientError(
                f"the server stored {stored.size} bytes with SHA-256 {stored.sha256}, but "
                f"{size} bytes with SHA-256 {digest} were sent; upload it again"
            )
        return stored

    # --- download -----------------------------------------------------------------------------

    def download(
        self,
        remote: RemoteFile,
        root: Path,
        *,
        project: str,
        model: str,
        version: str,
        progress: Progress = lambda _: None,
    ) -> DownloadOutcome:
        """Stream one file to `root/<path>` through `<path>.part`, resuming a `.part` left by an
        earlier attempt; a file already there with the same SHA-256 is left alone."""
        target = safe_target(root, remote.path)
        part = safe_target(root, remote.path + PART_SUFFIX)
        try:
            if (
                target.is_file()
                and target.stat().st_size == remote.size
                and file_sha256(target) == remote.sha256
            ):
                progress(remote.size)
                return "unchanged"
            target.parent.mkdir(parents=True, exist_ok=True)
            have = part.stat().st_size if part.is_file() else 0
        except OSError as exc:
            raise ClientError(f"could not write {target}: {exc.strerror or exc}") from None
        if have >= remote.size:
            have = 0  # nothing left to fetch: the partial copy is not a prefix of this file
        url = self.file_url(project, model, version, remote.path)
        resumed = have > 0
        digest, expected = self._fetch(url, part, have, remote, progress)
        if digest != expected and resumed:
            # The partial copy was not a prefix of this file after all: start over once.
            progress(-remote.size)
            resumed = False
            digest, expected = self._fetch(url, part, 0, remote, progress)
        if digest != expected:
            part.unlink(missing_ok=True)
            raise ClientError(
                f"the downloaded bytes have SHA-256 {digest}, the server announced {expected}; "
                "nothing was kept"
            )
        try:
            part.replace(target)
        except OSError as exc:
            raise ClientError(f"could not write {target}: {exc.strerror or exc}") from None
        return "resumed" if resumed else "downloaded"

    def _fetch(
        self, url: str, part: Path, have: int, remote: RemoteFile, progress: Progress
    ) -> tuple[str, str]:
        """GET into `part` from byte `have` on; (SHA-256 of the whole part, expected SHA-256)."""
        headers = {}
        if have:
            headers = {"range": f"bytes={have}-", "if-range": f'"{remote.sha256}"'}
        try:
            with self._http.stream("GET", url, headers=headers) as response:
                if response.status_code not in (200, 206):
                    response.read()
                    message = _error_message(response)
                    if response.status_code in (401, 403):
                        raise self._refused(response, message) or ClientError(message)
                    raise ClientError(message)
                expected = response.headers.get("x-checksum-sha256", remote.sha256)
                if response.status_code == 206 and not response.headers.get(
                    "content-range", ""
                ).startswith(f"bytes {have}-"):
                    raise ClientError("the server answered a different byte range than asked")
                try:
                    if response.status_code == 206:
                        hasher = _hash_file(part, have)
                        progress(have)
                        mode = "ab"
                    else:
                        hasher = hashlib.sha256()
                        mode = "wb"
                    # Hashed and written in blocks on a worker thread while the next arrives,
                    # flushed to disk as it goes, fsynced before it is renamed into place.
                    with part.open(mode) as out, StreamWriter(out, hasher) as writer:
                        for chunk in response.iter_bytes():
                            writer.write(chunk)
                            progress(len(chunk))
                        writer.finish()
                except OSError as exc:
                    raise ClientError(f"could not write {part}: {exc.strerror or exc}") from None
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, "the download") from None
        return hasher.hexdigest(), expected
