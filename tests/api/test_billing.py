"""What a job bills: every node run that happened, once; skipped branches nothing; the dry run's estimate beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.server.settings import DEFAULT_FIXTURES, Settings

PREMIUM = 25  # CU of one run of the premium model, from this module's price table


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "costs.yaml").write_text(f"models: {{model_premium: {PREMIUM}}}\n")
    return Settings(clock_mode="manual", fixtures=[DEFAULT_FIXTURES, tmp_path])


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


BRANCH_FLOW_TAIL = [
    {
        "id": "cheap",
        "type": "remove-background",
        "inputs": [{"name": "go", "type": "string", "ref": {"conditional": ["check"], "equal": "cheap"}}],
    },
    {
        "id": "premium",
        "type": "custom-model",
        "modelId": "model_premium",
        "inputs": [{"name": "go", "type": "string", "ref": {"conditional": ["check"], "equal": "premium"}}],
    },
]
LOGIC = {"cases": [{"condition": "cheap", "value": "cheap"}, {"condition": "premium", "value": "premium"}]}
MODE_INPUT = [{"name": "mode", "type": "string", "allowedValues": ["cheap", "premium"], "required": {"always": True}}]


def test_the_untaken_branch_of_an_if_else_is_not_billed_nor_estimated_when_the_inputs_decide(http, fake):
    check = {
        "id": "check",
        "type": "logic",
        "logicType": "if-else",
        "inputs": [{"name": "condition", "type": "string", "ref": {"node": "workflow", "name": "mode"}}],
        "logic": LOGIC,
    }
    workflow_id = make_workflow(http, [check, *BRANCH_FLOW_TAIL], MODE_INPUT)
    for mode, price in (("cheap", 2), ("premium", PREMIUM)):
        estimate, job = estimate_then_run(http, fake, workflow_id, {"mode": mode})
        statuses = {node["id"]: node["status"] for node in job["metadata"]["flow"]}
        taken, untaken = ("cheap", "premium") if mode == "cheap" else ("premium", "cheap")
        assert statuses[taken] == "success" and statuses[untaken] == "skipped"
        assert job["billing"]["cuCost"] == estimate == price


def test_a_branch_chosen_at_run_time_is_in_the_estimate_but_not_in_the_bill(http, fake):
    # The logic reads another node's output, which only the run knows: the estimate prices both branches.
    pick = {
        "id": "pick",
        "type": "transform",
        "inputs": [{"name": "mode", "type": "string", "ref": {"node": "workflow", "name": "mode"}}],
    }
    check = {
        "id": "check",
        "type": "logic",
        "logicType": "if-else",
        "inputs": [{"name": "condition", "type": "string", "ref": {"node": "pick", "name": "mode"}}],
        "logic": LOGIC,
    }
    workflow_id = make_workflow(http, [pick, check, *BRANCH_FLOW_TAIL], MODE_INPUT)
    estimate, job = estimate_then_run(http, fake, workflow_id, {"mode": "cheap"})
    assert estimate == 2 + PREMIUM
    assert {node["id"]: node["status"] for node in job["metadata"]["flow"]}["premium"] == "skipped"
    assert job["status"] == "success" and job["billing"]["cuCost"] == 2


def test_a_failed_run_bills_only_the_nodes_that_succeeded(http, fake):
    flow = [
        {"id": "first", "type": "remove-background"},
        {"id": "second", "type": "custom-model", "modelId": "model_premium", "dependsOn": ["first"]},
        {"id": "third", "type": "remove-background", "dependsOn": ["second"]},
    ]
    workflow_id = make_workflow(http, flow)
    fake.faults.add({"kind": "node-failure", "match": {"nodeId": "second"}, "error": "Out of memory"})
    estimate, job = estimate_then_run(http, fake, workflow_id, {})
    assert estimate == 2 + PREMIUM + 2
    assert job["status"] == "failure"
    statuses = {node["id"]: node["status"] for node in job["metadata"]["flow"]}
    assert statuses == {"first": "success", "second": "failure", "third": "skipped"}
    assert job["billing"]["cuCost"] == 2
    failed_node_job = http("GET", f"/v1/jobs/{job['metadata']['flow'][1]['jobId']}").json()["job"]
    assert failed_node_job["status"] == "failure" and failed_node_job["billing"]["cuCost"] == 0
