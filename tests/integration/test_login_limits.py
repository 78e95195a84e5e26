"""The sign-in limit holds under concurrency, across server processes and on both engines.

An attempt is reserved (counted and recorded in one statement) before its password is checked,
so attempts sent in parallel cannot all pass the check before any of them is recorded.
Verifications are counted by wrapping `Hasher.verify`: each one is a real argon2 check an
attacker got for free when the limit leaks.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from modelreg.db import Database
from modelreg.db.models import LoginFailure
from modelreg.db.types import utcnow
from modelreg.errors import RateLimited, Unauthenticated
from modelreg.services.accounts import Hasher
from modelreg.services.signin import (
    FAILURE_WINDOW,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    sign_in,
)
from tests.support.accounts import PASSWORD, Accounts
from tests.support.server import running_server

WRONG = "not the password at all"
LOGIN = """mutation($u: String!, $p: String!) {
  login(input: {username: $u, password: $p}) { user { username } errors { code message } }
}"""


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The passwords argon2 checked, in order. Each check takes a little while (as a real one
    does, ~50 ms), which leaves attempts sent together time to overtake each other."""
    checked: list[str] = []
    original = Hasher.verify

    async def counting(password_hash: str, password: str) -> bool:
        checked.append(password)
        await asyncio.sleep(0.02)
        return await original(password_hash, password)

    monkeypatch.setattr(Hasher, "verify", staticmethod(counting))
    return checked


async def _attempt(db: Database, username: str, password: str, address: str) -> str:
    """What a sign-in answered: OK, or the code of its error."""
    try:
        await sign_in(db, username=username, password=password, address=address)
    except RateLimited as error:
        assert 0 < error.retry_after <= FAILURE_WINDOW.total_seconds() + 1
        return "RATE_LIMITED"
    except Unauthenticated:
        return "UNAUTHENTICATED"
    return "OK"


async def _age_failures(db: Database, by: timedelta) -> None:
    """Move every recorded failure `by` into the past (as if that time had passed)."""
    async with db.begin() as s:
        await s.exec(
            sa.update(LoginFailure).values(at=utcnow() - by)  # type: ignore[call-overload]
        )


@pytest.fixture
async def second_db(database_url: str) -> AsyncIterator[Database]:
    """Another engine on the same database: what a second server process holds."""
    other = Database(database_url)
    try:
        yield other
    finally:
        await other.dispose()


async def test_parallel_wrong_passwords_for_one_account_are_checked_at_most_limit_times(
    db: Database, accounts: Accounts, verified: list[str]
) -> None:
    await accounts.user("ada")
    # Forty addresses, so only the account's limit is in play.
    answers = await asyncio.gather(
        *(_attempt(db, "ada", f"{WRONG} {i}", f"10.0.0.{i}") for i in range(40))
    )
    assert collections.Counter(answers) == {
        "UNAUTHENTICATED": MAX_FAILURES_PER_ACCOUNT,
        "RATE_LIMITED": 40 - MAX_FAILURES_PER_ACCOUNT,
    }
    assert len(verified) == MAX_FAILURES_PER_ACCOUNT
    async with db.read() as s:
        recorded = (await s.exec(select(LoginFailure.username))).all()
    assert recorded == ["ada"] * MAX_FAILURES_PER_ACCOUNT


async def test_parallel_sign_ins_from_one_address_are_checked_at_most_limit_times(
    db: Database, accounts: Accounts, verified: list[str]
) -> None:
    await accounts.user("ada")
    # A different (mostly unknown) account each time, so only the address's limit is in play.
    names = ["ada", *(f"guess{i}" for i in range(39))]
    answers = await asyncio.gather(*(_attempt(db, n, WRONG, "203.0.113.7") for n in names))
    assert collections.Counter(answers) == {
        "UNAUTHENTICATED": MAX_FAILURES_PER_ADDRESS,
        "RATE_LIMITED": 40 - MAX_FAILURES_PER_ADDRESS,
    }
    assert len(verified) == MAX_FAILURES_PER_ADDRESS
    # Another address is not locked by this one's failures.
    assert await _attempt(db, "ada", PASSWORD, "203.0.113.8") == "OK"


async def test_the_limit_holds_across_two_server_processes(
    db: Database, second_db: Database, accounts: Accounts, verified: list[str]
) -> None:
    await accounts.user("ada")
    answers = await asyncio.gather(
        *(_attempt(db if i % 2 else second_db, "ada", WRONG, f"10.0.1.{i}") for i in range(40))
    )
    assert answers.count("UNAUTHENTICATED") == MAX_FAILURES_PER_ACCOUNT
    assert answers.count("RATE_LIMITED") == 40 - MAX_FAILURES_PER_ACCOUNT
    assert len(verified) == MAX_FAILURES_PER_ACCOUNT


