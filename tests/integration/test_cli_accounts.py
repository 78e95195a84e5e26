"""`modelreg user|token|member|project` and the first admin of `modelreg serve`.

The commands run for real (`python -m modelreg`) against a migrated database of each engine;
what they did is checked through the services and GraphQL, as a user of the registry would.
"""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from modelreg.db import Database
from modelreg.db.models import PersonalAccessToken
from modelreg.db.types import utcnow
from modelreg.domain.actor import SYSTEM, Actor, Scope
from modelreg.domain.policy import Role, Visibility
from modelreg.errors import Unauthenticated
from modelreg.services import access, authentication, signin
from modelreg.services import accounts as account_service
from modelreg.services.projects import find_project_by_path
from tests.support.accounts import Accounts
from tests.support.graphql import GraphQLClient
from tests.support.server import run_modelreg, running_server

ADMIN_PASSWORD = "an admin password for tests"
CREATE_PROJECT = """
mutation($path: String!) { createProject(input: {path: $path}) {
  project { path } errors { code message } } }"""
VIEWER_ROLE = "query($path: String!) { project(path: $path) { viewerRole } }"
LOGIN = """
mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
  user { username isAdmin } errors { code message } } }"""


class Cli:
    """`modelreg ...` against one database, as the operator on the server's machine."""

    def __init__(self, database_url: str, cwd: Path) -> None:
        self.database_url = database_url
        self.cwd = cwd

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        result = run_modelreg(*args, "--database-url", self.database_url, cwd=self.cwd, stdin=stdin)
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
        return result

    def ok(self, *args: str, stdin: str | None = None) -> str:
        """Standard output of a command that must succeed."""
        result = self(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def fails(self, *args: str, stdin: str | None = None, exit_code: int = 1) -> str:
        """The one-line error of a command that must fail."""
        result = self(*args, stdin=stdin)
        assert result.returncode == exit_code, (result.stdout, result.stderr)
        assert result.stdout == ""
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 1, result.stderr
        return errors[0].removeprefix("Error: ")


@pytest.fixture
def cli(db: Database, database_url: str, tmp_path: Path) -> Cli:
    """Depends on `db`, which empties a shared PostgreSQL database after the test."""
    return Cli(database_url, tmp_path)


def _secret_line(stdout: str) -> str:
    """Standard output holds the secret alone, on one line."""
    lines = stdout.splitlines()
    assert len(lines) == 1, stdout
    return lines[0]


async def _signs_in(db: Database, username: str, password: str) -> bool:
    try:
        await signin.sign_in(db, username=username, password=password, address="cli-test")
    except Unauthenticated:
        return False
    return True


async def _token_actor(db: Database, secret: str) -> Actor:
    return await authentication.authenticate_token(db, secret=secret)


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# --------------------------------------------------------------------------------------------
# users


async def test_user_create_prints_a_password_once_that_signs_in(db: Database, cli: Cli) -> None:
    out = cli("user", "create", "Alice", "--display-name", "Alice Liddell")
    assert out.returncode == 0, out.stderr
    password = _secret_line(out.stdout)
    assert len(password) >= 12
    assert "created the user 'alice'" in out.stderr
    assert "shown only now" in out.stderr
    assert password not in out.stderr
    assert await _signs_in(db, "alice", password)
    assert not await _signs_in(db, "alice", password + "x")

    given = cli(
        "user", "create", "root", "--admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n"
    )
    assert given.returncode == 0, given.stderr
    assert given.stdout == ""  # the operator chose it: nothing to show
    assert "created the instance admin 'root'" in given.stderr
    assert await _signs_in(db, "root", ADMIN_PASSWORD)

    async with db.read() as session:
        alice = await account_service.get_user(session, username="alice")
        root = await account_service.get_user(session, username="root")
    assert (alice.display_name, alice.is_admin) == ("Alice Liddell", False)
    assert root.is_admin

    listed = cli.ok("user", "list").splitlines()
    assert listed[0].split() == ["USERNAME", "ADMIN", "DISPLAY", "NAME", "CREATED"]
    assert [line.split()[:2] for line in listed[1:]] == [["alice", "no"], ["root", "yes"]]
    assert "Alice Liddell" in listed[1]
    assert password not in "\n".join(listed)


async def test_reset_password_replaces_the_old_one_and_signs_out(db: Database, cli: Cli) -> None:
    cli.ok("user", "create", "bob", "--password-stdin", stdin="bob's first password")
    signed_in = await signin.sign_in(
        db, username="bob", password="bob's first password", address="cli-test"
    )

    out = cli("user", "reset-password", "Bob")
    assert out.returncode == 0, out.stderr
    new_password = _secret_line(out.stdout)
    assert "changed the password of 'bob' and signed them out" in out.stderr
    assert not await _signs_in(db, "bob", "bob's first password")
    assert await _signs_in(db, "bob", new_password)
    async with db.read() as session:  # the browser session from before the reset is over
        assert (
            await account_service.resolve_session(session, session_secret=signed_in.session_secret)
            is None
        )

    assert (
        cli.ok("user", "reset-password", "bob", "--password-stdin", stdin="bob's third one") == ""
    )
    assert not await _signs_in(db, "bob", new_password)
    assert await _signs_in(db, "bob", "bob's third one")


async def test_bad_user_input_is_one_clear_line(db: Database, cli: Cli) -> None:
    cli.ok("user", "create", "carol", "--password-stdin", stdin="carol's password")
    assert cli.fails("user", "create", "Carol") == (
        "could not create the user 'Carol': A user called 'carol' already exists."
    )
    weak = cli.fails("user", "create", "dave", "--password-stdin", stdin="short\n")
    assert "Password must be at least 12 characters long" in weak
    assert "Username may use letters" in cli.fails("user", "create", "no spaces")
    assert "reserved" in cli.fails("user", "create", "system")
    assert cli.fails("user", "reset-password", "nobody") == (
        "could not reset the password of 'nobody': No user is called 'nobody'."
    )
    short = cli.fails("user", "reset-password", "carol", "--password-stdin", stdin="tiny")
    assert "at least 12 characters" in short
    async with db.read() as session:
        assert [u.username for u in await account_service.list_users(session, actor=SYSTEM)] == [
            "carol"
        ]
    assert await _signs_in(db, "carol", "carol's password")  # the failed reset changed nothing


# --------------------------------------------------------------------------------------------
# tokens


async def test_token_create_prints_only_a_token_with_the_chosen_scope(
    db: Database, cli: Cli, accounts: Accounts, gql: GraphQLClient
) -> None:
    await accounts.user("erin")
    out = cli("token", "create", "--user", "Erin", "--name", "ci")
    assert out.returncode == 0, out.stderr
    writer = _secret_line(out.stdout)
    assert writer.startswith("mrt_")
    assert "created the token 'ci'" in out.stderr and "scope api," in out.stderr
    actor = await _token_actor(db, writer)
    assert (actor.name, actor.scopes) == ("erin", frozenset({Scope.API}))

    created = cli.ok(
        "token", "create", "--user", "erin", "--name", "dashboards",
        "--scope", "READ_API", "--expires-in-days", "7",
    )  # fmt: skip
    reader = _secret_line(created)
    actor = await _token_actor(db, reader)
    assert actor.scopes == frozenset({Scope.READ_API})
    async with db.read() as session:
        stored = (
            await session.exec(
                select(PersonalAccessToken).where(PersonalAccessToken.name == "dashboards")
            )
        ).one()
    assert stored.expires_at is not None
    assert abs(stored.expires_at - (utcnow() + timedelta(days=7))) < timedelta(minutes=5)

    # What the tokens may do, through the served API.
    as_reader = gql.with_headers(_bearer(reader))
    denied = (await as_reader.execute(CREATE_PROJECT, {"path": "by-reader"}))["createProject"]
    assert [e["code"] for e in denied["errors"]] == ["PERMISSION_DENIED"]
    assert "read_api" in denied["errors"][0]["message"]
    as_writer = gql.with_headers(_bearer(writer))
    made = (await as_writer.execute(CREATE_PROJECT, {"path": "by-writer"}))["createProject"]
    assert made == {"project": {"path": "by-writer"}, "errors": []}

    listed = cli.ok("token", "list", "--user", "erin").splitlines()
    assert listed[0].split()[:4] == ["ID", "NAME", "STARTS", "WITH"]
    rows = {line.split()[1]: line.split() for line in listed[1:]}
    assert set(rows) == {"ci", "dashboards"}
    assert rows["ci"][3:5] == ["api", "active"]
    assert rows["dashboards"][3:5] == ["read_api", "active"]
    assert writer not in "\n".join(listed) and reader not in "\n".join(listed)

    revoked = cli("token", "revoke", rows["ci"][0])
    assert revoked.returncode == 0, revoked.stderr
    assert f"revoked the token {rows['ci'][0]} ('ci')" in revoked.stderr
    with pytest.raises(Unauthenticated, match="revoked"):
        await _token_actor(db, writer)
    refused = await as_writer.raw(CREATE_PROJECT, {"path": "after-revoke"})
    assert refused.status_code == 401
    assert "revoked" in cli.ok("token", "list", "--user", "erin")


async def test_bad_token_input_is_one_clear_line(
    db: Database, cli: Cli, accounts: Accounts
) -> None:
    await accounts.user("frank")
    assert cli.fails("token", "create", "--user", "nobody", "--name", "ci") == (
        "could not create a token for 'nobody': No user is called 'nobody'."
    )
    assert "Give the token a name" in cli.fails("token", "create", "--user", "frank", "--name", " ")
    assert cli.fails("token", "revoke", "999") == (
        "could not revoke the token 999: No token has the id 999."
    )
    assert "No user is called 'nobody'" in cli.fails("token", "list", "--user", "nobody")
    async with db.read() as session:
        assert (await session.exec(select(PersonalAccessToken))).all() == []


# --------------------------------------------------------------------------------------------
# members and projects


async def _role(db: Database, username: str, path: str) -> Role | None:
    async with db.read() as session:
        user = await account_service.get_user(session, username=username)
        project = await find_project_by_path(session, path=path)
        assert project is not None and project.id is not None and user.id is not None
        return await access.role_in(session, Actor(name=username, user_id=user.id), project.id)


async def test_member_commands_give_and_take_roles(
    db: Database, cli: Cli, accounts: Accounts, gql: GraphQLClient
) -> None:
    await accounts.user("grace")
    await accounts.user("heidi")
    made = cli("project", "create", "fraud", "--owner", "Grace", "--name", "Fraud detection")
    assert made.returncode == 0, made.stderr
    assert "created the private project 'fraud' owned by 'grace'" in made.stderr
    async with db.read() as session:
        project = await find_project_by_path(session, path="fraud")
    assert project is not None
    assert (project.name, project.visibility) == ("Fraud detection", Visibility.PRIVATE)
    assert await _role(db, "grace", "fraud") == Role.OWNER

    as_heidi = gql.as_actor("heidi", admin=False)
    assert (await as_heidi.execute(VIEWER_ROLE, {"path": "fraud"}))["project"] is None

    added = cli("member", "add", "fraud", "Heidi", "Developer")
    assert added.returncode == 0, added.stderr
    assert "'heidi' now has the DEVELOPER role in 'fraud'" in added.stderr
    assert await _role(db, "heidi", "fraud") == Role.DEVELOPER
    seen = await as_heidi.execute(VIEWER_ROLE, {"path": "fraud"})
    assert seen == {"project": {"viewerRole": "DEVELOPER"}}

    cli.ok("member", "set", "fraud", "heidi", "MAINTAINER")
    assert await _role(db, "heidi", "fraud") == Role.MAINTAINER
    listed = cli.ok("member", "list", "fraud").splitlines()
    assert [line.split()[:2] for line in listed[1:]] == [
        ["grace", "OWNER"],
        ["heidi", "MAINTAINER"],
    ]

    cli.ok("member", "remove", "fraud", "heidi")
    assert await _role(db, "heidi", "fraud") is None
    assert (await as_heidi.execute(VIEWER_ROLE, {"path": "fraud"}))["project"] is None

    cli.ok("project", "create", "open", "--visibility", "PUBLIC")
    async with db.read() as session:
        public = await find_project_by_path(session, path="open")
    assert public is not None and public.visibility == Visibility.PUBLIC
    assert cli.ok("member", "list", "open") == ""


async def test_bad_member_input_is_one_clear_line(
    db: Database, cli: Cli, accounts: Accounts
) -> None:
    await accounts.user("ivan")
    await accounts.user("judy")
    cli.ok("project", "create", "fraud", "--owner", "ivan")
    assert cli.fails("member", "add", "fraud", "nobody", "guest") == (
        "could not add 'nobody' to 'fraud': No user is called 'nobody'."
    )
    assert cli.fails("member", "add", "nowhere", "judy", "guest") == (
        "could not add 'judy' to 'nowhere': No project has the path 'nowhere'."
    )
    assert "already a member of 'fraud' as OWNER" in cli.fails(
        "member", "add", "fraud", "ivan", "guest"
    )
    assert "'judy' is not a member of project 'fraud'" in cli.fails(
        "member", "set", "fraud", "judy", "guest"
    )
    assert "must keep at least one owner" in cli.fails("member", "remove", "fraud", "ivan")
    assert "must keep at least one owner" in cli.fails("member", "set", "fraud", "ivan", "guest")
    assert "already exists" in cli.fails("project", "create", "fraud")
    # A failed `project create --owner` leaves no project behind (one transaction).
    assert "No user is called 'nobody'" in cli.fails(
        "project", "create", "orphan", "--owner", "nobody"
    )
    async with db.read() as session:
        assert await find_project_by_path(session, path="orphan") is None
    assert await _role(db, "ivan", "fraud") == Role.OWNER
    assert await _role(db, "judy", "fraud") is None


# --------------------------------------------------------------------------------------------
# the database itself


@pytest.mark.parametrize(
    ("args", "stdin", "exit_code", "message"),
    [
        (
            ["member", "add", "fraud", "judy", "boss"],
            None,
            2,
            "Invalid value for 'ROLE': 'boss' is not one of "
            "'guest', 'reporter', 'developer', 'maintainer', 'owner'.",
        ),
        (
            ["token", "create", "--user", "frank", "--name", "x", "--scope", "admin"],
            None,
            2,
            "Invalid value for '--scope': 'admin' is not one of 'api', 'read_api'.",
        ),
        (
            ["token", "create", "--user", "frank", "--name", "x", "--expires-in-days", "0"],
            None,
            2,
            "Invalid value for '--expires-in-days': 0 is not in the range x>=1.",
        ),
        (
            ["user", "create", "dave", "--password-stdin"],
            "",
            1,
            "--password-stdin: standard input is empty; pipe the password in, for example "
            "'printf %s \"$PASSWORD\" | modelreg user create ...'.",
        ),
        (
            ["user", "reset-password", "dave", "--password-stdin"],
            "first line is long\nsecond\n",
            1,
            "--password-stdin: standard input holds more than one line; give the password alone.",
        ),
    ],
)
def test_malformed_input_is_refused_before_the_database_is_touched(
    tmp_path: Path, args: list[str], stdin: str | None, exit_code: int, message: str
) -> None:
    result = run_modelreg(*args, "--data-dir", "data", cwd=tmp_path, stdin=stdin)
    assert result.returncode == exit_code
    assert f"Error: {message}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()


def test_a_missing_or_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    missing = run_modelreg("user", "list", "--data-dir", "nowhere", cwd=tmp_path)
    assert missing.returncode == 1
    assert "Error: there is no registry database at nowhere/registry.db" in missing.stderr
    assert not (tmp_path / "nowhere" / "registry.db").exists()  # and none was created

    url = "postgresql://nobody@127.0.0.1:1/x"
    down = run_modelreg("member", "list", "fraud", "--database-url", url, cwd=tmp_path)
    assert down.returncode == 1
    assert "Error: could not list the members of 'fraud':" in down.stderr
    assert "Is the database reachable and migrated (modelreg db upgrade)?" in down.stderr
    assert "Traceback" not in missing.stderr + down.stderr


def test_user_commands_work_in_a_shell_that_exports_modelreg_token(tmp_path: Path) -> None:
    """MODELREG_TOKEN is for `modelreg files`; the server-side commands must not trip on it."""
    assert run_modelreg("db", "upgrade", cwd=tmp_path).returncode == 0
    result = run_modelreg(
        "user", "create", "kim", cwd=tmp_path, MODELREG_TOKEN="mrt_for_the_files_client"
    )
    assert result.returncode == 0, result.stderr
    assert "created the user 'kim'" in result.stderr


# --------------------------------------------------------------------------------------------
# the first admin, made by `modelreg serve`


def _login(base: str, username: str, password: str) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/graphql",
        json={"query": LOGIN, "variables": {"u": username, "p": password}},
        timeout=10,
    )
    login: dict[str, Any] = response.json()["data"]["login"]
    return login


