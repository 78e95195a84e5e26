"""HTTP answers for errors of the plain HTTP routes (files, health, the app's own 404/405/500).

Every answer is `{"error": {"code", "message"}}` with a code from the one vocabulary,
`modelreg.errors.ErrorCode`, and the HTTP status this module maps it to.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

from modelreg import errors
from modelreg.errors import ErrorCode

STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.ALREADY_EXISTS: 409,
    ErrorCode.INVALID_ARGUMENT: 400,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.CONFLICT: 409,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.FILE_TOO_LARGE: 413,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.INTERNAL: 500,
    ErrorCode.UNAVAILABLE: 503,
    ErrorCode.DEPLOYMENT_RECORDS_DISABLED: 403,
}

_BY_STATUS = {status: code for code, status in STATUS.items() if code != ErrorCode.ALREADY_EXISTS}


def code_for_status(status: int) -> ErrorCode:
    """The vocabulary's code for an HTTP status raised without one (Starlette's own errors)."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ErrorCode.INTERNAL if status >= 500 else ErrorCode.INVALID_ARGUMENT


def error_response(status: int, code: ErrorCode, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code.value, "message": message}}, status_code=status)


def domain_error_response(error: errors.DomainError) -> JSONResponse:
    response = error_response(STATUS[error.code], error.code, error.message)
    if isinstance(error, errors.Unauthenticated):
        response.headers["www-authenticate"] = "Bearer"
    if isinstance(error, errors.RateLimited):
        response.headers["retry-after"] = str(error.retry_after)
    return response
