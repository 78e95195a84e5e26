"""A `/graphql` request must be a JSON object: any other JSON value is a 400, not a 500.

Found by the GraphQL fuzz suite (`tests/fuzz/test_fuzz_graphql.py`): `null` as the body made
Strawberry call `.get` on None.
"""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize(
    "body",
    [b"null", b"1", b'"{ projects { edges { node { path } } } }"', b"true", b"[1, 2]", b"[null]"],
)
async def test_a_body_that_is_not_an_object_is_a_400(
    anon_http: httpx.AsyncClient, body: bytes
) -> None:
    response = await anon_http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert "JSON object" in response.text


async def test_get_variables_that_are_not_an_object_are_a_400(
    anon_http: httpx.AsyncClient,
) -> None:
    response = await anon_http.get(
        "/graphql",
        params={"query": "{ projects { edges { node { path } } } }", "variables": "3"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400, response.text


async def test_an_object_still_works(anon_http: httpx.AsyncClient) -> None:
    response = await anon_http.post(
        "/graphql", json={"query": "{ projects { edges { node { path } } } }", "variables": None}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"projects": {"edges": []}}}
