"""Deployment records: what a `modelreg serve-model` process tells the registry it serves.

Pure rules: the states a record reports and the checks on what the process sends."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from modelreg.errors import InvalidArgument

MAX_ENDPOINT = 500
MAX_REFERENCE = 300
MAX_ROLE = 100
_INSTANCE = re.compile(r"[0-9a-f]{32}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class DeploymentState(StrEnum):
    """STARTED: the process answers with the version; STOPPED: it no longer does."""

    STARTED = "STARTED"
    STOPPED = "STOPPED"


@dataclass(frozen=True, slots=True)
class DeploymentReport:
    """One checked report of a serving process."""

    endpoint: str
    reference: str
    instance: str
    role: str | None


def _text(value: str, *, field: str, what: str, maximum: int) -> str:
    value = value.strip()
    if not value:
        raise InvalidArgument(f"`{field}` is empty; give {what}.", field=field)
    if len(value) > maximum:
        raise InvalidArgument(
            f"`{field}` is {len(value)} characters long; at most {maximum} are allowed.",
            field=field,
        )
    if _CONTROL.search(value):
        raise InvalidArgument(f"`{field}` contains control characters; remove them.", field=field)
    return value


def check_endpoint(value: str) -> str:
    """An absolute http(s) URL with a host, without credentials, query or fragment (secrets
    hide there, and the endpoint is shown to every reader of the version)."""
    value = _text(
        value, field="endpoint", what="the http(s) URL the server answers at", maximum=MAX_ENDPOINT
    )
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
        parts = None
    if (
        parts is None
        or not port_ok
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or " " in value
    ):
        raise InvalidArgument(
            "`endpoint` must be an http:// or https:// URL with a host, such as "
            "http://127.0.0.1:5001.",
            field="endpoint",
        )
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise InvalidArgument(
            "`endpoint` must not carry a query or fragment (it is shown to everyone who reads "
            "the version); give the server's base URL.",
            field="endpoint",
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidArgument(
            "`endpoint` must not carry a user name or password; give the bare URL.",
            field="endpoint",
        )
    return value


def check_report(
    *, endpoint: str, reference: str, instance: str, role: str | None
) -> DeploymentReport:
    """The report's fields, checked; InvalidArgument names the first bad one."""
    endpoint = check_endpoint(endpoint)
    reference = _text(
        reference,
        field="reference",
        what='what was asked to be served, such as "fraud/detector@champion"',
        maximum=MAX_REFERENCE,
    )
    if not _INSTANCE.fullmatch(instance):
        raise InvalidArgument(
            "`instance` must be 32 lower-case hexadecimal characters (uuid4().hex) naming "
            "the serving process.",
            field="instance",
        )
    if role is not None:
        role = _text(role, field="role", what='"primary" or the alias name', maximum=MAX_ROLE)
    return DeploymentReport(endpoint=endpoint, reference=reference, instance=instance, role=role)
