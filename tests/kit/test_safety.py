"""What the kit may send to a live API: the rules, and the session that enforces them."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from mockserver.kit.budget import Budget
from mockserver.kit.safety import (
    ABSENT_JOB_ID,
    ABSENT_WORKFLOW_ID,
    NAME_MARK,
    GuardedSession,
    Ledger,
    Policy,
    UnsafeRequest,
    make_safe,
    refusal,
)


def test_the_safety_rules_refuse_what_the_generation_would_never_send():
    ledger, policy = Ledger(), Policy()
    assert refusal(policy, ledger, "GET", "/workflows/anything", {}, None) is None
    assert refusal(policy, ledger, "PUT", "/workflows/w/run", {"dryRun": ["true"]}, {}) is None
    assert "allow-spending" in refusal(policy, ledger, "PUT", "/workflows/w/run", {}, {})
    assert "allow-writes" in refusal(policy, ledger, "POST", "/workflows", {}, {"name": "x"})
    assert "allow-writes" in refusal(policy, ledger, "DELETE", "/workflows/w", {}, None)
    writer = Policy(allow_writes=True)
    assert "only on what it created" in refusal(writer, ledger, "DELETE", "/workflows/w", {}, None)
    assert refusal(writer, ledger, "DELETE", f"/workflows/{ABSENT_WORKFLOW_ID}", {}, None) is None
    assert "only on what it created" in refusal(writer, ledger, "POST", "/jobs/job_x/action", {}, {"action": "cancel"})
    assert refusal(writer, ledger, "POST", f"/jobs/{ABSENT_JOB_ID}/action", {}, None) is None
    ledger.observe("POST", "/workflows", 200, {"workflow": {"id": "workflow_mine"}})
    assert refusal(writer, ledger, "DELETE", "/workflows/workflow_mine", {}, None) is None
    assert "allow-spending" in refusal(writer, ledger, "PUT", "/workflows/workflow_mine/run", {}, {})
    spender = Policy(allow_writes=True, allow_spending=True)
    assert refusal(spender, ledger, "PUT", "/workflows/workflow_mine/run", {}, {}) is None
    assert "only the workflows it created" in refusal(spender, ledger, "PUT", "/workflows/w/run", {}, {})
    ledger.observe(
        "PUT",
        "/workflows/workflow_mine/run",
        200,
        {"job": {"jobId": "job_mine", "metadata": {"workflowId": "workflow_mine"}}},
    )
    assert refusal(writer, ledger, "POST", "/jobs/job_mine/action", {}, None) is None
    assert "not an operation the kit knows" in refusal(writer, ledger, "PATCH", "/projects/p", {}, None)


def test_a_search_only_reads_and_a_selection_is_a_decision_like_an_approval():
    ledger, policy = Ledger(), Policy()
    assert refusal(policy, ledger, "POST", "/search/workflows", {}, {"query": "x"}) is None
    assert "not an operation the kit knows" in refusal(policy, ledger, "POST", "/search/assets", {}, {})
    decision = {"workflowJobId": "job_x", "nodeId": "n", "action": "reject"}
    assert "allow-writes" in refusal(policy, ledger, "PUT", "/workflows/w/user-selection", {}, decision)
    writer = Policy(allow_writes=True)
    assert "only on what it created" in refusal(writer, ledger, "PUT", "/workflows/w/user-selection", {}, decision)
    path, _, body = make_safe(writer, ledger, "userSelection", {"workflowId": "w"}, {}, decision)
    assert path == {"workflowId": ABSENT_WORKFLOW_ID} and body["workflowJobId"] == ABSENT_JOB_ID
    assert refusal(writer, ledger, "PUT", f"/workflows/{ABSENT_WORKFLOW_ID}/user-selection", {}, body) is None


def test_the_guarded_session_does_not_send_what_it_refuses(served_fake):
    fake, base_url = served_fake
    session = GuardedSession(Policy(), Ledger(), urlsplit(base_url).path)
    session.auth = ("key_alice", "secret_alice")
    with pytest.raises(UnsafeRequest, match="allow-writes"):
        session.delete(f"{base_url}/workflows/workflow_demo_poster")
    assert session.get(f"{base_url}/workflows/workflow_demo_poster").status_code == 200
    assert [(e.method, e.path) for e in fake.journal.entries()] == [("GET", "/v1/workflows/workflow_demo_poster")]


def test_generated_requests_are_steered_into_the_policy():
    ledger, reader = Ledger(), Policy()
    _, query, _ = make_safe(reader, ledger, "runWorkflow", {"workflowId": "w"}, {"dryRun": "false"}, {})
    assert query == {"dryRun": "true"}
    path, _, body = make_safe(
        Policy(allow_writes=True), ledger, "userApproval", {"workflowId": "w"}, {}, {"workflowJobId": "j"}
    )
    assert path == {"workflowId": ABSENT_WORKFLOW_ID} and body["workflowJobId"] == ABSENT_JOB_ID
    _, _, named = make_safe(reader, ledger, "createWorkflow", {}, {}, {"name": "draft"})
    assert named == {"name": f"{NAME_MARK} draft"}
    ledger.observe("POST", "/workflows", 200, {"workflow": {"id": "workflow_mine"}})
    spender = Policy(allow_writes=True, allow_spending=True)
    _, query, _ = make_safe(spender, ledger, "runWorkflow", {"workflowId": "workflow_mine"}, {}, {})
    assert query == {}  # a real run, of the kit's own workflow
    untouched = ({"workflowId": "w"}, {"dryRun": "false"}, {"name": "x"})
    assert make_safe(Policy(restricted=False), ledger, "deleteWorkflow", *untouched) == untouched


def _own_ready_workflow(session: GuardedSession, base_url: str) -> str:
    made = session.post(f"{base_url}/workflows", json={"name": f"{NAME_MARK} spend", "description": "d"})
    workflow_id = made.json()["workflow"]["id"]
    flow = [{"id": "node_cutout", "type": "remove-background"}]
    ready = session.put(f"{base_url}/workflows/{workflow_id}", json={"status": "ready", "flow": flow, "inputs": []})
    assert ready.status_code == 200, ready.text
    return workflow_id


def test_real_runs_are_estimated_first_and_stop_before_the_budget_is_exceeded(served_fake):
    fake, base_url = served_fake
    spender = Policy(allow_writes=True, allow_spending=True)
    unbudgeted = GuardedSession(spender, Ledger(), urlsplit(base_url).path)
    unbudgeted.auth = ("key_alice", "secret_alice")
    workflow_id = _own_ready_workflow(unbudgeted, base_url)
    with pytest.raises(UnsafeRequest, match="needs a budget"):
        unbudgeted.put(f"{base_url}/workflows/{workflow_id}/run", json={})

    estimate = unbudgeted.put(f"{base_url}/workflows/{workflow_id}/run?dryRun=true", json={}).json()["estimatedCost"]
    assert estimate > 0
    budget = Budget(limit=estimate * 2.5)
    session = GuardedSession(spender, unbudgeted.ledger, urlsplit(base_url).path, budget)
    session.auth = ("key_alice", "secret_alice")
    answers = [
        session.put(f"{base_url}/workflows/{workflow_id}/run", params={"dryRun": "false"}, json={}) for _ in "abc"
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 402]
    jobs = [job for job in fake.scenario.store.all_jobs() if job.workflow_id == workflow_id and job.is_workflow_job]
    assert len(jobs) == 2 and sum(job.cu_cost for job in jobs) <= budget.limit
    assert (budget.spent, budget.runs, budget.declined) == (estimate * 2, 2, 1)
    assert budget.describe().startswith(f"spent {estimate * 2:g} of a budget of {estimate * 2.5:g} credits on 2 real")
    run_requests = [(e.path, e.query) for e in fake.journal.entries() if e.path.endswith("/run")]
    dry, real = (
        (f"/v1/workflows/{workflow_id}/run", "dryRun=true"),
        (f"/v1/workflows/{workflow_id}/run", "dryRun=false"),
    )
    assert run_requests[-5:] == [dry, real, dry, real, dry]  # each estimated first; the third, estimated only


def test_a_run_with_no_estimate_is_not_made_and_a_refused_run_costs_nothing(served_fake):
    fake, base_url = served_fake
    budget = Budget(limit=100)
    session = GuardedSession(Policy(allow_writes=True, allow_spending=True), Ledger(), urlsplit(base_url).path, budget)
    session.auth = ("key_alice", "secret_alice")
    workflow_id = _own_ready_workflow(session, base_url)
    refused = session.put(f"{base_url}/workflows/{workflow_id}/run", json=["not", "an", "object"])
    assert refused.status_code == 400 and (budget.spent, budget.runs, budget.declined) == (0, 0, 1)
    fake.faults.add({"kind": "http-error", "status": 503, "match": {"operationId": "runWorkflow"}, "nth": 2})
    failed = session.put(f"{base_url}/workflows/{workflow_id}/run", json={})  # estimated, then refused by the API
    assert failed.status_code == 503 and (budget.spent, budget.runs, budget.declined) == (0, 0, 1)
    assert [job for job in fake.scenario.store.all_jobs() if job.workflow_id == workflow_id] == []
