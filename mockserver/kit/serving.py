"""How the kit runs an ASGI app it reaches in process: its lifespan kept open while the kit uses it.

An app that owns background work ends it at shutdown; requests go through an httpx transport that
calls the app directly. Served over a socket, the app runs under ``core.serving.served``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
from anyio.from_thread import start_blocking_portal

STARTUP_TIMEOUT = 20.0


@contextmanager
def lifespan(app: Any) -> Iterator[None]:
    """Run ``app``'s ASGI lifespan around the block: startup before it, shutdown after.

    An app without a lifespan (one that refuses the scope) is run as it is.
    """
    failures: list[str] = []
    with start_blocking_portal() as portal:
        started, stopping = portal.call(anyio.Event), portal.call(anyio.Event)
        running = portal.start_task_soon(_run_lifespan, app, started, stopping, failures)
        portal.call(started.wait)
        if failures:
            raise RuntimeError(f"the app failed to start: {failures[0]}")
        try:
            yield
        finally:
            portal.call(stopping.set)
            running.result(timeout=STARTUP_TIMEOUT)


async def _run_lifespan(app: Any, started: anyio.Event, stopping: anyio.Event, failures: list[str]) -> None:
    messages = iter([{"type": "lifespan.startup"}])

    async def receive() -> dict[str, Any]:
        message = next(messages, None)
        if message is not None:
            return message
        await stopping.wait()
        return {"type": "lifespan.shutdown"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.failed":
            failures.append(message.get("message", ""))
        if message["type"] in ("lifespan.startup.complete", "lifespan.startup.failed"):
            started.set()

    try:
        await app({"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}, receive, send)
    except Exception:
        if started.is_set() and not failures:
            raise  # the shutdown failed
    finally:
        started.set()  # an app without a lifespan returns or raises before it starts
