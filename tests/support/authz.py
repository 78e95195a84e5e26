"""A world of users, tokens and projects for authorization tests, and ways to call into it.

Everything is made through the services as the operator (`SYSTEM`), in a few transactions, so
the tests spend their time on the requests under test. Each role user is a member of every
project made with `World.project`; the outsider and the instance admin are members of none.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from modelreg.db import Database
from modelreg.db.models import (
    Artifact,
    Blob,
    Event,
    Membership,
    ModelVersion,
    PersonalAccessToken,
    Project,
    RegisteredModel,
    UserAccount,
    metadata,
)
from modelreg.db.types import utcnow
from modelreg.domain.actor import SYSTEM
from modelreg.domain.lifecycle import Stage
from modelreg.domain.policy import Role, Visibility
from modelreg.graphql.ids import encode_id
from modelreg.services import models as model_service
from modelreg.services import projects as project_service
from modelreg.services import tokens as token_service
from modelreg.services import versions as version_service
from modelreg.storage import Storage
from tests.support.accounts import Accounts

# Usernames of the members, one per role; every project of the world has all of them.
ROLE_USERS: dict[Role, str] = {
    Role.GUEST: "guest",
    Role.REPORTER: "reporter",
    Role.DEVELOPER: "developer",
    Role.MAINTAINER: "maintainer",
    Role.OWNER: "owner",
}
OUTSIDER = "outsider"
ADMIN = "root"

# The principals, in the order the matrices list them.
MEMBER_PRINCIPALS = ("GUEST", "REPORTER", "DEVELOPER", "MAINTAINER", "OWNER")
OTHER_PRINCIPALS = ("OUTSIDER", "ANONYMOUS", "READ_API", "EXPIRED", "REVOKED", "ADMIN")
PRINCIPALS = MEMBER_PRINCIPALS + OTHER_PRINCIPALS

FILE_BYTES = b"weights of a tiny model\n"


def gid(type_name: str, pk: int | None) -> str:
    assert pk is not None
    return encode_id(type_name, pk)


@dataclass(frozen=True)
class Principal:
    label: str
    headers: dict[str, str]
    username: str | None = None
    role: Role | None = None


@dataclass
class World:
    db: Database
    storage: Storage
    principals: dict[str, Principal]
    user_ids: dict[str, int]
    blob_id: int
    _counter: int = 0

    @classmethod
    async def build(cls, db: Database, storage: Storage, accounts: Accounts) -> World:
        user_ids: dict[str, int] = {}
        principals: dict[str, Principal] = {}
        for role, username in ROLE_USERS.items():
            user_ids[username] = await accounts.user(username)
            token = await accounts.token(username)
            principals[role.name] = Principal(
                role.name, {"Authorization": f"Bearer {token}"}, username, role
            )
        user_ids[OUTSIDER] = await accounts.user(OUTSIDER)
        principals["OUTSIDER"] = Principal(
            "OUTSIDER", {"Authorization": f"Bearer {await accounts.token(OUTSIDER)}"}, OUTSIDER
        )
        user_ids[ADMIN] = await accounts.user(ADMIN, admin=True)
        principals["ADMIN"] = Principal(
            "ADMIN", {"Authorization": f"Bearer {await accounts.token(ADMIN, admin=True)}"}, ADMIN
        )
        principals["ANONYMOUS"] = Principal("ANONYMOUS", {})
        maintainer = ROLE_USERS[Role.MAINTAINER]
        read_only = await accounts.token(maintainer, scopes=("read_api",))
        principals["READ_API"] = Principal(
            "READ_API", {"Authorization": f"Bearer {read_only}"}, maintainer, Role.MAINTAINER
        )
        async with db.begin() as session:
            expiring = await token_service.create_token(
                session,
                actor=SYSTEM,
                name="expired",
                scopes=["api"],
                expires_at=utcnow() + timedelta(hours=1),
                username=maintainer,
            )
            revoked = await token_service.create_token(
                session, actor=SYSTEM, name="revoked", scopes=["api"], username=maintainer
            )
            assert revoked.token.id is not None
            await token_service.revoke_token(session, actor=SYSTEM, token_id=revoked.token.id)
            await session.exec(
                sa.update(PersonalAccessToken)
                .where(col(PersonalAccessToken.id) == expiring.token.id)
                .values(expires_at=utcnow() - timedelta(days=1))
            )
        principals["EXPIRED"] = Principal(
            "EXPIRED", {"Authorization": f"Bearer {expiring.secret}"}, maintainer, Role.MAINTAINER
        )
        principals["REVOKED"] = Principal(
            "REVOKED", {"Authorization": f"Bearer {revoked.secret}"}, maintainer, Role.MAINTAINER
        )

        async def chunks() -> AsyncIterator[bytes]:
            yield FILE_BYTES

        key = f"blobs/{uuid.uuid4().hex}"
        stored = await storage.put(key, chunks())
        async with db.begin() as session:
            blob = Blob(sha256=stored.sha256, size=stored.size, storage_key=key)
            session.add(blob)
            await session.flush()
            assert blob.id is not None
            blob_id = blob.id
        return cls(db, storage, principals, user_ids, blob_id)

    def unique(self, stem: str) -> str:
        self._counter += 1
        return f"{stem}-{self._counter}"

    # Everything below runs in the caller's transaction, as the operator.

    async def project(
        self, session: AsyncSession, path: str, visibility: Visibility, *, members: bool = True
    ) -> Project:
        project = await project_service.create_project(
            session, actor=SYSTEM, path=path, visibility=visibility
        )
        assert project.id is not None
        if members:
            for role, username in ROLE_USERS.items():
                session.add(
                    Membership(
                        project_id=project.id,
                        user_id=self.user_ids[username],
                        role=role,
                        created_by="system",
                    )
                )
            await session.flush()
        return project

    async def model(
        self, session: AsyncSession, project: Project, name: str, **fields: Any
    ) -> RegisteredModel:
        assert project.id is not None
        return await model_service.create_model(
            session, actor=SYSTEM, project_id=project.id, name=name, **fields
        )

    async def version(
        self,
        session: AsyncSession,
        model: RegisteredModel,
        version: str = "1.0.0",
        *,
        stage: Stage = Stage.NONE,
        files: tuple[str, ...] = (),
        **fields: Any,
    ) -> ModelVersion:
        assert model.id is not None
        row = await version_service.create_version(
            session, actor=SYSTEM, model_id=model.id, version=version, **fields
        )
        assert row.id is not None
        if stage != Stage.NONE:
            # Straight to the stage (the transition itself is what the tests exercise).
            row.stage = stage
            session.add(row)
            await session.flush()
        for path in files:
            session.add(
                Artifact(
                    version_id=row.id,
                    path=path,
                    blob_id=self.blob_id,
                    content_type="application/octet-stream",
                    created_by="system",
                )
            )
        if files:
            await session.flush()
        return row

    async def user(self, session: AsyncSession, username: str) -> int:
        """An account that never signs in (no password hashing: the tests only name it)."""
        user = UserAccount(username=username, password_hash="unusable")
        session.add(user)
        await session.flush()
        assert user.id is not None
        self.user_ids[username] = user.id
        return user.id


# ---------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Outcome:
    """What a request did: ALLOW, or the error code it answered with, and its message."""

    code: str
    message: str = ""
    field: str | None = None
    status: int | None = None  # the HTTP status, when refused over HTTP

    def __str__(self) -> str:
        if self.code == "ALLOW":
            return "ALLOW"
        return f"{self.code} ({self.message!r}, field={self.field!r})"


ALLOWED = Outcome("ALLOW")


def graphql_outcome(response: httpx.Response, field_name: str | None = None) -> Outcome:
    """A mutation's outcome (its payload's first error), or an HTTP-level refusal.

    `field_name=None`: only classify request-level failures; ALLOW otherwise.
    """
    if response.status_code == 401:
        body = response.json()
        code = body["errors"][0]["extensions"]["code"]
        return Outcome(code, body["errors"][0]["message"], status=401)
    if response.status_code != 200:
        return Outcome(f"HTTP_{response.status_code}", response.text, status=response.status_code)
    body = response.json()
    if body.get("errors"):
        error = body["errors"][0]
        return Outcome(
            (error.get("extensions") or {}).get("code", "GRAPHQL_ERROR"),
            error["message"],
            (error.get("extensions") or {}).get("field"),
            status=200,
        )
    if field_name is None:
        return ALLOWED
    errors = body["data"][field_name]["errors"]
    if not errors:
        return ALLOWED
    return Outcome(errors[0]["code"], errors[0]["message"], errors[0].get("field"), status=200)


def rest_outcome(response: httpx.Response) -> Outcome:
    if 200 <= response.status_code < 300:
        return ALLOWED
    status = response.status_code
    if not response.content:  # HEAD
        code = {401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
        return Outcome(code.get(status, f"HTTP_{status}"), status=status)
    error = response.json()["error"]
    return Outcome(error["code"], error["message"], status=status)


async def post_graphql(
    http: httpx.AsyncClient,
    principal: Principal,
    query: str,
    variables: dict[str, Any] | None = None,
) -> httpx.Response:
    return await http.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers=principal.headers,
    )


def files_url(project: str, model: str, version: str, path: str | None = None) -> str:
    base = f"/api/v1/projects/{project}/models/{model}/versions/{version}"
    return f"{base}/files.zip" if path is None else f"{base}/files/{path}"


def same_shape(message: str) -> str:
    """A message with the ids and quoted names in it blanked, to compare error shapes."""
    return re.sub(r"'[^']*'", "'…'", re.sub(r"\d+", "N", message))


# ---------------------------------------------------------------------- the database


# Columns that legitimately change when a request merely authenticates.
_VOLATILE = {("personal_access_token", "last_used_at")}


async def snapshot(db: Database, *, skip: frozenset[str] = frozenset()) -> dict[str, list[Any]]:
    """Every row of every table (small test databases), to prove a request changed nothing."""
    found: dict[str, list[Any]] = {}
    async with db.read() as session:
        for table in metadata.sorted_tables:
            if table.name in skip:
                continue
            columns = [c for c in table.columns if (table.name, c.name) not in _VOLATILE]
            rows = await session.exec(  # type: ignore[call-overload]
                sa.select(*columns).order_by(*table.primary_key.columns)
            )
            found[table.name] = [tuple(r) for r in rows.all()]
    return found


async def last_event_id(db: Database) -> int:
    async with db.read() as session:
        return int((await session.exec(select(sa.func.max(col(Event.id))))).one() or 0)


async def events_since(db: Database, after: int) -> list[Event]:
    async with db.read() as session:
        return list((await session.exec(select(Event).where(col(Event.id) > after))).all())


# ---------------------------------------------------------------------- websockets


TIMEOUT = 10  # seconds to wait for the app's next message


class WebSocketClosed(Exception):
    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"closed with {code}: {reason}")
        self.code = code
        self.reason = reason


@dataclass
class ASGIWebSocket:
    """A websocket to the in-process app: the ASGI messages, driven by hand.

    The app runs in a task of the test's own event loop, so it shares the test's database
    engine (a thread-based test client could not, on asyncpg).
    """

    app: Starlette
    headers: dict[str, str] = field(default_factory=dict)
    path: str = "/graphql"
    subprotocol: str = "graphql-transport-ws"
    close_code: int | None = None
    close_reason: str = ""
    _to_app: Any = None
    _from_app: Any = None
    _task: Any = None

    async def __aenter__(self) -> ASGIWebSocket:
        self._to_app = asyncio.Queue()
        self._from_app = asyncio.Queue()
        headers = [
            (b"host", b"modelreg.test"),
            (b"sec-websocket-protocol", b"graphql-transport-ws"),
        ]
        headers += [(k.lower().encode(), v.encode()) for k, v in self.headers.items()]
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "scheme": "ws",
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("modelreg.test", 80),
            "subprotocols": [self.subprotocol],
            "state": {},
            "extensions": {},
        }
        self._task = asyncio.create_task(self.app(scope, self._to_app.get, self._from_app.put))
        await self._to_app.put({"type": "websocket.connect"})
        first = await self._message()
        if first["type"] == "websocket.close":
            self.close_code = first.get("code", 1000)
            self.close_reason = first.get("reason", "")
        else:
            assert first["type"] == "websocket.accept", first
        return self

    async def _message(self) -> dict[str, Any]:
        async with asyncio.timeout(TIMEOUT):
            message: dict[str, Any] = await self._from_app.get()
        return message

    async def send_json(self, data: dict[str, Any]) -> None:
        await self._to_app.put({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json(self) -> dict[str, Any]:
        if self.close_code is not None:
            raise WebSocketClosed(self.close_code, self.close_reason)
        message = await self._message()
        if message["type"] == "websocket.close":
            self.close_code = message.get("code", 1000)
            self.close_reason = message.get("reason", "")
            raise WebSocketClosed(self.close_code or 1000, self.close_reason)
        assert message["type"] == "websocket.send", message
        data: dict[str, Any] = json.loads(message["text"])
        return data

    async def __aexit__(self, *exc: object) -> None:
        await self._to_app.put({"type": "websocket.disconnect", "code": 1000})
        try:
            await asyncio.wait_for(self._task, TIMEOUT)
        except TimeoutError:
            self._task.cancel()
            raise


async def subscribe_first(
    app: Starlette, principal: Principal, query: str, variables: dict[str, Any]
) -> Outcome:
    """Subscribe over graphql-transport-ws; the outcome of the first message the server sends."""
    async with ASGIWebSocket(app, principal.headers) as ws:
        if ws.close_code is not None:
            code = {4401: "UNAUTHENTICATED", 4403: "PERMISSION_DENIED"}.get(
                ws.close_code, f"CLOSED_{ws.close_code}"
            )
            return Outcome(code, ws.close_reason)
        await ws.send_json({"type": "connection_init"})
        ack = await ws.receive_json()
        assert ack["type"] == "connection_ack", ack
        await ws.send_json(
            {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
        message = await ws.receive_json()
        await ws.send_json({"id": "1", "type": "complete"})
    assert message.get("id") == "1", message
    if message["type"] == "next" and not message["payload"].get("errors"):
        return ALLOWED
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    extensions = errors[0].get("extensions") or {}
    return Outcome(
        extensions.get("code", "GRAPHQL_ERROR"), errors[0]["message"], extensions.get("field")
    )
