"""The Starlette application: the API under ``/v1``, the orchestrator API under ``/api/v1``, the control
plane under ``/_mock``."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from mockserver.errors import MethodNotAllowed, NotFound
from mockserver.fake import Fake
from mockserver.http import assets, control, dashboard, jobs, workflows
from mockserver.http.connection import FakeApp
from mockserver.http.endpoint import error_response, log_request
from mockserver.orchestrator import routes as orchestrator
from mockserver.settings import Settings

API_PREFIX = "/v1"


def create_app(fake: Fake | None = None, settings: Settings | None = None) -> Starlette:
    fake = fake or Fake(settings)
    app = FakeApp(
        routes=[
            Mount(API_PREFIX, routes=workflows.routes + jobs.routes),
            Mount(orchestrator.PREFIX, routes=orchestrator.routes),
            Mount("/_mock", routes=control.routes + dashboard.routes),
            Route("/cdn/assets/{assetId}", assets.download, methods=["GET"]),
        ],
        exception_handlers={HTTPException: _unknown_route},
    )
    app.state.fake = fake
    return app


async def _unknown_route(request: Request, exc: Exception) -> Response:
    """NestJS-style answer for a route the API does not have, journaled as not in the contract."""
    status = getattr(exc, "status_code", 404)
    if status not in (404, 405):
        return JSONResponse({"statusCode": status, "error": "Error", "message": str(exc)}, status_code=status)
    fake: Fake = request.app.state.fake
    path = request.url.path
    if path.startswith(orchestrator.PREFIX + "/") or path == orchestrator.PREFIX:
        return orchestrator.unknown_route(request, status)
    if path.startswith(API_PREFIX + "/") or path == API_PREFIX:
        api_path = path[len(API_PREFIX) :] or "/"
        entry = fake.journal.start(request.method, path, request.url.query, None, fake.clock.now())
        entry.verdict = "not-in-contract"
        entry.status = status
        closest = fake.contract.closest(request.method, api_path)
        entry.looks_like = closest.operation_id if closest else None
        log_request(entry)
    if status == 405:
        response = error_response(MethodNotAllowed(f"Cannot {request.method} {path}"))
        api_path = path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else path
        response.headers["Allow"] = ", ".join(fake.contract.allowed_methods(api_path))
        return response
    return error_response(NotFound(f"Cannot {request.method} {path}"))