def test_first_serve_prints_a_generated_admin_password_exactly_once(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    first: list[str] = []
    with running_server(tmp_path, output=first, MODELREG_DATABASE_URL=database_url):
        pass
    shown = re.findall(r"password, shown only now: (\S+)", first[0])
    assert len(shown) == 1, first[0]
    password = shown[0]
    assert first[0].count(password) == 1
    assert "created the instance admin 'admin'" in first[0]

    second: list[str] = []
    with running_server(tmp_path, output=second, MODELREG_DATABASE_URL=database_url) as base:
        assert _login(base, "admin", password) == {
            "user": {"username": "admin", "isAdmin": True},
            "errors": [],
        }
    assert password not in second[0]
    assert "instance admin" not in second[0]
    assert "password" not in second[0].lower()


def test_serve_honours_modelreg_admin_password(tmp_path: Path) -> None:
    weak = run_modelreg(
        "serve", "--data-dir", "data", cwd=tmp_path, MODELREG_ADMIN_PASSWORD="short"
    )
    assert weak.returncode == 1
    assert "could not create the first admin account: Password must be at least 12" in (weak.stderr)
    assert "MODELREG_ADMIN_PASSWORD" in weak.stderr
    assert "Traceback" not in weak.stderr

    output: list[str] = []
    with running_server(tmp_path, output=output, MODELREG_ADMIN_PASSWORD=ADMIN_PASSWORD) as base:
        assert _login(base, "admin", ADMIN_PASSWORD)["errors"] == []
        wrong = _login(base, "admin", "not the admin password")
        assert [e["code"] for e in wrong["errors"]] == ["UNAUTHENTICATED"]
    assert "created the instance admin 'admin' with MODELREG_ADMIN_PASSWORD" in output[0]
    assert ADMIN_PASSWORD not in output[0]
