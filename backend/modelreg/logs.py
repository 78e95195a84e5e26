"""Structured logs: `MODELREG_LOG_FORMAT=json` prints one JSON object per line.

Each object has `time` (UTC, ISO 8601), `level`, `logger` and `message`, the fields a caller
passed with `extra=`, `exception` (the formatted traceback, one string) when there is one, and
for uvicorn's access lines `client`, `method`, `path`, `http_version` and `status`. Messages are
the same text the plain format prints, after the same filters (the access log's `/graphql`
query strings are elided before formatting), so nothing secret appears that the text log hides.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


def _plain(value: Any) -> Any:
    """A value JSON can hold as it is; anything else as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in messages are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            entry.update(zip(_ACCESS_FIELDS, (_plain(a) for a in args), strict=True))
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry:
                entry[key] = _plain(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def use_json(config: dict[str, Any]) -> dict[str, Any]:
    """A `logging.config.dictConfig` configuration (uvicorn's) with every formatter JSON."""
    for name in config.get("formatters", {}):
        config["formatters"][name] = {"()": f"{__name__}.JsonFormatter"}
    return config
