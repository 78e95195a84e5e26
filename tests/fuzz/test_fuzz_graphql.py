"""Property-based fuzzing of `/graphql` on a real server: nothing a caller sends is a 5xx.

Documents come from `schema.graphql` (hypothesis-graphql): valid queries and mutations, invalid
ones, every mutation with random JSON as its `input` variable (wrong types, deep nesting, lone
surrogates, huge numbers), and raw request bodies. Each response must be a non-5xx with no
masked INTERNAL error and no traceback; at the end the server's log holds no traceback and
`/healthz` still answers.

Bounded for `make test` (a fixed seed, a few hundred examples per property); set
MODELREG_FUZZ_EXAMPLES to run longer (e.g. 5000).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from tests.support.fuzz import FUZZ_STATS, fuzz_settings, json_values
from tests.support.server import cli_token, running_server

pytestmark = pytest.mark.fuzz

SCHEMA = (Path(__file__).parents[2] / "schema.graphql").read_text()
FUZZ = fuzz_settings(300)

SCALARS = {
    "BigInt": st.integers(min_value=-(2**70), max_value=2**70).map(nodes.Int),
    "DateTime": st.one_of(
        st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")), st.text().map(nodes.String)
    ),
    "JSON": st.one_of(st.text().map(nodes.String), st.integers().map(nodes.Int)),
}


class Target:
    def __init__(self, base: str, token: str) -> None:
        self.admin = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        self.anonymous = httpx.Client(base_url=base, timeout=30)

    def client(self, as_admin: bool) -> httpx.Client:
        return self.admin if as_admin else self.anonymous

    def check(self, response: httpx.Response, sent: object) -> None:
        FUZZ_STATS.record("graphql", response.status_code)
        assert response.status_code < 500, (sent, response.status_code, response.text[:2000])
        assert "Traceback" not in response.text, (sent, response.text[:2000])
        if response.headers.get("content-type", "").startswith("application/json"):
            body = response.json()
            errors = body.get("errors") or [] if isinstance(body, dict) else []
            codes = [(e.get("extensions") or {}).get("code") for e in errors]
            assert "INTERNAL" not in codes, (sent, body)

    def post(self, as_admin: bool, payload: dict[str, Any]) -> None:
        # ASCII-escaped, so lone surrogates travel as JSON escapes (as a hostile client sends).
        response = self.client(as_admin).post(
            "/graphql",
            content=json.dumps(payload).encode(),
            headers={"content-type": "application/json"},
        )
        self.check(response, payload)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    tmp_path = tmp_path_factory.mktemp("fuzz-graphql")
    output: list[str] = []
    with running_server(tmp_path, output=output, MODELREG_LOG_LEVEL="info") as base:
        found = Target(base, cli_token(tmp_path))
        # Something to find: a public project with a model and a version.
        found.post(
            True,
            {
                "query": 'mutation { createProject(input: {path: "demo", visibility: PUBLIC}) '
                "{ project { id } errors { code } } }"
            },
        )
        yield found
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
        found.admin.close()
        found.anonymous.close()
    log = "".join(output)
    assert "Traceback" not in log, log[-5000:]


@FUZZ
@given(document=from_schema(SCHEMA, custom_scalars=SCALARS), as_admin=st.booleans())
def test_valid_documents(target: Target, document: str, as_admin: bool) -> None:
    target.post(as_admin, {"query": document})


@FUZZ
@given(
    document=from_schema(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
    as_admin=st.booleans(),
)
def test_invalid_documents(target: Target, document: str, as_admin: bool) -> None:
    target.post(as_admin, {"query": document})


def _input_mutations() -> list[tuple[str, str]]:
    """(mutation field, its input type) for every mutation that takes one `input`."""
    schema = graphql.build_schema(SCHEMA)
    assert schema.mutation_type is not None
    found = []
    for name, field in schema.mutation_type.fields.items():
        if "input" in field.args:
            found.append((name, str(field.args["input"].type)))
    return found


MUTATIONS = _input_mutations()


@FUZZ
@given(
    mutation=st.sampled_from(MUTATIONS),
    value=json_values(),
    as_admin=st.booleans(),
)
def test_mutation_inputs(
    target: Target, mutation: tuple[str, str], value: object, as_admin: bool
) -> None:
    name, input_type = mutation
    document = f"mutation($input: {input_type}) {{ {name}(input: $input) {{ __typename }} }}"
    target.post(as_admin, {"query": document, "variables": {"input": value}})


@FUZZ
@given(body=st.one_of(st.binary(max_size=2000), json_values().map(json.dumps).map(str.encode)))
def test_raw_bodies(target: Target, body: bytes) -> None:
    response = target.admin.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    target.check(response, body)


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["query", "variables", "operationName"]), st.text()))
def test_get_requests(target: Target, params: dict[str, str]) -> None:
    response = target.anonymous.get(
        "/graphql", params=params, headers={"accept": "application/json"}
    )
    target.check(response, params)
