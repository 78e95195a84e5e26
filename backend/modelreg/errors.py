"""Domain errors. They know nothing of HTTP or GraphQL; each interface maps them in one place."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    CONFLICT = "CONFLICT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    RATE_LIMITED = "RATE_LIMITED"


class DomainError(Exception):
    code: ErrorCode

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class AlreadyExists(DomainError):
    code = ErrorCode.ALREADY_EXISTS


class InvalidArgument(DomainError):
    code = ErrorCode.INVALID_ARGUMENT


class PermissionDenied(DomainError):
    code = ErrorCode.PERMISSION_DENIED


class Conflict(DomainError):
    code = ErrorCode.CONFLICT


class Unauthenticated(DomainError):
    """No valid credentials: sign in, or send a valid, unexpired, unrevoked token."""

    code = ErrorCode.UNAUTHENTICATED


class RateLimited(DomainError):
    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after
