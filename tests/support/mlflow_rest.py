"""One MLflow REST call of the `demo` project through the test app, expected to succeed."""

from __future__ import annotations

from typing import Any

import httpx

API = "/projects/demo/mlflow/api/2.0/mlflow"


async def mlflow_ok(http: httpx.AsyncClient, method: str, path: str, body: dict[str, Any]) -> Any:
    """`method` `API/path` with `body` (query parameters for a GET); its JSON, after a 200."""
    if method == "GET":
        response = await http.get(f"{API}/{path}", params=body)
    else:
        response = await http.request(method, f"{API}/{path}", json=body)
    assert response.status_code == 200, response.text
    return response.json()
