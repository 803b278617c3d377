"""The fake's CDN: every asset URL the fake hands out downloads a real, small file."""

from __future__ import annotations

import base64

from starlette.requests import Request
from starlette.responses import Response

# A 1x1 transparent PNG.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


async def download(request: Request) -> Response:
    return Response(_PNG, media_type="image/png")
