"""Dropping a client's connection without an answer, for the ``drop-connection`` fault rule.

ASGI has no message for "close the connection without a response": a server turns
an app that raises, or returns without answering, into a 500. So the app keeps the
server's own ``send`` in the scope (:class:`FakeApp`) and, to drop, reaches the
connection behind it. Under uvicorn that ``send`` is a method of the request
cycle, which holds the asyncio transport: aborting it closes the socket at once,
and uvicorn, told by ``connection_lost`` that the client is gone, sends nothing.
In process, there is no socket: :class:`ConnectionDropped` is raised instead, an
httpx transport error, which is what a client sees when a real server drops it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette._utils import get_route_path
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from mockserver.http.routing import ANSWERS_EVERYTHING, SegmentRouter

SERVER_SEND = "mockserver.server_send"


class ConnectionDropped(httpx.RemoteProtocolError):
    def __init__(self) -> None:
        super().__init__("Server disconnected without sending a response.")


class FakeApp(Starlette):
    """The fake's Starlette app: remembers the server's ``send`` so a request can be dropped, and finds
    routes by their path segments."""

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

    @property
    def headers(self) -> dict[str, str]:  # type: ignore[override]
        if self._plain_headers is None:
            # Reversed: where a header is repeated, the first one counts, as in Starlette's.
            self._plain_headers = {
                name.decode("latin-1"): value.decode("latin-1") for name, value in reversed(self.scope["headers"])
            }
        return self._plain_headers

    _plain_headers: dict[str, str] | None = None


class DroppedConnection(Response):
    """A "response" that closes the client's connection instead of answering."""

    def __init__(self) -> None:
        super().__init__(status_code=499)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        transport = _socket_transport(scope.get(SERVER_SEND))
        if transport is None:
            raise ConnectionDropped()
        transport.abort()
        await asyncio.sleep(0)  # let the server's connection_lost run before the app returns


def _socket_transport(server_send: Any) -> Any:
    """The transport behind uvicorn's ``send`` (asyncio's or uvloop's: both can ``abort``), if there is one."""
    transport = getattr(getattr(server_send, "__self__", None), "transport", None)
    return transport if callable(getattr(transport, "abort", None)) else None
