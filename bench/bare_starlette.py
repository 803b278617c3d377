"""The practical ceiling: a bare Starlette app answering a fixed JSON body, under the same uvicorn."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = b'{"workflow":{"id":"workflow_bg_remover","name":"Background Remover"}}'


async def fixed(request):
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/{path:path}", fixed, methods=["GET", "PUT"])])
