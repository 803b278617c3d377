"""Every request is answered within a bound while hostile work is in flight on other connections.

A probe reads a workflow over and over on its own connection of the served fake. Meanwhile another client
saves generated flows, runs them and moves the clock an hour; a third sends a body past the limit; and two
sockets stall, one in the middle of its request head and one in the middle of its body. No answer to anyone
is a 5xx, and the probe's slowest answer stays within the bound.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from mockserver.core.serving import served
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings
from tests.hostile import strategies
from tests.hostile.test_invariants import ANSWER_SECONDS, EXAMPLES, HOSTILE

ALICE = ("key_alice", "secret_alice")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with served(lambda base_url: create_app(Fake(Settings(clock_mode="manual")))) as url:
        yield url


class Probe(threading.Thread):
    """Reads a workflow until stopped, on a connection of its own; keeps the slowest answer and any 5xx."""

    def __init__(self, base_url: str) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=base_url, auth=ALICE, timeout=ANSWER_SECONDS * 3)
        self.done = threading.Event()
        self.slowest = 0.0
        self.answers = 0
        self.failures: list[int] = []

    def run(self) -> None:
        with self.client:
            while not self.done.is_set():
                started = time.perf_counter()
                status = self.client.get("/v1/workflows/workflow_demo_poster").status_code
                self.slowest = max(self.slowest, time.perf_counter() - started)
                self.answers += 1
                if status >= 500:
                    self.failures.append(status)


def _stalled(base_url: str, *sent: bytes) -> socket.socket:
    """A connection that sent ``sent`` and then nothing more."""
    parts = urlsplit(base_url)
    connection = socket.create_connection((parts.hostname or "", parts.port or 80), timeout=5)
    for chunk in sent:
        connection.sendall(chunk)
    return connection


def _hostile_work(base_url: str, data: st.DataObject) -> list[int]:
    """What a hostile client sends on its own connections; the statuses it got."""
    statuses = []
    with httpx.Client(base_url=base_url, auth=ALICE, timeout=ANSWER_SECONDS * 3) as client:

        def send(method: str, url: str, **kwargs: Any) -> httpx.Response:
            response = client.request(method, url, **kwargs)
            statuses.append(response.status_code)
            return response

        own = send("POST", "/v1/workflows", json={"name": "w", "description": "d"}).json()["workflow"]["id"]
        other = send("POST", "/v1/workflows", json={"name": "w", "description": "d"}).json()["workflow"]["id"]
        for workflow_id, others in ((other, [own]), (own, [other, "workflow_demo_poster"])):
            flow = data.draw(strategies.flows(workflow_id, others))
            send("PUT", f"/v1/workflows/{workflow_id}", json={"flow": flow, "status": "ready"})
        for dry_run in ("true", "false", "false"):
            send("PUT", f"/v1/workflows/{own}/run?dryRun={dry_run}", json={"prompt": "p"})
        send("PUT", f"/v1/workflows/{own}", content=b'{"name": "' + b"x" * (6 * 1024 * 1024) + b'"}')
        send("POST", "/_mock/clock/advance", json={"seconds": 3600})
    return statuses


# Not shrunk: a failing example takes the bound's 10 s or more, and shrinking would replay it hundreds of times.
@settings(HOSTILE, max_examples=max(1, EXAMPLES // 2), phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(data=st.data())
def test_others_are_answered_within_the_bound_while_hostile_work_is_in_flight(base_url: str, data) -> None:
    assert httpx.post(f"{base_url}/_mock/reset").status_code == 200
    stalled = [
        _stalled(base_url, b"GET /v1/workflows HTTP/1.1\r\nHost: localhost\r\nX-Slow: "),
        _stalled(base_url, b"PUT /v1/workflows/w HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{"),
    ]
    probe = Probe(base_url)
    probe.start()
    try:
        statuses = _hostile_work(base_url, data)
    finally:
        probe.done.set()
        probe.join(ANSWER_SECONDS * 3)
        for connection in stalled:
            connection.close()
    assert all(status < 500 for status in statuses), statuses
    assert probe.answers > 0 and not probe.failures, probe.failures
    assert probe.slowest < ANSWER_SECONDS, f"the probe waited {probe.slowest:.1f} s"
