"""How Scenario's API speaks on the wire: Basic or Bearer keys of a project, the rate limit, JSON bodies,
and every refusal in NestJS's ``{"statusCode", "error", "message"}`` envelope."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from mockserver.core.contract import Operation, Violation
from mockserver.core.errors import ApiError, BadRequest, MethodNotAllowed, NotFound
from mockserver.core.http.dialect import Dialect, read_limited
from mockserver.core.http.host import Host
from mockserver.core.http.json_body import UnsafeJson, parse_json
from mockserver.core.http.observer import is_observer
from mockserver.core.http.responses import ApiJSONResponse, error_response
from mockserver.core.principals import Principal
from mockserver.scenario.backend import ScenarioBackend


class ScenarioDialect(Dialect[ScenarioBackend]):
    def admit(self, host: Host, backend: ScenarioBackend, request: Request, query: dict[str, list[str]]) -> Principal:
        project_id = query["projectId"][0] if query.get("projectId") else None
        principal = host.directory.authenticate(request.headers.get("authorization"), project_id)
        if not is_observer(request):
            host.limits.check(principal.project_id)
        return principal

    async def read_body(self, request: Request, operation: Operation, limit: int) -> tuple[Any, bool]:
        return _parse_json(await read_limited(request, limit), request.headers.get("content-type", ""))

    def check_request(
        self,
        host: Host,
        backend: ScenarioBackend,
        operation: Operation,
        query: dict[str, list[str]],
        body: Any,
        has_body: bool,
        violations: list[Violation],
    ) -> Any:
        blocking = [v for v in violations if not _newer_api_allows(v, query)]
        if blocking and host.settings.validation == "strict":
            raise BadRequest(blocking[0].describe())
        return None

    def error_body(self, status: int, reason: str, message: str) -> dict[str, Any]:
        return {"statusCode": status, "error": reason, "message": message}

    def error_response(self, error: ApiError) -> Response:
        return error_response(error)

    def internal_error(self) -> Response:
        body = self.error_body(500, "Internal Server Error", "Internal server error")
        return ApiJSONResponse(body, status_code=500)

    def unknown_route(self, request: Request, status: int, allowed: list[str], hint: str = "") -> Response:
        refusal = f"Cannot {request.method} {request.url.path}" + (f". {hint}" if hint else "")
        if status == 405:
            response = error_response(MethodNotAllowed(refusal))
            response.headers["Allow"] = ", ".join(allowed)
            return response
        return error_response(NotFound(refusal))


SCENARIO = ScenarioDialect()


def _newer_api_allows(violation: Violation, query: dict[str, list[str]]) -> bool:
    """The current API's ``dryRun=api`` is served under every profile (and still journaled as drift)."""
    return violation.location == "query" and violation.name == "dryRun" and query.get("dryRun") == ["api"]


def _parse_json(raw: bytes, content_type: str) -> tuple[Any, bool]:
    if not raw.strip():
        return None, False
    if "json" not in content_type.lower():
        raise BadRequest("Content-Type must be application/json")
    try:
        return parse_json(raw), True
    except UnicodeDecodeError:
        raise BadRequest("Request body is not valid UTF-8") from None
    except UnsafeJson as error:
        raise BadRequest(str(error)) from None
    except ValueError as error:
        raise BadRequest(f"Request body is not valid JSON: {error}") from None
