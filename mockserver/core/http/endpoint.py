"""The thin layer between Starlette and the domain.

Every API route is wrapped by :func:`api`, which, in order: journals the
request, authenticates the caller, reads the body (refusing oversized, non-JSON
or malformed ones), checks the request against the contract, runs the handler,
turns domain errors into the API's envelope, and checks the response.

The fake serves more than one API. What differs between them on the wire (their
contract, how callers authenticate, how a body is read, how a bad request is
refused, the error envelope) is a :class:`Dialect`; Scenario's is the default.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from mockserver.core.contract import Contract, Operation, Violation
from mockserver.core.errors import ApiError, BadRequest, PayloadTooLarge
from mockserver.core.faults import FaultRule
from mockserver.core.http.connection import DroppedConnection
from mockserver.core.http.responses import ApiJSONResponse as JSONResponse
from mockserver.core.http.routing import answers_everything
from mockserver.core.journal import Entry
from mockserver.core.principals import Principal
from mockserver.scenario.workflows.models import AssetUrl
from mockserver.server.fake import Fake

log = logging.getLogger("mockserver")
# One line per API request with its verdict; ``mockserver serve`` shows it instead of uvicorn's access log.
request_log = logging.getLogger("mockserver.requests")


@dataclass
class Call:
    """One API request, authenticated and checked, as a handler sees it."""

    request: Request
    fake: Fake
    principal: Principal
    params: dict[str, Any]
    body: Any
    asset_url: AssetUrl
    warnings: list[str] = field(default_factory=list)
    parsed: Any = None  # the body as the dialect parsed it, if it does

    def path(self, name: str) -> str:
        return self.request.path_params[name]


Handler = Callable[[Call], Awaitable[Any]]


def error_response(error: ApiError) -> JSONResponse:
    headers = {}
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    body = {"statusCode": error.status, "error": error.reason, "message": error.message}
    return JSONResponse(body, status_code=error.status, headers=headers)


class Dialect:
    """How one API speaks on the wire: its contract, its credentials, its bodies, its refusals."""

    def contract(self, fake: Fake) -> Contract:
        raise NotImplementedError

    def admit(self, fake: Fake, request: Request, query: dict[str, list[str]]) -> Principal:
        """The authenticated caller, allowed to make this request now; raises ApiError otherwise."""
        raise NotImplementedError

    async def read_body(self, request: Request, operation: Operation, limit: int) -> tuple[Any, bool]:
        """The parsed body and whether there was one."""
        raise NotImplementedError

    def check_request(
        self,
        fake: Fake,
        operation: Operation,
        query: dict[str, list[str]],
        body: Any,
        has_body: bool,
        violations: list[Violation],
    ) -> Any:
        """Refuse a request breaking the contract (raises ApiError), or return what goes in ``Call.parsed``."""
        raise NotImplementedError

    def error_body(self, status: int, reason: str, message: str) -> dict[str, Any]:
        raise NotImplementedError

    def error_response(self, error: ApiError) -> Response:
        raise NotImplementedError

    def internal_error(self) -> Response:
        """The answer when the fake itself fails."""
        raise NotImplementedError


class ScenarioDialect(Dialect):
    """Scenario's API: Basic or Bearer keys of a project, the rate limit, 400s in the NestJS envelope."""

    def contract(self, fake: Fake) -> Contract:
        return fake.scenario.contract

    def admit(self, fake: Fake, request: Request, query: dict[str, list[str]]) -> Principal:
        project_id = (query.get("projectId") or [None])[0]
        principal = fake.directory.authenticate(request.headers.get("authorization"), project_id)
        fake.limits.check(principal.project_id)
        return principal

    async def read_body(self, request: Request, operation: Operation, limit: int) -> tuple[Any, bool]:
        return _parse_json(await read_limited(request, limit), request.headers.get("content-type", ""))

    def check_request(
        self,
        fake: Fake,
        operation: Operation,
        query: dict[str, list[str]],
        body: Any,
        has_body: bool,
        violations: list[Violation],
    ) -> Any:
        blocking = [v for v in violations if not _newer_api_allows(fake, v, query)]
        if blocking and fake.settings.validation == "strict":
            raise BadRequest(blocking[0].describe())
        return None

    def error_body(self, status: int, reason: str, message: str) -> dict[str, Any]:
        return {"statusCode": status, "error": reason, "message": message}

    def error_response(self, error: ApiError) -> Response:
        return error_response(error)

    def internal_error(self) -> Response:
        return JSONResponse(self.error_body(500, "Internal Server Error", "Internal server error"), status_code=500)


