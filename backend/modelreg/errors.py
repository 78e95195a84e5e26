"""The one error vocabulary: codes every interface and the web app use, and the domain errors.

Domain errors know nothing of HTTP or GraphQL; each interface maps them in one place
(`http/errors.py`, `graphql/errors.py` and `graphql/reporting.py`, `mlflow/protocol.py`, which
speaks MLflow's own codes to MLflow clients). The web app's types are generated from the GraphQL
schema's `ErrorCode`, so it shares this list."""

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
    # A file over MODELREG_MAX_FILE_SIZE (HTTP 413); nothing was stored.
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    # The route exists but not with this HTTP method (405).
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    # Unexpected: logged with its trace on the server, a generic sentence for the client (500).
    INTERNAL = "INTERNAL"
    # No answer: the server is unreachable or overloaded (503, or the web app's network failure).
    UNAVAILABLE = "UNAVAILABLE"
    # The server keeps no deployment records (MODELREG_DEPLOYMENT_RECORDS=false); nothing written.
    DEPLOYMENT_RECORDS_DISABLED = "DEPLOYMENT_RECORDS_DISABLED"


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


class ConcurrentChange(Conflict):
    """Two writers raced for the same data (a unique or foreign key) and this one lost. Running
    the same change again sees the winner's rows (`services.transactions.write` does, once)."""

    def __init__(self) -> None:
        super().__init__(
            "Someone else changed the same data at the same moment; reload and try again."
        )


class FileTooLarge(DomainError):
    """A file over the size limit; nothing of it was kept."""

    code = ErrorCode.FILE_TOO_LARGE


class DeploymentRecordsDisabled(DomainError):
    """The server is set not to record deployments (MODELREG_DEPLOYMENT_RECORDS=false)."""

    code = ErrorCode.DEPLOYMENT_RECORDS_DISABLED


class Unauthenticated(DomainError):
    """No valid credentials: sign in, or send a valid, unexpired, unrevoked token."""

    code = ErrorCode.UNAUTHENTICATED


class RateLimited(DomainError):
    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after
