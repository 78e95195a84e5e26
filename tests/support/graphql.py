from __future__ import annotations

from typing import Any

import httpx

from tests.support.accounts import Accounts


class GraphQLError(AssertionError):
    pass


class GraphQLClient:
    """Posts documents to /graphql; `execute` fails the test on top-level errors.

    Requests carry the `http` client's own headers (the `admin` token in the default fixture);
    `as_actor(name)` acts as another user, created on first use with a token of its own.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        accounts: Accounts | None = None,
        actor: str | None = None,
        admin: bool = True,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.http = http
        self.accounts = accounts
        self.actor = actor
        self.admin = admin
        self.headers = dict(headers or {})

    def as_actor(self, actor: str, *, admin: bool = True) -> GraphQLClient:
        """Act as user `actor` (an instance admin unless `admin=False`)."""
        return GraphQLClient(self.http, accounts=self.accounts, actor=actor, admin=admin)

    def with_headers(self, headers: dict[str, str]) -> GraphQLClient:
        """Send these headers instead (e.g. another token, or none: `{"Authorization": ""}`)."""
        return GraphQLClient(self.http, accounts=self.accounts, headers=headers)

    async def _headers(self) -> dict[str, str]:
        if self.actor is not None:
            assert self.accounts is not None, "as_actor needs a client made with `accounts`"
            return await self.accounts.headers(self.actor, admin=self.admin)
        return self.headers

    async def raw(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=await self._headers(),
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
        assert response.status_code in (200, 400, 401, 403), response.text
        errors: list[dict[str, Any]] = response.json()["errors"]
        return errors
