"""The documented limit: 100 requests a minute per project, with 429 and Retry-After, when switched on."""

from __future__ import annotations

import httpx
import pytest
import scenario_sdk

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings


@pytest.fixture
def limited():
    fake = Fake(Settings(clock_mode="manual", rate_limit=True))
    transport = SyncASGITransport(create_app(fake))
    client = httpx.Client(transport=transport, base_url="http://testserver")
    yield fake, client
    transport.close()


def test_the_101st_request_in_a_minute_is_429(limited):
    fake, client = limited
    for _ in range(100):
        assert client.get("/v1/workflows", auth=("key_alice", "secret_alice")).status_code == 200
    refused = client.get("/v1/workflows", auth=("key_bob", "secret_bob"))  # same project
    assert refused.status_code == 429
    body = refused.json()
    assert body["statusCode"] == 429 and body["error"] == "Too Many Requests" and "100" in body["message"]
    assert refused.headers["Retry-After"] == "60"
    assert client.get("/v1/workflows", auth=("key_eve", "secret_eve")).status_code == 200  # another project
    fake.clock.advance(30)
    assert client.get("/v1/workflows", auth=("key_alice", "secret_alice")).headers["Retry-After"] == "30"
    fake.clock.advance(30)
    assert client.get("/v1/workflows", auth=("key_alice", "secret_alice")).status_code == 200


def test_sdk_sees_a_rate_limit_error(limited):
    fake, client = limited
    sdk = scenario_sdk.Scenario(
        base_url="http://testserver/v1",
        api_key="key_alice",
        api_secret="secret_alice",
        max_retries=0,
        http_client=client,
    )
    for _ in range(100):
        sdk.workflows.get_tags()
    with pytest.raises(scenario_sdk.RateLimitError):
        sdk.workflows.get_tags()


def test_off_by_default(http):
    for _ in range(120):
        assert http("GET", "/v1/workflows/tags").status_code == 200
