"""Big and hostile metadata files neither stall the server nor fail a request: checkVersion
refuses an MLmodel over 1 MiB with a typed error, and every MLmodel (checkVersion's or an
uploaded one) is parsed off the event loop, which keeps serving meanwhile."""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
import pytest

from modelreg.domain.model_metadata import MAX_METADATA_FILE_BYTES
from tests.support.graphql import GraphQLClient
from tests.support.hostile_metadata import BUILDERS, HEADER, cycle
from tests.support.registry import create_model, create_project, create_version

T = TypeVar("T")
MiB = 1024 * 1024

CHECK = """
query($v: String, $t: String) {
  project(path: "demo") { model(name: "churn") { checkVersion(version: $v, mlmodel: $t) {
    version verdict warning
  } } }
}"""
METADATA = """
query($v: String!) {
  project(path: "demo") { model(name: "churn") { version(version: $v) {
    dependencies { flavors warnings { code file message } }
  } } }
}"""
TOO_LARGE = (
    "The MLmodel text is larger than 1024 KiB (1048576 bytes), the most an MLmodel file may "
    "have: send the text of the MLmodel file alone."
)


@pytest.fixture
async def model(gql: GraphQLClient) -> dict[str, Any]:
    project = await create_project(gql)
    return await create_model(gql, project["id"], "churn")


async def check(gql: GraphQLClient, text: str | None, version: str = "1.0.1") -> dict[str, Any]:
    data = await gql.execute(CHECK, {"v": version, "t": text})
    found: dict[str, Any] = data["project"]["model"]["checkVersion"]
    return found


@asynccontextmanager
async def loop_watch() -> AsyncIterator[list[float]]:
    """Gaps between the wake-ups of a task that sleeps 5 ms at a time on the test's event loop
    (the one the app runs on): a blocked loop shows up as one long gap."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.02)
    try:
        yield gaps
    finally:
        done.set()
        await ticker


async def while_watched(work: Awaitable[T]) -> tuple[T, float, float]:
    """`work`'s result, how long it took, and the longest the event loop was blocked then.

    The objects the test process already holds (those of every test run before this one) are
    frozen meanwhile: late in a full run, one full collection of them, on whichever thread
    allocates, took over a second, which says nothing about the request measured (a server
    process holds far fewer). The collections of what the request itself allocates still count.
    """
    gc.collect()
    gc.freeze()
    try:
        async with loop_watch() as gaps:
            start = time.perf_counter()
            result = await work
            elapsed = time.perf_counter() - start
    finally:
        gc.unfreeze()
    return result, elapsed, max(gaps)


def hostile_mlmodel() -> bytes:
    """1 MiB of YAML at its slowest to parse (about a second), with a readable signature."""
    _, data = BUILDERS["mixed"](MAX_METADATA_FILE_BYTES)
    assert len(data) == MAX_METADATA_FILE_BYTES
    return data


async def test_check_version_refuses_an_mlmodel_over_the_limit(
    gql: GraphQLClient, model: dict[str, Any]
) -> None:
    at_limit = HEADER + "#" * (MAX_METADATA_FILE_BYTES - len(HEADER))
    assert len(at_limit.encode()) == MAX_METADATA_FILE_BYTES
    assert (await check(gql, at_limit))["verdict"] == "FIRST_RELEASE"  # accepted
    for text in (
        at_limit + "#",  # one byte over
        "é" * (MAX_METADATA_FILE_BYTES // 2 + 1),  # under the limit in characters, not bytes
    ):
        # As UTF-8 JSON (not \u escapes), so the body stays under the /graphql body limit
        # and the argument's own limit is what refuses it.
        body = json.dumps(
            {"query": CHECK, "variables": {"v": "1.0.1", "t": text}}, ensure_ascii=False
        )
        start = time.perf_counter()
        response = await gql.http.post(
            "/graphql", content=body.encode(), headers={"Content-Type": "application/json"}
        )
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.text
        [error] = response.json()["errors"]
        assert error["extensions"] == {"code": "INVALID_ARGUMENT", "field": "mlmodel"}
        assert error["message"] == TOO_LARGE
        assert elapsed < 5  # refused before anything is parsed


async def test_check_version_parses_off_the_event_loop(
    gql: GraphQLClient, model: dict[str, Any]
) -> None:
    found, elapsed, longest_block = await while_watched(
        check(gql, hostile_mlmodel().decode(), version="")
    )
    assert found == {"version": "1.0.0", "verdict": "FIRST_RELEASE", "warning": None}
    # Parsing took most of the request; the loop kept running meanwhile (it was blocked for
    # the whole parse before, about 95% of the request). A busy machine starves the loop's
    # thread of the GIL now and then (up to 28% seen), hence the margin.
    assert longest_block < elapsed / 2, (longest_block, elapsed)


async def test_an_uploaded_mlmodel_is_parsed_off_the_event_loop(
    gql: GraphQLClient, http: httpx.AsyncClient, model: dict[str, Any]
) -> None:
    await create_version(gql, model["id"], "1.0.0")
    url = "/api/v1/projects/demo/models/churn/versions/1.0.0/files/MLmodel"
    response, elapsed, longest_block = await while_watched(http.put(url, content=hostile_mlmodel()))
    assert response.status_code == 201, response.text
    assert longest_block < elapsed / 2, (longest_block, elapsed)  # see above
    data = await gql.execute(METADATA, {"v": "1.0.0"})
    found = data["project"]["model"]["version"]["dependencies"]
    assert found["flavors"] == ["python_function", "sklearn"]
    assert [w["code"] for w in found["warnings"]] == ["MISSING_DEPENDENCY_FILE"] * 3


async def test_a_self_referencing_mlmodel_is_a_warning_not_an_error(
    gql: GraphQLClient, http: httpx.AsyncClient, model: dict[str, Any]
) -> None:
    """It used to fail both requests with an internal error (a circular reference)."""
    await create_version(gql, model["id"], "1.0.0")
    assert (await check(gql, cycle().decode()))["verdict"] == "UNKNOWN"
    url = "/api/v1/projects/demo/models/churn/versions/1.0.0/files/MLmodel"
    response = await http.put(url, content=cycle())
    assert response.status_code == 201, response.text
    data = await gql.execute(METADATA, {"v": "1.0.0"})
    [malformed] = [
        w
        for w in data["project"]["model"]["version"]["dependencies"]["warnings"]
        if w["code"] == "MALFORMED_FILE"
    ]
    assert malformed == {
        "code": "MALFORMED_FILE",
        "file": "MLmodel",
        "message": "MLmodel was not read: an alias refers to a node that contains it.",
    }
