"""On a realtime clock a job's timestamps are real times: the speed shortens the job, it never dates it ahead."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from mockserver.core.clock import parse_iso
from mockserver.server.settings import Settings


@pytest.mark.parametrize("settings", [Settings(clock_mode="realtime", clock_speed=1000)])
def test_a_fast_realtime_job_ends_soon_and_every_timestamp_is_a_real_time(http):
    started = datetime.now(UTC)
    run = http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": "asset_input123"})
    assert run.status_code == 200, run.text
    job_id = run.json()["job"]["jobId"]
    deadline = time.monotonic() + 10
    while (job := http("GET", f"/v1/jobs/{job_id}").json()["job"])["status"] != "success":
        assert time.monotonic() < deadline, job["status"]
        time.sleep(0.02)
    ended = datetime.now(UTC)
    stamps = [parse_iso(job["createdAt"]), parse_iso(job["updatedAt"])]
    assert len(job["statusHistory"]) >= 4  # queued, warming-up, in-progress, ..., success
    stamps += [parse_iso(item["date"]) for item in job["statusHistory"]]
    assert all(started.replace(microsecond=0) <= stamp <= ended for stamp in stamps), (started, stamps, ended)
    listed = http("GET", f"/v1/jobs?createdAfter={ended.isoformat().replace('+00:00', 'Z')}").json()["jobs"]
    assert listed == []  # no job "from the future"
    clock = http("GET", "/_mock/clock", who=None).json()
    # The clock answers in milliseconds: within the millisecond of `ended`, it reads as that millisecond.
    assert clock["aheadSeconds"] == 0 and parse_iso(clock["now"]) >= ended.replace(
        microsecond=ended.microsecond // 1000 * 1000
    )
