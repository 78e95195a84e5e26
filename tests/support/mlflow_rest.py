"""MLflow REST calls of the `demo` project through the test app."""

from __future__ import annotations

from typing import Any

import httpx

API = "/projects/demo/mlflow/api/2.0/mlflow"


async def mlflow_call(
    http: httpx.AsyncClient, method: str, path: str, body: dict[str, Any]
) -> httpx.Response:
    """`method` `API/path` with `body` (query parameters for a GET); the response as it is."""
    if method == "GET":
        return await http.get(f"{API}/{path}", params=body)
    return await http.request(method, f"{API}/{path}", json=body)


async def mlflow_ok(http: httpx.AsyncClient, method: str, path: str, body: dict[str, Any]) -> Any:
    """The same call, expected to succeed: its JSON, after a 200."""
    response = await mlflow_call(http, method, path, body)
    assert response.status_code == 200, response.text
    return response.json()
