"""Random control requests: never a 5xx, always the error envelope on a refusal, and a refusal changes
nothing. Seeded (``derandomize``) and short, so that a failure comes back the same on every run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings

ENDPOINTS = [
    ("POST", "/_mock/reset"),
    ("POST", "/_mock/clock/advance"),
    ("POST", "/_mock/faults"),
    ("DELETE", "/_mock/faults/fault_1"),
    ("POST", "/_mock/webhooks"),
    ("DELETE", "/_mock/webhooks/webhook_1"),
    ("PUT", "/_mock/state"),
    ("GET", "/_mock/journal"),
    ("GET", "/_mock/journal/report"),
    ("GET", "/_mock/webhooks/deliveries"),
    ("GET", "/_mock/principals"),
]
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False),
    st.sampled_from([0, 1, -1, 2**53, 2**63, 10**400 // 10**390]),
)
JSON = st.recursive(
    st.none() | st.booleans() | NUMBERS | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
SHAPED = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.sampled_from(["http-error", "latency", "node-failure", "meteor"]),
        "status": NUMBERS,
        "count": NUMBERS,
        "nth": NUMBERS,
        # The clock's own bounds (how far, how fast) are checked by its tests; here, values it takes.
        "seconds": st.floats(min_value=-10, max_value=3600),
        "speed": st.floats(min_value=-10, max_value=1000),
        "mode": st.sampled_from(["manual", "realtime", "instant", "warp"]),
        "atProgress": NUMBERS,
        "projectId": st.sampled_from(["proj_demo", "proj_nowhere"]),
        "url": st.sampled_from(["http://127.0.0.1:1/_mock/reset", "http://example.com/hook", "ftp://x", "nope"]),
        "secret": st.text(max_size=5),
        "version": NUMBERS,
        "jobs": JSON,
    },
)


def _encoded(value: Any) -> bytes:
    """JSON as a client might send it: integers past 64 bits, and Infinity where a float is infinite."""
    return json.dumps(value).encode()


BODIES = st.one_of(
    st.none(),
    st.binary(max_size=64),
    JSON.map(_encoded),
    SHAPED.map(_encoded),
    st.integers(min_value=1, max_value=3000).map(lambda depth: b"[" * depth + b"]" * depth),
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Content-Type": st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]),
        "Origin": st.sampled_from(["http://localhost", "https://evil.example", "null"]),
        "Host": st.sampled_from(["localhost", "evil.example", "127.0.0.1:9", "[::1]"]),
    },
)
QUERIES = st.dictionaries(
    st.sampled_from(["since", "format", "webhookId", "jobId", "other"]),
    st.one_of(st.text(max_size=30), st.integers(min_value=-(10**40), max_value=10**40).map(str)),
    max_size=3,
)


Control = tuple[Fake, httpx.Client, dict[str, Any]]


@pytest.fixture(scope="module")
def control() -> Iterator[Control]:
    """One fake for every example, put back after each as it started, its clock included (a reset keeps
    the clock's time)."""
    fake = Fake(Settings(clock_mode="manual"))
    transport = SyncASGITransport(create_app(fake))
    with httpx.Client(transport=transport, base_url="http://localhost") as client:
        yield fake, client, fake.snapshot()
    transport.close()
    fake.close()


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(endpoint=st.sampled_from(ENDPOINTS), body=BODIES, headers=HEADERS, query=QUERIES)
def test_a_control_request_is_answered_and_a_refusal_changes_nothing(
    control: Control,
    endpoint: tuple[str, str],
    body: bytes | None,
    headers: dict[str, str],
    query: dict[str, str],
) -> None:
    fake, client, before = control
    method, path = endpoint
    answer = client.request(method, path, content=body, headers=headers, params=query)
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        _assert_envelope(answer)
        assert fake.snapshot() == before
    fake.restore(before)


def _assert_envelope(answer: httpx.Response) -> None:
    body: Any = answer.json()
    assert body["statusCode"] == answer.status_code
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["message"], str) and body["message"]


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(endpoint=st.sampled_from(ENDPOINTS), body=SHAPED.map(_encoded) | JSON.map(_encoded), query=QUERIES)
def test_a_well_addressed_json_control_request_is_answered_and_a_refusal_changes_nothing(
    control: Control, endpoint: tuple[str, str], body: bytes, query: dict[str, str]
) -> None:
    fake, client, before = control
    method, path = endpoint
    answer = client.request(method, path, content=body, headers={"Content-Type": "application/json"}, params=query)
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        _assert_envelope(answer)
        assert fake.snapshot() == before
    fake.restore(before)
