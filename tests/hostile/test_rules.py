"""Roles and locks: a reader decides and cancels only its own jobs; a lock is judged by its stored state."""

from __future__ import annotations

from tests.hostile.conftest import refusal
from tests.hostile.test_flows import new_workflow

REVIEWED = [
    {"id": "gen", "type": "model", "modelId": "model_x"},
    {"id": "review", "type": "user-approval", "dependsOn": ["gen"]},
]


def waiting_for_review(http, fake, workflow_id, who):
    job_id = http("PUT", f"/v1/workflows/{workflow_id}/run", who=who, json={}).json()["job"]["jobId"]
    http("POST", "/_mock/clock/advance", who=None, json={"seconds": 30})
    return job_id


def decide(http, workflow_id, job_id, who, action="approve"):
    body = {"workflowJobId": job_id, "nodeId": "review", "action": action}
    return http("PUT", f"/v1/workflows/{workflow_id}/user-approval", who=who, json=body)


class TestReader:
    def test_a_reader_may_run_dry_run_and_decide_its_own_job(self, http, fake):
        workflow_id = new_workflow(http, flow=REVIEWED, status="ready")
        assert http("PUT", f"/v1/workflows/{workflow_id}/run?dryRun=true", who="carol", json={}).status_code == 402
        job_id = waiting_for_review(http, fake, workflow_id, who="carol")
        assert decide(http, workflow_id, job_id, who="carol", action="reject").status_code == 200

    def test_a_reader_may_not_decide_or_cancel_anothers_job(self, http, fake, state):
        workflow_id = new_workflow(http, flow=REVIEWED, status="ready")
        job_id = waiting_for_review(http, fake, workflow_id, who="alice")
        node_job = http("GET", f"/v1/jobs/{job_id}").json()["job"]["metadata"]["flow"][0]["jobId"]
        before = state()
        for action in ("approve", "reject"):
            assert "only the jobs it started" in refusal(decide(http, workflow_id, job_id, "carol", action), 403)
        cancel = http("POST", f"/v1/jobs/{node_job}/action", who="carol", json={"action": "cancel"})
        assert "only the jobs it started" in refusal(cancel, 403)
        assert state() == before

    def test_a_reader_may_cancel_a_node_job_of_its_own_run(self, http, fake):
        workflow_id = new_workflow(http, flow=REVIEWED, status="ready")
        job_id = http("PUT", f"/v1/workflows/{workflow_id}/run", who="carol", json={}).json()["job"]["jobId"]
        http("POST", "/_mock/clock/advance", who=None, json={"seconds": 4})
        node_job = http("GET", f"/v1/jobs/{job_id}", who="carol").json()["job"]["metadata"]["flow"][0]["jobId"]
        cancel = http("POST", f"/v1/jobs/{node_job}/action", who="carol", json={"action": "cancel"})
        assert cancel.status_code == 200, cancel.text


class TestLock:
    def test_a_non_author_editor_cannot_edit_a_locked_workflow_by_unlocking_it_at_once(self, http, state):
        workflow_id = new_workflow(http, who="alice", flow=REVIEWED, status="ready")
        assert http("PUT", f"/v1/workflows/{workflow_id}", json={"isLocked": True}).status_code == 200
        before = state()
        response = http("PUT", f"/v1/workflows/{workflow_id}", who="bob", json={"isLocked": False, "name": "mine"})
        assert "only its author or a project admin" in refusal(response, 403)
        assert state() == before

    def test_the_author_and_an_admin_may_unlock_and_edit_at_once(self, http):
        workflow_id = new_workflow(http, who="alice", flow=REVIEWED, status="ready")
        for who in ("alice", "dave"):
            assert http("PUT", f"/v1/workflows/{workflow_id}", json={"isLocked": True}).status_code == 200
            response = http("PUT", f"/v1/workflows/{workflow_id}", who=who, json={"isLocked": False, "name": who})
            assert response.status_code == 200, response.text

    def test_a_non_author_editor_may_still_lock_and_unlock_alone(self, http):
        workflow_id = new_workflow(http, who="alice", flow=REVIEWED, status="ready")
        assert http("PUT", f"/v1/workflows/{workflow_id}", who="bob", json={"isLocked": True}).status_code == 200
        assert http("PUT", f"/v1/workflows/{workflow_id}", who="bob", json={"isLocked": False}).status_code == 200
