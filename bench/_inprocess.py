"""Helpers of the in-process benchmarks: runs made through the real run path, and timed GETs."""

from __future__ import annotations

import asyncio
import base64
import statistics
import time
from typing import Any

import httpx

from mockserver.core.principals import Principal
from mockserver.server.fake import Fake

AUTH = {"Authorization": "Basic " + base64.b64encode(b"key_alice:secret_alice").decode()}
ALICE = Principal("user_alice", "proj_demo", "editor")


def finished_runs(fake: Fake, count: int) -> list[str]:
    """Run the upscaler app ``count`` times and let every job finish on the clock; their job ids."""
    ids = []
    for i in range(count):
        ids.append(
            fake.scenario.jobs.run(ALICE, "workflow_upscaler", {"image": f"asset_{i}"}, dry_run=False).job.job_id
        )
        if i % 10 == 9:  # ten at a time: the project's concurrency limit
            fake.advance(30)
    fake.advance(60)
    return ids


def timed(client: httpx.Client, url: str, rounds: int = 200) -> float:
    """Median milliseconds of a GET, asserting every answer is a 200."""
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url, headers=AUTH)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text
    return statistics.median(samples) * 1000


class DirectCaller:
    """GETs sent straight to an app's ASGI callable, in this thread: the app's own time, no transport."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._loop = asyncio.new_event_loop()

    def seconds(self, url: str) -> float:
        """Wall seconds of one GET, asserting a 200."""
        path, _, query = url.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"host", b"testserver"), (b"authorization", AUTH["Authorization"].encode())],
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 50000),
        }
        started = time.perf_counter()
        status = self._loop.run_until_complete(self._get(scope))
        elapsed = time.perf_counter() - started
        assert status == 200, (url, status)
        return elapsed

    async def _get(self, scope: dict[str, Any]) -> int:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self._app(scope, receive, send)
        return sent[0]["status"]

    def close(self) -> None:
        self._loop.close()
