"""Streamable HTTP under ``/mcp`` of the fake's app: stateless, with JSON answers.

Each request is a session of its own, so the caller is read from that request's headers and no session
outlives it: nothing to keep between requests, nothing to clean up, and the app needs no lifespan (the
fake is also served with none, by ``running()``). The MCP server is built at the first request, so a
fake that is never asked over MCP pays nothing for it, not even the SDK's import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from mcp.server.fastmcp import FastMCP

PATH = "/mcp"
# Streamable HTTP's: POST carries messages, GET opens a stream of the server's own, DELETE ends a session.
METHODS = ["GET", "POST", "DELETE"]


class StreamableHttpEndpoint:
    """The ASGI app serving one fake's MCP server over Streamable HTTP."""

    def __init__(self, build: Callable[[], FastMCP]) -> None:
        self._build = build
        self._server: FastMCP | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The MCP SDK loads at the first call: a fake never asked over MCP pays nothing for it.
        from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

        if self._server is None:
            self._server = self._build()
        # FastMCP's own HTTP app runs one session manager for the app's lifetime; a stateless one per
        # request serves the same protocol with no lifespan to start it.
        manager = StreamableHTTPSessionManager(app=self._server._mcp_server, json_response=True, stateless=True)
        async with manager.run():
            await manager.handle_request(scope, receive, send)
