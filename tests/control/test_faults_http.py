"""Fault rules on the request path: an error status, latency, a dropped connection; tied to a job's life."""

from __future__ import annotations

import time

import httpx
import pytest
from scenario_sdk import APIConnectionError, APIStatusError

import mockserver


def _run(http, workflow: str = "workflow_upscaler", body: dict | None = None) -> str:
    return http("PUT", f"/v1/workflows/{workflow}/run", json=body or {"image": "asset_photo"}).json()["job"]["jobId"]


def test_503_on_the_third_poll_of_this_job(http, sdk, fake):
    job_id = _run(http)
    other = _run(http)
    rule = {"kind": "http-error", "status": 503, "match": {"operationId": "getJob", "jobId": job_id}, "nth": 3}
    assert http("POST", "/_mock/faults", who=None, json=rule).status_code == 201
    client = sdk("alice")
    client.jobs.retrieve(job_id)
    client.jobs.retrieve(other)  # another job's polls do not count
    client.jobs.retrieve(job_id)
    with pytest.raises(APIStatusError) as refused:
        client.jobs.retrieve(job_id)
    assert refused.value.status_code == 503
    assert refused.value.body["statusCode"] == 503 and "fault_1" in refused.value.body["message"]
    assert client.jobs.retrieve(job_id).job.job_id == job_id
    last = fake.journal.entries()[-2]
    assert last.status == 503 and last.verdict == "conforms" and "fault rule fault_1" in last.warnings[0]


def test_http_error_with_a_message_and_a_count(http):
    rule = {"kind": "http-error", "status": 429, "match": {"path": "/v1/workflows"}, "count": 2, "error": "Slow down"}
    http("POST", "/_mock/faults", who=None, json=rule)
    answers = [http("GET", "/v1/workflows") for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].json() == {"statusCode": 429, "error": "Too Many Requests", "message": "Slow down"}
    assert http("GET", "/_mock/faults", who=None).json()["faults"] == []


def test_latency_delays_the_answer(http):
    http("POST", "/_mock/faults", who=None, json={"kind": "latency", "seconds": 0.3, "match": {"method": "GET"}})
    started = time.perf_counter()
    assert http("GET", "/v1/workflows").status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_fail_this_node_when_the_job_reaches_60_percent(http):
    rule = {"kind": "node-failure", "match": {"workflowId": "workflow_upscaler"}, "atProgress": 0.6, "error": "OOM"}
    http("POST", "/_mock/faults", who=None, json=rule)
    job_id = _run(http)
    seen = []
    for _ in range(120):
        http("POST", "/_mock/clock/advance", who=None, json={"seconds": 0.25})
        job = http("GET", f"/v1/jobs/{job_id}").json()["job"]
        seen.append(job["progress"])
        if job["status"] == "failure":
            break
    assert job["status"] == "failure" and "OOM" in job["metadata"]["error"]
    assert max(seen[:-1]) < 0.6  # it ran until 60%, not a moment longer


def test_dropped_connection_over_a_real_socket():
    with mockserver.running(clock_mode="manual") as server:
        server.fake.faults.add({"kind": "drop-connection", "match": {"operationId": "listWorkflows"}, "count": 1})
        auth = ("key_alice", "secret_alice")
        with httpx.Client(base_url=server.base_url, auth=auth) as client:
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                client.get("/v1/workflows")
            assert client.get("/v1/workflows").status_code == 200
        sdk = server.client("alice", max_retries=0)
        server.fake.faults.add({"kind": "drop-connection", "match": {"operationId": "getJob"}})
        with pytest.raises(APIConnectionError):
            sdk.jobs.retrieve("job_nope")
        entries = server.fake.journal.entries()
        assert entries[0].status == 0 and "connection dropped" in entries[0].warnings[0]
