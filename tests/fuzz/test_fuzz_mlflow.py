"""Property-based fuzzing of the MLflow REST API on a real server: nothing a caller sends is a 5xx.

Every endpoint of `modelreg.mlflow.endpoints()` gets JSON bodies built from its declared
parameters (a good value, a value of the wrong type, a hostile one: deep nesting, lone
surrogates, NUL, huge and non-finite numbers, empty lists and strings) plus undeclared keys,
query strings for GETs, hostile path segments, and raw bodies that are not JSON at all. Requests
are sent as a member of the project (its owner, with an `api` token) and anonymously, each over
one keep-alive connection that must stay usable. Each answer must be below 500, MLflow's error
shape when it is an error, and carry no traceback; at the end `/healthz` answers and the server's
log holds no traceback.

Bounded for `make test` (derandomized, a few hundred examples per property, about a minute in
all); set MODELREG_FUZZ_EXAMPLES to run longer (e.g. 5000). The tally of requests tried and 5xx
answers is printed at the end of the run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelreg.mlflow import Endpoint, endpoints
from modelreg.mlflow.params import Kind, Param
from tests.support.fuzz import AWKWARD_TEXT, FUZZ_STATS, fuzz_settings, json_values
from tests.support.server import cli_token, run_modelreg, running_server

pytestmark = pytest.mark.fuzz

FUZZ = fuzz_settings(800)
PROJECT = "fuzz"
MODEL = "fuzzed-model"
ENDPOINTS = endpoints()
BODY_ENDPOINTS = [e for e in ENDPOINTS if e.method != "GET" and not e.raw_body]
QUERY_ENDPOINTS = [e for e in ENDPOINTS if e.method == "GET"]
# Raw bodies also go to the artifact upload, which streams its body into a file.
RAW_ENDPOINTS = [e for e in ENDPOINTS if e.method != "GET"]
# Good values by parameter name, so that a request gets past its checks and deep into its
# handler (filled in by the fixture with the ids it creates).
GOOD: dict[str, Any] = {
    "name": MODEL,
    "new_name": MODEL,
    "version": "1",
    "alias": "champion",
    "stage": "Staging",
    "experiment_id": "0",
    "experiment_ids": ["0"],
    "key": "k",
    "value": "v",
    "status": "FINISHED",
    "filter": "name LIKE 'f%'",
    "order_by": ["name ASC"],
    "stages": ["None"],
    "tag_key": "k",
    "path": "model/MLmodel",
    "source": f"models:/{MODEL}/1",
}


def _good(name: str, param: Param) -> Any:
    if name in GOOD:
        return GOOD[name]
    if param.kind is Kind.LIST:
        assert param.item is not None
        return [_good(name, param.item)]
    if param.kind is Kind.OBJECT:
        return {field: _good(field, declared) for field, declared in param.fields.items()}
    return {
        Kind.STRING: "x",
        Kind.INT: 1,
        Kind.DOUBLE: 0.5,
        Kind.BOOL: True,
        Kind.ENUM: "RUNNING",
    }[param.kind]


@dataclass(frozen=True)
class Raw:
    """JSON text sent as it is (nesting deeper than `json.dumps` goes)."""

    text: str


def _dumps(value: Any) -> str:
    """JSON in ASCII (a lone surrogate travels as a \\ud800 escape), with Raw parts as is."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, list):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dumps(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


# Values that break assumptions: wrong types, empty containers, deep nesting, text no database
# stores, numbers no column holds.
HOSTILE = st.one_of(
    json_values(),
    AWKWARD_TEXT,
    st.sampled_from(
        [
            [],
            {},
            [""],
            [[]],
            "",
            2**64,
            -(2**63) - 1,
            10**400,
            1e308,
            -0.0,
            "NaN",
            "1e999",
            "9" * 30,
            # Search filters: deep parentheses, numbers no column holds, costly patterns.
            "(" * 900 + "name = 'a'" + ")" * 900,
            "(name = 'a' OR " * 600 + "name = 'a'" + ")" * 600,
            "version_number = " + "9" * 30,
            "version_number = " + "9" * 5000,
            "name LIKE '" + "%a" * 40 + "%b'",
            "tags.`a` IN (" + ",".join(["'x'"] * 2000) + ")",
            # Page tokens: not base64, base64 of junk, of a huge offset, of deep JSON.
            "!!!",
            "eyJvZmZzZXQiOiAxZTMwMH0=",
            "eyJvZmZzZXQiOiAxMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDB9",
            "W1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tb",
            {"key": "\ud800", "value": "\x00"},
            [{"key": [], "value": {}}],
            [{"key": "k", "value": 10**400}],
        ]
    ),
    st.integers(min_value=2, max_value=3000).map(lambda n: Raw("[" * n + "]" * n)),
)


