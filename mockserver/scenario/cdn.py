"""The fake's CDN: every asset URL the fake hands out downloads a real, small file of the asset's kind."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from mockserver.core.errors import NotFound
from mockserver.core.http.dialect import served_by
from mockserver.core.http.responses import error_response
from mockserver.scenario.dialect import SCENARIO
from mockserver.scenario.jobs.samples import sample_file

# What an asset id the fake hands out is made of; anything else (a quote, CR-LF, NUL, non-Latin-1 text)
# could never be one, and must not reach the Content-Disposition header.
ASSET_ID = re.compile(r"[A-Za-z0-9_.-]{1,200}")


async def download(request: Request) -> Response:
    asset_id = request.path_params["assetId"]
    if not ASSET_ID.fullmatch(asset_id):
        return error_response(NotFound("Asset not found: not an asset id"))
    kind = SCENARIO.backend(served_by(request.app)).store.asset_kind(asset_id)
    if kind is None and not asset_id.startswith("asset_"):
        return error_response(NotFound(f"Asset {asset_id} not found"))
    sample = sample_file(kind or "image", seed=asset_id)
    headers = {"Content-Disposition": f'inline; filename="{asset_id}.{sample.extension}"'}
    return Response(sample.content, media_type=sample.media_type, headers=headers)
