"""Who may do what: every principal by every kind of operation, on PRIVATE, INTERNAL and PUBLIC.

The expected outcome of each cell comes from the tables below, written out by hand from the role
table in the design (never computed by the policy under test). A cell passes when the request
answers that outcome AND the data agrees: an allowed write changed what it should and recorded
an event; a refused operation changed nothing and recorded nothing; a PERMISSION_DENIED names
the role that would have been enough.

The operations are tested in groups: each test builds the world once (users, tokens, one project
per visibility with a member in every role), prepares a fresh target for every cell in one
transaction, sends every cell's request (a few at a time), then checks them all and reports every
wrong cell at once. Principals whose answer cannot depend on the visibility (members, the token
edge cases, the admin) are tried on fewer visibilities: see `CELLS`. Subscriptions go over a
websocket to the in-process app.

Also here: creating a project (no project involved) needs an account that may write.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema, build_schema
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from modelreg.db import Database
from modelreg.db.models import (
    Artifact,
    Comment,
    Deployment,
    Event,
    Membership,
    ModelAlias,
    ModelTag,
    ModelVersion,
    Project,
    RegisteredModel,
    TransitionRequest,
    VersionTag,
)
from modelreg.domain.compatibility import SemverGuard
from modelreg.domain.lifecycle import RequestStatus, Stage
from modelreg.domain.policy import Role, Visibility
from modelreg.graphql.schema import create_schema
from modelreg.settings import Settings
from tests.support.accounts import Accounts
from tests.support.authz import (
    ALLOWED,
    FILE_BYTES,
    PRINCIPALS,
    Outcome,
    Principal,
    World,
    files_url,
    gid,
    graphql_outcome,
    last_event_id,
    post_graphql,
    rest_outcome,
    subscribe_first,
)

# ------------------------------------------------------------------------ expected outcomes


@dataclass(frozen=True)
class Expect:
    code: str
    role: Role | None = None  # PERMISSION_DENIED: the role the message must name
    scope: bool = False  # PERMISSION_DENIED: because the token may only read

    def __str__(self) -> str:
        if self.role is not None:
            return f"PERMISSION_DENIED naming {self.role.name}"
        return "PERMISSION_DENIED for the read_api scope" if self.scope else self.code


A = Expect("ALLOW")
HIDDEN = Expect("NOT_FOUND")
SIGN_IN = Expect("UNAUTHENTICATED")
SCOPE = Expect("PERMISSION_DENIED", scope=True)
R = Expect("PERMISSION_DENIED", Role.REPORTER)
D = Expect("PERMISSION_DENIED", Role.DEVELOPER)
M = Expect("PERMISSION_DENIED", Role.MAINTAINER)
O = Expect("PERMISSION_DENIED", Role.OWNER)  # noqa: E741
# For an outsider of an INTERNAL or PUBLIC project: the lowest role the operation needs.
LOWEST = Expect("PERMISSION_DENIED", scope=False, role=None)

# Members, by role. The design's role table: GUEST reads; REPORTER edits models, versions (not in
# Staging/Production), files, tags, comments, requests transitions; DEVELOPER transitions and
# approves among None/Staging/Archived, edits Staging versions, manages aliases; MAINTAINER adds
# Production; OWNER manages members and the project.
MEMBERS: dict[str, tuple[Expect, Expect, Expect, Expect, Expect]] = {
    #                               GUEST  REPORTER  DEVELOPER  MAINTAINER  OWNER
    "read_project":                 (A,    A,        A,         A,          A),
    "list_projects":                (A,    A,        A,         A,          A),
    "read_model":                   (A,    A,        A,         A,          A),
    "read_version":                 (A,    A,        A,         A,          A),
    "read_files":                   (A,    A,        A,         A,          A),
    "download_file":                (A,    A,        A,         A,          A),
    "head_file":                    (A,    A,        A,         A,          A),
    "download_zip":                 (A,    A,        A,         A,          A),
    "export_project":               (M,    M,        M,         A,          A),
    "read_activity":                (A,    A,        A,         A,          A),
    "subscribe_model_events":       (A,    A,        A,         A,          A),
    "create_model":                 (R,    A,        A,         A,          A),
    "update_model":                 (R,    A,        A,         A,          A),
    "delete_model":                 (R,    A,        A,         A,          A),
    "set_model_tags":               (R,    A,        A,         A,          A),
    "delete_model_tags":            (R,    A,        A,         A,          A),
    "create_version":               (R,    A,        A,         A,          A),
    "update_version":               (R,    A,        A,         A,          A),
    "delete_version":               (R,    A,        A,         A,          A),
    "set_version_tags":             (R,    A,        A,         A,          A),
    "delete_version_tags":          (R,    A,        A,         A,          A),
    "upload_file":                  (R,    A,        A,         A,          A),
    "delete_file":                  (R,    A,        A,         A,          A),
    "delete_files":                 (R,    A,        A,         A,          A),
    "add_comment":                  (R,    A,        A,         A,          A),
    "record_deployment":            (R,    A,        A,         A,          A),
    "request_transition":           (R,    A,        A,         A,          A),
    "transition_none_to_staging":   (D,    D,        A,         A,          A),
    "transition_staging_to_production": (M, M,       M,         A,          A),
    "approve_staging_request":      (D,    D,        A,         A,          A),
    "reject_staging_request":       (D,    D,        A,         A,          A),
    "approve_production_request":   (M,    M,        M,         A,          A),
    "set_alias":                    (D,    D,        A,         A,          A),
    "delete_alias":                 (D,    D,        A,         A,          A),
    "edit_version_in_staging":      (D,    D,        A,         A,          A),
    "edit_version_in_production":   (M,    M,        M,         A,          A),
    "upload_file_in_production":    (M,    M,        M,         A,          A),
    "delete_file_in_production":    (M,    M,        M,         A,          A),
    "add_member":                   (O,    O,        O,         O,          A),
    "change_member_role":           (O,    O,        O,         O,          A),
    "remove_member":                (O,    O,        O,         O,          A),
    "change_visibility":            (O,    O,        O,         O,          A),
    "set_semver_guard":             (O,    O,        O,         O,          A),
    "rename_project":               (O,    O,        O,         O,          A),
    "delete_project":               (O,    O,        O,         O,          A),
}  # fmt: skip

# Everyone else, by visibility: (a read, a write). READ_API is a MAINTAINER's read_api token;
# EXPIRED and REVOKED are that MAINTAINER's api tokens.
PRIVATE, INTERNAL, PUBLIC = Visibility.PRIVATE, Visibility.INTERNAL, Visibility.PUBLIC
VISIBILITIES = (PRIVATE, INTERNAL, PUBLIC)
OTHERS: dict[str, tuple[tuple[Expect, Expect], ...]] = {
    #               PRIVATE              INTERNAL             PUBLIC
    "OUTSIDER":    ((HIDDEN, HIDDEN),    (A, LOWEST),         (A, LOWEST)),
    "ANONYMOUS":   ((HIDDEN, HIDDEN),    (HIDDEN, HIDDEN),    (A, SIGN_IN)),
    "READ_API":    ((A, SCOPE),          (A, SCOPE),          (A, SCOPE)),
    "EXPIRED":     ((SIGN_IN, SIGN_IN),  (SIGN_IN, SIGN_IN),  (SIGN_IN, SIGN_IN)),
    "REVOKED":     ((SIGN_IN, SIGN_IN),  (SIGN_IN, SIGN_IN),  (SIGN_IN, SIGN_IN)),
    "ADMIN":       ((A, A),              (A, A),              (A, A)),
}  # fmt: skip

ROLE_COLUMNS = ("GUEST", "REPORTER", "DEVELOPER", "MAINTAINER", "OWNER")


def expected(operation: str, principal: str, visibility: Visibility) -> Expect:
    row = MEMBERS[operation]
    if principal in ROLE_COLUMNS:
        return row[ROLE_COLUMNS.index(principal)]
    read, write = OTHERS[principal][VISIBILITIES.index(visibility)]
    spec = OPERATIONS[operation]
    found = read if spec.changed is None and not spec.guarded else write
    if found is LOWEST:
        lowest = next(i for i, e in enumerate(row) if e == A)
        return Expect("PERMISSION_DENIED", Role[ROLE_COLUMNS[lowest]])
    return found


# ------------------------------------------------------------------------ targets


@dataclass
class Target:
    """What one cell acts on: fresh objects made for it alone (reads share the base ones)."""

    project_id: int
    project_path: str
    sfx: str
    model_id: int | None = None
    model_name: str = ""
    version_id: int | None = None
    version: str = "1.0.0"
    request_id: int | None = None
    user_id: int | None = None
    username: str = ""
    fresh_project: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def owns(self, event: Event) -> bool:
        """Whether the cell's request wrote this event (told by its subject)."""
        if self.version_id is not None:
            return event.version_id == self.version_id
        if self.model_id is not None:
            return event.model_id == self.model_id
        if event.project_id != self.project_id:
            return False
        if self.fresh_project:
            return True
        if self.username:
            return event.payload.get("username") == self.username
        return event.payload.get("name") == f"new-{self.sfx}"  # create_model


