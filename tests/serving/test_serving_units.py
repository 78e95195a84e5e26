"""Unit tests of modelreg.serving: references and the canary split, request parsing, signature
checks, the scoring app over stand-in models, following (with a registry answered by
httpx.MockTransport), the cache, and deployment records."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():  # MLflow's import warns; pytest turns warnings into errors
    warnings.simplefilter("ignore")
    import mlflow.pyfunc.scoring_server  # noqa: F401
    import numpy as np
    import pandas as pd
    from mlflow.types import ColSpec, Schema, TensorSpec

from modelreg.client import ClientError, RegistryClient, file_sha256
from modelreg.serving import payload, signature
from modelreg.serving.app import ServingState, build_app
from modelreg.serving.fetch import cache_folder, fetch_version, model_root
from modelreg.serving.follow import Runner
from modelreg.serving.holder import Loaded, Slot
from modelreg.serving.payload import ServingError
from modelreg.serving.reference import (
    CanarySplit,
    ReferenceError,
    parse_canary,
    parse_reference,
)
from modelreg.serving.resolve import Recorder, Resolved, resolve

V1 = Resolved(id="TW9kZWxWZXJzaW9uOjE=", project="lab", model="scorer", version="1.0.0", number=1)
V2 = Resolved(id="TW9kZWxWZXJzaW9uOjI=", project="lab", model="scorer", version="2.0.0", number=2)
COLUMNS = Schema([ColSpec("long", "age"), ColSpec("double", "income")])


# --- references and the canary split ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "project", "model", "ref", "kind"),
    [
        ("fraud/detector@1.2.0", "fraud", "detector", "1.2.0", "version"),
        ("fraud/detector@1.2.0-rc.1+build.5", "fraud", "detector", "1.2.0-rc.1+build.5", "version"),
        ("fraud/detector@Production", "fraud", "detector", "Production", "stage"),
        ("fraud/detector@staging", "fraud", "detector", "staging", "stage"),
        ("fraud/detector@champion", "fraud", "detector", "champion", "alias"),
        ("team/fraud/detector@latest", "team/fraud", "detector", "latest", "alias"),
        ("fraud/detector@1.2", "fraud", "detector", "1.2", "alias"),
    ],
)
def test_references_parse_into_a_version_a_stage_or_an_alias(
    text: str, project: str, model: str, ref: str, kind: str
) -> None:
    found = parse_reference(text)
    assert (found.project, found.model, found.ref, found.kind) == (project, model, ref, kind)
    assert found.follows == (kind != "version")
    assert str(found) == text


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("detector@champion", "is not PROJECT/MODEL@REF"),
        ("fraud/detector", "is not PROJECT/MODEL@REF"),
        ("fraud/detector@", "is not PROJECT/MODEL@REF"),
        ("fraud/@x", "is not PROJECT/MODEL@REF"),
        ("fraud/detector@Archived", "cannot be served"),
        ("fraud/detector@two words", "neither a SemVer, a stage nor an alias"),
    ],
)
def test_bad_references_say_how_to_write_one(text: str, said: str) -> None:
    with pytest.raises(ReferenceError, match=said):
        parse_reference(text)


def test_canary_options_parse_and_bad_ones_are_refused() -> None:
    assert parse_canary("challenger=10%").alias == "challenger"
    assert parse_canary("challenger=12.5").percent == 12.5
    for bad in ("challenger", "challenger=0%", "challenger=100%", "=10%", "x=ten%", "1.0.0=5%"):
        with pytest.raises(ReferenceError):
            parse_canary(bad)


@pytest.mark.parametrize("percent", [10.0, 25.0, 50.0, 33.0, 1.0])
def test_the_canary_split_gives_exactly_its_share_over_any_run(percent: float) -> None:
    split = CanarySplit(percent)
    picks = [split.next_is_canary() for _ in range(1000)]
    assert sum(picks) == int(1000 * percent / 100)
    # Spread evenly: every window of 100 requests holds the share, give or take one.
    for start in range(0, 900, 50):
        assert abs(sum(picks[start : start + 100]) - percent) <= 1


# --- parsing ---------------------------------------------------------------------------------


def test_json_formats_become_what_mlflow_serve_gives_the_model() -> None:
    split, params = payload.parse(
        json.dumps(
            {"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2.5]]}, "params": {"k": 3}}
        ).encode(),
        payload.JSON,
    )
    assert isinstance(split, pd.DataFrame) and split.to_dict("list") == {"a": [1], "b": [2.5]}
    assert params == {"k": 3}
    records, _ = payload.parse(b'{"dataframe_records": [{"a": 1}, {"a": 2}]}', payload.JSON)
    assert records.to_dict("list") == {"a": [1, 2]}
    tensor, _ = payload.parse(b'{"instances": [[1, 2], [3, 4]]}', payload.JSON)
    assert isinstance(tensor, np.ndarray) and tensor.shape == (2, 2)
    named, _ = payload.parse(b'{"inputs": {"a": [1, 2]}}', payload.JSON)
    assert list(named["a"]) == [1, 2]
    csv, params = payload.parse(b"a,b\n1,x\n", payload.CSV)
    assert csv.to_dict("list") == {"a": [1], "b": ["x"]} and params is None


@pytest.mark.parametrize(
    ("body", "mime", "said"),
    [
        (b"{", payload.JSON, "not valid JSON"),
        (b'"text"', payload.JSON, "must be an object"),
        (b'{"data": []}', payload.JSON, "unknown key(s) 'data'"),
        (b"{}", payload.JSON, "exactly one of"),
        (b'{"dataframe_split": [1]}', payload.JSON, "'dataframe_split' must be an object"),
        (b'{"dataframe_records": [1]}', payload.JSON, "'dataframe_records' must be a list"),
        (b'{"inputs": [1], "params": 3}', payload.JSON, "'params' must be"),
        (b'{"instances": [[1], [1, 2]]}', payload.JSON, "could not read 'instances'"),
        (b"", payload.CSV, "CSV body is empty"),
        (b'a,b\n1,"2\n', payload.CSV, "not CSV"),
        (b"\xff", payload.CSV, "not valid UTF-8"),
        (b"[" * 100_000, payload.JSON, "nested too deeply"),
    ],
)
def test_bad_bodies_are_a_400_with_a_sentence(body: bytes, mime: str, said: str) -> None:
    with pytest.raises(ServingError) as caught:
        payload.parse(body, mime)
    assert caught.value.status == 400 and caught.value.code == "BAD_REQUEST"
    assert said in caught.value.message


def test_only_json_and_csv_in_utf8_are_accepted() -> None:
    assert payload.media_type("application/json") == payload.JSON
    assert payload.media_type("text/csv; charset=UTF-8") == payload.CSV
    for refused in ("", "text/plain", "application/json; charset=latin-1", "text/csv; x=1"):
        with pytest.raises(ServingError) as caught:
            payload.media_type(refused)
        assert caught.value.status == 415


# --- signature checks ------------------------------------------------------------------------


def test_column_signatures_name_the_missing_or_mistyped_column() -> None:
    signature.check(pd.DataFrame({"age": [1], "income": [2.5]}), COLUMNS)
    signature.check(pd.DataFrame({"age": [1.0], "income": [2]}), COLUMNS)  # 1.0 is integral
    signature.check({"age": [1], "income": [2.5]}, COLUMNS)
    cases = {
        "column 'income' is missing": pd.DataFrame({"age": [1]}),
        "column 'age' must hold an integer (long); got 'x'": pd.DataFrame(
            {"age": ["x"], "income": [1.0]}
        ),
        "column 'age' must hold an integer (long); got 1.5": pd.DataFrame(
            {"age": [1.5], "income": [1.0]}
        ),
        "column 'income' must hold a number (double); got True": pd.DataFrame(
            {"age": [1], "income": [True]}
        ),
    }
    for said, data in cases.items():
        with pytest.raises(ServingError, match=said.replace("(", r"\(").replace(")", r"\)")):
            signature.check(data, COLUMNS)
    optional = Schema([ColSpec("string", "note", required=False), ColSpec("boolean", "flag")])
    signature.check(pd.DataFrame({"flag": [True]}), optional)
    with pytest.raises(ServingError, match="column 'flag' must hold true or false"):
        signature.check(pd.DataFrame({"flag": ["yes"]}), optional)
    with pytest.raises(ServingError, match="column 'when' must hold a date"):
        signature.check(
            pd.DataFrame({"when": ["not a date"]}), Schema([ColSpec("datetime", "when")])
        )


def test_tensor_signatures_check_shape_and_dtype() -> None:
    schema = Schema([TensorSpec(np.dtype("float32"), (-1, 3), "x")])
    signature.check(np.zeros((5, 3), dtype="float32"), schema)
    with pytest.raises(ServingError, match=r"tensor 'x' has shape \[5, 2\]; .* \[-1, 3\]"):
        signature.check(np.zeros((5, 2), dtype="float32"), schema)
    with pytest.raises(ServingError, match=r"tensor 'x' holds <U1 values; the signature expects"):
        signature.check(np.array([["a", "b", "c"]]), schema)
    two = Schema(
        [TensorSpec(np.dtype("int64"), (-1,), "a"), TensorSpec(np.dtype("int64"), (-1,), "b")]
    )
    with pytest.raises(ServingError, match="tensor 'b' is missing"):
        signature.check({"a": np.array([1])}, two)


def test_no_signature_passes_everything_through() -> None:
    signature.check("anything", None)
    signature.check({"x": object()}, None)


# --- the scoring app over stand-in models ----------------------------------------------------


def _client(state: ServingState) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_app(state)), base_url="http://t"
    )


async def _chunks(count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b"a,b\n"


class Doubler:
    """A stand-in pyfunc model: twice the age; raises on a negative one."""

    def __init__(self, calls: list[Any] | None = None) -> None:
        self.calls = calls if calls is not None else []

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> list[float]:
        self.calls.append(params)
        if (data["age"] < 0).any():
            raise ZeroDivisionError("secret internals")
        return [float(a) * 2 for a in data["age"]]


def _loaded(version: Resolved, role: str = "primary", model: Any = None) -> Loaded:
    name = "champion" if role == "primary" else role
    return Loaded(version=version, reference=f"lab/scorer@{name}", role=role,
                  model=model or Doubler(), schema=COLUMNS)  # fmt: skip


@pytest.fixture
def state() -> ServingState:
    return ServingState(Slot("primary", "lab/scorer@champion"), max_body=1000)


async def test_ping_is_503_until_a_model_is_loaded(state: ServingState) -> None:
    async with _client(state) as http:
        assert (await http.get("/ping")).status_code == 503
        refused = await http.post("/invocations", json={"inputs": {"age": [1], "income": [1.0]}})
        assert refused.status_code == 503
        assert refused.json()["error_code"] == "SERVICE_UNAVAILABLE"
        state.primary.swap(_loaded(V1))
        assert (await http.get("/ping")).status_code == 200
        assert (await http.get("/health")).status_code == 200


async def test_answers_name_their_version_and_params_reach_the_model(state: ServingState) -> None:
    calls: list[Any] = []
    state.primary.swap(_loaded(V1, model=Doubler(calls)))
    async with _client(state) as http:
        body = {"dataframe_split": {"columns": ["age", "income"], "data": [[3, 1.0]]}}
        answer = await http.post("/invocations", json={**body, "params": {"k": 1}})
        assert answer.status_code == 200 and answer.json() == {"predictions": [6.0]}
        assert answer.headers["x-modelreg-version"] == "1.0.0"
        assert calls == [{"k": 1}]
        state.primary.swap(_loaded(V2))
        assert (await http.post("/invocations", json=body)).headers["x-modelreg-version"] == "2.0.0"
        shown = (await http.get("/version")).json()
        assert shown["primary"]["version"] == "2.0.0" and shown["primary"]["number"] == 2
        assert shown["primary"]["version_id"] == V2.id and shown["canary"] is None


async def test_a_model_that_raises_is_a_clean_400(state: ServingState, caplog: Any) -> None:
    state.primary.swap(_loaded(V1))
    async with _client(state) as http:
        answer = await http.post("/invocations", json={"inputs": {"age": [-1], "income": [1.0]}})
    assert answer.status_code == 400
    assert answer.json() == {
        "error_code": "BAD_REQUEST",
        "message": "the model raised ZeroDivisionError while predicting; check that the input "
        "matches what the model was trained on",
    }
    assert "secret internals" not in answer.text and "Traceback" not in answer.text


async def test_a_body_over_the_cap_is_413_even_without_a_length(state: ServingState) -> None:
    state.primary.swap(_loaded(V1))
    async with _client(state) as http:
        declared = await http.post("/invocations", content=b"x" * 1001,
                             headers={"content-type": "text/csv"})  # fmt: skip
        streamed = await http.post("/invocations", content=_chunks(300),
                             headers={"content-type": "text/csv"})  # fmt: skip
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert answer.json()["error_code"] == "REQUEST_LIMIT_EXCEEDED"


async def test_the_canary_answers_its_share_once_loaded(state: ServingState) -> None:
    state.canary = Slot("challenger", "lab/scorer@challenger")
    state.split = CanarySplit(50)
    state.primary.swap(_loaded(V1))
    body = {"inputs": {"age": [1], "income": [1.0]}}
    async with _client(state) as http:
        # Not loaded yet: everything goes to the primary.
        early = [await http.post("/invocations", json=body) for _ in range(4)]
        assert {a.headers["x-modelreg-role"] for a in early} == {"primary"}
        state.canary.swap(_loaded(V2, role="challenger"))
        answers = [await http.post("/invocations", json=body) for _ in range(10)]
        roles = [a.headers["x-modelreg-role"] for a in answers]
        shown = (await http.get("/version")).json()
    assert roles.count("challenger") == 5
    assert shown["canary"]["version"] == "2.0.0" and shown["canary"]["role"] == "challenger"
    assert shown["split"] == {"primary_percent": 50, "canary_percent": 50}


# --- following, with a registry answered by a MockTransport -----------------------------------


class FakeRegistry:
    """Answers GraphQL: aliases name the versions in `self.aliases`; records every
    recordDeployment (or refuses it when `refuse` is set)."""

    def __init__(self) -> None:
        self.aliases: dict[str, Resolved] = {"champion": V1}
        self.stage: list[dict[str, Any]] = []
        self.refuse = "Unknown type 'RecordDeploymentInput'."
        self.records: list[dict[str, Any]] = []
        self.headers: list[str] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers.get("authorization", ""))
        body = json.loads(request.content)
        query = body["query"]
        if "recordDeployment" in query:
            if self.refuse:
                return httpx.Response(200, json={"errors": [{"message": self.refuse}]})
            self.records.append(body["variables"]["input"])
            data = {"recordDeployment": {"deployment": {"id": "D"}, "errors": []}}
            return httpx.Response(200, json={"data": data})
        if "stageVersions" in query:
            model = {"stageVersions": self.stage}
        elif "versionByAlias" in query:
            found = self.aliases.get(body["variables"]["ref"])
            model = {"versionByAlias": _node(found) if found else None}
        else:
            model = {"version": _node(V1) if body["variables"]["ref"] == "1.0.0" else None}
        return httpx.Response(200, json={"data": {"project": {"model": model}}})


def _node(version: Resolved, stage: str = "NONE") -> dict[str, Any]:
    return {"id": version.id, "version": version.version, "number": version.number, "stage": stage}


@pytest.fixture
def registry() -> Iterator[tuple[FakeRegistry, RegistryClient]]:
    fake = FakeRegistry()
    with RegistryClient(
        "http://registry", token="mrt_secret", transport=httpx.MockTransport(fake.handler)
    ) as client:
        yield fake, client


def test_references_resolve_to_versions(registry: tuple[FakeRegistry, RegistryClient]) -> None:
    fake, client = registry
    assert resolve(client, parse_reference("lab/scorer@1.0.0")) == V1
    assert resolve(client, parse_reference("lab/scorer@champion")) == V1
    fake.stage = [_node(V2, "PRODUCTION"), _node(V1, "STAGING")]
    assert resolve(client, parse_reference("lab/scorer@Staging")) == V1
    assert resolve(client, parse_reference("lab/scorer@production")) == V2
    fake.stage = []
    with pytest.raises(ClientError, match="No version of 'scorer' is in Staging"):
        resolve(client, parse_reference("lab/scorer@Staging"))
    with pytest.raises(ClientError, match=r"has no version 9\.9\.9"):
        resolve(client, parse_reference("lab/scorer@9.9.9"))


def _runner(
    client: RegistryClient, tmp_path: Path, load: Callable[[Resolved], Loaded]
) -> tuple[Runner, ServingState]:
    state = ServingState(Slot("primary", "lab/scorer@champion"))
    recorder = Recorder(client, endpoint="http://127.0.0.1:18301", instance="a" * 32)
    runner = Runner(client, state, {"primary": parse_reference("lab/scorer@champion")},
                    cache_dir=tmp_path, recorder=recorder)  # fmt: skip
    runner.load = lambda version, reference, role: load(version)  # type: ignore[method-assign]
    return runner, state


def test_following_swaps_keeps_the_old_model_on_failure_and_on_deletion(
    registry: tuple[FakeRegistry, RegistryClient], tmp_path: Path, caplog: Any
) -> None:
    fake, client = registry
    fake.refuse = ""
    broken = {V2.id}

    def load(version: Resolved) -> Loaded:
        if version.id in broken:
            raise ClientError("MLflow could not load version 2.0.0: ImportError: no sklearn")
        return _loaded(version)

    runner, state = _runner(client, tmp_path, load)
    runner.start()
    runner.record_started()
    first = state.primary.current
    assert first is not None and first.version == V1
    assert runner.poll() == []  # nothing changed
    fake.aliases["champion"] = V2
    with caplog.at_level(logging.WARNING, "modelreg.serving"):
        assert runner.poll() == []  # the load fails: the old model stays
    assert state.primary.current is first
    assert "failed to load" in caplog.text and "retrying on the next poll" in caplog.text
    broken.clear()
    [swapped] = runner.poll()  # retried on the next poll
    assert state.primary.current is swapped and swapped.version == V2
    caplog.clear()
    del fake.aliases["champion"]
    with caplog.at_level(logging.WARNING, "modelreg.serving"):
        runner.poll()
        runner.poll()
    assert state.primary.current is swapped
    assert caplog.text.count("names no version any more") == 1
    runner.record_stopped()
    assert [(r["state"], r["versionId"], r["role"]) for r in fake.records] == [
        ("STARTED", V1.id, "primary"),
        ("STOPPED", V1.id, "primary"),
        ("STARTED", V2.id, "primary"),
        ("STOPPED", V2.id, "primary"),
    ]
    assert {r["instance"] for r in fake.records} == {"a" * 32}
    assert {r["endpoint"] for r in fake.records} == {"http://127.0.0.1:18301"}
    assert {r["reference"] for r in fake.records} == {"lab/scorer@champion"}


def test_a_version_both_slots_serve_is_stopped_only_when_neither_does(
    registry: tuple[FakeRegistry, RegistryClient], tmp_path: Path
) -> None:
    fake, client = registry
    fake.refuse = ""
    fake.aliases["challenger"] = V1
    state = ServingState(Slot("primary", "lab/scorer@champion"),
                         canary=Slot("challenger", "lab/scorer@challenger"),
                         split=CanarySplit(10))  # fmt: skip
    recorder = Recorder(client, endpoint="http://127.0.0.1:18301", instance="d" * 32)
    references = {"primary": parse_reference("lab/scorer@champion"),
                  "challenger": parse_reference("lab/scorer@challenger")}  # fmt: skip
    runner = Runner(client, state, references, cache_dir=tmp_path, recorder=recorder)
    runner.load = lambda version, reference, role: _loaded(version, role)  # type: ignore[method-assign]
    runner.start()
    runner.record_started()
    fake.aliases["champion"] = V2
    runner.poll()  # the primary moves on; the canary still serves version 1
    runner.record_stopped()
    assert [(r["state"], r["versionId"], r["role"]) for r in fake.records] == [
        ("STARTED", V1.id, "primary"),
        ("STARTED", V1.id, "challenger"),
        ("STARTED", V2.id, "primary"),
        ("STOPPED", V2.id, "primary"),
        ("STOPPED", V1.id, "challenger"),
    ]


def test_a_refused_record_is_logged_once_without_the_token(
    registry: tuple[FakeRegistry, RegistryClient], caplog: Any
) -> None:
    fake, client = registry
    recorder = Recorder(client, endpoint="http://127.0.0.1:18301", instance="b" * 32)
    with caplog.at_level(logging.WARNING, "modelreg.serving"):
        assert recorder.record("STARTED", V1, "lab/scorer@champion", "primary") is False
        assert recorder.record("STOPPED", V1, "lab/scorer@champion", "primary") is False
    [line] = [r for r in caplog.records if r.name == "modelreg.serving"]
    assert line.levelno == logging.WARNING
    assert "REFUSED" in line.getMessage() and "RecordDeploymentInput" in line.getMessage()
    assert "mrt_secret" not in caplog.text
    assert fake.headers[-1] == "Bearer mrt_secret"  # the token was sent, never logged
    off = Recorder(client, endpoint="x", instance="c" * 32, enabled=False)
    calls = len(fake.headers)
    assert off.record("STARTED", V1, "r", "primary") is False and len(fake.headers) == calls


# --- the cache -------------------------------------------------------------------------------


def _files_registry(files: dict[str, bytes], downloads: list[str]) -> httpx.MockTransport:
    import hashlib

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/graphql":
            listed = [{"path": p, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                      for p, b in files.items()]  # fmt: skip
            version = {"version": {"files": listed}}
            return httpx.Response(200, json={"data": {"project": {"model": version}}})
        path = request.url.path.split("/files/", 1)[1]
        downloads.append(path)
        return httpx.Response(200, content=files[path])

    return httpx.MockTransport(handler)


def test_the_cache_is_filled_atomically_and_reused_when_verified(tmp_path: Path) -> None:
    files = {"model/MLmodel": b"flavors: {}\n", "model/model.pkl": b"weights"}
    downloads: list[str] = []
    with RegistryClient("http://r", transport=_files_registry(files, downloads)) as client:
        folder, how = fetch_version(client, V1, tmp_path)
        assert how == "downloaded" and folder == cache_folder(tmp_path, V1)
        assert sorted(downloads) == sorted(files)
        assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no temporary left
        assert model_root(folder) == folder / "model"
        assert fetch_version(client, V1, tmp_path) == (folder, "reused")
        assert len(downloads) == 2
        (folder / "model" / "model.pkl").write_bytes(b"tampered")
        assert fetch_version(client, V1, tmp_path) == (folder, "downloaded")
        assert file_sha256(folder / "model" / "model.pkl") == file_sha256_bytes(b"weights")


def file_sha256_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_a_version_without_an_mlmodel_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(ClientError, match="none of its folders hold an MLmodel"):
        model_root(tmp_path)
    (tmp_path / "a" / "MLmodel").write_text("x")
    (tmp_path / "b" / "MLmodel").write_text("x")
    with pytest.raises(ClientError, match="several folders hold an MLmodel"):
        model_root(tmp_path)


# --- without the serving extra ---------------------------------------------------------------

_WITHOUT_EXTRA = """
import importlib.abc, sys

