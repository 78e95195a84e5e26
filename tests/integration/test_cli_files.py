"""`modelreg files upload|download` against a real server process on loopback."""

from __future__ import annotations

import hashlib
import itertools
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from modelreg.client import (
    ClientError,
    Refused,
    RegistryClient,
    RemoteFile,
    UnsafePath,
    local_files,
    safe_target,
)
from tests.support.server import clean_env, cli_token, free_port, running_server

LIST_FILES = """
query($version: String!) {
  project(path: "demo") { model(name: "churn") { version(version: $version) {
    files { path size sha256 downloadUrl }
  } } }
}"""

_versions = itertools.count(1)

# Of each server these tests started, by base URL: the instance admin's `api` token, and the
# directory it runs in (for `cli_token`).
_TOKENS: dict[str, str] = {}
_DIRS: dict[str, Path] = {}


def _bearer(base: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {_TOKENS[base]}"}


@contextmanager
def _server(tmp_path: Path, **env: str) -> Iterator[str]:
    """A real server (project `demo` is private: only the token's holder sees it)."""
    with running_server(tmp_path, **env) as base:
        _TOKENS[base], _DIRS[base] = cli_token(tmp_path), tmp_path
        try:
            yield base
        finally:
            del _TOKENS[base], _DIRS[base]


def _graphql(base: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/graphql", json={"query": query, "variables": variables}, headers=_bearer(base)
    )
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _create_registry(base: str) -> str:
    """Project `demo` with model `churn`; returns the model's id."""
    project = _graphql(
        base, 'mutation { createProject(input: {path: "demo"}) { project { id } } }'
    )["createProject"]["project"]["id"]
    model: str = _graphql(
        base,
        'mutation($p: ID!) { createModel(input: {projectId: $p, name: "churn"}) { model { id } } }',
        p=project,
    )["createModel"]["model"]["id"]
    return model


def _create_version(base: str, model_id: str) -> str:
    version = f"1.{next(_versions)}.0"
    created = _graphql(
        base,
        "mutation($m: ID!, $v: String!) { createVersion(input: {modelId: $m, version: $v}) "
        "{ modelVersion { id } errors { message } } }",
        m=model_id,
        v=version,
    )["createVersion"]
    assert created["errors"] == []
    return version


def _listed(base: str, version: str) -> dict[str, tuple[int, str]]:
    found = _graphql(base, LIST_FILES, version=version)["project"]["model"]["version"]["files"]
    return {f["path"]: (f["size"], f["sha256"]) for f in found}


def _cli(*args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    """`modelreg files *args`, with `token` in MODELREG_TOKEN."""
    result = subprocess.run(
        [sys.executable, "-m", "modelreg", "files", *args],
        env=clean_env(**({"MODELREG_TOKEN": token} if token is not None else {})),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def _transfer(
    command: str,
    directory: Path,
    base: str,
    version: str,
    *more: str,
    token: str | None = None,
    anonymous: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Upload or download with `token`, else the server's admin token unless `anonymous`."""
    if token is None and not anonymous:
        token = _TOKENS.get(base)
    return _cli(
        command,
        str(directory),
        "--project",
        "demo",
        "--model",
        "churn",
        "--version",
        version,
        "--url",
        base,
        *more,
        token=token,
    )


def _payload(size: int, seed: int) -> bytes:
    block = hashlib.sha256(str(seed).encode()).digest() * 2048  # 64 KiB, varied per seed
    return (block * (size // len(block) + 1))[:size]


def _write_tree(root: Path, files: dict[str, bytes]) -> dict[str, bytes]:
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return files


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server with project `demo` and model `churn`: (base URL, model id)."""
    with _server(tmp_path_factory.mktemp("server")) as base:
        yield base, _create_registry(base)


@pytest.fixture
def server(registry: tuple[str, str]) -> str:
    return registry[0]


@pytest.fixture
def version(registry: tuple[str, str]) -> str:
    """A fresh, empty version of demo/churn for each test."""
    return _create_version(*registry)


def test_upload_a_tree_then_download_it_byte_for_byte(
    server: str, version: str, tmp_path: Path
) -> None:
    files = _write_tree(
        tmp_path / "model",
        {
            "weights/model.bin": _payload(3 * 1024 * 1024 + 17, seed=1),
            "config/params.json": b'{"lr": 0.01}\n',
            "deep/a/b/notes.txt": "déjà vu\n".encode(),
            "README.md": b"# churn\n",
            "empty.txt": b"",
        },
    )
    uploaded = _transfer("upload", tmp_path / "model", server, version)
    assert uploaded.returncode == 0, uploaded.stderr
    assert f"Uploaded 5 of 5 files (3.0 MiB) to demo/churn {version}" in uploaded.stdout
    assert _listed(server, version) == {p: (len(d), _sha(d)) for p, d in files.items()}

    downloaded = _transfer("download", tmp_path / "copy", server, version)
    assert downloaded.returncode == 0, downloaded.stderr
    assert f"Downloaded 5 of 5 files (3.0 MiB) of demo/churn {version}" in downloaded.stdout
    assert _tree(tmp_path / "copy") == files  # no .part file left behind either

    again = _transfer("download", tmp_path / "copy", server, version)
    assert again.returncode == 0, again.stderr
    assert "All 5 files" in again.stdout
    assert "nothing was downloaded" in again.stdout


def test_upload_under_a_prefix(server: str, version: str, tmp_path: Path) -> None:
    _write_tree(tmp_path / "in", {"a.txt": b"a", "sub/b.txt": b"b"})
    result = _transfer("upload", tmp_path / "in", server, version, "--prefix", "/exports/v1/")
    assert result.returncode == 0, result.stderr
    assert set(_listed(server, version)) == {"exports/v1/a.txt", "exports/v1/sub/b.txt"}


def test_download_resumes_a_partial_file_and_restarts_a_wrong_one(
    server: str, version: str, tmp_path: Path
) -> None:
    files = _write_tree(
        tmp_path / "in",
        {"a.bin": _payload(2 * 1024 * 1024, seed=2), "b.bin": _payload(1024 * 1024, seed=3)},
    )
    assert _transfer("upload", tmp_path / "in", server, version).returncode == 0
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.bin.part").write_bytes(files["a.bin"][: 1024 * 1024 + 123])  # a true prefix
    (out / "b.bin.part").write_bytes(b"not the start of b.bin")  # left by something else

    result = _transfer("download", out, server, version)
    assert result.returncode == 0, result.stderr
    assert "(1 resumed)" in result.stdout
    assert _tree(out) == files


@pytest.mark.parametrize(
    "path",
    ["../x", "/etc/passwd", "a/../../x", "..", ".", "a/./b", "a//b", "a/", "", "a\\..\\x", "x\0"],
)
def test_safe_target_refuses_paths_leaving_the_directory(tmp_path: Path, path: str) -> None:
    with pytest.raises(UnsafePath):
        safe_target(tmp_path, path)


def test_safe_target_refuses_a_way_out_through_a_symlink(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePath, match="symbolic link"):
        safe_target(root, "link/x")
    assert safe_target(root, "a/b/c.txt") == root.resolve() / "a" / "b" / "c.txt"


def test_download_refuses_a_malicious_path_from_the_server(
    server: str, version: str, tmp_path: Path
) -> None:
    root = tmp_path / "target"
    root.mkdir()
    evil = RemoteFile(path="../escaped.txt", size=1, sha256=_sha(b"x"))
    with (
        RegistryClient(server, token=_TOKENS[server]) as client,
        pytest.raises(UnsafePath, match="refused to write it"),
    ):
        client.download(evil, root, project="demo", model="churn", version=version)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]
    assert list(root.iterdir()) == []


def test_upload_to_an_unknown_version_shows_the_servers_message(
    server: str, tmp_path: Path
) -> None:
    _write_tree(tmp_path / "in", {"a.txt": b"a", "b.txt": b"b"})
    result = _transfer("upload", tmp_path / "in", server, "9.9.9")
    assert result.returncode != 0
    assert "Error: Model 'churn' has no version 9.9.9. Nothing was uploaded." in result.stderr


def test_download_of_an_unknown_model_says_which_part_is_missing(
    server: str, tmp_path: Path
) -> None:
    result = _cli(
        "download", str(tmp_path / "out"), "--project", "demo", "--model", "nope",
        "--version", "1.0.0", "--url", server, token=_TOKENS[server],
    )  # fmt: skip
    assert result.returncode != 0
    assert "Project 'demo' has no model named 'nope'." in result.stderr
    assert not (tmp_path / "out").exists()


NO_TOKEN_HINT = "pass a personal access token with --token or MODELREG_TOKEN"


def test_without_a_token_a_private_project_is_absent_and_the_hint_says_why(
    server: str, version: str, tmp_path: Path
) -> None:
    _write_tree(tmp_path / "in", {"a.txt": b"a", "b.txt": b"b"})
    uploaded = _transfer("upload", tmp_path / "in", server, version, anonymous=True)
    assert uploaded.returncode == 1
    assert "Error: No project has the path 'demo'." in uploaded.stderr
    assert NO_TOKEN_HINT in uploaded.stderr
    assert "Nothing was uploaded." in uploaded.stderr
    assert _listed(server, version) == {}

    downloaded = _transfer("download", tmp_path / "out", server, version, anonymous=True)
    assert downloaded.returncode == 1
    assert "No project has the path 'demo'." in downloaded.stderr
    assert NO_TOKEN_HINT in downloaded.stderr
    assert not (tmp_path / "out").exists()


def test_a_read_api_token_downloads_but_cannot_upload(
    server: str, version: str, tmp_path: Path
) -> None:
    files = _write_tree(tmp_path / "in", {"a.txt": b"a", "b.txt": b"b"})
    assert _transfer("upload", tmp_path / "in", server, version).returncode == 0
    reader = cli_token(_DIRS[server], scope="read_api", name="reader")

    refused = _transfer("upload", tmp_path / "in", server, version, token=reader)
    assert refused.returncode == 1
    assert (
        "Error: This token has only the read_api scope; to change models and versions use a token "
        "with the api scope. "
        "Nothing was uploaded."
    ) in refused.stderr  # stopped at the first file: the second would meet the same refusal

    # --token on the command line (MODELREG_TOKEN is not set here).
    downloaded = _transfer(
        "download", tmp_path / "out", server, version, "--token", reader, anonymous=True
    )
    assert downloaded.returncode == 0, downloaded.stderr
    assert _tree(tmp_path / "out") == files


def test_a_wrong_token_is_refused_with_the_servers_message(
    server: str, version: str, tmp_path: Path
) -> None:
    _write_tree(tmp_path / "in", {"a.txt": b"a"})
    wrong = "mrt_" + "x" * 43
    for command in ("upload", "download"):
        result = _transfer(command, tmp_path / "in", server, version, token=wrong)
        assert result.returncode == 1
        assert "The access token is not valid" in result.stderr
        assert NO_TOKEN_HINT not in result.stderr
    malformed = _transfer("upload", tmp_path / "in", server, version, token="two words")
    assert malformed.returncode != 0
    assert "contains spaces or control characters" in malformed.stderr


def test_an_anonymous_write_refused_by_the_server_says_to_send_a_token(tmp_path: Path) -> None:
    seen: list[str | None] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(
            401, json={"error": {"code": "UNAUTHENTICATED", "message": "Sign in."}}
        )

    (tmp_path / "a.txt").write_bytes(b"a")
    local = local_files(tmp_path)[0]
    for token, expected in ((None, f"Sign in. (no token was sent: {NO_TOKEN_HINT})"),
                            ("mrt_abc", "Sign in.")):  # fmt: skip
        client = RegistryClient(
            "http://registry.test", token=token, transport=httpx.MockTransport(refuse)
        )
        with client, pytest.raises(Refused) as refused:
            client.upload(local, project="p", model="m", version="1.0.0")
        assert refused.value.message == expected
    assert seen == [None, "Bearer mrt_abc"]


def test_a_server_that_is_not_running_is_one_clear_line(tmp_path: Path) -> None:
    _write_tree(tmp_path / "in", {"a.txt": b"a"})
    result = _transfer("upload", tmp_path / "in", f"http://127.0.0.1:{free_port()}", "1.0.0")
    assert result.returncode != 0
    assert "could not connect to http://127.0.0.1:" in result.stderr
    assert "is the server running?" in result.stderr


def test_a_file_over_the_servers_limit_fails_alone_with_a_clear_message(
    tmp_path: Path,
) -> None:
    _write_tree(tmp_path / "in", {"big.bin": _payload(5000, seed=4), "small.txt": b"small"})
    with _server(tmp_path, MODELREG_MAX_FILE_SIZE="1000") as base:
        version = _create_version(base, _create_registry(base))
        result = _transfer("upload", tmp_path / "in", base, version)
        assert result.returncode == 1
        assert (
            "error: big.bin: The file is 5000 bytes; the limit is 1000 bytes "
            "(MODELREG_MAX_FILE_SIZE). Nothing was stored."
        ) in result.stderr
        assert "Error: 1 of 2 files failed to upload." in result.stderr
        assert f"Uploaded 1 of 2 files (5 bytes) to demo/churn {version}" in result.stdout
        assert set(_listed(base, version)) == {"small.txt"}


def test_client_errors_are_single_lines() -> None:
    with pytest.raises(ClientError, match="must start with http"):
        RegistryClient("127.0.0.1:8000")


class _Impostor(BaseHTTPRequestHandler):
    """A server that lists a path escaping the target and lies about what it stored."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # GraphQL: the file list
        self.rfile.read(int(self.headers["content-length"]))
        files = [
            {"path": "../evil.txt", "size": 4, "sha256": _sha(b"evil")},
            {"path": "ok.txt", "size": 2, "sha256": _sha(b"ok")},
        ]
        version = {"files": files}
        self._json(200, {"data": {"project": {"model": {"version": version}}}})

    def do_GET(self) -> None:
        body = b"ok" if self.path.endswith("/files/ok.txt") else b"evil"
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self) -> None:
        size = int(self.headers["content-length"])
        self.rfile.read(size)
        path = self.path.rsplit("/files/", 1)[1]
        self._json(201, {"path": path, "size": size, "sha256": _sha(b"something else")})


@pytest.fixture
def impostor() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Impostor)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_download_refuses_a_listed_path_escaping_the_directory(
    impostor: str, tmp_path: Path
) -> None:
    target = tmp_path / "target"
    result = _transfer("download", target, impostor, "1.0.0")
    assert result.returncode == 1
    assert (
        "error: ../evil.txt: the server sent the unsafe file path '../evil.txt'; "
        "refused to write it"
    ) in result.stderr
    assert _tree(tmp_path) == {"target/ok.txt": b"ok"}


def test_upload_reports_a_checksum_the_server_got_wrong(impostor: str, tmp_path: Path) -> None:
    _write_tree(tmp_path / "in", {"a.txt": b"a"})
    result = _transfer("upload", tmp_path / "in", impostor, "1.0.0")
    assert result.returncode == 1
    assert f"error: a.txt: the server stored 1 bytes with SHA-256 {_sha(b'something else')}" in (
        result.stderr
    )
    assert "Uploaded 0 of 1 files" in result.stdout