@dataclass(frozen=True)
class Needs:
    """What `prepare` makes for a cell."""

    base: bool = False  # the project's shared model and version (reads)
    model: bool = False
    version: Stage | None = None
    files: bool = False
    tags: bool = False
    request: Stage | None = None  # a pending request of the version to this stage
    alias: bool = False
    user: bool = False  # an account that is no member
    member: bool = False  # an account that is a GUEST member
    project: bool = False  # a project of its own (with every member)


BASE_MODEL = "base-model"


async def prepare(
    world: World, session: AsyncSession, project: Project, sfx: str, needs: Needs
) -> Target:
    if needs.project:
        project = await world.project(session, f"{project.path}-{sfx}", project.visibility)
    assert project.id is not None
    target = Target(
        project_id=project.id, project_path=project.path, sfx=sfx, fresh_project=needs.project
    )
    if needs.base:
        model = (
            await session.exec(
                select(RegisteredModel).where(
                    RegisteredModel.project_id == project.id, RegisteredModel.name == BASE_MODEL
                )
            )
        ).one()
        version = (
            await session.exec(select(ModelVersion).where(ModelVersion.model_id == model.id))
        ).one()
        target.model_id, target.model_name = model.id, model.name
        target.version_id = version.id
        return target
    if needs.model or needs.version is not None:
        tags = [("team", "growth")] if needs.tags else []
        model = await world.model(session, project, f"model-{sfx}", tags=tags)
        target.model_id, target.model_name = model.id, model.name
        if needs.version is not None:
            version = await world.version(
                session,
                model,
                target.version,
                stage=needs.version,
                files=("old.bin",) if needs.files else (),
                tags=tags,
            )
            target.version_id = version.id
            assert version.id is not None
            if needs.request is not None:
                request = TransitionRequest(
                    version_id=version.id, target_stage=needs.request, requester="system"
                )
                session.add(request)
                await session.flush()
                target.request_id = request.id
            if needs.alias:
                assert model.id is not None
                session.add(
                    ModelAlias(
                        model_id=model.id,
                        alias="champion",
                        version_id=version.id,
                        created_by="system",
                    )
                )
                await session.flush()
    if needs.user or needs.member:
        target.username = f"user-{sfx}"
        target.user_id = await world.user(session, target.username)
        if needs.member:
            session.add(
                Membership(
                    project_id=project.id,
                    user_id=target.user_id,
                    role=Role.GUEST,
                    created_by="system",
                )
            )
            await session.flush()
    return target