class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("mlflow", "pandas"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, Missing())
import modelreg.serving.app, modelreg.serving.follow, modelreg.serving.payload
import modelreg.serving.signature, modelreg.serving.fetch
from modelreg.cli import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["--help"], 0, "serve-model"),
        (["serve-model", "--help"], 0, "PROJECT/MODEL@REF"),
        (["serve-model", "lab/scorer@champion"], 1,
         "serve-model needs the serving extra: pip install 'modelreg[serving]'"),
    ],
)  # fmt: skip
def test_the_package_and_the_command_work_without_the_extra(
    tmp_path: Path, args: list[str], code: int, said: str
) -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _WITHOUT_EXTRA, *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == code, done.stderr
    assert said in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["nope"], 2, "is not PROJECT/MODEL@REF"),
        (["lab/scorer@champion", "--canary", "challenger"], 2, "is not ALIAS=PCT%"),
        (["lab/scorer@champion", "--token-file", "/nonexistent/token"], 2, "could not read"),
        (["lab/scorer@champion", "--registry", "ftp://x"], 2, "must start with http://"),
        (["lab/scorer@champion", "--registry", "http://127.0.0.1:1"], 1, "could not connect"),
    ],
)
def test_bad_command_lines_are_one_clear_line(args: list[str], code: int, said: str) -> None:
    from click.testing import CliRunner

    from modelreg.cli import main

    result = CliRunner().invoke(main, ["serve-model", *args], env={"MODELREG_TOKEN": "mrt_x"})
    assert result.exit_code == code, result.output
    assert said in result.output
    assert "mrt_x" not in result.output


def test_a_copy_another_process_finished_first_is_kept(tmp_path: Path) -> None:
    files = {"MLmodel": b"flavors: {}\n"}
    downloads: list[str] = []
    transport = _files_registry(files, downloads)
    target = tmp_path / cache_folder(tmp_path, V1).name

    def racing(request: httpx.Request) -> httpx.Response:
        answer = transport.handler(request)  # type: ignore[attr-defined]
        if request.url.path != "/graphql":  # the other process renames its copy into place
            target.mkdir()
            (target / "MLmodel").write_bytes(files["MLmodel"])
        assert isinstance(answer, httpx.Response)
        return answer

    with RegistryClient("http://r", transport=httpx.MockTransport(racing)) as client:
        assert fetch_version(client, V1, tmp_path) == (target, "reused")
    assert downloads == ["MLmodel"]
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
