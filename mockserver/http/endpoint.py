"""The thin layer between Starlette and the domain.

Every API route is wrapped by :func:`api`, which, in order: journals the
request, authenticates the caller, reads the body (refusing oversized, non-JSON
or malformed ones), checks the request against the contract, runs the handler,
turns domain errors into the API's envelope, and checks the response.
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

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mockserver.clock import iso
from mockserver.contract.spec import Operation, Violation
from mockserver.errors import ApiError, BadRequest, PayloadTooLarge
from mockserver.fake import Fake
from mockserver.faults import FaultRule
from mockserver.http.connection import DroppedConnection
from mockserver.journal import Entry
from mockserver.principals import Principal
from mockserver.workflows.models import AssetUrl

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


def api(operation_id: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    def decorate(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            fake: Fake = request.app.state.fake
            operation = fake.contract.by_id[operation_id]
            entry = fake.journal.start(
                request.method, request.url.path, request.url.query, operation_id, iso(fake.clock.now())
            )
            started = time.perf_counter()
            notes: list[str] = []
            injected = await _injected_fault(request, fake, operation_id, notes)
            if injected is not None:
                response = injected
            else:
                response, result = await _serve(request, fake, operation, handler, entry)
                if fake.settings.check_responses:
                    problems = operation.check_response(response.status_code, result)
                    entry.response_violations = [problem.describe() for problem in problems]
            entry.warnings[:0] = notes
            _finish(entry, response, started)
            if isinstance(response, DroppedConnection):
                entry.status = 0
            log_request(entry)
            return response

        endpoint.__name__ = handler.__name__
        return endpoint

    return decorate


async def _injected_fault(request: Request, fake: Fake, operation_id: str, notes: list[str]) -> Response | None:
    """Apply the fault rules asked for this request: a delay, then an error status or a dropped connection.

    What a fault rule answers is not the fake breaking the contract, so it is not checked against it.
    """
    facts = {
        "operationId": operation_id,
        "method": request.method,
        "path": request.url.path,
        "jobId": request.path_params.get("jobId"),
        "workflowId": request.path_params.get("workflowId"),
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
    return JSONResponse({"statusCode": rule.status, "error": reason, "message": message}, status_code=rule.status)


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
    request: Request, fake: Fake, operation: Operation, handler: Handler, entry: Entry
) -> tuple[Response, Any]:
    try:
        query = _query_lists(request)
        project_id = (query.get("projectId") or [None])[0]
        principal = fake.directory.authenticate(request.headers.get("authorization"), project_id)
        fake.limits.check(principal.project_id)
        body, has_body = await _read_json(request, fake.settings.max_body_bytes)
        params, violations = operation.check_request(dict(request.path_params), query, body, has_body)
        entry.request_violations = [violation.describe() for violation in violations]
        blocking = [v for v in violations if not _newer_api_allows(fake, v, query)]
        if blocking and fake.settings.validation == "strict":
            raise BadRequest(blocking[0].describe())
        call = Call(request, fake, principal, params, body, AssetUrl(str(request.base_url)))
        with fake.store.lock:
            fake.advance_simulation()
            result = await handler(call)
        entry.warnings = call.warnings
        for warning in call.warnings:
            log.warning("%s %s: %s", request.method, request.url.path, warning)
        if isinstance(result, Response):
            return result, json.loads(result.body) if result.body else None
        return JSONResponse(result), result
    except ApiError as error:
        response = error_response(error)
        return response, json.loads(response.body)
    except Exception:  # a bug in the fake must still answer in the API's format
        log.exception("unexpected error serving %s %s", request.method, request.url.path)
        body = {"statusCode": 500, "error": "Internal Server Error", "message": "Internal server error"}
        return JSONResponse(body, status_code=500), body


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


def _query_lists(request: Request) -> dict[str, list[str]]:
    query: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        query.setdefault(key, []).append(value)
    return query


async def _read_json(request: Request, limit: int) -> tuple[Any, bool]:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return None, False
    content_type = request.headers.get("content-type", "")
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
