from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import argon2
import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from modelreg.app import create_app
from modelreg.db import Database
from modelreg.db.migrate import upgrade
from modelreg.db.models import metadata
from modelreg.services.accounts import Hasher
from modelreg.settings import Settings
from tests.support.accounts import Accounts
from tests.support.graphql import GraphQLClient
from tests.support.postgres import PostgresServer
from tests.support.s3 import MotoS3

ENGINES = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=(*ENGINES, "all"),
        default="all",
        help="Database engine(s) for tests that use one (default: all).",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_kind" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--db")
        kinds = ENGINES if chosen == "all" else (chosen,)
        metafunc.parametrize("db_kind", kinds, scope="session")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres: PostgresServer) -> str:
    asyncio.run(postgres.create_database("modelreg_test"))
    url = postgres.url("modelreg_test")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    """A real S3 API on loopback (moto in server mode), one bucket for the session."""
    server = MotoS3.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "registry.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def database_url(request: pytest.FixtureRequest, db_kind: str, tmp_path: Path) -> str:
    """A migrated, empty database of the requested engine."""
    if db_kind == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "registry.db"
        shutil.copyfile(template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        if not database.is_sqlite:
            tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            async with database.begin() as session:
                await session.exec(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))  # type: ignore[call-overload]
        await database.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def app(settings: Settings, db: Database) -> Starlette:
    """The application with the local-disk storage under the test's data directory."""
    return create_app(settings, db=db)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with its smallest cost: the same code path, milliseconds instead of ~100 ms."""
    monkeypatch.setattr(
        Hasher, "hasher", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def accounts(db: Database) -> Accounts:
    return Accounts(db)


@pytest.fixture
async def admin_headers(accounts: Accounts) -> dict[str, str]:
    """`Authorization` for the instance admin `admin` (an `api` token)."""
    return await accounts.headers("admin", admin=True)


@pytest.fixture
async def http(app: Starlette, admin_headers: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the in-process app, signed in as the instance admin by a token."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://modelreg.test", headers=admin_headers
    ) as client:
        yield client


@pytest.fixture
async def anon_http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the in-process app without credentials."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://modelreg.test") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient, accounts: Accounts) -> GraphQLClient:
    return GraphQLClient(http, accounts=accounts)


@pytest.fixture
def anon_gql(anon_http: httpx.AsyncClient, accounts: Accounts) -> GraphQLClient:
    return GraphQLClient(anon_http, accounts=accounts)


@pytest.fixture
def anyio_backend() -> Any:
    return "asyncio"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The fuzz suites' tally: how many requests were tried, how many answered 5xx."""
    from tests.support.fuzz import FUZZ_STATS

    for line in FUZZ_STATS.lines():
        terminalreporter.write_line(line)
