"""MLflow's wire rules: request parameters, error bodies and codes, timestamps."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse

from modelreg import errors
from modelreg.db import Database
from modelreg.db.models import Project
from modelreg.domain.actor import Actor
from modelreg.settings import Settings
from modelreg.storage import Storage

# Our error codes as MLflow's, with the HTTP status MLflow's server uses for each.
_CODES: dict[errors.ErrorCode, tuple[str, int]] = {
    errors.ErrorCode.NOT_FOUND: ("RESOURCE_DOES_NOT_EXIST", 404),
    errors.ErrorCode.ALREADY_EXISTS: ("RESOURCE_ALREADY_EXISTS", 400),
    errors.ErrorCode.INVALID_ARGUMENT: ("INVALID_PARAMETER_VALUE", 400),
    errors.ErrorCode.PERMISSION_DENIED: ("PERMISSION_DENIED", 403),
    errors.ErrorCode.CONFLICT: ("INVALID_STATE", 400),
    errors.ErrorCode.UNAUTHENTICATED: ("UNAUTHENTICATED", 401),
    errors.ErrorCode.RATE_LIMITED: ("REQUEST_LIMIT_EXCEEDED", 429),
    # MLflow has no code of its own for these: its generic ones, with the HTTP status that fits.
    errors.ErrorCode.FILE_TOO_LARGE: ("INVALID_PARAMETER_VALUE", 413),
    errors.ErrorCode.METHOD_NOT_ALLOWED: ("ENDPOINT_NOT_FOUND", 405),
    errors.ErrorCode.INTERNAL: ("INTERNAL_ERROR", 500),
    errors.ErrorCode.UNAVAILABLE: ("TEMPORARILY_UNAVAILABLE", 503),
    errors.ErrorCode.DEPLOYMENT_RECORDS_DISABLED: ("PERMISSION_DENIED", 403),
}


class MlflowError(Exception):
    """An error in MLflow's own vocabulary (for what has no domain equivalent)."""

    def __init__(self, message: str, *, code: str = "INVALID_PARAMETER_VALUE", status: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def error_response(code: str, message: str, status: int) -> JSONResponse:
    response = JSONResponse({"error_code": code, "message": message}, status_code=status)
    if status == 401:
        response.headers["www-authenticate"] = "Bearer"
    return response


def mlflow_code(error: errors.DomainError) -> tuple[str, int]:
    """MLflow's error code and HTTP status for a domain error."""
    return _CODES[error.code]


def domain_error_response(error: errors.DomainError) -> JSONResponse:
    code, status = mlflow_code(error)
    return error_response(code, error.message, status)


# A handler's parameters: declared and checked by mlflow/params.py before it runs.
Params = dict[str, Any]


def required(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise MlflowError(f"Missing value for required parameter '{name}'.")
    return value


def text(params: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    value = params.get(name, default)
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else default
        if value is None:
            return None
    if not isinstance(value, str | int | float):
        raise MlflowError(f"Parameter '{name}' must be a string.")
    return str(value)


def integer(params: Mapping[str, Any], name: str, default: int | None = None) -> int | None:
    value = params.get(name, default)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise MlflowError(f"Parameter '{name}' must be an integer; got {value!r}.") from None


def boolean(params: Mapping[str, Any], name: str, default: bool = False) -> bool:
    value = params.get(name, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise MlflowError(f"Parameter '{name}' must be true or false; got {value!r}.")


def listed(params: Mapping[str, Any], name: str) -> list[Any]:
    value = params.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def millis(at: datetime | None) -> int | None:
    return int(at.timestamp() * 1000) if at is not None else None


@dataclass
class MlflowContext:
    """One MLflow request: who calls, on which project, with what."""

    db: Database
    storage: Storage
    settings: Settings
    actor: Actor
    project: Project
    request: Request
    # `http://host/projects/<path>/mlflow`: what the client uses as its tracking URI.
    tracking_uri: str
    # The request's own transaction, in which the caller and the project were read: a GET's
    # read transaction, or the write transaction of an endpoint that runs in one (`writable`).
    # None for the others, which open their own (a read after their write must see it).
    request_session: AsyncSession | None = None
    writable: bool = False

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read transaction: the request's own when it has one, else a new one."""
        if self.request_session is not None:
            yield self.request_session
            return
        async with self.db.read() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: the request's own when it is writable, else a new one that
        commits when the block ends."""
        if self.request_session is not None and self.writable:
            yield self.request_session
            return
        async with self.db.begin() as session:
            yield session

    @property
    def project_id(self) -> int:
        assert self.project.id is not None
        return self.project.id


Handler = Callable[[MlflowContext, Params], Awaitable[dict[str, Any]]]
