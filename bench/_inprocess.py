"""Helpers of the in-process benchmarks: runs made through the real run path, and timed GETs."""

from __future__ import annotations

import base64
import statistics
import time

import httpx

from mockserver.fake import Fake
from mockserver.principals import Principal

AUTH = {"Authorization": "Basic " + base64.b64encode(b"key_alice:secret_alice").decode()}
ALICE = Principal("user_alice", "proj_demo", "editor")


def finished_runs(fake: Fake, count: int) -> list[str]:
    """Run the upscaler app ``count`` times and let every job finish on the clock; their job ids."""
    ids = []
    for i in range(count):
        ids.append(fake.jobs.run(ALICE, "workflow_upscaler", {"image": f"asset_{i}"}, dry_run=False).job.job_id)
        if i % 10 == 9:  # ten at a time: the project's concurrency limit
            fake.clock.advance(30)
            fake.simulation.advance()
    fake.clock.advance(60)
    fake.simulation.advance()
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
