from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from scenario_sdk import Scenario

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings

# pytester runs small suites that use the package's own pytest plugin (tests/plugin).
pytest_plugins = ["pytester"]

KEYS = {
    "alice": ("key_alice", "secret_alice"),
    "bob": ("key_bob", "secret_bob"),
    "carol": ("key_carol", "secret_carol"),
    "dave": ("key_dave", "secret_dave"),
    "eve": ("key_eve", "secret_eve"),
}


# A 1x1 PNG, as a data URL: what a client uploads to make an asset of its project.
PNG_DATA_URL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def basic(who: str) -> dict[str, str]:
    key, secret = KEYS[who]
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


@pytest.fixture
def settings() -> Settings:
    return Settings(clock_mode="manual")


@pytest.fixture
def fake(settings: Settings) -> Fake:
    return Fake(settings)


@pytest.fixture
def transport(fake: Fake) -> Iterator[SyncASGITransport]:
    transport = SyncASGITransport(create_app(fake))
    yield transport
    transport.close()


@pytest.fixture
def http(transport: SyncASGITransport) -> Iterator[Callable[..., httpx.Response]]:
    """Raw HTTP as a user (default alice) would send it: ``http("GET", "/v1/workflows", who="bob")``."""
    client = httpx.Client(transport=transport, base_url="http://testserver")

    def send(method: str, url: str, who: str | None = "alice", **kwargs) -> httpx.Response:
        headers = {**(basic(who) if who else {}), **kwargs.pop("headers", {})}
        return client.request(method, url, headers=headers, **kwargs)

    yield send
    client.close()


@pytest.fixture
def uploaded_image(http: Callable[..., httpx.Response]) -> Callable[..., str]:
    """Upload an image as a client would: ``uploaded_image("eve")`` is a new asset id of eve's project."""

    def upload(who: str = "alice", name: str = "photo.png") -> str:
        answer = http("POST", "/v1/assets", who=who, json={"name": name, "image": PNG_DATA_URL})
        assert answer.status_code == 200, answer.text
        return answer.json()["asset"]["id"]

    return upload


@pytest.fixture
def sdk(transport: SyncASGITransport) -> Iterator[Callable[[str], Scenario]]:
    """The official client bound to the fake, as one of the default principals."""
    clients: list[Scenario] = []

    def client_for(who: str = "alice") -> Scenario:
        key, secret = KEYS[who]
        client = Scenario(
            base_url="http://testserver/v1",
            api_key=key,
            api_secret=secret,
            max_retries=0,
            http_client=httpx.Client(transport=transport),
        )
        clients.append(client)
        return client

    yield client_for
    for client in clients:
        client.close()


class Receiver:
    """A webhook receiver on a real loopback socket: records every POST, answers the statuses it is told to."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []  # answered in turn, then 200
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.received.append({"headers": dict(self.headers), "raw": body, "json": json.loads(body)})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.received)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The calls, once there are at least ``count`` (polled with a deadline)."""
        deadline = time.monotonic() + timeout
        while len(self.calls()) < count:
            assert time.monotonic() < deadline, f"waited {timeout}s for {count} webhook calls, got {len(self.calls())}"
            time.sleep(0.01)
        return self.calls()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()
