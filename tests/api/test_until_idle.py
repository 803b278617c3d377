"""Advancing until idle: the clock jumps from job event to job event until every job has ended or waits."""

from __future__ import annotations

from mockserver.server.fake import Fake
from mockserver.testing import MockHandle

REVIEWED_FLOW = [
    {"id": "node_cutout", "type": "remove-background"},
    {"id": "node_review", "type": "user-approval", "dependsOn": ["node_cutout"]},
    {"id": "node_final", "type": "remove-background", "dependsOn": ["node_review"]},
]


def reviewed_workflow(http) -> str:
    workflow_id = http("POST", "/v1/workflows", json={"name": "w", "description": "d"}).json()["workflow"]["id"]
    body = {"status": "ready", "flow": REVIEWED_FLOW, "inputs": []}
    assert http("PUT", f"/v1/workflows/{workflow_id}", json=body).status_code == 200
    return workflow_id


def run(http, workflow_id: str, body: dict | None = None) -> str:
    response = http("PUT", f"/v1/workflows/{workflow_id}/run", json=body or {})
    assert response.status_code == 200, response.text
    return response.json()["job"]["jobId"]


def status(http, job_id: str) -> str:
    return http("GET", f"/v1/jobs/{job_id}").json()["job"]["status"]


def until_idle(http, **body) -> dict:
    response = http("POST", "/_mock/clock/advance", who=None, json={"untilIdle": True, **body})
    assert response.status_code == 200, response.text
    return response.json()


def test_every_job_ends_and_the_clock_stops_at_the_last_event(http, fake: Fake):
    jobs = [run(http, "workflow_upscaler", {"image": "asset_photo"}) for _ in range(3)]
    before = fake.clock.now()
    answer = until_idle(http)
    assert answer["idle"] is True and answer["steps"] >= 4
    assert [status(http, job_id) for job_id in jobs] == ["success"] * 3
    moved = (fake.clock.now() - before).total_seconds()
    assert answer["advancedSeconds"] == round(moved, 3) and 0 < moved < 60
    assert until_idle(http) == {
        **http("GET", "/_mock/clock", who=None).json(),
        "idle": True,
        "steps": 0,
        "advancedSeconds": 0,
    }


def test_a_job_waiting_for_approval_is_idle_and_goes_on_once_decided(http):
    workflow_id = reviewed_workflow(http)
    job_id = run(http, workflow_id)
    assert until_idle(http)["idle"] is True
    job = http("GET", f"/v1/jobs/{job_id}").json()["job"]
    assert job["status"] == "in-progress"
    assert {node["id"]: node["status"] for node in job["metadata"]["flow"]}["node_review"] == "processing"
    decided = http(
        "PUT",
        f"/v1/workflows/{workflow_id}/user-approval?projectId=proj_demo",
        json={"workflowJobId": job_id, "nodeId": "node_review", "action": "approve"},
    )
    assert decided.status_code == 200, decided.text
    assert until_idle(http)["idle"] is True
    assert status(http, job_id) == "success"


def test_it_stops_not_idle_at_the_span_or_step_bound(http, fake: Fake):
    job_id = run(http, "workflow_upscaler", {"image": "asset_photo"})
    before = fake.clock.now()
    answer = until_idle(http, maxSeconds=0.5)
    assert answer["idle"] is False and answer["advancedSeconds"] == 0.5
    assert (fake.clock.now() - before).total_seconds() == 0.5
    answer = until_idle(http, maxSteps=1)
    assert answer["idle"] is False and answer["steps"] == 1
    assert status(http, job_id) not in ("success", "failure")
    assert until_idle(http)["idle"] is True and status(http, job_id) == "success"


def test_the_fake_advances_until_idle_in_process(fake: Fake):
    assert fake.advance_until_idle().as_dict() == {"idle": True, "steps": 0, "advancedSeconds": 0}


def test_bad_bounds_are_refused_in_the_envelope(http):
    for body in (
        {"untilIdle": "yes"},
        {"untilIdle": True, "seconds": 5},
        {"untilIdle": True, "maxSeconds": 0},
        {"untilIdle": True, "maxSeconds": "1"},
        {"untilIdle": True, "maxSteps": 0},
        {"untilIdle": True, "maxSteps": 1.5},
        {"maxSteps": 3},
    ):
        response = http("POST", "/_mock/clock/advance", who=None, json=body)
        assert response.status_code == 400, body
        assert response.json()["statusCode"] == 400 and response.json()["message"], response.text


def test_the_pytest_handle_advances_until_idle(fake: Fake):
    handle = MockHandle(fake)
    try:
        client = handle.client(max_retries=0)
        job = client.workflows.run("workflow_upscaler", body={"image": "asset_photo"}).job
        run = handle.advance_until_idle()
        assert run.idle and run.steps >= 4
        assert client.jobs.retrieve(job.job_id).job.status == "success"
        assert not handle.advance_until_idle(max_steps=1).steps
    finally:
        handle.close()