# ------------------------------------------------------------------------ calling


@dataclass
class Call:
    http: httpx.AsyncClient
    app: Starlette
    principal: Principal


@functools.cache
def _schema() -> GraphQLSchema:
    return build_schema(create_schema(Settings()).as_str())


async def mutate(call: Call, name: str, payload: dict[str, Any]) -> Outcome:
    mutation = _schema().mutation_type
    assert mutation is not None
    input_type = mutation.fields[name].args["input"].type
    document = (
        f"mutation($input: {input_type}) {{ {name}(input: $input) "
        "{ errors { code field message } } }"
    )
    response = await post_graphql(call.http, call.principal, document, {"input": payload})
    return graphql_outcome(response, name)


async def query(call: Call, document: str, variables: dict[str, Any]) -> tuple[Outcome, Any]:
    """A read: its request-level outcome, and its data."""
    response = await post_graphql(call.http, call.principal, document, variables)
    outcome = graphql_outcome(response)
    return outcome, (response.json().get("data") if outcome == ALLOWED else None)


def found(*values: Any) -> Outcome:
    """A read's outcome from what it returned: all there, or all absent (NOT_FOUND)."""
    if all(values):
        return ALLOWED
    if not any(values):
        return Outcome("NOT_FOUND")
    return Outcome("INCONSISTENT", f"some reads see it, some do not: {values!r}")


def _url(t: Target, path: str | None = "old.bin") -> str:
    return files_url(t.project_path, t.model_name, t.version, path)


async def rest(call: Call, method: str, url: str, content: bytes | None = None) -> Outcome:
    response = await call.http.request(method, url, headers=call.principal.headers, content=content)
    outcome = rest_outcome(response)
    if outcome == ALLOWED and method == "GET" and url.endswith("/old.bin"):
        assert response.content == FILE_BYTES
    return outcome


# Reads
async def export_project(call: Call, t: Target) -> Outcome:
    # Two exports stream at once per process; cells run side by side, so wait as a client would.
    while True:
        outcome = await rest(call, "GET", f"/api/v1/projects/{t.project_path}/export")
        if outcome.code != "UNAVAILABLE":
            return outcome
        await asyncio.sleep(0.05)


async def read_project(call: Call, t: Target) -> Outcome:
    outcome, data = await query(
        call,
        "query($p: String!, $id: ID!) { project(path: $p) { id name viewerRole } "
        "node(id: $id) { id } }",
        {"p": t.project_path, "id": gid("Project", t.project_id)},
    )
    return outcome if data is None else found(data["project"], data["node"])


async def list_projects(call: Call, t: Target) -> Outcome:
    outcome, data = await query(
        call, "{ projects(first: 100) { totalCount edges { node { path } } } }", {}
    )
    if data is None:
        return outcome
    paths = [e["node"]["path"] for e in data["projects"]["edges"]]
    assert data["projects"]["totalCount"] == len(paths)
    return found(t.project_path in paths)


async def read_model(call: Call, t: Target) -> Outcome:
    outcome, data = await query(
        call,
        "query($p: String!, $m: String!, $id: ID!) {"
        " project(path: $p) { model(name: $m) { id tags { key } latestVersion { version } } }"
        " node(id: $id) { ... on RegisteredModel { name versionCount } } }",
        {"p": t.project_path, "m": t.model_name, "id": gid("RegisteredModel", t.model_id)},
    )
    if data is None:
        return outcome
    return found(data["project"] and data["project"]["model"], data["node"])


