"""Sign-in, sessions, CSRF, personal access tokens and the rate limit, through the real app."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import select

from modelreg.db import Database
from modelreg.db.models import LoginFailure, PersonalAccessToken, UserSession
from modelreg.db.types import utcnow
from modelreg.services import authentication, signin
from tests.support.accounts import PASSWORD, Accounts
from tests.support.graphql import GraphQLClient

LOGIN = """mutation($u: String!, $p: String!) {
  login(input: {username: $u, password: $p}) {
    user { username isAdmin } errors { code message field }
  }
}"""
LOGOUT = "mutation { logout { signedOut errors { code message } } }"
VIEWER = "{ viewer { user { username } tokenScopes } }"
CREATE_PROJECT = """mutation($p: String!) {
  createProject(input: {path: $p}) { project { path } errors { code message } }
}"""
CREATE_TOKEN = """mutation($n: String!, $s: [TokenScope!]!, $e: DateTime) {
  createPersonalAccessToken(input: {name: $n, scopes: $s, expiresAt: $e}) {
    secret token { id name prefix scopes active expiresAt lastUsedAt } errors { code message field }
  }
}"""
REVOKE_TOKEN = """mutation($id: ID!) {
  revokePersonalAccessToken(input: {id: $id}) { token { active revokedAt } errors { code } }
}"""


async def _post(
    client: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None, **variables: Any
) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers or {}
    )


async def _login(client: httpx.AsyncClient, username: str, password: str) -> dict[str, Any]:
    response = await _post(client, LOGIN, u=username, p=password)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["data"]["login"]
    return payload


def _csrf(client: httpx.AsyncClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies["modelreg_csrf"]}


async def test_sign_in_sets_a_secure_session_and_the_session_acts_as_the_user(
    anon_http: httpx.AsyncClient, accounts: Accounts, db: Database
) -> None:
    await accounts.user("ada")
    response = await _post(anon_http, LOGIN, u="Ada", p=PASSWORD)
    assert response.json()["data"]["login"] == {
        "user": {"username": "ada", "isAdmin": False},
        "errors": [],
    }
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("modelreg_session="))
    csrf = next(c for c in cookies if c.startswith("modelreg_csrf="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Path=/" in session
    assert "HttpOnly" not in csrf and "SameSite=strict" in csrf
    # Only a hash of the cookie's secret is stored.
    secret = anon_http.cookies["modelreg_session"]
    async with db.read() as s:
        stored = (await s.exec(select(UserSession.secret_hash))).all()
    assert len(stored) == 1 and secret not in stored[0]

    viewer = await _post(anon_http, VIEWER, headers=_csrf(anon_http))
    assert viewer.json()["data"]["viewer"] == {"user": {"username": "ada"}, "tokenScopes": None}
    created = await _post(anon_http, CREATE_PROJECT, headers=_csrf(anon_http), p="ada-lab")
    assert created.json()["data"]["createProject"]["errors"] == []


async def test_a_cookie_authenticated_write_without_the_csrf_header_is_refused(
    anon_http: httpx.AsyncClient, accounts: Accounts
) -> None:
    await accounts.user("ada")
    await _login(anon_http, "ada", PASSWORD)
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        refused = await _post(anon_http, CREATE_PROJECT, headers=headers, p="x-site")
        assert refused.status_code == 403
        error = refused.json()["errors"][0]
        assert error["extensions"]["code"] == "PERMISSION_DENIED"
        assert "X-CSRF-Token" in error["message"]
    # A cross-site page is refused even when it claims to be one of ours by header only.
    evil = await _post(
        anon_http, CREATE_PROJECT, headers={"Origin": "https://evil.example"}, p="x-site"
    )
    assert evil.status_code == 403
    # A page of this server (GraphiQL, the web app) names itself in Origin and may write.
    ours = await _post(
        anon_http, CREATE_PROJECT, headers={"Origin": "http://modelreg.test"}, p="same-site"
    )
    assert ours.json()["data"]["createProject"]["errors"] == []
    # A GET query needs no token (it changes nothing).
    got = await anon_http.get("/graphql", params={"query": VIEWER})
    assert got.json()["data"]["viewer"]["user"] == {"username": "ada"}


async def test_sign_out_ends_the_session(anon_http: httpx.AsyncClient, accounts: Accounts) -> None:
    await accounts.user("ada")
    await _login(anon_http, "ada", PASSWORD)
    stale = anon_http.cookies["modelreg_session"]
    out = await _post(anon_http, LOGOUT, headers=_csrf(anon_http))
    assert out.json()["data"]["logout"] == {"signedOut": True, "errors": []}
    assert "modelreg_session" not in anon_http.cookies
    # The old cookie, replayed, no longer signs anyone in.
    anon_http.cookies.set("modelreg_session", stale)
    replay = await anon_http.post("/graphql", json={"query": VIEWER})
    assert replay.json()["data"]["viewer"]["user"] is None


async def test_wrong_passwords_and_unknown_users_get_the_same_answer(
    anon_http: httpx.AsyncClient, accounts: Accounts
) -> None:
    await accounts.user("ada")
    wrong = await _login(anon_http, "ada", "not the password at all")
    unknown = await _login(anon_http, "nobody", "not the password at all")
    assert (
        wrong
        == unknown
        == {
            "user": None,
            "errors": [
                {
                    "code": "UNAUTHENTICATED",
                    "message": "Wrong username or password.",
                    "field": "password",
                }
            ],
        }
    )
    assert "modelreg_session" not in anon_http.cookies


async def test_failed_sign_ins_are_rate_limited_per_account(
    anon_http: httpx.AsyncClient, accounts: Accounts, db: Database
) -> None:
    await accounts.user("ada")
    for _ in range(signin.MAX_FAILURES_PER_ACCOUNT):
        assert (await _login(anon_http, "ada", "guess guess guess"))["errors"][0]["code"] == (
            "UNAUTHENTICATED"
        )
    locked = await _login(anon_http, "ada", PASSWORD)  # even the right password now
    assert locked["user"] is None
    assert locked["errors"][0]["code"] == "RATE_LIMITED"
    assert (
        (locked["errors"][0]["message"])
        == "Too many failed sign-ins for this account; try again in 15 minutes."
    )
    # Another account from the same address is not locked by ada's failures.
    await accounts.user("bob")
    anon_http.cookies.clear()
    assert (await _login(anon_http, "bob", PASSWORD))["user"] == {
        "username": "bob",
        "isAdmin": False,
    }
    # When the failures leave the window, ada may sign in again.
    async with db.begin() as s:
        await s.exec(
            sa.update(LoginFailure).values(at=utcnow() - timedelta(minutes=16))  # type: ignore[call-overload]
        )
    anon_http.cookies.clear()
    assert (await _login(anon_http, "ada", PASSWORD))["errors"] == []


async def test_failed_sign_ins_are_rate_limited_per_address(
    anon_http: httpx.AsyncClient, accounts: Accounts, db: Database
) -> None:
    await accounts.user("ada")
    async with db.begin() as s:
        for i in range(signin.MAX_FAILURES_PER_ADDRESS):
            # ASGITransport's client address is 127.0.0.1.
            s.add(LoginFailure(username=f"user{i}", address="127.0.0.1"))
    locked = await _login(anon_http, "ada", PASSWORD)
    assert locked["errors"][0]["code"] == "RATE_LIMITED"
    assert "for your address" in locked["errors"][0]["message"]


async def test_tokens_are_shown_once_stored_hashed_and_authenticate(
    gql: GraphQLClient, anon_http: httpx.AsyncClient, db: Database
) -> None:
    ada = gql.as_actor("ada", admin=False)
    made = (await ada.execute(CREATE_TOKEN, {"n": "ci", "s": ["READ_API"]}))[
        "createPersonalAccessToken"
    ]
    secret = made["secret"]
    assert secret.startswith("mrt_") and made["token"]["prefix"] == secret[:12]
    assert made["token"]["scopes"] == ["READ_API"] and made["token"]["active"]
    async with db.read() as s:
        rows = (await s.exec(select(PersonalAccessToken))).all()
    assert all(secret not in (r.secret_hash, r.prefix, r.name) for r in rows)

    bearer = {"Authorization": f"Bearer {secret}"}
    viewer = await _post(anon_http, VIEWER, headers=bearer)
    assert viewer.json()["data"]["viewer"] == {
        "user": {"username": "ada"},
        "tokenScopes": ["READ_API"],
    }
    refused = await _post(anon_http, CREATE_PROJECT, headers=bearer, p="nope")
    assert refused.json()["data"]["createProject"]["errors"][0]["code"] == "PERMISSION_DENIED"
    listed = await ada.execute("{ viewer { personalAccessTokens { name lastUsedAt } } }")
    tokens = {t["name"]: t for t in listed["viewer"]["personalAccessTokens"]}
    assert tokens["ci"]["lastUsedAt"] is not None
    # The secret is never shown again.
    assert secret not in str(listed)


async def test_revoked_and_expired_tokens_are_refused_with_401(
    gql: GraphQLClient, anon_http: httpx.AsyncClient, db: Database
) -> None:
    ada = gql.as_actor("ada", admin=False)
    made = (await ada.execute(CREATE_TOKEN, {"n": "laptop", "s": ["API"]}))[
        "createPersonalAccessToken"
    ]
    revoked = (await ada.execute(REVOKE_TOKEN, {"id": made["token"]["id"]}))[
        "revokePersonalAccessToken"
    ]
    assert revoked["token"]["active"] is False and revoked["token"]["revokedAt"]
    response = await _post(anon_http, VIEWER, {"Authorization": f"Bearer {made['secret']}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["errors"][0] == {
        "message": "The access token was revoked; create a new one.",
        "extensions": {"code": "UNAUTHENTICATED"},
    }

    soon = (utcnow() + timedelta(hours=1)).isoformat()
    expiring = (await ada.execute(CREATE_TOKEN, {"n": "short", "s": ["API"], "e": soon}))[
        "createPersonalAccessToken"
    ]
    async with db.begin() as s:
        await s.exec(
            sa.update(PersonalAccessToken)  # type: ignore[call-overload]
            .where(PersonalAccessToken.name == "short")
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    expired = await _post(anon_http, VIEWER, {"Authorization": f"Bearer {expiring['secret']}"})
    assert expired.status_code == 401
    assert "expired" in expired.json()["errors"][0]["message"]
    garbage = await _post(anon_http, VIEWER, {"Authorization": "Bearer mrt_nonsense"})
    assert garbage.status_code == 401
    basic = await _post(anon_http, VIEWER, {"Authorization": "Basic YWRhOnB3"})
    assert basic.status_code == 401
    assert "Authorization: Bearer" in basic.json()["errors"][0]["message"]
    # Files routes answer the same way.
    files = await anon_http.get(
        "/api/v1/projects/p/models/m/versions/1.0.0/files/x",
        headers={"Authorization": f"Bearer {made['secret']}"},
    )
    assert files.status_code == 401
    assert files.json()["error"]["code"] == "UNAUTHENTICATED"


async def test_bad_token_input_is_a_typed_error(gql: GraphQLClient) -> None:
    ada = gql.as_actor("ada", admin=False)
    past = (utcnow() - timedelta(days=1)).isoformat()
    for variables, field in (
        ({"n": " ", "s": ["API"]}, "name"),
        ({"n": "x", "s": []}, "scopes"),
        ({"n": "x", "s": ["API"], "e": past}, "expiresAt"),
    ):
        made = (await ada.execute(CREATE_TOKEN, variables))["createPersonalAccessToken"]
        assert made["secret"] is None
        assert made["errors"][0]["code"] == "INVALID_ARGUMENT"
        assert made["errors"][0]["field"] == field


async def test_changing_the_password_signs_out_every_session(
    anon_http: httpx.AsyncClient, accounts: Accounts
) -> None:
    await accounts.user("ada")
    await _login(anon_http, "ada", PASSWORD)
    change = """mutation($c: String!, $n: String!) {
      changePassword(input: {currentPassword: $c, newPassword: $n}) {
        changed errors { code field }
      }
    }"""
    wrong = await _post(
        anon_http,
        change,
        headers=_csrf(anon_http),
        c="wrong wrong wrong",
        n="a brand new passphrase",
    )
    assert wrong.json()["data"]["changePassword"] == {
        "changed": False,
        "errors": [{"code": "INVALID_ARGUMENT", "field": "currentPassword"}],
    }
    ok = await _post(
        anon_http, change, headers=_csrf(anon_http), c=PASSWORD, n="a brand new passphrase"
    )
    assert ok.json()["data"]["changePassword"] == {"changed": True, "errors": []}
    after = await anon_http.get("/graphql", params={"query": VIEWER})
    assert after.json()["data"]["viewer"]["user"] is None
    assert (await _login(anon_http, "ada", PASSWORD))["user"] is None
    assert (await _login(anon_http, "ada", "a brand new passphrase"))["user"] is not None


async def test_only_admins_create_users(gql: GraphQLClient) -> None:
    create = """mutation($u: String!) {
      createUser(input: {username: $u}) { user { username } generatedPassword errors { code } }
    }"""
    made = (await gql.execute(create, {"u": "newbie"}))["createUser"]
    assert made["user"] == {"username": "newbie"} and len(made["generatedPassword"]) >= 12
    ada = gql.as_actor("ada", admin=False)
    refused = (await ada.execute(create, {"u": "sneaky"}))["createUser"]
    assert refused == {
        "user": None,
        "generatedPassword": None,
        "errors": [{"code": "PERMISSION_DENIED"}],
    }
    again = (await gql.execute(create, {"u": "NEWBIE"}))["createUser"]
    assert again["errors"] == [{"code": "ALREADY_EXISTS"}]


async def test_a_cross_site_websocket_does_not_get_the_session(
    anon_http: httpx.AsyncClient, accounts: Accounts, db: Database
) -> None:
    """Cookies on a websocket from another origin are ignored (cross-site websocket hijacking)."""
    from starlette.requests import HTTPConnection

    from modelreg.auth import credentials

    await accounts.user("ada")
    await _login(anon_http, "ada", PASSWORD)
    cookie = f"modelreg_session={anon_http.cookies['modelreg_session']}"

    def scope(origin: str) -> HTTPConnection:
        return HTTPConnection(
            {
                "type": "websocket",
                "path": "/graphql",
                "headers": [
                    (b"host", b"modelreg.test"),
                    (b"origin", origin.encode()),
                    (b"cookie", cookie.encode()),
                ],
            }
        )

    same = await authentication.authenticate(db, credentials(scope("http://modelreg.test")))
    other = await authentication.authenticate(db, credentials(scope("https://evil.example")))
    assert same.name == "ada"
    assert other.user_id is None
