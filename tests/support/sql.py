from __future__ import annotations

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
