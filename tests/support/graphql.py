from __future__ import annotations

from typing import Any

import httpx


class GraphQLError(AssertionError):
    pass


class GraphQLClient:
    """Posts documents to /graphql; `execute` fails the test on top-level errors."""

    def __init__(self, http: httpx.AsyncClient, *, actor: str | None = None) -> None:
        self.http = http
        # Honoured only when the app runs with `trust_actor_header` (tests of two users).
        self.headers = {"X-Modelreg-Test-Actor": actor} if actor else {}

    def as_actor(self, actor: str) -> GraphQLClient:
        return GraphQLClient(self.http, actor=actor)

    async def raw(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self.headers
        )

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.raw(query, variables)
        assert response.status_code == 200, response.text
        body = response.json()
        if body.get("errors"):
            raise GraphQLError(body["errors"])
        data: dict[str, Any] = body["data"]
        return data

    async def errors(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        response = await self.raw(query, variables)
        assert response.status_code in (200, 400), response.text
        errors: list[dict[str, Any]] = response.json()["errors"]
        return errors