async def read_version(call: Call, t: Target) -> Outcome:
    outcome, data = await query(
        call,
        "query($id: ID!) { node(id: $id) { ... on ModelVersion { version stage tags { key }"
        " aliases comments { body } transitionRequests { status } model { name } } } }",
        {"id": gid("ModelVersion", t.version_id)},
    )
    return outcome if data is None else found(data["node"])


async def read_files(call: Call, t: Target) -> Outcome:
    outcome, data = await query(
        call,
        "query($id: ID!) { node(id: $id) { ... on ModelVersion { files { path } fileCount } } }",
        {"id": gid("ModelVersion", t.version_id)},
    )
    if data is None:
        return outcome
    node = data["node"]
    return found(node and node["files"] == [{"path": "old.bin"}])


async def read_activity(call: Call, t: Target) -> Outcome:
    outcome, data = await query(
        call,
        "query($p: String!, $id: ID!) { project(path: $p) { activity(first: 5) "
        "{ edges { node { type } } } } node(id: $id) { ... on RegisteredModel "
        "{ activity(first: 5) { edges { node { type } } } } } }",
        {"p": t.project_path, "id": gid("RegisteredModel", t.model_id)},
    )
    if data is None:
        return outcome
    return found(
        data["project"] and data["project"]["activity"]["edges"],
        data["node"] and data["node"]["activity"]["edges"],
    )


async def subscribe_model_events(call: Call, t: Target) -> Outcome:
    return await subscribe_first(
        call.app,
        call.principal,
        "subscription($p: String!, $m: String!, $after: ID) {"
        " modelEvents(projectPath: $p, modelName: $m, after: $after) { id type } }",
        {"p": t.project_path, "m": t.model_name, "after": gid("Event", 0)},
    )


# The data each write changes


Check = Callable[[AsyncSession, Target], Awaitable[bool]]


async def _one(session: AsyncSession, statement: Any) -> Any:
    return (await session.exec(statement)).first()


def column_is(table: Any, key: str, column: str, value: Any) -> Check:
    async def check(session: AsyncSession, t: Target) -> bool:
        pk = getattr(t, key)
        return await _one(session, select(getattr(table, column)).where(table.id == pk)) == value

    return check


def gone(table: Any, key: str) -> Check:
    async def check(session: AsyncSession, t: Target) -> bool:
        return await _one(session, select(table.id).where(table.id == getattr(t, key))) is None

    return check


def tag(table: Any, key: str, present: bool) -> Check:
    owner = col(ModelTag.model_id) if table is ModelTag else col(VersionTag.version_id)

    async def check(session: AsyncSession, t: Target) -> bool:
        value = await _one(
            session,
            select(table.value).where(owner == getattr(t, key), col(table.key) == "team"),
        )
        return value == "edited" if present else value is None

    return check


async def model_created(session: AsyncSession, t: Target) -> bool:
    statement = select(RegisteredModel.id).where(
        RegisteredModel.project_id == t.project_id, RegisteredModel.name == f"new-{t.sfx}"
    )
    return await _one(session, statement) is not None


async def version_created(session: AsyncSession, t: Target) -> bool:
    statement = select(ModelVersion.id).where(
        ModelVersion.model_id == t.model_id, ModelVersion.version == "2.0.0"
    )
    return await _one(session, statement) is not None


def artifact(path: str, present: bool) -> Check:
    async def check(session: AsyncSession, t: Target) -> bool:
        statement = select(Artifact.id).where(
            Artifact.version_id == t.version_id, Artifact.path == path
        )
        return (await _one(session, statement) is not None) == present

    return check


async def comment_added(session: AsyncSession, t: Target) -> bool:
    statement = select(Comment.id).where(Comment.version_id == t.version_id)
    return await _one(session, statement) is not None


async def deployment_recorded(session: AsyncSession, t: Target) -> bool:
    statement = select(Deployment.id).where(Deployment.version_id == t.version_id)
    return await _one(session, statement) is not None


async def transition_requested(session: AsyncSession, t: Target) -> bool:
    statement = select(TransitionRequest.id).where(TransitionRequest.version_id == t.version_id)
    return await _one(session, statement) is not None


def request_resolved(status: RequestStatus, stage: Stage) -> Check:
    async def check(session: AsyncSession, t: Target) -> bool:
        resolved = await _one(
            session, select(TransitionRequest.status).where(TransitionRequest.id == t.request_id)
        )
        now = await _one(session, select(ModelVersion.stage).where(ModelVersion.id == t.version_id))
        return bool(resolved == status and now == stage)

    return check


def alias(present: bool) -> Check:
    async def check(session: AsyncSession, t: Target) -> bool:
        statement = select(ModelAlias.id).where(
            ModelAlias.model_id == t.model_id, ModelAlias.alias == "champion"
        )
        return (await _one(session, statement) is not None) == present

    return check


