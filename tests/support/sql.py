"""Counting the SQL statements a block of code sends, and the property a page's count must have."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from modelreg.db import Database


@contextmanager
def count_statements(db: Database) -> Iterator[list[str]]:
    """Collects every SQL statement the engine sends while the block runs."""
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(db.engine.sync_engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine.sync_engine, "before_cursor_execute", before)


@contextmanager
def count_commits(db: Database) -> Iterator[list[int]]:
    """Counts the transactions committed while the block runs (one entry each)."""
    commits: list[int] = []

    def on_commit(conn: Any) -> None:
        commits.append(1)

    sa.event.listen(db.engine.sync_engine, "commit", on_commit)
    try:
        yield commits
    finally:
        sa.event.remove(db.engine.sync_engine, "commit", on_commit)


def assert_does_not_grow(small: list[str], large: list[str], *, at_most: int) -> None:
    """The statements of a large page against those of a small one: no more of them (a query
    per row, an "N+1", adds one for every row the large page has over the small one), and no
    more than `at_most` in all. A failure names the statements the large page sent more often."""
    extra = Counter(large) - Counter(small)
    grown = "\n".join(f"{n} more x {statement}" for statement, n in extra.most_common())
    assert len(large) <= len(small), (
        f"{len(large)} statements for the large page, {len(small)} for the small one:\n{grown}"
    )
    listed = "\n".join(large)
    assert len(large) <= at_most, f"{len(large)} statements, more than {at_most}:\n{listed}"
