from __future__ import annotations

from typing import Any

import sqlalchemy as sa


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def icontains(column: Any, needle: str) -> sa.ColumnElement[bool]:
    """Case-insensitive substring match that treats `%` and `_` in the needle literally."""
    return sa.func.lower(column).like(f"%{like_escape(needle.lower())}%", escape="\\")