def membership(role: Role | None) -> Check:
    async def check(session: AsyncSession, t: Target) -> bool:
        statement = select(Membership.role).where(
            Membership.project_id == t.project_id, Membership.user_id == t.user_id
        )
        return bool(await _one(session, statement) == role)

    return check


# ------------------------------------------------------------------------ the operations


Run = Callable[[Call, Target], Awaitable[Outcome]]


@dataclass(frozen=True)
class Operation:
    needs: Needs
    run: Run
    changed: Check | None  # None: a read (it must change nothing)
    # Whether the request names the project by its path (so a NOT_FOUND may repeat it).
    names_path: bool = False
    # A read that needs a role and a token of the api scope, as a write does (an export).
    guarded: bool = False


def _m(name: str, build: Callable[[Target], dict[str, Any]]) -> Run:
    async def run(call: Call, t: Target) -> Outcome:
        return await mutate(call, name, build(t))

    return run


def _rest(method: str, path: str | None) -> Run:
    async def run(call: Call, t: Target) -> Outcome:
        # Different bytes for every upload: cells run side by side, and on PostgreSQL identical
        # contents uploaded at the same moment race to insert one blob row (a 500 today).
        content = f"new bytes of {t.sfx}".encode() if method == "PUT" else None
        return await rest(call, method, _url(t, path), content)

    return run


def _pid(t: Target) -> str:
    return gid("Project", t.project_id)


def _mid(t: Target) -> str:
    return gid("RegisteredModel", t.model_id)


def _vid(t: Target) -> str:
    return gid("ModelVersion", t.version_id)


def _rid(t: Target) -> str:
    return gid("TransitionRequest", t.request_id)


BASE = Needs(base=True)
MODEL = Needs(model=True)
VERSION = Needs(version=Stage.NONE)
EDITED = [{"key": "team", "value": "edited"}]
OTHER_VISIBILITY = {PRIVATE: "PUBLIC", INTERNAL: "PRIVATE", PUBLIC: "INTERNAL"}


async def _change_visibility(call: Call, t: Target) -> Outcome:
    return await mutate(
        call, "updateProject", {"id": _pid(t), "visibility": t.extra["to_visibility"]}
    )


async def _visibility_changed(session: AsyncSession, t: Target) -> bool:
    now = await _one(session, select(Project.visibility).where(Project.id == t.project_id))
    return bool(now == Visibility(t.extra["to_visibility"]))


async def _guard_enforced(session: AsyncSession, t: Target) -> bool:
    now = await _one(session, select(Project.semver_guard).where(Project.id == t.project_id))
    return bool(now == SemverGuard.ENFORCE)


async def _renamed(session: AsyncSession, t: Target) -> bool:
    path = await _one(session, select(Project.path).where(Project.id == t.project_id))
    return bool(path == f"renamed-{t.sfx}")


