from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from starlette.applications import Starlette

from modelreg.app import create_app
from modelreg.db import Database
from modelreg.db.migrate import upgrade
from modelreg.db.models import metadata
from modelreg.settings import Settings
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


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://modelreg.test") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
def anyio_backend() -> Any:
    return "asyncio"
