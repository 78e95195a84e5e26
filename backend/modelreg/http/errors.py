from __future__ import annotations

from starlette.responses import JSONResponse

from modelreg import errors
from modelreg.services.files import FileTooLarge

_STATUS = {
    errors.ErrorCode.NOT_FOUND: 404,
    errors.ErrorCode.ALREADY_EXISTS: 409,
    errors.ErrorCode.INVALID_ARGUMENT: 400,
    errors.ErrorCode.PERMISSION_DENIED: 403,
    errors.ErrorCode.CONFLICT: 409,
    errors.ErrorCode.UNAUTHENTICATED: 401,
    errors.ErrorCode.RATE_LIMITED: 429,
}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def domain_error_response(error: errors.DomainError) -> JSONResponse:
    if isinstance(error, FileTooLarge):
        return error_response(413, "FILE_TOO_LARGE", error.message)
    response = error_response(_STATUS[error.code], error.code.value, error.message)
    if isinstance(error, errors.Unauthenticated):
        response.headers["www-authenticate"] = "Bearer"
    if isinstance(error, errors.RateLimited):
        response.headers["retry-after"] = str(error.retry_after)
    return response