OPERATIONS: dict[str, Operation] = {
    "read_project": Operation(BASE, read_project, None, names_path=True),
    "list_projects": Operation(BASE, list_projects, None, names_path=True),
    "read_model": Operation(BASE, read_model, None, names_path=True),
    "read_version": Operation(BASE, read_version, None),
    "read_files": Operation(BASE, read_files, None),
    "download_file": Operation(BASE, _rest("GET", "old.bin"), None, names_path=True),
    "head_file": Operation(BASE, _rest("HEAD", "old.bin"), None, names_path=True),
    "download_zip": Operation(BASE, _rest("GET", None), None, names_path=True),
    "export_project": Operation(BASE, export_project, None, names_path=True, guarded=True),
    "read_activity": Operation(BASE, read_activity, None, names_path=True),
    "subscribe_model_events": Operation(BASE, subscribe_model_events, None, names_path=True),
    "create_model": Operation(
        Needs(),
        _m("createModel", lambda t: {"projectId": _pid(t), "name": f"new-{t.sfx}"}),
        model_created,
    ),
    "update_model": Operation(
        MODEL,
        _m("updateModel", lambda t: {"id": _mid(t), "description": "edited"}),
        column_is(RegisteredModel, "model_id", "description", "edited"),
    ),
    "delete_model": Operation(
        MODEL, _m("deleteModel", lambda t: {"id": _mid(t)}), gone(RegisteredModel, "model_id")
    ),
    "set_model_tags": Operation(
        Needs(model=True, tags=True),
        _m("setModelTags", lambda t: {"id": _mid(t), "tags": EDITED}),
        tag(ModelTag, "model_id", present=True),
    ),
    "delete_model_tags": Operation(
        Needs(model=True, tags=True),
        _m("deleteModelTags", lambda t: {"id": _mid(t), "keys": ["team"]}),
        tag(ModelTag, "model_id", present=False),
    ),
    "create_version": Operation(
        MODEL,
        _m("createVersion", lambda t: {"modelId": _mid(t), "version": "2.0.0"}),
        version_created,
    ),
    "update_version": Operation(
        VERSION,
        _m("updateVersion", lambda t: {"id": _vid(t), "description": "edited"}),
        column_is(ModelVersion, "version_id", "description", "edited"),
    ),
    "delete_version": Operation(
        VERSION, _m("deleteVersion", lambda t: {"id": _vid(t)}), gone(ModelVersion, "version_id")
    ),
    "set_version_tags": Operation(
        Needs(version=Stage.NONE, tags=True),
        _m("setVersionTags", lambda t: {"id": _vid(t), "tags": EDITED}),
        tag(VersionTag, "version_id", present=True),
    ),
    "delete_version_tags": Operation(
        Needs(version=Stage.NONE, tags=True),
        _m("deleteVersionTags", lambda t: {"id": _vid(t), "keys": ["team"]}),
        tag(VersionTag, "version_id", present=False),
    ),
    "upload_file": Operation(
        VERSION, _rest("PUT", "new.bin"), artifact("new.bin", True), names_path=True
    ),
    "delete_file": Operation(
        Needs(version=Stage.NONE, files=True),
        _rest("DELETE", "old.bin"),
        artifact("old.bin", False),
        names_path=True,
    ),
    "delete_files": Operation(
        Needs(version=Stage.NONE, files=True),
        _m("deleteFiles", lambda t: {"versionId": _vid(t), "paths": ["old.bin"]}),
        artifact("old.bin", False),
    ),
    "add_comment": Operation(
        VERSION, _m("addComment", lambda t: {"versionId": _vid(t), "body": "hi"}), comment_added
    ),
    "record_deployment": Operation(
        VERSION,
        _m(
            "recordDeployment",
            lambda t: {
                "versionId": _vid(t),
                "state": "STARTED",
                "endpoint": "http://127.0.0.1:5001",
                "reference": "p/m@champion",
                "instance": "0" * 32,
            },
        ),
        deployment_recorded,
    ),
    "request_transition": Operation(
        VERSION,
        _m("requestTransition", lambda t: {"versionId": _vid(t), "stage": "STAGING"}),
        transition_requested,
    ),
    "transition_none_to_staging": Operation(
        VERSION,
        _m("transitionStage", lambda t: {"versionId": _vid(t), "stage": "STAGING"}),
        column_is(ModelVersion, "version_id", "stage", Stage.STAGING),
    ),
    "transition_staging_to_production": Operation(
        Needs(version=Stage.STAGING),
        _m("transitionStage", lambda t: {"versionId": _vid(t), "stage": "PRODUCTION"}),
        column_is(ModelVersion, "version_id", "stage", Stage.PRODUCTION),
    ),
    "approve_staging_request": Operation(
        Needs(version=Stage.NONE, request=Stage.STAGING),
        _m("approveTransitionRequest", lambda t: {"id": _rid(t)}),
        request_resolved(RequestStatus.APPROVED, Stage.STAGING),
    ),
    "reject_staging_request": Operation(
        Needs(version=Stage.NONE, request=Stage.STAGING),
        _m("rejectTransitionRequest", lambda t: {"id": _rid(t)}),
        request_resolved(RequestStatus.REJECTED, Stage.NONE),
    ),
    "approve_production_request": Operation(
        Needs(version=Stage.STAGING, request=Stage.PRODUCTION),
        _m("approveTransitionRequest", lambda t: {"id": _rid(t)}),
        request_resolved(RequestStatus.APPROVED, Stage.PRODUCTION),
    ),
    "set_alias": Operation(
        VERSION,
        _m("setAlias", lambda t: {"versionId": _vid(t), "alias": "champion"}),
        alias(present=True),
    ),
    "delete_alias": Operation(
        Needs(version=Stage.NONE, alias=True),
        _m("deleteAlias", lambda t: {"modelId": _mid(t), "alias": "champion"}),
        alias(present=False),
    ),
    "edit_version_in_staging": Operation(
        Needs(version=Stage.STAGING),
        _m("updateVersion", lambda t: {"id": _vid(t), "description": "edited"}),
        column_is(ModelVersion, "version_id", "description", "edited"),
    ),
    "edit_version_in_production": Operation(
        Needs(version=Stage.PRODUCTION),
        _m("updateVersion", lambda t: {"id": _vid(t), "description": "edited"}),
        column_is(ModelVersion, "version_id", "description", "edited"),
    ),
    "upload_file_in_production": Operation(
        Needs(version=Stage.PRODUCTION),
        _rest("PUT", "new.bin"),
        artifact("new.bin", True),
        names_path=True,
    ),
    "delete_file_in_production": Operation(
        Needs(version=Stage.PRODUCTION, files=True),
        _rest("DELETE", "old.bin"),
        artifact("old.bin", False),
        names_path=True,
    ),
    "add_member": Operation(
        Needs(user=True),
        _m(
            "addProjectMember",
            lambda t: {"projectId": _pid(t), "username": t.username, "role": "REPORTER"},
        ),
        membership(Role.REPORTER),
    ),
    "change_member_role": Operation(
        Needs(member=True),
        _m(
            "updateProjectMember",
            lambda t: {"projectId": _pid(t), "username": t.username, "role": "REPORTER"},
        ),
        membership(Role.REPORTER),
    ),
    "remove_member": Operation(
        Needs(member=True),
        _m("removeProjectMember", lambda t: {"projectId": _pid(t), "username": t.username}),
        membership(None),
    ),
    "change_visibility": Operation(Needs(project=True), _change_visibility, _visibility_changed),
    "set_semver_guard": Operation(
        Needs(project=True),
        _m("updateProject", lambda t: {"id": _pid(t), "semverGuard": "ENFORCE"}),
        _guard_enforced,
    ),
    "rename_project": Operation(
        Needs(project=True),
        _m("updateProject", lambda t: {"id": _pid(t), "path": f"renamed-{t.sfx}"}),
        _renamed,
    ),
    "delete_project": Operation(
        Needs(project=True),
        _m("deleteProject", lambda t: {"id": _pid(t)}),
        gone(Project, "project_id"),
    ),
}


