"""How much database work an MLflow registry call costs, and that a write is all or nothing.

The MLflow endpoint authenticates, checks the project, writes and reads its response in one
transaction (see `Endpoint.transaction`); these tests pin that shape, because throughput against
`mlflow server` (bench/bench_mlflow.py) depends on it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from modelreg.db import Database
from modelreg.db.models import Event, ModelVersion, PersonalAccessToken, RegisteredModel
from modelreg.db.types import utcnow
from tests.support.graphql import GraphQLClient
from tests.support.mlflow_rest import mlflow_call
from tests.support.registry import create_project
from tests.support.sql import count_commits, count_statements


@pytest.fixture
async def seeded(gql: GraphQLClient, http: httpx.AsyncClient) -> httpx.AsyncClient:
    await create_project(gql)
    for name in ("churn", "fraud"):
        created = await mlflow_call(http, "POST", "registered-models/create", {"name": name})
        assert created.status_code == 200, created.text
        version = await mlflow_call(http, "POST", "model-versions/create", {"name": name})
        assert version.status_code == 200, version.text
    return http


@pytest.mark.parametrize(
    ("method", "path", "body", "most", "locking"),
    [
        # Every event also reads the project's active webhooks (`services/outbox.py`), and an
        # event that may send mail writes its mail job.
        # token, user, project and role; the model; the newest version; insert; model; webhooks;
        # event; mail job; the creator follows the version (e-mail notifications). PostgreSQL
        # runs writers side by side, so it locks the model row and reads it again.
        ("POST", "model-versions/create", {"name": "churn"}, 9, 1),
        # token…role; model and version; version and model (one flush); webhooks; event; mail
        # job; the version's tags and aliases (one statement). PostgreSQL: the version's model
        # id, the locked model, the version read after the lock.
        (
            "POST",
            "model-versions/transition-stage",
            {"name": "churn", "version": "1", "stage": "Staging"},
            8,
            3,
        ),
        # token…role; the name is free; insert; webhooks; event
        ("POST", "registered-models/create", {"name": "new-model"}, 5, 0),
        # token…role; the model; its tags and aliases (one statement); its latest versions
        # with their tags (one statement)
        ("GET", "registered-models/get", {"name": "churn"}, 4, 0),
        # token…role; the page; tags and aliases; latest versions with their tags
        ("GET", "registered-models/search", {"max_results": 100}, 4, 0),
    ],
)
async def test_a_registry_call_is_one_transaction_with_few_statements(
    seeded: httpx.AsyncClient,
    db: Database,
    method: str,
    path: str,
    body: dict[str, Any],
    most: int,
    locking: int,
) -> None:
    # Refresh the token's last use outside the count (it is recorded at most once a minute).
    await mlflow_call(seeded, "GET", "registered-models/get", {"name": "churn"})
    with count_statements(db) as statements, count_commits(db) as commits:
        response = await mlflow_call(seeded, method, path, body)
    assert response.status_code == 200, response.text
    assert len(statements) <= most + (0 if db.is_sqlite else locking), statements
    assert len(commits) <= 1, statements  # reads commit nothing or their empty transaction


async def test_the_response_of_a_write_is_read_in_its_transaction(
    seeded: httpx.AsyncClient,
) -> None:
    created = await mlflow_call(
        seeded,
        "POST",
        "model-versions/create",
        {"name": "churn", "tags": [{"key": "team", "value": "growth"}], "source": "s3://b/m"},
    )
    version = created.json()["model_version"]
    assert version["version"] == "2" and version["source"] == "s3://b/m"
    assert {"key": "team", "value": "growth"} in version["tags"]
    assert {"key": "modelreg.version", "value": "1.0.1"} in version["tags"]
    assert version["aliases"] == ["1.0.1"]

    await mlflow_call(
        seeded,
        "POST",
        "registered-models/alias",
        {"name": "churn", "alias": "champ", "version": "2"},
    )
    moved = await mlflow_call(
        seeded,
        "POST",
        "model-versions/transition-stage",
        {"name": "churn", "version": "2", "stage": "Production"},
    )
    assert moved.json()["model_version"]["current_stage"] == "Production"
    assert moved.json()["model_version"]["aliases"] == ["1.0.1", "champ"]
    assert {"key": "team", "value": "growth"} in moved.json()["model_version"]["tags"]

    model = await mlflow_call(
        seeded,
        "POST",
        "registered-models/create",
        {"name": "tagged", "tags": [{"key": "a", "value": "1"}]},
    )
    assert model.json()["registered_model"]["tags"] == [{"key": "a", "value": "1"}]
    assert model.json()["registered_model"]["aliases"] == []
    assert "latest_versions" not in model.json()["registered_model"]


async def test_a_refused_write_leaves_nothing_behind(
    seeded: httpx.AsyncClient, db: Database
) -> None:
    async with db.read() as session:
        before = {
            "versions": len((await session.exec(select(ModelVersion))).all()),
            "events": len((await session.exec(select(Event))).all()),
            "models": len((await session.exec(select(RegisteredModel))).all()),
        }
    # A tag key that is too long is refused after the model was read in the same transaction.
    refused = await mlflow_call(
        seeded,
        "POST",
        "model-versions/create",
        {"name": "churn", "tags": [{"key": "k" * 10_000, "value": "v"}]},
    )
    assert refused.status_code == 400 and refused.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    duplicate = await mlflow_call(seeded, "POST", "registered-models/create", {"name": "churn"})
    assert duplicate.json()["error_code"] == "RESOURCE_ALREADY_EXISTS"
    async with db.read() as session:
        after = {
            "versions": len((await session.exec(select(ModelVersion))).all()),
            "events": len((await session.exec(select(Event))).all()),
            "models": len((await session.exec(select(RegisteredModel))).all()),
        }
    assert after == before


async def test_a_failed_write_still_records_the_tokens_use(
    seeded: httpx.AsyncClient, db: Database
) -> None:
    long_ago = utcnow() - timedelta(days=3)
    async with db.begin() as session:
        await session.exec(sa.update(PersonalAccessToken).values(last_used_at=long_ago))

    duplicate = await mlflow_call(seeded, "POST", "registered-models/create", {"name": "churn"})
    assert duplicate.status_code == 400

    async with db.read() as session:
        used = (await session.exec(select(PersonalAccessToken.last_used_at))).all()
    assert any(u is not None and u > long_ago + timedelta(days=2) for u in used), used


async def test_a_write_records_the_tokens_use_in_its_own_transaction(
    seeded: httpx.AsyncClient, db: Database
) -> None:
    async with db.begin() as session:
        await session.exec(sa.update(PersonalAccessToken).values(last_used_at=None))
    with count_commits(db) as commits:
        ok = await mlflow_call(seeded, "POST", "registered-models/create", {"name": "another"})
    assert ok.status_code == 200
    assert len(commits) == 1
    async with db.read() as session:
        used = (await session.exec(select(PersonalAccessToken.last_used_at))).all()
    assert any(u is not None for u in used)
