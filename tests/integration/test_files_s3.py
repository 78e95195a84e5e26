"""The file routes with S3 storage, configured through settings, against moto's S3 server."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from modelreg.app import create_app
from modelreg.db import Database
from modelreg.settings import Settings
from tests.support.graphql import GraphQLClient
from tests.support.registry import create_model, create_project, create_version
from tests.support.s3 import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, MotoS3

BASE = "/api/v1/projects/demo/models/churn/versions"


@pytest.fixture
def s3_settings(settings: Settings, moto_s3: MotoS3) -> Settings:
    return settings.model_copy(
        update={
            "storage": "s3",
            "s3_bucket": moto_s3.bucket,
            "s3_prefix": f"files-{uuid.uuid4().hex}/",
            "s3_endpoint_url": moto_s3.endpoint_url,
            "s3_region": REGION,
            "s3_access_key_id": ACCESS_KEY_ID,
            "s3_secret_access_key": SecretStr(SECRET_ACCESS_KEY),
        }
    )


@pytest.fixture
async def s3_http(
    s3_settings: Settings, db: Database, admin_headers: dict[str, str]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(s3_settings, db=db)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, base_url="http://modelreg.test", headers=admin_headers
        ) as client,
    ):
        yield client


async def test_files_round_trip_through_s3(s3_http: httpx.AsyncClient) -> None:
    gql = GraphQLClient(s3_http)
    project = await create_project(gql)
    model = await create_model(gql, project["id"], "churn")
    for version in ("1.0.0", "1.1.0"):
        await create_version(gql, model["id"], version)
    body = hashlib.sha512(b"weights").digest() * 200_000  # 12.8 MB: a multipart upload

    for version in ("1.0.0", "1.1.0"):
        put = await s3_http.put(f"{BASE}/{version}/files/weights.bin", content=body)
        assert put.status_code == 201, put.text
        assert put.json()["sha256"] == hashlib.sha256(body).hexdigest()

    got = await s3_http.get(f"{BASE}/1.1.0/files/weights.bin")
    assert got.content == body
    part = await s3_http.get(f"{BASE}/1.1.0/files/weights.bin", headers={"range": "bytes=10-19"})
    assert (part.status_code, part.content) == (206, body[10:20])

    assert (await s3_http.delete(f"{BASE}/1.0.0/files/weights.bin")).status_code == 204
    assert (await s3_http.get(f"{BASE}/1.1.0/files/weights.bin")).content == body

    await s3_http.put(f"{BASE}/1.1.0/files/MLmodel", content=b"flavors: {}\n")
    archive = zipfile.ZipFile(io.BytesIO((await s3_http.get(f"{BASE}/1.1.0/files.zip")).content))
    assert sorted(archive.namelist()) == ["MLmodel", "weights.bin"]
    assert archive.read("weights.bin") == body