# ------------------------------------------------------------------------ the test

CONCURRENCY = 6  # requests in flight at once

# Where each principal is tried. Members and the edge cases of tokens are the same whatever the
# visibility, so they are tried where they matter most; outsiders and anonymous callers, whose
# answers depend on the visibility, everywhere.
CELLS: dict[Visibility, tuple[str, ...]] = {
    PRIVATE: PRINCIPALS,
    INTERNAL: ("GUEST", "OUTSIDER", "ANONYMOUS"),
    PUBLIC: ("GUEST", "REPORTER", "DEVELOPER", "MAINTAINER", "OWNER", "OUTSIDER", "ANONYMOUS"),
}

# The operations in groups, one test each (the world is built once per test).
GROUPS: dict[str, tuple[str, ...]] = {
    "reads": (
        "read_project",
        "list_projects",
        "read_model",
        "read_version",
        "read_files",
        "download_file",
        "head_file",
        "download_zip",
        "export_project",
        "read_activity",
        "subscribe_model_events",
    ),
    "models": (
        "create_model",
        "update_model",
        "delete_model",
        "set_model_tags",
        "delete_model_tags",
    ),
    "versions": (
        "create_version",
        "update_version",
        "delete_version",
        "set_version_tags",
        "delete_version_tags",
        "add_comment",
        "record_deployment",
    ),
    "files": (
        "upload_file",
        "delete_file",
        "delete_files",
        "upload_file_in_production",
        "delete_file_in_production",
    ),
    "stages": (
        "request_transition",
        "transition_none_to_staging",
        "transition_staging_to_production",
        "approve_staging_request",
        "reject_staging_request",
        "approve_production_request",
        "set_alias",
        "delete_alias",
        "edit_version_in_staging",
        "edit_version_in_production",
    ),
    "project": (
        "add_member",
        "change_member_role",
        "remove_member",
        "change_visibility",
        "set_semver_guard",
        "rename_project",
        "delete_project",
    ),
}


@dataclass(frozen=True)
class KnownBug:
    reason: str
    cells: tuple[tuple[str, Visibility, str], ...]  # (operation, visibility, principal)


# Policy bugs not fixed yet: their cells are left out of the matrix and tested by
# `test_known_policy_bug`, expected to fail (strict: a fix makes it pass, which fails the run
# until the entry is removed here).
KNOWN_BUGS: dict[str, KnownBug] = {}
KNOWN_CELLS = {cell for bug in KNOWN_BUGS.values() for cell in bug.cells}


@dataclass
class Cell:
    operation: str
    visibility: Visibility
    principal: str
    target: Target
    expect: Expect
    outcome: Outcome | None = None
    events: int = 0
    changed: bool | None = None


async def build_world(
    db: Database, app: Starlette, accounts: Accounts
) -> tuple[World, dict[Visibility, Project]]:
    world = await World.build(db, app.state.storage, accounts)
    projects: dict[Visibility, Project] = {}
    async with db.begin() as session:
        for visibility in VISIBILITIES:
            project = await world.project(session, f"{visibility.value.lower()}-vault", visibility)
            model = await world.model(session, project, BASE_MODEL, tags=[("team", "base")])
            await world.version(
                session, model, "1.0.0", files=("old.bin",), tags=[("team", "base")]
            )
            projects[visibility] = project
    return world, projects


def _judge(cell: Cell) -> str | None:
    """What is wrong with a cell, or None."""
    operation = OPERATIONS[cell.operation]
    outcome, expect = cell.outcome, cell.expect
    assert outcome is not None
    problems = []
    if outcome.code != expect.code:
        problems.append(f"answered {outcome}")
    elif cell.principal in ("EXPIRED", "REVOKED") and outcome.status not in (None, 401):
        problems.append(f"refused the bad token with HTTP {outcome.status}, not 401")
    elif expect.role is not None and f"{expect.role.name} role" not in outcome.message:
        problems.append(f"the message does not name the {expect.role.name} role: {outcome}")
    elif expect.scope and "read_api" not in outcome.message:
        problems.append(f"the message does not explain the token's scope: {outcome}")
    if (
        outcome.code == "NOT_FOUND"
        and not operation.names_path
        and cell.target.project_path in outcome.message
    ):
        problems.append(f"the NOT_FOUND reveals the hidden project's path: {outcome}")
    writes = operation.changed is not None
    if expect == A and writes:
        if not cell.changed:
            problems.append("the data did not change")
        if cell.events == 0:
            problems.append("no event was recorded")
    elif cell.events or cell.changed:
        problems.append(f"changed data (events recorded: {cell.events}, changed: {cell.changed})")
    if not problems:
        return None
    return (
        f"{cell.operation:34} {cell.visibility.value:8} {cell.principal:10} expected {expect}: "
        + "; ".join(problems)
    )


