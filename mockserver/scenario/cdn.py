"""The fake's CDN: every asset URL the fake hands out downloads a real, small file of the asset's kind."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from mockserver.core.errors import NotFound
from mockserver.core.http.dialect import served_by
from mockserver.core.http.responses import error_response
from mockserver.scenario.dialect import SCENARIO
from mockserver.scenario.jobs.samples import sample_file


async def download(request: Request) -> Response:
    asset_id = request.path_params["assetId"]
    kind = SCENARIO.backend(served_by(request.app)).store.asset_kind(asset_id)
    if kind is None and not asset_id.startswith("asset_"):
        return error_response(NotFound(f"Asset {asset_id} not found"))
    sample = sample_file(kind or "image", seed=asset_id)
    headers = {"Content-Disposition": f'inline; filename="{asset_id}.{sample.extension}"'}
    return Response(sample.content, media_type=sample.media_type, headers=headers)
