"""The Starlette application: the API under ``/v1``, the orchestrator API under ``/api/v1``, the control
plane under ``/_mock``, the MCP server under ``/mcp``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount, Route

from mockserver.core.http.dialect import serve
from mockserver.core.http.endpoint import MountedApi, unknown_route_answer
from mockserver.core.http.fastpath import FastPathApp
from mockserver.mcp import http as mcp_http
from mockserver.orchestrator import routes as orchestrator
from mockserver.scenario import cdn
from mockserver.scenario.assets import routes as assets
from mockserver.scenario.dialect import SCENARIO
from mockserver.scenario.jobs import routes as jobs
from mockserver.scenario.workflows import routes as workflows
from mockserver.server import control, dashboard
from mockserver.server.fake import Fake
from mockserver.server.guard import ControlGuard, ControlPolicy
from mockserver.server.settings import DEFAULT_FIXTURES, Settings

if TYPE_CHECKING:
    from mockserver.mcp.auth import Credentials

API_PREFIX = "/v1"
# How a fake the contract kit makes runs: a manual clock the kit moves, and workflow jobs it may cancel.
KIT_SETTINGS: dict[str, Any] = {"clock_mode": "manual", "cancel_workflow_jobs": True}
SCENARIO_API = MountedApi(API_PREFIX, SCENARIO)
APIS = (SCENARIO_API, MountedApi(orchestrator.PREFIX, orchestrator.ORCHESTRATOR))


def create_app(fake: Fake | None = None, settings: Settings | None = None) -> Starlette:
    fake = fake or Fake(settings)
    app = FastPathApp(
        routes=[
            Mount(API_PREFIX, routes=workflows.routes + jobs.routes + assets.routes),
            Mount(orchestrator.PREFIX, routes=orchestrator.routes),
            Mount("/_mock", routes=control.routes + dashboard.routes),
            Route("/cdn/assets/{assetId}", cdn.download, methods=["GET"]),
            Route("/cdn/downloads/{jobId}", cdn.download_archive, methods=["GET"]),
            Route("/cdn/uploads/{uploadId}/parts/{number}", cdn.put_part, methods=["PUT"]),
            Route(
                mcp_http.PATH,
                mcp_http.StreamableHttpEndpoint(lambda: mcp_server(fake)),
                methods=mcp_http.METHODS,
            ),
        ],
        # The control plane and the CDN answer in Scenario's envelope too.
        exception_handlers={HTTPException: unknown_route_answer(APIS, home=SCENARIO_API)},
        # Only requests off the fast path meet middleware: the control plane, the dashboard, the CDN.
        middleware=[Middleware(ControlGuard, policy=control_policy(fake.settings))],
    )
    app.state.fake = fake
    serve(app, fake, {SCENARIO: fake.scenario, orchestrator.ORCHESTRATOR: fake.orchestrator})
    return app


def mcp_server(fake: Fake, credentials: Credentials | None = None) -> Any:
    """The fake's MCP server (a FastMCP), its callers found by ``credentials`` (by default, in each HTTP
    request's headers). The MCP SDK is imported here, when a server is first wanted."""
    from mockserver.mcp import auth
    from mockserver.mcp.server import build_server

    return build_server(fake, fake.scenario, credentials or auth.from_request_headers, lambda: fake.base_url)


def control_policy(settings: Settings) -> ControlPolicy:
    """Who may use the control plane: the names given, and the public URL's host (the fake's own name)."""
    public = urlsplit(settings.public_url).hostname if settings.public_url else None
    hosts = frozenset(name.lower() for name in [*settings.control_hosts, *([public] if public else [])])
    return ControlPolicy(hosts=hosts, token=settings.control_token)


def kit_app(base_url: str | None = None, added_fixtures: Sequence[Path] = (), **settings: Any) -> Starlette:
    """A fresh fake's app as the contract kit makes one; the kit names it by string,
    ``mockserver.server.app:kit_app``, and reaches the fake only through the app.

    ``settings`` are :class:`Settings` fields, over :data:`KIT_SETTINGS`; ``added_fixtures`` are folders
    loaded after the ``fixtures`` setting's (the default fixtures unless it is given); ``base_url`` is where
    the app is served, for the asset URLs of webhooks. The fake is closed when the app's lifespan ends.
    """
    options = {**KIT_SETTINGS, **settings}
    if added_fixtures:
        options["fixtures"] = [*options.get("fixtures", [DEFAULT_FIXTURES]), *added_fixtures]
    fake = Fake(Settings(**options))
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
