"""The fake's own control plane, under ``/_mock``: reset, state, clock, fault rules, webhooks and journal."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mockserver.core.clock import CLOCK_MODES, MAX_ADVANCE_SECONDS, check_clock_change
from mockserver.core.conformance import build_report, render_report
from mockserver.core.errors import BadRequest, NotFound
from mockserver.core.http.json_body import MAX_DEPTH, UnsafeJson, parse_json
from mockserver.core.http.responses import error_response
from mockserver.core.resources import packaged
from mockserver.server.fake import IDLE_MAX_SECONDS, IDLE_MAX_STEPS, Fake
from mockserver.server.guard import is_loopback_client
from mockserver.server.journal_filters import JOURNAL_FILTERS, journal_filter

WEBHOOKS_CONTRACT = packaged("mockserver.server", "webhooks.openapi.yaml")
# Journal sequence numbers fit in 18 digits for as long as any fake runs; more is not a number of ours.
MAX_SINCE_DIGITS = 18


def _fake(request: Request) -> Fake:
    return request.app.state.fake


async def reset(request: Request) -> JSONResponse:
    _fake(request).reset()
    return JSONResponse({"reset": True})


async def get_clock(request: Request) -> JSONResponse:
    return JSONResponse(_fake(request).clock.describe())


async def advance_clock(request: Request) -> JSONResponse:
    """``seconds`` on, or with ``untilIdle`` from job event to job event until every job waits or has ended."""
    fake = _fake(request)
    try:
        body = await _json_body(request) if await request.body() else {}
        if not isinstance(body, dict):
            raise BadRequest("The body must be a JSON object")
        seconds = body.get("seconds", 0)
        mode, speed = body.get("mode"), body.get("speed")
        if mode is not None and mode not in CLOCK_MODES:
            raise BadRequest(f"mode must be one of: {', '.join(CLOCK_MODES)}")
        until_idle = _idle_bounds(body)
        with fake.store.lock:
            check_clock_change(fake.clock.now(), seconds, speed)
            fake.clock.configure(mode, speed)
            if until_idle is None:
                fake.advance(seconds)
                described = fake.clock.describe()
            else:
                run = fake.advance_until_idle(*until_idle)
                described = {**fake.clock.describe(), **run.as_dict()}
    except BadRequest as error:
        return error_response(error)
    return JSONResponse(described)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _idle_bounds(body: dict[str, Any]) -> tuple[float, int] | None:
    """(max seconds, max steps) when the body asks to advance until idle, else None."""
    until_idle = body.get("untilIdle", False)
    if not isinstance(until_idle, bool):
        raise BadRequest("untilIdle must be true or false")
    bounds = {"maxSeconds", "maxSteps"} & body.keys()
    if not until_idle:
        if bounds:
            raise BadRequest(f"{', '.join(sorted(bounds))} only go with untilIdle")
        return None
    if body.get("seconds"):
        raise BadRequest("give seconds or untilIdle, not both")
    max_seconds, max_steps = body.get("maxSeconds", IDLE_MAX_SECONDS), body.get("maxSteps", IDLE_MAX_STEPS)
    if not _is_number(max_seconds) or not 0 < max_seconds <= MAX_ADVANCE_SECONDS:
        raise BadRequest(f"maxSeconds must be a number > 0, at most {MAX_ADVANCE_SECONDS}")
    if not isinstance(max_steps, int) or isinstance(max_steps, bool) or max_steps < 1:
        raise BadRequest("maxSteps must be a whole number >= 1")
    return float(max_seconds), max_steps


async def version(request: Request) -> Response:
    """The fake's state version, to refresh a view only when it changed: 304 when ``If-None-Match`` has it."""
    etag = f'"{_fake(request).version()}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return JSONResponse({"version": etag.strip('"')}, headers=headers)


def _since(request: Request) -> int:
    """The ``since`` query parameter: a journal sequence number; BadRequest if it is not one."""
    since = request.query_params.get("since", "0")
    if not (since.isascii() and since.isdigit()) or len(since) > MAX_SINCE_DIGITS:
        raise BadRequest(f"since must be a whole number of at most {MAX_SINCE_DIGITS} digits")
    return int(since)


async def journal(request: Request) -> JSONResponse:
    """The journal's entries after ``since``, those matching ``operation``, ``status``, ``verdict`` and
    ``principal`` (a user id) when given."""
    fake = _fake(request)
    query = request.query_params
    try:
        unknown = set(query) - {"since", *JOURNAL_FILTERS}
        if unknown:
            raise BadRequest(f"Unknown query parameters: {', '.join(sorted(unknown))}")
        since = _since(request)
        picked = journal_filter(fake, {name: query[name] for name in JOURNAL_FILTERS if name in query})
    except BadRequest as error:
        return error_response(error)
    entries = fake.journal.entries(since, picked)
    return JSONResponse({"entries": [entry.as_dict() for entry in entries]})