async def test_the_right_password_is_refused_while_locked_and_unchecked(
    db: Database, accounts: Accounts, verified: list[str]
) -> None:
    await accounts.user("ada")
    for i in range(MAX_FAILURES_PER_ACCOUNT):
        assert await _attempt(db, "ada", WRONG, f"10.0.2.{i}") == "UNAUTHENTICATED"
    checked = len(verified)
    with pytest.raises(RateLimited) as locked:
        await sign_in(db, username="ada", password=PASSWORD, address="10.0.2.99")
    assert str(locked.value) == (
        "Too many failed sign-ins for this account; try again in 15 minutes."
    )
    assert 14 * 60 < locked.value.retry_after <= 15 * 60 + 1
    assert len(verified) == checked  # refused without spending an argon2 check
    # Nearly the whole window later it is still locked, and says how long is left.
    await _age_failures(db, FAILURE_WINDOW - timedelta(seconds=90))
    with pytest.raises(RateLimited) as still:
        await sign_in(db, username="ada", password=PASSWORD, address="10.0.2.99")
    assert str(still.value).endswith("try again in 2 minutes.")
    assert 60 < still.value.retry_after <= 91
    # Once the failures leave the window, the right password works.
    await _age_failures(db, FAILURE_WINDOW + timedelta(seconds=1))
    assert await _attempt(db, "ada", PASSWORD, "10.0.2.99") == "OK"


async def test_a_lockout_does_not_tell_whether_the_account_exists(
    db: Database, accounts: Accounts
) -> None:
    await accounts.user("ada")
    answers: dict[str, list[str]] = {}
    messages = {}
    for name in ("ada", "nobody"):
        answers[name] = [
            await _attempt(db, name, WRONG, f"10.0.3.{i}")
            for i in range(MAX_FAILURES_PER_ACCOUNT + 1)
        ]
        with pytest.raises(RateLimited) as locked:
            await sign_in(db, username=name, password=PASSWORD, address="10.0.3.99")
        messages[name] = (str(locked.value), locked.value.retry_after // 60)
    assert answers["ada"] == answers["nobody"]
    assert answers["ada"][-1] == "RATE_LIMITED"
    assert messages["ada"] == messages["nobody"]


async def test_a_success_clears_the_accounts_failures(
    db: Database, accounts: Accounts, verified: list[str]
) -> None:
    await accounts.user("ada")
    for i in range(MAX_FAILURES_PER_ACCOUNT - 1):
        assert await _attempt(db, "ada", WRONG, f"10.0.4.{i}") == "UNAUTHENTICATED"
    assert await _attempt(db, "ada", PASSWORD, "10.0.4.99") == "OK"
    async with db.read() as s:
        left = await s.exec(select(LoginFailure).where(col(LoginFailure.username) == "ada"))
        assert left.all() == []
    # A full allowance again, then the lock.
    answers = [await _attempt(db, "ada", WRONG, "10.0.4.98") for _ in range(6)]
    assert answers == ["UNAUTHENTICATED"] * MAX_FAILURES_PER_ACCOUNT + ["RATE_LIMITED"]


async def test_a_right_password_among_parallel_wrong_ones_signs_in_once_and_resets(
    db: Database, accounts: Accounts, verified: list[str]
) -> None:
    """The owner signing in while an attack runs: one success, and the attack's attempts that
    were reserved before it no longer count; the limit still bounds what gets checked."""
    await accounts.user("ada")
    passwords = [WRONG] * 20 + [PASSWORD] + [WRONG] * 19
    answers = await asyncio.gather(
        *(_attempt(db, "ada", p, f"10.0.5.{i}") for i, p in enumerate(passwords))
    )
    assert answers.count("OK") <= 1
    # At most `limit` wrong passwords before the success and `limit` after it are checked.
    assert len(verified) <= 2 * MAX_FAILURES_PER_ACCOUNT + 1
    assert answers.count("UNAUTHENTICATED") == len(verified) - answers.count("OK")


async def _http_logins(bases: list[str], count: int, password: str) -> list[str]:
    """`count` login mutations for ada sent at once over HTTP, spread over the servers at
    `bases`; the code each answered (or OK)."""
    clients = [httpx.AsyncClient(base_url=base, timeout=60) for base in bases]

    async def one(client: httpx.AsyncClient) -> str:
        response = await client.post(
            "/graphql", json={"query": LOGIN, "variables": {"u": "ada", "p": password}}
        )
        assert response.status_code == 200, response.text
        errors = response.json()["data"]["login"]["errors"]
        return str(errors[0]["code"]) if errors else "OK"

    try:
        return list(await asyncio.gather(*(one(clients[i % len(clients)]) for i in range(count))))
    finally:
        for client in clients:
            await client.aclose()


async def test_parallel_http_logins_to_two_servers_on_one_database(
    tmp_path: Path, database_url: str, db: Database, accounts: Accounts
) -> None:
    """Two `modelreg serve` processes on one database (real argon2, real HTTP): 40 wrong
    passwords sent at once, split between them, get `limit` checks between them."""
    await accounts.user("ada")
    env = {"MODELREG_DATABASE_URL": database_url}
    with running_server(tmp_path, **env) as first, running_server(tmp_path, **env) as second:
        answers = await _http_logins([first, second], 40, WRONG)
        assert collections.Counter(answers) == {
            "UNAUTHENTICATED": MAX_FAILURES_PER_ACCOUNT,
            "RATE_LIMITED": 40 - MAX_FAILURES_PER_ACCOUNT,
        }
        # Locked on both servers, for the right password too.
        assert await _http_logins([first, second], 2, PASSWORD) == ["RATE_LIMITED"] * 2
