"""X-Forwarded-Host, -Proto and -For count only from a proxy MODELREG_TRUSTED_PROXIES names.

Through the in-process app with a chosen peer address (ASGITransport's `client`), and through a
real `modelreg serve` (whose uvicorn must not apply a rule of its own first).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from modelreg.app import create_app
from modelreg.auth import credentials
from modelreg.db import Database
from modelreg.db.models import LoginFailure, Project
from modelreg.services import authentication
from modelreg.services.signin import MAX_FAILURES_PER_ADDRESS
from modelreg.settings import Settings
from tests.support.accounts import PASSWORD, Accounts
from tests.support.server import running_server

LOGIN = """mutation($u: String!, $p: String!) {
  login(input: {username: $u, password: $p}) { user { username } errors { code message } }
}"""
CREATE_PROJECT = """mutation($p: String!) {
  createProject(input: {path: $p}) { project { path } errors { code message } }
}"""
PROXY = "10.1.2.3"  # inside the trusted 10.0.0.0/8
OUTSIDER = "203.0.113.9"
PUBLIC = {"Origin": "https://registry.example.com", "X-Forwarded-Host": "registry.example.com"}

Client = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client(tmp_path: Path, db: Database) -> Client:
    """`client(peer, trusted_proxies="10.0.0.0/8")`: a client of the app as seen from `peer`."""

    @asynccontextmanager
    async def make(peer: str, trusted: str = "10.0.0.0/8") -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings(data_dir=tmp_path / "data", trusted_proxies=trusted)
        transport = httpx.ASGITransport(
            app=create_app(settings, db=db), raise_app_exceptions=False, client=(peer, 4321)
        )
        async with httpx.AsyncClient(transport=transport, base_url="http://modelreg.test") as c:
            yield c

    return make


async def _login(
    client: httpx.AsyncClient, password: str = PASSWORD, headers: dict[str, str] | None = None
) -> httpx.Response:
    response = await client.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"u": "ada", "p": password}},
        headers=headers or {},
    )
    assert response.status_code == 200, response.text
    return response


async def _projects(db: Database) -> list[str]:
    async with db.read() as s:
        return list((await s.exec(select(Project.path))).all())


@pytest.mark.parametrize(("peer", "trusted"), [(OUTSIDER, ""), (OUTSIDER, "10.0.0.0/8")])
async def test_a_forwarded_host_from_an_untrusted_peer_does_not_make_an_origin_ours(
    client: Client, accounts: Accounts, db: Database, peer: str, trusted: str
) -> None:
    await accounts.user("ada")
    async with client(peer, trusted) as browser:
        assert (await _login(browser)).json()["data"]["login"]["errors"] == []
        # A cookie-authenticated write from another site that names itself in X-Forwarded-Host.
        refused = await browser.post(
            "/graphql", json={"query": CREATE_PROJECT, "variables": {"p": "x"}}, headers=PUBLIC
        )
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
    assert "X-CSRF-Token" in refused.json()["errors"][0]["message"]
    assert await _projects(db) == []


async def test_a_forwarded_host_from_a_trusted_proxy_makes_its_origin_ours(
    client: Client, accounts: Accounts, db: Database
) -> None:
    await accounts.user("ada")
    async with client(PROXY) as browser:
        await _login(browser)
        created = await browser.post(
            "/graphql", json={"query": CREATE_PROJECT, "variables": {"p": "lab"}}, headers=PUBLIC
        )
        assert created.json()["data"]["createProject"]["errors"] == []
        # Another site's page is still another site's, proxy or not.
        evil = await browser.post(
            "/graphql",
            json={"query": CREATE_PROJECT, "variables": {"p": "evil"}},
            headers={"Origin": "https://evil.example", "X-Forwarded-Host": "registry.example.com"},
        )
        assert evil.status_code == 403
    assert await _projects(db) == ["lab"]


async def test_a_websocket_keeps_its_cookie_only_for_an_origin_a_trusted_proxy_vouches_for(
    client: Client, accounts: Accounts, db: Database, tmp_path: Path
) -> None:
    await accounts.user("ada")
    async with client(PROXY) as browser:
        await _login(browser)
        cookie = f"modelreg_session={browser.cookies['modelreg_session']}"
    app = create_app(Settings(data_dir=tmp_path / "data", trusted_proxies=PROXY), db=db)

    async def viewer(peer: str, app: Starlette = app) -> str | None:
        scope: dict[str, Any] = {
            "type": "websocket",
            "app": app,
            "path": "/graphql",
            "client": (peer, 4321),
            "headers": [
                (b"host", b"10.0.0.80:8000"),
                (b"origin", b"https://registry.example.com"),
                (b"x-forwarded-host", b"registry.example.com"),
                (b"cookie", cookie.encode()),
            ],
        }
        actor = await authentication.authenticate(db, credentials(HTTPConnection(scope)))
        return actor.name if actor.user_id is not None else None

    assert await viewer(PROXY) == "ada"
    assert await viewer(OUTSIDER) is None


@pytest.mark.parametrize(("peer", "secure"), [(PROXY, True), (OUTSIDER, False)])
async def test_the_secure_cookie_flag_follows_x_forwarded_proto_only_from_a_trusted_proxy(
    client: Client, accounts: Accounts, peer: str, secure: bool
) -> None:
    await accounts.user("ada")
    async with client(peer) as browser:
        response = await _login(browser, headers={"X-Forwarded-Proto": "https"})
        cookies = response.headers.get_list("set-cookie")
        assert len(cookies) == 2
        assert all(("; secure" in c.lower()) is secure for c in cookies), cookies
        out = await browser.post(
            "/graphql",
            json={"query": "mutation { logout { signedOut } }"},
            headers={
                "X-Forwarded-Proto": "https",
                "X-CSRF-Token": browser.cookies["modelreg_csrf"],
            },
        )
        cleared = out.headers.get_list("set-cookie")
        assert cleared and all(("; secure" in c.lower()) is secure for c in cleared), cleared


async def _failed_addresses(db: Database) -> list[str]:
    async with db.read() as s:
        return list((await s.exec(select(LoginFailure.address))).all())


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "counted"),
    [
        (OUTSIDER, "198.51.100.1", OUTSIDER),  # anyone can claim to be someone else
        (PROXY, "198.51.100.1", "198.51.100.1"),
        (PROXY, "198.51.100.1:50123", "198.51.100.1"),  # a port is not another client
        # The client wrote the first entry itself; the proxy appended the address it saw.
        (PROXY, "192.0.2.66, 198.51.100.2", "198.51.100.2"),
        # Two proxies: the outer one (also trusted) appended the client it saw.
        (PROXY, "198.51.100.3, 10.9.9.9", "198.51.100.3"),
    ],
)
async def test_x_forwarded_for_sets_the_sign_in_address_only_from_a_trusted_proxy(
    client: Client, accounts: Accounts, db: Database, peer: str, forwarded_for: str, counted: str
) -> None:
    await accounts.user("ada")
    async with client(peer) as browser:
        await _login(browser, "a wrong password", headers={"X-Forwarded-For": forwarded_for})
    assert await _failed_addresses(db) == [counted]


async def test_an_untrusted_peer_cannot_spread_its_attempts_over_made_up_addresses(
    client: Client, accounts: Accounts
) -> None:
    await accounts.user("ada")
    async with client(OUTSIDER) as browser:
        for i in range(MAX_FAILURES_PER_ADDRESS):
            response = await browser.post(
                "/graphql",
                json={"query": LOGIN, "variables": {"u": f"guess{i}", "p": "wrong"}},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            )
            errors = response.json()["data"]["login"]["errors"]
            assert errors[0]["code"] == "UNAUTHENTICATED"
        locked = await _login(browser, headers={"X-Forwarded-For": "198.51.100.250"})
    error = locked.json()["data"]["login"]["errors"][0]
    assert error["code"] == "RATE_LIMITED" and "for your address" in error["message"]


# --- a real server: uvicorn must not apply its own rule (it trusted 127.0.0.1 by default) ------


@pytest.mark.parametrize(("trusted", "believed"), [("", False), ("127.0.0.1", True)])
async def test_a_served_registry_believes_forwarded_headers_only_from_trusted_proxies(
    tmp_path: Path, trusted: str, believed: bool
) -> None:
    env = {"MODELREG_ADMIN_PASSWORD": PASSWORD, "MODELREG_TRUSTED_PROXIES": trusted}
    forwarded = {"X-Forwarded-For": "198.51.100.1", "X-Forwarded-Proto": "https"}
    with running_server(tmp_path, **env) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as served:

            async def login(username: str, password: str) -> httpx.Response:
                variables = {"u": username, "p": password}
                response = await served.post(
                    "/graphql", json={"query": LOGIN, "variables": variables}, headers=forwarded
                )
                assert response.status_code == 200, response.text
                return response

            failed = await login("nobody", "a wrong password")
            assert failed.json()["data"]["login"]["errors"][0]["code"] == "UNAUTHENTICATED"
            signed_in = await login("admin", PASSWORD)
            assert signed_in.json()["data"]["login"]["errors"] == []
            cookies = signed_in.headers.get_list("set-cookie")
            assert cookies and all(("; secure" in c.lower()) is believed for c in cookies)
            # httpx keeps a Secure cookie for https only: send the session by hand. A proxy
            # sends all its headers with every request.
            session = signed_in.cookies["modelreg_session"]
            served.cookies.clear()
            write = await served.post(
                "/graphql",
                json={"query": CREATE_PROJECT, "variables": {"p": "lab"}},
                headers={**forwarded, **PUBLIC, "Cookie": f"modelreg_session={session}"},
            )
            assert write.status_code == (200 if believed else 403), write.text
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'registry.db'}")
    try:
        addresses = await _failed_addresses(db)
    finally:
        await db.dispose()
    assert addresses == ["198.51.100.1" if believed else "127.0.0.1"]
