"""The import-mlflow mapping rules that need no server: SemVer per MLflow version number,
stages, ids that fit the origin map, artifact paths, tracking URIs and credentials."""

from __future__ import annotations

import httpx
import pytest

from modelreg.domain.transfer import ArchiveError
from modelreg.services.transfer.mlflow_rest import auth_from_env, server_url
from modelreg.services.transfer.mlflow_source import (
    _child,
    proxied_path,
    record_id,
    semantic_versions,
    source_instance,
    stage,
    timestamp,
)


def test_versions_follow_patch_order_unless_their_tag_says_otherwise() -> None:
    chosen, problems = semantic_versions([1, 2, 3, 4], {3: "2.0.0"})

    assert chosen == {1: "1.0.0", 2: "1.0.1", 3: "2.0.0", 4: "1.0.3"}
    assert problems == []


def test_an_invalid_or_taken_tag_falls_back_and_is_reported() -> None:
    chosen, problems = semantic_versions([1, 2, 3], {1: "v1", 2: "1.0.2", 3: "1.0.2"})

    # 2 takes 1.0.2 by its tag; 3's tag is taken and its default 1.0.2 too.
    assert chosen == {1: "1.0.0", 2: "1.0.2", 3: "1.0.2+mlflow.3"}
    assert problems == [
        "version 1: tag modelreg.version='v1' is not a SemVer",
        "version 3: tag modelreg.version='1.0.2' is taken",
        "version 3: 1.0.2 is taken, imported as 1.0.2+mlflow.3",
    ]


def test_stages_timestamps_and_ids() -> None:
    assert [stage(s) for s in ("None", "Staging", "Production", "Archived", None, "odd")] == [
        "NONE",
        "STAGING",
        "PRODUCTION",
        "ARCHIVED",
        "NONE",
        "NONE",
    ]
    assert timestamp(1_700_000_000_123) == "2023-11-14T22:13:20.123000+00:00"
    assert timestamp(None) == "1970-01-01T00:00:00+00:00"
    # The origin map's columns hold 64 characters whatever the names' length.
    assert len(source_instance("http://x" + "y" * 500)) <= 64
    assert len(record_id("version", "m" * 500, 3)) <= 64
    assert record_id("tag", "a/b", "c") != record_id("tag", "a", "b/c")


def test_artifact_paths() -> None:
    assert proxied_path("mlflow-artifacts:/1/abc/artifacts/model") == "1/abc/artifacts/model"
    assert proxied_path("mlflow-artifacts://host:5000/1/abc/artifacts") == "1/abc/artifacts"
    assert proxied_path("s3://bucket/1/abc") is None
    assert _child("", "model.pkl") == "model.pkl"
    assert _child("conf", "p.json") == "conf/p.json"
    assert _child("conf", "conf/p.json") == "conf/p.json"


@pytest.mark.parametrize(
    "uri", ["file:///tmp/mlruns", "databricks", "http://bob:pw@host:5000", "http://h/?x=1"]
)
def test_tracking_uris_that_are_not_a_plain_server_url_are_refused(uri: str) -> None:
    with pytest.raises(ArchiveError) as refused:
        server_url(uri)

    assert refused.value.code == "mlflow.bad_uri"
    assert "pw" not in refused.value.message


def test_credentials_come_from_the_environment_and_never_show() -> None:
    token = auth_from_env({"MLFLOW_TRACKING_TOKEN": "tok"})
    basic = auth_from_env({"MLFLOW_TRACKING_USERNAME": "u", "MLFLOW_TRACKING_PASSWORD": "p"})

    assert server_url("https://mlflow.example/prefix/") == "https://mlflow.example/prefix"
    assert "tok" not in repr(token)
    request = next(token.sync_auth_flow(httpx.Request("GET", "http://x"))) if token else None
    assert request is not None and request.headers["Authorization"] == "Bearer tok"
    assert isinstance(basic, httpx.BasicAuth)
    assert auth_from_env({}) is None
