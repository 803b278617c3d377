from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

import httpx
import pytest
from scenario_sdk import Scenario

from mockserver.fake import Fake
from mockserver.http.app import create_app
from mockserver.settings import Settings
from mockserver.transport import SyncASGITransport

# pytester runs small suites that use the package's own pytest plugin (tests/plugin).
pytest_plugins = ["pytester"]

KEYS = {
    "alice": ("key_alice", "secret_alice"),
    "bob": ("key_bob", "secret_bob"),
    "carol": ("key_carol", "secret_carol"),
    "dave": ("key_dave", "secret_dave"),
    "eve": ("key_eve", "secret_eve"),
}


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