async def journal_report(request: Request) -> Response:
    """The conformance report of the journal's requests: text to print, or JSON with ``format=json``."""
    output = request.query_params.get("format", "text")
    try:
        since = _since(request)
    except BadRequest as error:
        return error_response(error)
    if output not in ("text", "json"):
        return error_response(BadRequest("format must be text or json"))
    fake = _fake(request)
    report = build_report(fake.journal.entries(since), fake.scenario.contract, since)
    if output == "json":
        return JSONResponse(report.as_dict())
    return PlainTextResponse(render_report(report) + "\n")


async def list_faults(request: Request) -> JSONResponse:
    return JSONResponse({"faults": [rule.as_dict() for rule in _fake(request).faults.rules()]})


async def add_fault(request: Request) -> JSONResponse:
    try:
        rule = _fake(request).faults.add(await _json_body(request))
    except BadRequest as error:
        return error_response(error)
    return JSONResponse({"fault": rule.as_dict()}, status_code=201)


async def delete_fault(request: Request) -> JSONResponse:
    fault_id = request.path_params["faultId"]
    if not _fake(request).faults.remove(fault_id):
        return error_response(NotFound(f"Fault rule {fault_id} not found"))
    return JSONResponse({"success": True})


# A state snapshot holds API bodies (a workflow's editorInfo, a run's inputs) a few levels down.
STATE_DEPTH = MAX_DEPTH + 16


async def _json_body(request: Request) -> Any:
    """The request's JSON body; BadRequest if it is not JSON, or holds a value the fake refuses."""
    try:
        return parse_json(await request.body(), STATE_DEPTH)
    except UnsafeJson as error:
        raise BadRequest(str(error)) from None
    except ValueError:
        raise BadRequest("The body must be JSON") from None


async def get_state(request: Request) -> JSONResponse:
    return JSONResponse(_fake(request).snapshot())


async def put_state(request: Request) -> JSONResponse:
    fake = _fake(request)
    try:
        fake.restore(await _json_body(request))
    except BadRequest as error:
        return error_response(error)
    return JSONResponse(fake.snapshot())


async def principals(request: Request) -> JSONResponse:
    """The API keys that work, with their secrets: this is a fake, and the dashboard signs in with them.
    Secrets go only to a client on this machine."""
    directory = _fake(request).directory
    keys = [
        {"key": k.key, "secret": k.secret, "userId": k.user_id, "projectId": k.project_id, "role": k.role}
        for k in directory.keys.values()
    ]
    if not is_loopback_client(request.scope):
        keys = [{name: value for name, value in key.items() if name != "secret"} for key in keys]
    return JSONResponse({"anyKey": directory.any_key, "apiKeys": keys})


async def list_webhooks(request: Request) -> JSONResponse:
    return JSONResponse({"webhooks": [webhook.as_dict() for webhook in _fake(request).webhooks.webhooks()]})


async def add_webhook(request: Request) -> JSONResponse:
    try:
        webhook = _fake(request).webhooks.register(await _json_body(request))
    except BadRequest as error:
        return error_response(error)
    return JSONResponse({"webhook": webhook.as_dict()}, status_code=201)


async def delete_webhook(request: Request) -> JSONResponse:
    webhook_id = request.path_params["webhookId"]
    if not _fake(request).webhooks.remove(webhook_id):
        return error_response(NotFound(f"Webhook {webhook_id} not found"))
    return JSONResponse({"success": True})


async def webhook_deliveries(request: Request) -> JSONResponse:
    query = request.query_params
    unknown = set(query) - {"webhookId", "jobId"}
    if unknown:
        return error_response(BadRequest(f"Unknown query parameters: {', '.join(sorted(unknown))}"))
    found = _fake(request).webhooks.deliveries(query.get("webhookId"), query.get("jobId"))
    return JSONResponse({"deliveries": [delivery.as_dict() for delivery in found]})


async def webhooks_contract(request: Request) -> FileResponse:
    return FileResponse(WEBHOOKS_CONTRACT, media_type="application/yaml")


routes = [
    Route("/reset", reset, methods=["POST"]),
    Route("/state", get_state, methods=["GET"]),
    Route("/state", put_state, methods=["PUT"]),
    Route("/principals", principals, methods=["GET"]),
    Route("/webhooks", list_webhooks, methods=["GET"]),
    Route("/webhooks", add_webhook, methods=["POST"]),
    Route("/webhooks/deliveries", webhook_deliveries, methods=["GET"]),
    Route("/webhooks/openapi.yaml", webhooks_contract, methods=["GET"]),
    Route("/webhooks/{webhookId}", delete_webhook, methods=["DELETE"]),
    Route("/clock", get_clock, methods=["GET"]),
    Route("/clock/advance", advance_clock, methods=["POST"]),
    Route("/version", version, methods=["GET"]),
    Route("/journal", journal, methods=["GET"]),
    Route("/journal/report", journal_report, methods=["GET"]),
    Route("/faults", list_faults, methods=["GET"]),
    Route("/faults", add_fault, methods=["POST"]),
    Route("/faults/{faultId}", delete_fault, methods=["DELETE"]),
]
