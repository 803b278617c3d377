"""The thin layer between Starlette and an API's handlers.

Every API route is wrapped by :func:`api`, which, in order: journals the
request, applies the fault rules, authenticates the caller, reads the body,
checks the request against the contract, runs the handler with the API's
backend, turns domain errors into the API's envelope, and checks the response.
What differs between the APIs on the wire is their :class:`Dialect`; a route
none of them has is answered by :func:`unknown_route_answer`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Generic
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from mockserver.core.contract import Operation, Violation
from mockserver.core.errors import ApiError, BadRequest
from mockserver.core.faults import FaultRule
from mockserver.core.http.connection import DroppedConnection
from mockserver.core.http.dialect import RAW_BODY, B, Dialect, Served, served_by
from mockserver.core.http.fastpath import Endpoint, answering_everything
from mockserver.core.http.host import Host
from mockserver.core.http.observer import is_observer
from mockserver.core.http.responses import ApiJSONResponse as JSONResponse
from mockserver.core.journal import Entry
from mockserver.core.principals import Principal

log = logging.getLogger("mockserver")
# One line per API request with its verdict; ``mockserver serve`` shows it instead of uvicorn's access log.
request_log = logging.getLogger("mockserver.requests")


@dataclass
class Call(Generic[B]):
    """One API request, authenticated and checked, as a handler sees it."""

    request: Request
    host: Host
    backend: B
    principal: Principal
    params: dict[str, Any]
    body: Any
    warnings: list[str] = field(default_factory=list)
    parsed: Any = None  # the body as the dialect parsed it, if it does

    def path(self, name: str) -> str:
        return self.request.path_params[name]

    @property
    def base_url(self) -> str:
        """``scheme://host[:port]`` and the root path the app is served under, as the client addressed it
        (or as the fake's public URL says, when it has one)."""
        public = self.host.settings.public_url
        if public is not None:
            return f"{public}/"
        scope = self.request.scope
        host = self.request.headers.get("host")
        if host is None:
            server = scope.get("server") or ("localhost", None)
            host = f"{server[0]}:{server[1]}" if server[1] else server[0]
        root = scope.get("app_root_path", scope.get("root_path", ""))
        return f"{scope.get('scheme', 'http')}://{host}{root}/"


Handler = Callable[[Call[B]], Awaitable[Any]]


def api(operation_id: str, dialect: Dialect[B]) -> Callable[[Handler[B]], Endpoint]:
    """The endpoint serving ``operation_id`` of the API that speaks ``dialect`` with a handler."""

    def decorate(handler: Handler[B]) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            served = served_by(request.app)
            host = served.host
            backend = dialect.backend(served)
            operation = backend.contract.by_id[operation_id]
            observer = is_observer(request)
            entry = host.journal.start(
                request.method,
                request.scope["path"],
                _query_string(request),
                operation_id,
                host.clock.now(),
                record=not observer,
            )
            started = time.perf_counter()
            notes: list[str] = []
            injected = None if observer else await _injected_fault(request, host, operation_id, notes, dialect)
            if injected is not None:
                response = injected
            else:
                response = await _serve(request, host, backend, operation, handler, entry, dialect)
                if host.settings.check_responses:
                    problems = operation.check_sent(response.status_code, bytes(response.body))
                    entry.response_violations = [problem.describe() for problem in problems]
            entry.warnings[:0] = notes
            _finish(entry, response, started)
            if isinstance(response, DroppedConnection):
                entry.status = 0
            if not observer:
                log_request(entry)
            return response

        endpoint.__name__ = handler.__name__
        return answering_everything(endpoint, dialect.internal_error)

    return decorate


async def _serve(
    request: Request,
    host: Host,
    backend: B,
    operation: Operation,
    handler: Handler[B],
    entry: Entry,
    dialect: Dialect[B],
) -> Response:
    violations: list[Violation] = []
    try:
        query = _query_lists(request)
        principal = dialect.admit(host, backend, request, query)
        entry.principal = principal.user_id
        body, has_body = await dialect.read_body(request, operation, host.settings.max_body_bytes)
        entry.keep_request_body(request.scope.get(RAW_BODY, b""))
        params, violations = operation.check_request(dict(request.path_params), query, body, has_body)
        entry.request_violations = [violation.describe() for violation in violations]
        unknown = operation.unknown_fields(query, body)
        entry.unknown_fields = [field.describe() for field in unknown]
        parsed = dialect.check_request(host, backend, operation, query, body, has_body, violations)
        if unknown and host.settings.strict_requests:
            raise dialect.refuse_unknown(unknown, query, body)
        call = Call(request, host, backend, principal, params, body, parsed=parsed)
        with host.store.lock:
            host.advance()
            result = await handler(call)
        entry.warnings = call.warnings
        for warning in call.warnings:
            log.warning("%s %s: %s", request.method, request.url.path, warning)
        return result if isinstance(result, Response) else JSONResponse(result)
    except ApiError as error:
        return dialect.error_response(error)
    except Exception:
        if violations:
            # Report mode let through a request the contract refuses, and the handler could not read it: it
            # is refused as strict mode would have, not answered 500.
            log.warning(
                "%s %s breaks the contract and cannot be served: %s",
                request.method,
                request.url.path,
                violations[0].describe(),
            )
            return dialect.error_response(BadRequest(violations[0].describe()))
        # A bug in a handler: a 500 in the API's format, journaled as any answer.
        log.exception("unexpected error serving %s %s", request.method, request.url.path)
        return dialect.internal_error()


async def _injected_fault(
    request: Request, host: Host, operation_id: str, notes: list[str], dialect: Dialect[Any]
) -> Response | None:
    """Apply the fault rules asked for this request: a delay, then an error status or a dropped connection.

    What a fault rule answers is not the fake breaking the contract, so it is not checked against it.
    """
    if not host.faults:
        return None
    facts = {
        "operationId": operation_id,
        "method": request.method,
        "path": request.scope["path"],
        "jobId": request.path_params.get("jobId"),
        "workflowId": request.path_params.get("workflowId") or request.path_params.get("workflow_id"),
    }
    delay = host.faults.take(("latency",), facts)
    if delay is not None:
        notes.append(f"delayed {delay.seconds:g}s by fault rule {delay.id}")
        await asyncio.sleep(delay.seconds)
    rule = host.faults.take(("http-error", "drop-connection"), facts)
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


@dataclass(frozen=True)
class MountedApi:
    """An API the app serves under a path prefix."""

    prefix: str
    dialect: Dialect[Any]

    def serves(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")


UnknownRouteAnswer = Callable[[Request, Exception], Awaitable[Response]]
# Asked for by a browser showing the dashboard, not by any client: no journal entry, which would be drift.
BROWSERS_OWN_REQUESTS = frozenset({"/favicon.ico"})


def unknown_route_answer(apis: Sequence[MountedApi], home: MountedApi) -> UnknownRouteAnswer:
    """The app's answer to a request its router found no route (404) or method (405) for: in the dialect of
    the API under whose prefix the path is; in ``home``'s outside them, with a hint at ``home``'s prefix.
    Either way it is journaled as not in the contract (a browser's own /favicon.ico aside), and logged.
    """

    async def answer(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 404
        path = request.url.path
        mounted = next((api for api in apis if api.serves(path)), None)
        dialect = (home if mounted is None else mounted).dialect
        if status not in (404, 405):
            return JSONResponse(dialect.error_body(status, "Error", str(error)), status_code=status)
        served = served_by(request.app)
        if mounted is None:
            return _outside_the_apis(request, served, home, status, error)
        contract = dialect.backend(served).contract
        contract_path = dialect.contract_path(mounted.prefix, path)
        _journal_unknown(request, served.host, contract.closest(request.method, contract_path), status)
        return dialect.unknown_route(request, status, contract.allowed_methods(contract_path))

    return answer


def _outside_the_apis(request: Request, served: Served, home: MountedApi, status: int, error: Exception) -> Response:
    """A path under no API's prefix: most often a client's base URL missing the prefix, so the answer says so."""
    path = request.url.path
    contract = home.dialect.backend(served).contract
    meant = home.prefix + path
    meant_path = home.dialect.contract_path(home.prefix, meant)
    if path not in BROWSERS_OWN_REQUESTS:
        _journal_unknown(request, served.host, contract.closest(request.method, meant_path), status)
    allow = error.headers.get("Allow", "") if isinstance(error, HTTPException) and error.headers else ""
    hint = ""
    if status == 404:
        hint = f"The API is served under {home.prefix}"
        hint += f": did you mean {meant}?" if contract.allowed_methods(meant_path) else "."
    return home.dialect.unknown_route(request, status, [method for method in allow.split(", ") if method], hint)


def _journal_unknown(request: Request, host: Host, looks_like: Operation | None, status: int) -> None:
    entry = host.journal.start(request.method, request.url.path, request.url.query, None, host.clock.now())
    entry.verdict, entry.status = "not-in-contract", status
    entry.looks_like = looks_like.operation_id if looks_like else None
    log_request(entry)


def log_request(entry: Entry) -> None:
    """``GET /v1/jobs/job_x -> 200 conforms (getJob, 1.2 ms)``, and the first problem if any."""
    if not request_log.isEnabledFor(logging.INFO):
        return
    target = entry.path + (f"?{entry.query}" if entry.query else "")
    operation = entry.operation_id or (f"like {entry.looks_like}" if entry.looks_like else "unknown operation")
    status = entry.status or "dropped"
    line = f"{entry.method} {target} -> {status} {entry.verdict} ({operation}, {entry.duration_ms:.1f} ms)"
    problems = entry.request_violations + entry.unknown_fields + entry.response_violations + entry.warnings
    if problems:
        line += f": {problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else "")
    request_log.info(line)


def _finish(entry: Entry, response: Response, started: float) -> None:
    entry.status = response.status_code
    entry.duration_ms = round((time.perf_counter() - started) * 1000, 3)
    entry.keep_response_body(bytes(getattr(response, "body", b"")))
    if entry.request_violations or entry.response_violations or entry.unknown_fields:
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
