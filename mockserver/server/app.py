"""The Starlette application: the API under ``/v1``, the orchestrator API under ``/api/v1``, the control
plane under ``/_mock``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from starlette._utils import get_route_path
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from mockserver.core.errors import MethodNotAllowed, NotFound
from mockserver.core.http.connection import SERVER_SEND
from mockserver.core.http.endpoint import error_response, log_request
from mockserver.core.http.routing import ANSWERS_EVERYTHING, SegmentRouter
from mockserver.orchestrator import routes as orchestrator
from mockserver.scenario import cdn as assets
from mockserver.scenario.jobs import routes as jobs
from mockserver.scenario.workflows import routes as workflows
from mockserver.server import control, dashboard
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings

API_PREFIX = "/v1"
# How a fake the contract kit makes runs: a manual clock the kit moves, and workflow jobs it may cancel.
KIT_SETTINGS: dict[str, Any] = {"clock_mode": "manual", "cancel_workflow_jobs": True}


class FakeApp(Starlette):
    """The fake's Starlette app: keeps the server's ``send`` in the scope so a request can be dropped, finds
    routes by their path segments, and calls API endpoints, which answer every error themselves, without
    Starlette's middleware."""

    def __init__(self, routes: list[BaseRoute], **options: Any) -> None:
        super().__init__(routes=routes, **options)
        self.router = SegmentRouter(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[SERVER_SEND] = send
            found = self.router.find(scope["method"], get_route_path(scope))
            if found is not None and getattr(found[0].endpoint, ANSWERS_EVERYTHING, False):
                scope["app"] = self
                route = self.router.enter(scope, found)
                response = await route.endpoint(ApiRequest(scope, receive, send))
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


class ApiRequest(Request):
    """A request whose headers are a dict, built once: Starlette's scan the header list on every lookup,
    and serving an API request looks up five of them."""

    _plain_headers: dict[str, str] | None = None

    @property
    def headers(self) -> dict[str, str]:  # type: ignore[override]
        if self._plain_headers is None:
            # Reversed: where a header is repeated, the first one counts, as in Starlette's.
            self._plain_headers = {
                name.decode("latin-1"): value.decode("latin-1") for name, value in reversed(self.scope["headers"])
            }
        return self._plain_headers


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


def kit_app(base_url: str | None = None, **settings: Any) -> Starlette:
    """A fresh fake's app as the contract kit makes one; the kit names it by string,
    ``mockserver.server.app:kit_app``, and reaches the fake only through the app.

    ``settings`` are :class:`Settings` fields, over :data:`KIT_SETTINGS`; ``base_url`` is where the app is
    served, for the asset URLs of webhooks. The fake is closed when the app's lifespan ends.
    """
    fake = Fake(Settings(**{**KIT_SETTINGS, **settings}))
    if base_url is not None:
        fake.base_url = base_url
    app = create_app(fake)
    app.router.lifespan_context = _closing(fake)
    return app


def _closing(fake: Fake) -> Callable[[Any], Any]:
    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            fake.close()

    return lifespan


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
        closest = fake.scenario.contract.closest(request.method, api_path)
        entry.looks_like = closest.operation_id if closest else None
        log_request(entry)
    if status == 405:
        response = error_response(MethodNotAllowed(f"Cannot {request.method} {path}"))
        api_path = path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else path
        response.headers["Allow"] = ", ".join(fake.scenario.contract.allowed_methods(api_path))
        return response
    return error_response(NotFound(f"Cannot {request.method} {path}"))
