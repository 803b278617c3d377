"""The dashboard watches without changing what the API answers anyone: its requests, marked as an observer's,
count against no rate limit, take no fault rule, are neither journaled nor logged, and it refreshes only when
the fake's state version changes."""

from __future__ import annotations

import logging

import pytest

from mockserver.core.http.observer import OBSERVER_HEADER
from mockserver.server.settings import Settings

WATCHING = {OBSERVER_HEADER: "dashboard"}


def _journaled(http) -> list[str]:
    entries = http("GET", "/_mock/journal", who=None).json()["entries"]
    return [f"{entry['method']} {entry['path']}" for entry in entries]


@pytest.fixture
def settings() -> Settings:
    return Settings(clock_mode="manual", rate_limit=True)


def test_watching_for_minutes_never_locks_the_project_out(http):
    for _ in range(300):  # five minutes of polling once a second
        assert http("GET", "/v1/jobs", headers=WATCHING).status_code == 200
    for _ in range(100):
        assert http("GET", "/v1/workflows").status_code == 200
    refused = http("GET", "/v1/workflows")
    assert refused.status_code == 429  # the user's own hundred still count, and only they do
    assert http("GET", "/v1/jobs", headers=WATCHING).status_code == 200


def test_what_the_dashboard_sends_is_not_journaled_and_the_users_requests_stay(http, fake):
    http("GET", "/v1/workflows")
    for _ in range(1200):  # more than the journal holds
        http("GET", "/v1/jobs", headers=WATCHING)
    created = http("PUT", "/v1/workflows/workflow_upscaler/run", json={}, headers=WATCHING)
    assert created.status_code in (200, 400, 402)
    assert _journaled(http) == ["GET /v1/workflows"]
    report = http("GET", "/_mock/journal/report?format=json", who=None).json()
    assert report["requests"] == 1


def test_what_the_dashboard_sends_is_not_logged(http, caplog):
    with caplog.at_level(logging.INFO, logger="mockserver.requests"):
        http("GET", "/v1/jobs", headers=WATCHING)
        http("GET", "/v1/jobs/job_missing", headers=WATCHING)
        http("GET", "/v1/workflows")
    lines = [record.getMessage() for record in caplog.records if record.name == "mockserver.requests"]
    assert len(lines) == 1 and lines[0].startswith("GET /v1/workflows -> 200")


def test_what_the_dashboard_sends_takes_no_fault_rule(http):
    rule = {"kind": "http-error", "status": 503, "match": {"operationId": "listJobs"}, "count": 1}
    assert http("POST", "/_mock/faults", json=rule, who=None).status_code == 201
    assert http("GET", "/v1/jobs", headers=WATCHING).status_code == 200
    assert http("GET", "/v1/jobs").status_code == 503  # the rule is still there for the user's client
    assert http("GET", "/v1/jobs").status_code == 200


def test_the_state_version_is_answered_304_until_something_changes(http):
    first = http("GET", "/_mock/version", who=None)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.json()["version"] == etag.strip('"')
    unchanged = http("GET", "/_mock/version", who=None, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b"" and unchanged.headers["ETag"] == etag

    http("GET", "/v1/jobs", headers=WATCHING)  # watching changes nothing
    assert http("GET", "/_mock/version", who=None, headers={"If-None-Match": etag}).status_code == 304

    seen = {etag}
    for change in (
        lambda: http("GET", "/v1/workflows"),  # a user's request, journaled
        lambda: http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": "x"}, headers=WATCHING),
        lambda: http("POST", "/_mock/clock/advance", json={"seconds": 30}, who=None),  # time moved, events applied
        lambda: http("POST", "/_mock/reset", who=None),
        lambda: http("PUT", "/_mock/state", json=http("GET", "/_mock/state", who=None).json(), who=None),
    ):
        change()
        answer = http("GET", "/_mock/version", who=None, headers={"If-None-Match": etag})
        assert answer.status_code == 200
        etag = answer.headers["ETag"]
        assert etag not in seen
        seen.add(etag)
