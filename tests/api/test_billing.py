"""What a job bills: every node run that happened, once; skipped branches nothing; the dry run's estimate beside it."""

from __future__ import annotations

import pytest


def make_workflow(http, flow, inputs=()):
    workflow_id = http("POST", "/v1/workflows", json={"name": "w", "description": "d"}).json()["workflow"]["id"]
    response = http("PUT", f"/v1/workflows/{workflow_id}", json={"status": "ready", "flow": flow, "inputs": inputs})
    assert response.status_code == 200, response.text
    return workflow_id


def estimate_then_run(http, fake, workflow_id, values):
    """The dry run's estimate, and the job of a real run with the same values, run to its end."""
    dry = http("PUT", f"/v1/workflows/{workflow_id}/run?dryRun=true", json=values)
    assert dry.status_code == 402, dry.text
    run = http("PUT", f"/v1/workflows/{workflow_id}/run", json=values)
    assert run.status_code == 200, run.text
    job = run.json()["job"]
    assert job["billing"]["cuCost"] == dry.json()["estimatedCost"]  # what a running job reads
    for _ in range(120):
        job = http("GET", f"/v1/jobs/{job['jobId']}").json()["job"]
        if job["status"] in ("success", "failure", "canceled"):
            return dry.json()["estimatedCost"], job
        fake.clock.advance(1)
    raise AssertionError(f"job {job['jobId']} never ended: {job['status']}")


def list_loop_flow(ref: dict) -> list[dict]:
    return [
        {"id": "lst", "type": "list", "items": ["red", "green", "blue"]},
        {
            "id": "loop",
            "type": "for-each",
            "loopBodyNodeIds": ["cut"],
            "inputs": [{"name": "items", "type": "string_array", "ref": ref}],
        },
        {
            "id": "cut",
            "type": "remove-background",
            "inputs": [{"name": "item", "type": "string", "ref": {"node": "loop", "name": "item"}}],
        },
    ]


@pytest.mark.parametrize("ref", [{"node": "lst", "name": "all"}, {"node": "lst"}], ids=["named-all", "unnamed"])
def test_a_loop_over_a_list_node_runs_its_body_per_item_and_bills_each_run(http, fake, ref):
    workflow_id = make_workflow(http, list_loop_flow(ref))
    estimate, job = estimate_then_run(http, fake, workflow_id, {})
    assert job["status"] == "success"
    copies = [node for node in job["metadata"]["flow"] if node.get("loopNodeId") == "loop"]
    assert [node["iterationIndex"] for node in copies] == [0, 1, 2]
    assert all(node["status"] == "success" for node in copies)
    assert [fake.scenario.store.get_job(node["jobId"]).input for node in copies] == [
        {"item": "red"},
        {"item": "green"},
        {"item": "blue"},
    ]
    assert job["billing"]["cuCost"] == estimate == 2 * 3  # remove-background 2, three items