def _value(name: str, param: Param) -> st.SearchStrategy[Any]:
    """A good value, a hostile one, or (for containers) good ones with hostile items."""
    good = _good(name, param)
    choices = [st.just(good), HOSTILE]
    if param.kind is Kind.LIST:
        assert param.item is not None
        choices.append(st.lists(_value(name, param.item), max_size=4))
    if param.kind is Kind.OBJECT:
        choices.append(
            st.fixed_dictionaries(
                {},
                optional={f: _value(f, declared) for f, declared in param.fields.items()},
            )
        )
    return st.one_of(choices)


def _body(endpoint: Endpoint) -> st.SearchStrategy[dict[str, Any]]:
    """Good values with one parameter changed (to get past the others' checks), or each
    parameter drawn on its own; plus, sometimes, undeclared keys."""
    params = endpoint.params
    good = {name: _good(name, param) for name, param in params.items()}
    one_changed = (
        st.sampled_from(sorted(params)).flatmap(
            lambda name: _value(name, params[name]).map(lambda v: {**good, name: v})
        )
        if params
        else st.just({})
    )
    declared = {name: _value(name, param) for name, param in params.items()}
    extra = st.dictionaries(st.one_of(st.text(max_size=10), AWKWARD_TEXT), HOSTILE, max_size=2)
    return st.tuples(
        st.one_of(one_changed, st.fixed_dictionaries({}, optional=declared)), extra
    ).map(lambda parts: {**parts[1], **parts[0]})


NOT_IN_PATH = re.compile("[\n\ud800-\udfff]")


def _segment(name: str) -> st.SearchStrategy[str]:
    """A path segment. No newline: the app's router (not the MLflow layer) answers those, with
    its own 404, since a route's `{rest:path}` does not match one."""
    good = str(GOOD.get(name, "x"))
    return st.one_of(st.just(good), st.text(max_size=30), AWKWARD_TEXT).filter(
        lambda t: NOT_IN_PATH.search(t) is None
    )


def _url(endpoint: Endpoint, segments: dict[str, str]) -> str:
    def fill(found: re.Match[str]) -> str:
        text = segments[found.group(1)]
        return quote(text, safe="/" if found.group(2) else "") or "x"

    rest = re.sub(r"\{(\w+)(:path)?\}", fill, endpoint.pattern)
    return f"/projects/{PROJECT}/mlflow/{rest}"


def _segments(endpoint: Endpoint) -> st.SearchStrategy[dict[str, str]]:
    names = re.findall(r"\{(\w+)", endpoint.pattern)
    return st.fixed_dictionaries({name: _segment(name) for name in names})