SCENARIO = ScenarioDialect()


def api(
    operation_id: str, dialect: Dialect = SCENARIO
) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    def decorate(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                return await answer(request)
            except Exception:  # a bug in the fake's own bookkeeping: still an answer in the API's format
                log.exception("unexpected error serving %s %s", request.method, request.url.path)
                return dialect.internal_error()

        async def answer(request: Request) -> Response:
            fake: Fake = request.app.state.fake
            operation = dialect.contract(fake).by_id[operation_id]
            entry = fake.journal.start(
                request.method, request.scope["path"], _query_string(request), operation_id, fake.clock.now()
            )
            started = time.perf_counter()
            notes: list[str] = []
            injected = await _injected_fault(request, fake, operation_id, notes, dialect)
            if injected is not None:
                response = injected
            else:
                response = await _serve(request, fake, operation, handler, entry, dialect)
                if fake.settings.check_responses:
                    problems = operation.check_sent(response.status_code, response.body)
                    entry.response_violations = [problem.describe() for problem in problems]
            entry.warnings[:0] = notes
            _finish(entry, response, started)
            if isinstance(response, DroppedConnection):
                entry.status = 0
            log_request(entry)
            return response

        endpoint.__name__ = handler.__name__
        return answers_everything(endpoint)

    return decorate


async def _injected_fault(
    request: Request, fake: Fake, operation_id: str, notes: list[str], dialect: Dialect
) -> Response | None:
    """Apply the fault rules asked for this request: a delay, then an error status or a dropped connection.

    What a fault rule answers is not the fake breaking the contract, so it is not checked against it.
    """
    if not fake.faults:
        return None
    facts = {
        "operationId": operation_id,
        "method": request.method,
        "path": request.scope["path"],
        "jobId": request.path_params.get("jobId"),
        "workflowId": request.path_params.get("workflowId") or request.path_params.get("workflow_id"),
    }
    delay = fake.faults.take(("latency",), facts)
    if delay is not None:
        notes.append(f"delayed {delay.seconds:g}s by fault rule {delay.id}")
        await asyncio.sleep(delay.seconds)
    rule = fake.faults.take(("http-error", "drop-connection"), facts)
    if rule is None:
        return None
    if rule.kind == "drop-connection":
        notes.append(f"connection dropped by fault rule {rule.id}")
        return DroppedConnection()
    notes.append(f"answered {rule.status} by fault rule {rule.id}")
    try:
        reason = HTTPStatus(rule.status).phrase
    except ValueError:
        reason = "Error"
    message = rule.error if rule.error != FaultRule.error else f"{reason} (injected by fault rule {rule.id})"
    return JSONResponse(dialect.error_body(rule.status, reason, message), status_code=rule.status)


def log_request(entry: Entry) -> None:
    """``GET /v1/jobs/job_x -> 200 conforms (getJob, 1.2 ms)``, and the first problem if any."""
    if not request_log.isEnabledFor(logging.INFO):
        return
    target = entry.path + (f"?{entry.query}" if entry.query else "")
    operation = entry.operation_id or (f"like {entry.looks_like}" if entry.looks_like else "unknown operation")
    status = entry.status or "dropped"
    line = f"{entry.method} {target} -> {status} {entry.verdict} ({operation}, {entry.duration_ms:.1f} ms)"
    problems = entry.request_violations + entry.response_violations + entry.warnings
    if problems:
        line += f": {problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else "")
    request_log.info(line)


async def _serve(
    request: Request, fake: Fake, operation: Operation, handler: Handler, entry: Entry, dialect: Dialect
) -> Response:
    try:
        query = _query_lists(request)
        principal = dialect.admit(fake, request, query)
        body, has_body = await dialect.read_body(request, operation, fake.settings.max_body_bytes)
        params, violations = operation.check_request(dict(request.path_params), query, body, has_body)
        entry.request_violations = [violation.describe() for violation in violations]
        parsed = dialect.check_request(fake, operation, query, body, has_body, violations)
        call = Call(request, fake, principal, params, body, AssetUrl(_base_url(request)), parsed=parsed)
        with fake.store.lock:
            fake.advance()
            result = await handler(call)
        entry.warnings = call.warnings
        for warning in call.warnings:
            log.warning("%s %s: %s", request.method, request.url.path, warning)
        return result if isinstance(result, Response) else JSONResponse(result)
    except ApiError as error:
        return dialect.error_response(error)
    except Exception:  # a bug in the fake must still answer in the API's format
        log.exception("unexpected error serving %s %s", request.method, request.url.path)
        return dialect.internal_error()


def _newer_api_allows(fake: Fake, violation: Violation, query: dict[str, list[str]]) -> bool:
    """With 269 dry runs on, the newer API's ``dryRun=api`` is served (and still journaled as drift)."""
    return (
        fake.settings.dry_run_status == 269
        and violation.location == "query"
        and violation.name == "dryRun"
        and query.get("dryRun") == ["api"]
    )


def _finish(entry: Entry, response: Response, started: float) -> None:
    entry.status = response.status_code
    entry.duration_ms = round((time.perf_counter() - started) * 1000, 3)
    if entry.request_violations or entry.response_violations:
        entry.verdict = "violates"


def _query_string(request: Request) -> str:
    return request.scope.get("query_string", b"").decode("latin-1")


def _query_lists(request: Request) -> dict[str, list[str]]:
    query: dict[str, list[str]] = {}
    text = _query_string(request)
    for key, value in _query_pairs(text) if text else ():
        query.setdefault(key, []).append(value)
    return query


def _query_pairs(text: str) -> list[tuple[str, str]]:
    """What ``parse_qsl(text, keep_blank_values=True)`` returns; split by hand when nothing is encoded."""
    if "%" in text or "+" in text:
        return parse_qsl(text, keep_blank_values=True)
    return [(key, value) for key, _, value in (pair.partition("=") for pair in text.split("&") if pair)]


def _base_url(request: Request) -> str:
    """``scheme://host[:port]`` and the root path the app is served under, as the client addressed it."""
    scope = request.scope
    host = request.headers.get("host")
    if host is None:
        server = scope.get("server") or ("localhost", None)
        host = f"{server[0]}:{server[1]}" if server[1] else server[0]
    root = scope.get("app_root_path", scope.get("root_path", ""))
    return f"{scope.get('scheme', 'http')}://{host}{root}/"


async def read_limited(request: Request, limit: int) -> bytes:
    """The raw body; PayloadTooLarge as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is None and "transfer-encoding" not in request.headers:
        return b""
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_json(raw: bytes, content_type: str) -> tuple[Any, bool]:
    if not raw.strip():
        return None, False
    if "json" not in content_type.lower():
        raise BadRequest("Content-Type must be application/json")
    try:
        return json.loads(raw.decode("utf-8")), True
    except UnicodeDecodeError:
        raise BadRequest("Request body is not valid UTF-8") from None
    except RecursionError:
        raise BadRequest("Request body is nested too deeply") from None
    except ValueError as error:
        raise BadRequest(f"Request body is not valid JSON: {error}") from None
