"""Serving an ASGI app with uvicorn on a loopback port, in a background thread, for a ``with`` block."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

from mockserver.core.tls import TlsFiles


@contextmanager
def served(
    build: Callable[[str], Any],
    host: str = "127.0.0.1",
    port: int = 0,
    lifespan: Literal["auto", "on", "off"] = "auto",
    timeout: float = 20.0,
    tls: TlsFiles | None = None,
) -> Iterator[str]:
    """Serve the app ``build(base_url)`` returns on ``host`` (a free port unless ``port`` is given) until the
    block ends; its base URL. With ``tls``, over HTTPS with that certificate.

    The port is bound before the app is built, so that the app can know where it is reached.
    """
    import uvicorn

    from mockserver.core.http.protocol import BoundedHttpProtocol

    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    scheme = "https" if tls else "http"
    base_url = f"{scheme}://{f'[{host}]' if ':' in host else host}:{listener.getsockname()[1]}"
    config = uvicorn.Config(
        build(base_url),
        log_level="warning",
        access_log=False,
        lifespan=lifespan,
        http=BoundedHttpProtocol,
        **uvicorn_tls_options(tls),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="mockserver", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread, timeout)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=timeout)
        listener.close()


def _wait_started(server: Any, thread: threading.Thread, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server stopped before it started serving")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the server did not start serving within {timeout} seconds")
        time.sleep(0.01)


def uvicorn_tls_options(tls: TlsFiles | None) -> dict[str, Any]:
    """The options that make uvicorn serve HTTPS with ``tls`` (none for plain HTTP)."""
    if tls is None:
        return {}
    return {"ssl_certfile": str(tls.cert_file), "ssl_keyfile": str(tls.key_file)}
