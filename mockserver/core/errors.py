"""Domain errors.

The domain raises these; the HTTP layer turns each into the API's error envelope
``{"statusCode", "error", "message"}`` with the status named here.
"""

from __future__ import annotations

from typing import ClassVar


class ApiError(Exception):
    """A refusal the API documents: a status and a human-readable message."""

    status: ClassVar[int] = 500
    reason: ClassVar[str] = "Internal Server Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ApiError):
    status = 400
    reason = "Bad Request"


class Unauthorized(ApiError):
    status = 401
    reason = "Unauthorized"


class Forbidden(ApiError):
    status = 403
    reason = "Forbidden"


class NotFound(ApiError):
    status = 404
    reason = "Not Found"


class MethodNotAllowed(ApiError):
    status = 405
    reason = "Method Not Allowed"


class PayloadTooLarge(ApiError):
    status = 413
    reason = "Payload Too Large"


class TooManyRequests(ApiError):
    status = 429
    reason = "Too Many Requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
