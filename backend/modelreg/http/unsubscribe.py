"""One-click unsubscribe from notification mail (RFC 8058), without signing in.

Every mail carries `List-Unsubscribe: <{public_url}/unsubscribe/{token}>` and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`. A mail client unsubscribes with a POST to
that address; a person who clicks the link gets, by GET, a small page asking to confirm with a
button (GET never changes anything: link scanners follow links). The POST mutes the model the
token names for the user it names (model 0: the user's default level), and a tampered token is
refused. The token is the whole authority (`services/unsubscribe.py`), so no cookie or CSRF
check applies, and the request body is not read.
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from modelreg import errors
from modelreg.db import Database
from modelreg.db.models import RegisteredModel, UserAccount
from modelreg.http.errors import STATUS
from modelreg.services import notifications, unsubscribe
from modelreg.services.unsubscribe import Subscription

_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
}


def _page(title: str, body: str, *, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title></head>"
        "<body style='font-family:sans-serif;max-width:32rem;margin:3rem auto'>"
        f"<h1 style='font-size:1.3rem'>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
        headers=_HEADERS,
    )


def _refused(error: errors.DomainError) -> HTMLResponse:
    return _page(
        "Unsubscribe link not valid",
        f"<p>{html.escape(error.message)}</p>",
        status=STATUS[error.code],
    )


class UnsubscribeRoutes:
    def __init__(self, db: Database) -> None:
        self.db = db

    def routes(self) -> list[BaseRoute]:
        return [Route("/unsubscribe/{token}", self.handle, methods=["GET", "POST"])]

    async def _read(self, token: str) -> tuple[Subscription, str]:
        """What the token names, and the model's name ("" for all models)."""
        async with self.db.read() as session:
            key = await unsubscribe.existing_key(session)
            if key is None:
                raise unsubscribe.invalid_link()  # no link was ever signed here
            found = unsubscribe.read_token(key, token)
            user = await session.get(UserAccount, found.user_id)
            model = await session.get(RegisteredModel, found.model_id) if found.model_id else None
        if user is None or (found.model_id and model is None):
            raise errors.NotFound(
                "The account or model this link is about no longer exists; there is nothing "
                "to unsubscribe from.",
                field="token",
            )
        return found, model.name if model else ""

    async def handle(self, request: Request) -> Response:
        token = str(request.path_params["token"])
        try:
            found, model_name = await self._read(token)
        except errors.DomainError as error:
            return _refused(error)
        what = f"the model {model_name}" if model_name else "models without a setting of their own"
        if request.method == "GET":
            return _page(
                "Stop notification mail?",
                f"<p>Stop e-mail notifications about {html.escape(what)}?</p>"
                "<form method='post'><button type='submit' name='List-Unsubscribe' "
                "value='One-Click'>Unsubscribe</button></form>"
                "<p style='color:#666'>You can turn them on again on the model's page.</p>",
            )
        async with self.db.begin() as session:
            done = await notifications.unsubscribe(
                session, user_id=found.user_id, model_id=found.model_id
            )
        if done is None:
            return _refused(errors.NotFound("There is nothing to unsubscribe from any more."))
        return _page(
            "Unsubscribed",
            f"<p>You will get no more e-mail notifications about {html.escape(what)}.</p>",
        )
