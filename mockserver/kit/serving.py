"""How the kit runs an ASGI app it reaches a target through: in process, or served on a loopback port.

In process, the app's lifespan is kept open for as long as the kit uses it (an app that owns
background work ends it at shutdown), and requests go through an httpx transport that calls
the app directly. Served, uvicorn runs it on a free port in a background thread.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
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


@contextmanager
def served(build: Callable[[str], Any], host: str = "127.0.0.1") -> Iterator[str]:
    """Serve the app ``build(base_url)`` returns on a free port of ``host`` until the block ends; its base URL.

    The port is bound before the app is built, so that the app can know where it is reached.
    """
    import uvicorn

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, 0))
    base_url = f"http://{host}:{listener.getsockname()[1]}"
    config = uvicorn.Config(build(base_url), log_level="warning", access_log=False, lifespan="auto")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="mockserver-kit", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT)
        listener.close()


def _wait_started(server: Any, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the app stopped before it started serving")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app did not start serving within {STARTUP_TIMEOUT} seconds")
        time.sleep(0.01)
