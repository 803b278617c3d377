from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest

JSON = {"Content-Type": "application/json"}


def refusal(response: httpx.Response, status: int = 400) -> str:
    """The message of a refusal in Scenario's envelope (or the control plane's, the same)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["statusCode"] == status and body["error"] and body["message"]
    return body["message"]


@pytest.fixture
def state(http: Callable[..., httpx.Response]) -> Callable[[], str]:
    """The whole state as ``GET /_mock/state`` answers it, as one comparable string."""

    def read() -> str:
        response = http("GET", "/_mock/state", who=None)
        assert response.status_code == 200, response.text
        return json.dumps(response.json(), sort_keys=True)

    return read


@pytest.fixture
def unchanged(state: Callable[[], str]) -> Iterator[None]:
    """The test's requests must leave the state exactly as it was."""
    before = state()
    yield
    assert state() == before
