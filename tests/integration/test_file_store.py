"""The one file-store algorithm (`services.blobs.store_blob`) behind both ways files come in:
version files (`services.files.store_file`) and the MLflow artifact proxy
(`services.tracking.store_tracked_file`). Each test runs both through the same guarantee, with a
real database (SQLite and PostgreSQL) and the real local-disk storage."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from modelreg.db import Database
from modelreg.db.models import Artifact, Blob, TrackedFile
from modelreg.domain.actor import SYSTEM
from modelreg.graphql.ids import decode_id
from modelreg.services import files as file_service
from modelreg.services import tracking as tracking_service
from modelreg.storage import LocalStorage, StorageError, StoredObject
from tests.support.graphql import GraphQLClient
from tests.support.registry import create_model, create_project, create_version

MAX = 10**9

# store(db, storage, path, body) -> the sha256 the service reports
Store = Callable[[Database, "GatedStorage", str, bytes], Awaitable[str]]


class GatedStorage:
    """The local-disk storage, with gates a test can close: on `delete` (to hold the work after
    a commit, where blobs are collected), after `put` has stored its object (to line uploads up,
    or cancel one there), and deletes it can make fail."""

    def __init__(self, root: Path) -> None:
        self.inner = LocalStorage(root)
        self.hold_deletes: asyncio.Event | None = None
        self.delete_entered = asyncio.Event()
        self.failing_deletes = False
        self.after_put: Callable[[], Awaitable[object]] | None = None

    async def put(
        self, key: str, chunks: AsyncIterable[bytes], *, max_size: int | None = None
    ) -> StoredObject:
        stored = await self.inner.put(key, chunks, max_size=max_size)
        if self.after_put is not None:
            await self.after_put()
        return stored

    def open(self, key: str, *, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        return self.inner.open(key, start=start, end=end)

    async def delete(self, key: str) -> None:
        if self.hold_deletes is not None:
            self.delete_entered.set()
            await self.hold_deletes.wait()
        if self.failing_deletes:
            raise StorageError("local storage could not delete: Input/output error")
        await self.inner.delete(key)

    async def exists(self, key: str) -> bool:
        return await self.inner.exists(key)

    async def close(self) -> None:
        await self.inner.close()


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 4096):
        await asyncio.sleep(0)
        yield body[start : start + 4096]


@pytest.fixture
async def ids(gql: GraphQLClient) -> tuple[int, int]:
    """(project id, version id) of demo/churn 1.0.0."""
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    version = await create_version(gql, model["id"], "1.0.0")
    return decode_id(project["id"], "Project"), decode_id(version["id"], "ModelVersion")


@pytest.fixture(params=["version-file", "mlflow-artifact"])
def store(request: pytest.FixtureRequest, ids: tuple[int, int]) -> Store:
    project_id, version_id = ids

    async def version_file(db: Database, storage: GatedStorage, path: str, body: bytes) -> str:
        stored = await file_service.store_file(
            db=db,
            storage=storage,
            actor=SYSTEM,
            version_id=version_id,
            path=path,
            chunks=_chunks(body),
            max_size=MAX,
        )
        return stored.sha256

    async def mlflow_artifact(db: Database, storage: GatedStorage, path: str, body: bytes) -> str:
        stored = await tracking_service.store_tracked_file(
            db=db,
            storage=storage,
            actor=SYSTEM,
            project_id=project_id,
            path=path,
            chunks=_chunks(body),
            max_size=MAX,
        )
        return stored.sha256

    return version_file if request.param == "version-file" else mlflow_artifact


@pytest.fixture
def storage(tmp_path: Path) -> GatedStorage:
    return GatedStorage(tmp_path / "objects")


def _objects(storage: GatedStorage) -> list[str]:
    root = storage.inner.objects_dir
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


async def _files(db: Database) -> list[tuple[str, str, str]]:
    """Every recorded file, of versions and of the proxy: (path, sha256, storage key)."""
    columns = (Blob.sha256, Blob.storage_key)
    async with db.read() as session:
        versions = await session.exec(
            select(Artifact.path, *columns).join(Blob, col(Blob.id) == col(Artifact.blob_id))
        )
        proxy = await session.exec(
            select(TrackedFile.path, *columns).join(Blob, col(Blob.id) == col(TrackedFile.blob_id))
        )
        return sorted([*versions, *proxy])


async def _blob_count(db: Database) -> int:
    async with db.read() as session:
        return int((await session.exec(select(sa.func.count()).select_from(Blob))).one())


async def test_concurrent_stores_at_one_path_all_succeed_and_leave_one_file(
    db: Database, storage: GatedStorage, store: Store
) -> None:
    """Six clients write the same path at once. On PostgreSQL their transactions run side by
    side and race to add the row at that path: a loser runs again and replaces the winner's
    file, as if it had come a moment later. No one is refused, no object is left unreferenced."""
    # given
    bodies = [f"weights {i} ".encode() * 2000 for i in range(6)]
    storage.after_put = asyncio.Barrier(len(bodies)).wait  # the transactions start together

    # when
    digests = await asyncio.gather(*(store(db, storage, "model/weights.bin", b) for b in bodies))

    # then
    assert sorted(digests) == sorted(hashlib.sha256(b).hexdigest() for b in bodies)
    files = await _files(db)
    assert [path for path, _, _ in files] == ["model/weights.bin"]
    assert files[0][1] in digests
    assert await _blob_count(db) == 1
    assert _objects(storage) == [files[0][2]]


async def test_a_store_cancelled_as_its_put_returns_leaves_nothing(
    db: Database, storage: GatedStorage, store: Store
) -> None:
    """The object is in place but the task is cancelled before `put` returns (the local
    storage closes its file after the rename): the object no file refers to is removed."""
    # given
    reached, never = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        reached.set()
        await never.wait()

    storage.after_put = hold

    # when
    task = asyncio.create_task(store(db, storage, "model.pkl", b"weights " * 100))
    await asyncio.wait_for(reached.wait(), 10)
    assert len(_objects(storage)) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    # then
    assert _objects(storage) == []
    assert await _files(db) == []
    assert await _blob_count(db) == 0


async def test_a_store_cancelled_after_its_commit_keeps_the_committed_file(
    db: Database, storage: GatedStorage, store: Store
) -> None:
    """The task storing a file is cancelled (server shutdown, request timeout) after the change
    committed, while the work after the commit collects the blob it replaced: the recorded file
    must keep its contents (only the uncommitted outcome may delete the fresh object)."""
    # given
    await store(db, storage, "model.pkl", b"first version " * 100)
    storage.hold_deletes = asyncio.Event()
    body = b"second version " * 100

    # when
    task = asyncio.create_task(store(db, storage, "model.pkl", body))
    await asyncio.wait_for(storage.delete_entered.wait(), 10)  # collecting the first blob
    task.cancel()
    storage.hold_deletes.set()
    with pytest.raises(asyncio.CancelledError):
        await task

    # then
    [(path, sha256, key)] = await _files(db)
    assert (path, sha256) == ("model.pkl", hashlib.sha256(body).hexdigest())
    assert await storage.exists(key)
    assert b"".join([c async for c in storage.open(key)]) == body


async def test_a_failed_cleanup_of_a_duplicate_does_not_undo_the_answer(
    db: Database, storage: GatedStorage, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Bytes already stored are reused and the fresh copy deleted. The file is recorded once the
    transaction commits: a storage failure while deleting the copy afterwards is logged (an
    orphan object is harmless), not turned into an error for a change that stands."""
    # given
    body = b"the same bytes " * 100
    await store(db, storage, "a.bin", body)
    storage.failing_deletes = True

    # when
    with caplog.at_level(logging.WARNING):
        digest = await store(db, storage, "b.bin", body)

    # then
    assert digest == hashlib.sha256(body).hexdigest()
    assert [p for p, _, _ in await _files(db)] == ["a.bin", "b.bin"]
    assert await _blob_count(db) == 1
    assert any("could not delete" in r.getMessage() for r in caplog.records), caplog.text
