"""A throwaway PostgreSQL server for the test session: initdb + pg_ctl in a temporary directory.

The server refuses to run as root, so as root it runs as the `postgres` user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg


class PostgresUnavailable(RuntimeError):
    pass


def _find(tool: str) -> str:
    for candidate in (
        shutil.which(tool),
        f"/usr/local/bin/{tool}",
        f"/usr/lib/postgresql/15/bin/{tool}",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    raise PostgresUnavailable(f"{tool} not found; install PostgreSQL 15 server binaries")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    root: Path
    port: int
    as_user: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = list(args)
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    @classmethod
    def start(cls) -> PostgresServer:
        root = Path(tempfile.mkdtemp(prefix="modelreg-pg-"))
        as_user = "postgres" if os.geteuid() == 0 else None
        if as_user:
            shutil.chown(root, user=as_user)
        server = cls(root=root, port=_free_port(), as_user=as_user)
        server._run(
            _find("initdb"),
            "-D",
            str(server.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = (
            f"-p {server.port} -c listen_addresses=127.0.0.1 -k {root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        server._run(
            _find("pg_ctl"),
            "-D",
            str(server.data),
            "-o",
            options,
            "-l",
            str(root / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
                return server
            except OSError:
                time.sleep(0.1)
        raise PostgresUnavailable("PostgreSQL did not start; see " + str(root / "server.log"))

    async def create_database(self, name: str) -> None:
        connection = await asyncpg.connect(
            host="127.0.0.1", port=self.port, user="postgres", database="postgres"
        )
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    def stop(self) -> None:
        try:
            self._run(_find("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
