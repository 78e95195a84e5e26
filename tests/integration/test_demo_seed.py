"""The demo project: `seed_demo`, `modelreg demo` and `modelreg serve --demo`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from modelreg.app import create_app
from modelreg.cli.server import _seed_demo
from modelreg.db import Database
from modelreg.db.models import Event, Project, Visibility
from modelreg.domain.actor import Actor
from modelreg.services.demo import DEMO_MODELS, seed_demo
from modelreg.services.models import find_model_by_name, list_models
from modelreg.services.projects import create_project, find_project_by_path
from modelreg.services.version_reads import latest_versions, list_versions
from modelreg.settings import Settings
from tests.support.server import run_modelreg, running_server

ACTOR = Actor(name="tester", is_admin=True)

# Written out by hand (not computed with the code under test): SemVer precedence, highest first.
EXPECTED_ORDER = {
    "churn-classifier": ["2.0.0-rc.1", "1.2.1", "1.2.0", "1.1.0", "1.0.0"],
    "fraud-detector": ["10.1.0-beta.2", "10.0.0", "9.10.0", "9.9.1", "9.4.0"],
    "demand-forecast": ["1.0.0-rc.10", "1.0.0-rc.2", "0.10.0", "0.9.1", "0.9.0"],
    "sentiment-bert": ["1.0.0-beta.11", "1.0.0-beta.2", "1.0.0-alpha.1", "1.0.0-alpha"],
}
EXPECTED_LATEST = {
    "churn-classifier": "1.2.1",
    "fraud-detector": "10.0.0",
    "demand-forecast": "0.10.0",
    "sentiment-bert": "1.0.0-beta.11",  # prereleases only: the highest prerelease
}
EXPECTED_TAGS = {
    "churn-classifier": {"team": "growth", "task": "classification"},
    "fraud-detector": {"team": "risk"},
    "demand-forecast": {"team": "supply", "task": "forecasting"},
    "sentiment-bert": {"team": "nlp"},
}


async def _count(db: Database, table: type[Project] | type[Event]) -> int:
    async with db.read() as session:
        result = await session.exec(select(sa.func.count()).select_from(table))
        return result.one()


async def _seed(db: Database) -> bool:
    async with db.begin() as session:
        return await seed_demo(session, actor=ACTOR)


# --------------------------------------------------------------------------------------------
# seed_demo


async def test_seeding_twice_creates_the_project_once(db: Database) -> None:
    assert await _seed(db) is True
    events = await _count(db, Event)
    assert events > len(DEMO_MODELS)  # project, models and versions were all recorded
    assert await _seed(db) is False
    assert await _count(db, Project) == 1
    assert await _count(db, Event) == events
    async with db.read() as session:
        project = await find_project_by_path(session, path="demo")
        assert project is not None
        assert project.id is not None
        assert (project.name, project.visibility) == ("Demo", Visibility.PUBLIC)
        assert project.created_by == "tester"
        models = await list_models(session, project_id=project.id, first=100)
        assert sorted(m.name for m in models.items) == sorted(EXPECTED_ORDER)


async def test_versions_come_back_in_semver_order(db: Database) -> None:
    await _seed(db)
    async with db.read() as session:
        project = await find_project_by_path(session, path="demo")
        assert project is not None
        assert project.id is not None
        for name, expected in EXPECTED_ORDER.items():
            model = await find_model_by_name(session, project_id=project.id, name=name)
            assert model is not None, name
            assert model.id is not None
            page = await list_versions(session, model_id=model.id, first=100)
            assert [v.version for v in page.items] == expected, name
            ascending = await list_versions(session, model_id=model.id, first=100, descending=False)
            assert [v.version for v in ascending.items] == expected[::-1], name
            # They were registered out of order: creation numbers are not in SemVer order.
            numbers = [v.number for v in ascending.items]
            assert numbers != sorted(numbers), name
            assert sorted(numbers) == list(range(1, len(expected) + 1))


async def test_latest_version_of_each_demo_model(db: Database) -> None:
    await _seed(db)
    async with db.read() as session:
        project = await find_project_by_path(session, path="demo")
        assert project is not None
        assert project.id is not None
        models = (await list_models(session, project_id=project.id, first=100)).items
        latest = await latest_versions(session, [m.id for m in models if m.id is not None])
        assert {m.name: latest[m.id].version for m in models if m.id is not None} == (
            EXPECTED_LATEST
        )


async def test_demo_is_visible_through_graphql_with_cards_and_tags(
    db: Database, tmp_path: Path
) -> None:
    await _seed(db)
    app = create_app(Settings(data_dir=tmp_path / "data", ui_dir=None), db=db)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    query = """{ project(path: "demo") { name visibility models(first: 50) { totalCount
        edges { node { name description versionCount latestVersion { version }
                       tags { key value } } } } } }"""
    async with httpx.AsyncClient(transport=transport, base_url="http://modelreg.test") as client:
        response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 200
    project = response.json()["data"]["project"]
    assert (project["name"], project["visibility"]) == ("Demo", "PUBLIC")
    assert project["models"]["totalCount"] == len(EXPECTED_ORDER)
    for edge in project["models"]["edges"]:
        node = edge["node"]
        name = node["name"]
        assert node["versionCount"] == len(EXPECTED_ORDER[name])
        assert node["latestVersion"]["version"] == EXPECTED_LATEST[name]
        tags = {t["key"]: t["value"] for t in node["tags"]}
        assert EXPECTED_TAGS[name].items() <= tags.items(), name
        assert node["description"].startswith("# "), name  # a Markdown model card
        assert "\n## " in node["description"], name


async def test_an_existing_demo_path_is_left_alone(db: Database) -> None:
    async with db.begin() as session:
        await create_project(session, actor=ACTOR, path="demo", name="Mine")
    assert await _seed(db) is False
    async with db.read() as session:
        project = await find_project_by_path(session, path="demo")
        assert project is not None
        assert project.id is not None
        assert (project.name, project.visibility) == ("Mine", Visibility.PRIVATE)
        assert (await list_models(session, project_id=project.id, first=10)).items == []


async def test_concurrent_seeders_create_one_project(db: Database, database_url: str) -> None:
    settings = Settings(database_url=database_url)
    results = await asyncio.gather(*(_seed_demo(settings) for _ in range(3)))
    assert sorted(results) == [False, False, True]
    assert await _count(db, Project) == 1


# --------------------------------------------------------------------------------------------
# the command line


async def _demo_summary(database_url: str) -> tuple[int, dict[str, int]]:
    db = Database(database_url)
    try:
        async with db.read() as session:
            projects = await session.exec(select(Project))
            project_paths = [p.path for p in projects]
            project = await find_project_by_path(session, path="demo")
            assert project is not None
            assert project.id is not None
            counts: dict[str, int] = {}
            for model in (await list_models(session, project_id=project.id, first=100)).items:
                assert model.id is not None
                versions = await list_versions(session, model_id=model.id, first=100)
                counts[model.name] = len(versions.items)
        return len(project_paths), counts
    finally:
        await db.dispose()


def test_demo_command_twice(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run_modelreg("demo", "--data-dir", str(data), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "created the public demo project" in first.stderr
    second = run_modelreg("demo", "--data-dir", str(data), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "already exists" in second.stderr
    assert "Traceback" not in first.stderr + second.stderr
    projects, counts = asyncio.run(_demo_summary(f"sqlite+aiosqlite:///{data / 'registry.db'}"))
    assert projects == 1
    assert counts == {name: len(order) for name, order in EXPECTED_ORDER.items()}


def test_demo_command_on_each_engine(db: Database, database_url: str, tmp_path: Path) -> None:
    for expected in ("created the public demo project", "already exists"):
        result = run_modelreg("demo", "--database-url", database_url, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert expected in result.stderr
    projects, counts = asyncio.run(_demo_summary(database_url))
    assert projects == 1
    assert set(counts) == set(EXPECTED_ORDER)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--no-migrate", "--database-url", "sqlite:///empty.db"], "no such table"),
        (["--database-url", "postgresql://nobody@127.0.0.1:1/x"], "could not migrate"),
        (["--no-migrate", "--database-url", "postgresql://nobody@127.0.0.1:1/x"], "Connect"),
    ],
)
def test_demo_command_reports_database_problems_without_a_traceback(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = run_modelreg("demo", *args, cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_demo_serves_a_populated_registry(tmp_path: Path) -> None:
    with running_server(tmp_path, "--demo") as base:
        query = '{ project(path: "demo") { visibility models { totalCount } } }'
        response = httpx.post(f"{base}/graphql", json={"query": query}, timeout=10)
    assert response.json()["data"]["project"] == {
        "visibility": "PUBLIC",
        "models": {"totalCount": len(EXPECTED_ORDER)},
    }
