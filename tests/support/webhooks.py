"""Webhook test helpers: webhook rows written straight to the database (the management service
has its own tests), a registry to act on, and a delivery worker running in the test's loop."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import col, select

from modelreg.db import Database
from modelreg.db.notification_models import Webhook, WebhookAttempt, WebhookDelivery
from modelreg.db.types import utcnow
from modelreg.domain.actor import SYSTEM
from modelreg.domain.webhooks import WebhookStatus, format_secret
from modelreg.events.webhook_worker import WebhookWorker
from modelreg.services import models as model_service
from modelreg.services import projects as project_service
from modelreg.services import versions as version_service
from modelreg.settings import Settings

T = TypeVar("T")

SECRET = format_secret(b"s" * 32)
OLD_SECRET = format_secret(b"o" * 32)


def fast_schedule(attempt: int, now: datetime, retry_after: timedelta | None) -> datetime | None:
    """Retries 100 ms apart (the real schedule spans a day), up to the real attempt count."""
    return now + timedelta(milliseconds=100) if attempt < 11 else None


def webhook_row(project_id: int, url: str, **fields: Any) -> dict[str, Any]:
    now = utcnow()
    values: dict[str, Any] = {
        "project_id": project_id,
        "model_id": None,
        "url": url,
        "description": "",
        "events": ["*"],
        "status": WebhookStatus.ACTIVE,
        "secret": SECRET,
        "previous_secret": None,
        "previous_secret_expires_at": None,
        "consecutive_failures": 0,
        "disabled_reason": "",
        "created_by": "alice",
        "created_at": now,
        "updated_at": now,
    }
    values.update(fields)
    return values


async def add_webhook(db: Database, project_id: int, url: str, **fields: Any) -> int:
    async with db.begin() as session:
        conn = await session.connection()
        hook_id = (
            await conn.execute(
                sa.insert(Webhook).returning(col(Webhook.id)),
                webhook_row(project_id, url, **fields),
            )
        ).scalar_one()
    assert hook_id is not None
    return int(hook_id)


def add_webhook_sync(database_url: str, project_path: str, url: str, **fields: Any) -> int:
    """The same in a server process's SQLite database, from a test that drives the process."""
    engine = sa.create_engine(database_url.replace("+aiosqlite", ""))
    try:
        with engine.begin() as conn:
            project_id = conn.execute(
                sa.text("SELECT id FROM project WHERE path = :p"), {"p": project_path}
            ).scalar_one()
            hook_id = conn.execute(
                sa.insert(Webhook).returning(col(Webhook.id)),
                webhook_row(project_id, url, **fields),
            ).scalar_one()
    finally:
        engine.dispose()
    assert hook_id is not None
    return hook_id


async def registry(db: Database, path: str = "demo") -> tuple[int, int, int]:
    """A project with model `churn` and its version 1.0.0: (project, model, version) ids."""
    async with db.begin() as session:
        project = await project_service.create_project(session, actor=SYSTEM, path=path)
        assert project.id is not None
        model = await model_service.create_model(
            session, actor=SYSTEM, project_id=project.id, name="churn"
        )
        assert model.id is not None
    version_id = await new_version(db, model.id, "1.0.0")
    return project.id, model.id, version_id


async def new_version(db: Database, model_id: int, version: str) -> int:
    async with db.begin() as session:
        row = await version_service.create_version(
            session, actor=SYSTEM, model_id=model_id, version=version
        )
        assert row.id is not None
        return row.id


async def act(db: Database, action: Callable[..., Awaitable[T]], **kwargs: Any) -> T:
    """Run a service action as the system in its own transaction."""
    async with db.begin() as session:
        return await action(session, actor=SYSTEM, **kwargs)


def worker_settings(tmp_path: Path, **fields: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "webhook_allow_private_addresses": True,
        "webhook_timeout_seconds": 3.0,
    }
    values.update(fields)
    return Settings(**values)


@asynccontextmanager
async def running_worker(
    db: Database, settings: Settings, **options: Any
) -> AsyncIterator[WebhookWorker]:
    options.setdefault("poll_seconds", 0.1)
    options.setdefault("schedule", fast_schedule)
    worker = WebhookWorker(db, settings, **options)
    worker.start()
    try:
        yield worker
    finally:
        await worker.stop()


async def deliveries(db: Database) -> list[WebhookDelivery]:
    async with db.read() as session:
        return list(
            (await session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id)))).all()
        )


async def attempts(db: Database, delivery_id: int) -> list[WebhookAttempt]:
    async with db.read() as session:
        return list(
            (
                await session.exec(
                    select(WebhookAttempt)
                    .where(WebhookAttempt.delivery_id == delivery_id)
                    .order_by(col(WebhookAttempt.id))
                )
            ).all()
        )


async def until(check: Callable[[], Awaitable[T | None]], within: float = 30.0) -> T:
    """Poll `check` until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        found = await check()
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("gave up waiting")
        await asyncio.sleep(0.05)


async def finished(db: Database, count: int) -> list[WebhookDelivery]:
    """Wait until `count` deliveries exist and none is pending."""

    async def check() -> list[WebhookDelivery] | None:
        rows = await deliveries(db)
        done = len(rows) >= count and all(r.status != "PENDING" for r in rows)
        return rows if done else None

    return await until(check)


def raw_secret(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_"))
