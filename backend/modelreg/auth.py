"""Reading credentials off an HTTP request or websocket, for every interface alike.

Browser sessions live in an HttpOnly cookie; the CSRF token in a second cookie the web app can
read and must echo in the `X-CSRF-Token` header on every state-changing request (double submit).
Tools send `Authorization: Bearer <personal access token>`.

Forwarded headers (the client's address, scheme and host as a reverse proxy saw them) count only
from a proxy the `trusted_proxies` setting names (see `proxies.py`).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection
from starlette.responses import Response

from modelreg import proxies
from modelreg.db import Database
from modelreg.domain.actor import Actor
from modelreg.services import authentication

SESSION_COOKIE = "modelreg_session"
CSRF_COOKIE = "modelreg_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _trusted_proxies(connection: HTTPConnection) -> tuple[proxies.Network, ...]:
    """The `trusted_proxies` setting of the app serving the connection (none without one)."""
    app = connection.scope.get("app")
    settings = getattr(getattr(app, "state", None), "settings", None)
    return proxies.parse_networks(getattr(settings, "trusted_proxies", ""))


def forwarded(connection: HTTPConnection) -> proxies.Forwarded:
    """The client's address, scheme and host, believing forwarded headers from trusted proxies."""
    client = connection.scope.get("client")
    headers = connection.headers
    return proxies.resolve(
        peer=client[0] if client else None,
        scheme=connection.scope.get("scheme", "http"),
        forwarded_for=headers.getlist("x-forwarded-for"),
        forwarded_proto=headers.getlist("x-forwarded-proto"),
        forwarded_host=headers.getlist("x-forwarded-host"),
        networks=_trusted_proxies(connection),
    )


def _origin_is_ours(connection: HTTPConnection) -> bool | None:
    """Whether the request's Origin is this server (its Host, or the host a trusted proxy says
    the browser asked for); None when there is no Origin header."""
    origin = connection.headers.get("origin")
    if origin is None:
        return None
    ours = {connection.headers.get("host", ""), forwarded(connection).host or ""}
    return urlsplit(origin).netloc in ours - {""}


def credentials(connection: HTTPConnection) -> authentication.Credentials:
    is_websocket = connection.scope["type"] == "websocket"
    session_secret = connection.cookies.get(SESSION_COOKIE)
    ours = _origin_is_ours(connection)
    if is_websocket and ours is False:
        session_secret = None  # cross-site websocket hijacking: ignore the cookie
    method = connection.scope.get("method", "GET")
    return authentication.Credentials(
        authorization=connection.headers.get("authorization"),
        session_secret=session_secret,
        csrf_header=connection.headers.get(CSRF_HEADER),
        # A browser names the page that sent a request in Origin; one of our own pages (the web
        # app, GraphiQL) may write without echoing the token. Anything else must echo it.
        needs_csrf=not is_websocket and method not in SAFE_METHODS and ours is not True,
    )


async def authenticate(db: Database, connection: HTTPConnection) -> Actor:
    return await authentication.authenticate(db, credentials(connection))


def _secure(connection: HTTPConnection) -> bool:
    return forwarded(connection).scheme in ("https", "wss")


def set_session_cookies(
    response: Response,
    connection: HTTPConnection,
    *,
    secret: str,
    csrf_token: str,
    expires_at: datetime,
) -> None:
    secure = _secure(connection)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        expires=expires_at,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf_token,
        expires=expires_at,
        path="/",
        secure=secure,
        httponly=False,
        samesite="strict",
    )


def clear_session_cookies(response: Response, connection: HTTPConnection) -> None:
    secure = _secure(connection)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
    response.delete_cookie(CSRF_COOKIE, path="/", secure=secure, samesite="strict")


def session_secret(connection: HTTPConnection) -> str | None:
    return connection.cookies.get(SESSION_COOKIE)


def client_address(connection: HTTPConnection) -> str:
    """The address the sign-in limit counts: the peer, or the client a trusted proxy names."""
    return forwarded(connection).client
