"""Domain errors.

The domain raises these; the HTTP layer turns each into the API's error envelope
``{"statusCode", "error", "message"}`` (and ``details`` when the error has them) with the status named here.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ApiError(Exception):
    """A refusal the API documents: a status and a human-readable message."""

    status: ClassVar[int] = 500
    reason: ClassVar[str] = "Internal Server Error"
    # What a client reads to act on the refusal, sent as the envelope's ``details``.
    details: dict[str, Any] | None = None

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


class LimitReached(ApiError):
    """A limit of the caller's plan is reached (not the request rate): ``details`` name it and its value."""

    status = 429
    reason = "Too Many Requests"

    def __init__(self, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.details = details
