"""The JSON response every API answer goes out as, and the error envelope of the fake's own endpoints."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from mockserver.core.errors import ApiError
from mockserver.core.rendering import to_json


class ApiJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return to_json(content)


def error_response(error: ApiError) -> ApiJSONResponse:
    """``{"statusCode", "error", "message"}``: NestJS's envelope, which Scenario's API and the control plane use."""
    headers = {}
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    body: dict[str, Any] = {"statusCode": error.status, "error": error.reason, "message": error.message}
    if error.details is not None:
        body["details"] = error.details
    return ApiJSONResponse(body, status_code=error.status, headers=headers)
