"""httpx transports that call the ASGI app directly: an in-process fake needs no socket.

:class:`SyncASGITransport` lets a synchronous client (``scenario_sdk.Scenario``)
talk to the app: the app runs on one event loop, in a daemon thread kept for
the transport's life. The async client uses httpx's own ``ASGITransport``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


class _LoopThread:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="mockserver-asgi", daemon=True)
        self._thread.start()

    def run(self, awaitable: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(awaitable, self.loop).result()  # type: ignore[arg-type]

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()


class SyncASGITransport(httpx.BaseTransport):
    def __init__(self, app: Any) -> None:
        self._async = httpx.ASGITransport(app=app)
        self._loop: _LoopThread | None = None
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        loop = self._started()
        body = request.read()
        copy = httpx.Request(request.method, request.url, headers=request.headers, content=body)

        async def send() -> tuple[int, httpx.Headers, bytes]:
            response = await self._async.handle_async_request(copy)
            content = b"".join([chunk async for chunk in response.aiter_bytes()])
            return response.status_code, response.headers, content

        status, headers, content = loop.run(send())
        return httpx.Response(status, headers=headers, content=content, request=request)

    def close(self) -> None:
        with self._lock:
            if self._loop is not None:
                self._loop.stop()
                self._loop = None

    def _started(self) -> _LoopThread:
        with self._lock:
            if self._loop is None:
                self._loop = _LoopThread()
            return self._loop
