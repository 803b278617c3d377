"""The Starlette application: the API under ``/v1``, the orchestrator API under ``/api/v1``, the control
plane under ``/_mock``."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Mount, Route

from mockserver.core.http.dialect import serve
from mockserver.core.http.endpoint import MountedApi, unknown_route_answer
from mockserver.core.http.fastpath import FastPathApp
from mockserver.orchestrator import routes as orchestrator
from mockserver.scenario import cdn as assets
from mockserver.scenario.dialect import SCENARIO
from mockserver.scenario.jobs import routes as jobs
from mockserver.scenario.workflows import routes as workflows
from mockserver.server import control, dashboard
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings

API_PREFIX = "/v1"
APIS = (MountedApi(API_PREFIX, SCENARIO), MountedApi(orchestrator.PREFIX, orchestrator.ORCHESTRATOR))


def create_app(fake: Fake | None = None, settings: Settings | None = None) -> Starlette:
    fake = fake or Fake(settings)
    app = FastPathApp(
        routes=[
            Mount(API_PREFIX, routes=workflows.routes + jobs.routes),
            Mount(orchestrator.PREFIX, routes=orchestrator.routes),
            Mount("/_mock", routes=control.routes + dashboard.routes),
            Route("/cdn/assets/{assetId}", assets.download, methods=["GET"]),
        ],
        # The control plane and the CDN answer in Scenario's envelope too.
        exception_handlers={HTTPException: unknown_route_answer(APIS, elsewhere=SCENARIO)},
    )
    app.state.fake = fake
    serve(app, fake, {SCENARIO: fake.scenario, orchestrator.ORCHESTRATOR: fake.orchestrator})
    return app