class Target:
    """A running server with a member's and an anonymous keep-alive connection."""

    def __init__(self, base: str, token: str) -> None:
        self.member = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        self.anonymous = httpx.Client(base_url=base, timeout=30)
        self.sent = 0

    def send(self, as_member: bool, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.sent += 1
        if self.sent % 100 == 0:
            _seed(self)  # the fuzzed calls delete and rename what there is to find
        client = self.member if as_member else self.anonymous
        response = client.request(method, url, **kwargs)
        FUZZ_STATS.record("mlflow", response.status_code)
        sent = (method, url, kwargs.get("params"), str(kwargs.get("content", b""))[:300])
        assert response.status_code < 500, (sent, response.status_code, response.text[:2000])
        assert "Traceback" not in response.text, (sent, response.text[:2000])
        if response.status_code >= 400 and method != "HEAD":
            error = response.json()
            assert set(error) == {"error_code", "message"}, (sent, error)
            assert error["error_code"] != "INTERNAL_ERROR", (sent, error)
        return response

    def ok(self, method: str, path: str, body: dict[str, Any], *also: int) -> dict[str, Any]:
        response = self.member.request(
            method, f"/projects/{PROJECT}/mlflow/api/2.0/mlflow/{path}", json=body
        )
        assert response.status_code in (200, *also), response.text
        found: dict[str, Any] = response.json()
        return found


def _seed(target: Target) -> None:
    """A model with a version, a run with a metric, a logged model: things to find."""
    target.ok("POST", "registered-models/create", {"name": MODEL}, 400)  # or it exists
    run = target.ok("POST", "runs/create", {"experiment_id": "0"})["run"]["info"]["run_id"]
    target.ok(
        "POST",
        "runs/log-metric",
        {"run_id": run, "key": "loss", "value": 0.5, "timestamp": 1, "step": 0},
    )
    model = target.ok("POST", "logged-models", {"experiment_id": "0", "source_run_id": run})
    target.ok("POST", "model-versions/create", {"name": MODEL, "source": "s3://b/m", "run_id": run})
    GOOD.update(run_id=run, run_uuid=run, model_id=model["model"]["info"]["model_id"])


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    tmp_path = tmp_path_factory.mktemp("fuzz-mlflow")
    output: list[str] = []
    with running_server(tmp_path, output=output, MODELREG_LOG_LEVEL="info") as base:
        data = {"MODELREG_DATA_DIR": str(tmp_path / "data")}
        for command in (
            ("user", "create", "fuzzer"),
            ("project", "create", PROJECT, "--visibility", "public", "--owner", "fuzzer"),
        ):
            done = run_modelreg(*command, cwd=tmp_path, **data)
            assert done.returncode == 0, done.stderr
        found = Target(base, cli_token(tmp_path, user="fuzzer"))
        _seed(found)
        yield found
        for client in (found.member, found.anonymous):
            assert client.get("/healthz").status_code == 200
            client.close()
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
    log = "".join(output)
    assert "Traceback" not in log, log[-5000:]


@FUZZ
@given(data=st.data(), endpoint=st.sampled_from(BODY_ENDPOINTS), as_member=st.booleans())
def test_json_bodies(
    target: Target, data: st.DataObject, endpoint: Endpoint, as_member: bool
) -> None:
    body = data.draw(_body(endpoint), label="body")
    url = _url(endpoint, data.draw(_segments(endpoint), label="path"))
    content = _dumps(body).encode()
    target.send(
        as_member,
        endpoint.method,
        url,
        content=content,
        headers={"content-type": "application/json"},
    )


RAW_QUERIES = [
    "?name=%ED%A0%80",
    "?name=%00&version=1",
    "?max_results=%FF%FE",
    "?stages=%ED%B0%80&stages=",
    "?run_id=&run_id=" + "%F0" * 100,
    "?filter=" + "%28" * 500,
    "?%00=%00",
    "?name",
]
QUERY_VALUE = st.one_of(
    st.text(max_size=40),
    AWKWARD_TEXT,
    st.sampled_from(["", "-1", "9" * 30, "true", "[]"]),
    HOSTILE.filter(lambda v: isinstance(v, str)),
)


@FUZZ
@given(data=st.data(), endpoint=st.sampled_from(QUERY_ENDPOINTS), as_member=st.booleans())
def test_query_strings(
    target: Target, data: st.DataObject, endpoint: Endpoint, as_member: bool
) -> None:
    names = st.one_of(st.sampled_from(sorted(endpoint.params) or ["x"]), st.text(max_size=10))
    good = {name: _good(name, param) for name, param in endpoint.params.items()}
    pairs = data.draw(
        st.lists(
            st.tuples(
                names,
                st.one_of(QUERY_VALUE, st.sampled_from([str(v) for v in good.values()] or ["x"])),
            ),
            max_size=6,
        ),
        label="query",
    )
    query = [(k, v) for k, v in pairs if NOT_IN_PATH.search(k + v) is None]
    # A few of the long hostile filters together make a URL longer than httpx sends (65,536
    # characters): it refuses before any request leaves. Keep to what a client can send.
    while len(urlencode(query, quote_via=quote)) > 50_000:
        query.pop()
    # Also bytes that are not UTF-8, encoded surrogates and NULs, as a client may send them.
    raw = data.draw(st.sampled_from(["", *RAW_QUERIES]), label="raw query")
    url = _url(endpoint, data.draw(_segments(endpoint), label="path")) + raw
    method = data.draw(st.sampled_from(["GET", "HEAD"]), label="method")
    target.send(as_member, method, url, params=query)


RAW_BODIES = st.one_of(
    st.binary(max_size=300),
    st.integers(min_value=1, max_value=200_000).map(lambda n: b'{"name":' + b"[" * n),
    st.integers(min_value=1, max_value=50_000).map(lambda n: b"[" * n + b"]" * n),
    st.sampled_from(
        [
            b'{"name": "\\ud800"}',
            b'{"name": "\\udfff\\ud800"}',
            b'{"name": "\\u0000"}',
            b'{"name": 1' + b"0" * 5000 + b"}",
            b'{"name": 1e999}',
            b'{"name": NaN}',
            b'{"name": []}',
            b'{"\\ud800": 1}',
            b"\xef\xbb\xbf{}",
            b'"{\\"name\\": 1}"',
            b"null",
        ]
    ),
)


@FUZZ
@given(endpoint=st.sampled_from(RAW_ENDPOINTS), body=RAW_BODIES, as_member=st.booleans())
def test_raw_bodies(target: Target, endpoint: Endpoint, body: bytes, as_member: bool) -> None:
    url = _url(endpoint, {name: str(GOOD.get(name, "x")) for name in endpoint.params})
    target.send(
        as_member, endpoint.method, url, content=body, headers={"content-type": "application/json"}
    )
