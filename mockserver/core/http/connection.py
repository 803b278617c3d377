"""Dropping a client's connection without an answer, for the ``drop-connection`` fault rule.

ASGI has no message for "close the connection without a response": a server turns
an app that raises, or returns without answering, into a 500. So the app keeps the
server's own ``send`` in the scope (under :data:`SERVER_SEND`) and, to drop, reaches the
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
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

SERVER_SEND = "mockserver.server_send"


class ConnectionDropped(httpx.RemoteProtocolError):
    def __init__(self) -> None:
        super().__init__("Server disconnected without sending a response.")


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