async def run_cells(
    db: Database,
    app: Starlette,
    accounts: Accounts,
    http: httpx.AsyncClient,
    wanted: list[tuple[str, Visibility, str]],
) -> list[str]:
    """Build the world, prepare and send every wanted cell; what is wrong with each."""
    world, projects = await build_world(db, app, accounts)
    cells: list[Cell] = []
    async with db.begin() as session:
        for name, visibility, principal in wanted:
            sfx = f"{name}-{visibility.value[:3]}-{principal}".lower().replace("_", "-")
            target = await prepare(
                world, session, projects[visibility], sfx, OPERATIONS[name].needs
            )
            target.extra["to_visibility"] = OTHER_VISIBILITY[visibility]
            expect = expected(name, principal, visibility)
            cells.append(Cell(name, visibility, principal, target, expect))
    first_event = await last_event_id(db)
    # Cells act on their own targets, so they may run side by side (what each wrote is told
    # apart by its subject, not by when it happened).
    slots = asyncio.Semaphore(CONCURRENCY)

    async def send(cell: Cell) -> None:
        async with slots:
            call = Call(http, app, world.principals[cell.principal])
            cell.outcome = await OPERATIONS[cell.operation].run(call, cell.target)

    await asyncio.gather(*(send(cell) for cell in cells))
    unexplained = []
    async with db.read() as session:
        events = list(await session.exec(select(Event).where(col(Event.id) > first_event)))
        for event in events:
            owners = [cell for cell in cells if cell.target.owns(event)]
            for cell in owners:
                cell.events += 1
            if len(owners) != 1:
                unexplained.append(
                    f"event {event.type} {event.payload} belongs to {len(owners)} cells"
                )
        for cell in cells:
            check = OPERATIONS[cell.operation].changed
            if check is not None:
                cell.changed = await check(session, cell.target)
    return unexplained + [problem for cell in cells if (problem := _judge(cell))]


def test_every_operation_has_a_row_and_a_group() -> None:
    assert set(MEMBERS) == set(OPERATIONS)
    grouped = [name for names in GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(OPERATIONS)
    assert set(OTHERS) | set(ROLE_COLUMNS) == set(PRINCIPALS)
    for name, visibility, principal in KNOWN_CELLS:
        assert name in OPERATIONS and principal in CELLS[visibility]


@pytest.mark.parametrize("group", list(GROUPS))
async def test_permissions(
    group: str,
    db: Database,
    app: Starlette,
    accounts: Accounts,
    anon_http: httpx.AsyncClient,
) -> None:
    wanted = [
        (name, visibility, principal)
        for name in GROUPS[group]
        for visibility, principals in CELLS.items()
        for principal in principals
        if (name, visibility, principal) not in KNOWN_CELLS
    ]
    wrong = await run_cells(db, app, accounts, anon_http, wanted)
    assert not wrong, f"{len(wrong)} of {len(wanted)} cells wrong:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    "bug",
    [
        pytest.param(bug, marks=pytest.mark.xfail(strict=True, reason=known.reason))
        for bug, known in KNOWN_BUGS.items()
    ]
    or [pytest.param("", marks=pytest.mark.skip(reason="no known policy bug"))],
)
async def test_known_policy_bug(
    bug: str,
    db: Database,
    app: Starlette,
    accounts: Accounts,
    anon_http: httpx.AsyncClient,
) -> None:
    wrong = await run_cells(db, app, accounts, anon_http, list(KNOWN_BUGS[bug].cells))
    assert not wrong, "\n".join(wrong)


async def test_creating_a_project_needs_an_account_that_may_write(
    db: Database, app: Starlette, accounts: Accounts, anon_http: httpx.AsyncClient
) -> None:
    world = await World.build(db, app.state.storage, accounts)
    table = {
        "GUEST": A,
        "OUTSIDER": A,
        "ADMIN": A,
        "ANONYMOUS": SIGN_IN,
        "READ_API": SCOPE,
        "EXPIRED": SIGN_IN,
        "REVOKED": SIGN_IN,
    }
    for principal, expect in table.items():
        path = f"made-by-{principal.lower().replace('_', '-')}"
        call = Call(anon_http, app, world.principals[principal])
        outcome = await mutate(call, "createProject", {"path": path})
        assert outcome.code == expect.code, (principal, outcome)
        async with db.read() as session:
            made = await _one(session, select(Project.id).where(Project.path == path))
        assert (made is not None) == (expect == A), principal
