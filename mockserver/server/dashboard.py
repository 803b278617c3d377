"""What a developer sees in a browser: the dashboard at ``/_mock/`` and the API's interactive docs at ``/_mock/docs``.

The dashboard is a plain HTML page and one vanilla JavaScript file served from the
package (no build step, nothing from a CDN): it reads the API as a chosen principal
and the control plane, polling for live updates.

The docs page is Swagger UI, whose assets come from the ``swagger-ui-py`` package
(its 5.x build reads OpenAPI 3.1; the machine may have no internet). It shows the
contract with its server rewritten to this fake, so "Try it out" calls the fake,
and the webhooks document beside it.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from mockserver.core.errors import NotFound
from mockserver.core.http.responses import error_response
from mockserver.core.resources import packaged
from mockserver.server.fake import Fake

STATIC = packaged("mockserver.server", "dashboard_static")
DASHBOARD_FILES = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
SWAGGER_FILES = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}


def swagger_assets() -> Path | None:
    """The folder of Swagger UI's built files, inside the installed ``swagger_ui`` package (not imported)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


async def index(request: Request) -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"})


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in DASHBOARD_FILES:
        return error_response(NotFound(f"No dashboard file {name}"))
    return FileResponse(STATIC / name, media_type=DASHBOARD_FILES[name], headers={"Cache-Control": "no-cache"})


async def docs(request: Request) -> Response:
    if swagger_assets() is None:
        return error_response(NotFound("Swagger UI's assets are not installed (pip install swagger-ui-py)"))
    return HTMLResponse(DOCS_PAGE)


async def docs_asset(request: Request) -> Response:
    name = request.path_params["name"]
    folder = swagger_assets()
    if folder is None or name not in SWAGGER_FILES:
        return error_response(NotFound(f"No docs file {name}"))
    return FileResponse(folder / name, media_type=SWAGGER_FILES[name])


async def contract(request: Request) -> JSONResponse:
    """The API's contract, served to try against this fake: its server is this fake's ``/v1``."""
    fake: Fake = request.app.state.fake
    return JSONResponse(served_contract(fake.scenario.contract.document))


def served_contract(document: dict[str, Any]) -> dict[str, Any]:
    served = copy.deepcopy(document)
    production = document.get("servers", [])
    served["servers"] = [{"url": "/v1", "description": "This fake"}, *production]
    return served


DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Scenario API docs (mockserver)</title>
  <link rel="icon" href="docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="docs/assets/swagger-ui.css">
  <style>body { margin: 0 }</style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/assets/swagger-ui-bundle.js"></script>
  <script src="docs/assets/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      urls: [
        {url: "openapi.json", name: "Scenario Workflows and Jobs API"},
        {url: "webhooks/openapi.yaml", name: "Webhooks the fake sends"}
      ],
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout",
      persistAuthorization: true
    });
  </script>
  <p style="font: 13px sans-serif; margin: 1em 2em">
    Authorize with <code>key_alice</code> / <code>secret_alice</code> (Basic) to try operations against this fake.
    <a href="./">Back to the dashboard</a>.
  </p>
</body>
</html>
"""

routes = [
    Route("/", index, methods=["GET"]),
    Route("/static/{name}", static, methods=["GET"]),
    Route("/docs", docs, methods=["GET"]),
    Route("/docs/assets/{name}", docs_asset, methods=["GET"]),
    Route("/openapi.json", contract, methods=["GET"]),
]
