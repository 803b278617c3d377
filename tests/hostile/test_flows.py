"""Flows that would expand without bound are refused when saved or run, or stopped by the run's budget."""

from __future__ import annotations

import time

import pytest

from mockserver.scenario.jobs.budget import MAX_NODE_RUNS, MAX_SUB_JOBS
from tests.hostile.conftest import refusal


def new_workflow(http, who="alice", **fields):
    workflow_id = http("POST", "/v1/workflows", who=who, json={"name": "w", "description": "d"}).json()["workflow"]
    workflow_id = workflow_id["id"]
    if fields:
        response = http("PUT", f"/v1/workflows/{workflow_id}", who=who, json=fields)
        assert response.status_code == 200, response.text
    return workflow_id


def run_to_the_end(http, fake, workflow_id, who="alice", meanwhile=lambda: None):
    """Run the workflow, do ``meanwhile`` (before any node starts), and advance the clock an hour in one go."""
    response = http("PUT", f"/v1/workflows/{workflow_id}/run", who=who, json={})
    assert response.status_code == 200, response.text
    job_id = response.json()["job"]["jobId"]
    meanwhile()
    started = time.perf_counter()
    http("POST", "/_mock/clock/advance", who=None, json={"seconds": 3600})
    assert time.perf_counter() - started < 15
    return http("GET", f"/v1/jobs/{job_id}", who=who).json()["job"]


def runs(workflow_id, node_id):
    return {"id": node_id, "type": "workflow", "workflowId": workflow_id}


class TestSaving:
    def test_loop_bodies_that_list_each_other_are_refused(self, http, state):
        workflow_id = new_workflow(http)
        before = state()
        flow = [
            {"id": "a", "type": "for-each", "count": 2, "loopBodyNodeIds": ["b"]},
            {"id": "b", "type": "for-each", "count": 2, "loopBodyNodeIds": ["a"]},
        ]
        response = http("PUT", f"/v1/workflows/{workflow_id}", json={"flow": flow, "status": "ready"})
        assert "its loop body contains itself" in refusal(response)
        assert state() == before

    @pytest.mark.parametrize("count", [1001, 200_000, 10**9])
    def test_a_count_past_the_maximum_is_refused(self, http, state, count):
        workflow_id = new_workflow(http)
        before = state()
        flow = [{"id": "t", "type": "transform"}, {"id": "loop", "type": "for-each", "count": count}]
        response = http("PUT", f"/v1/workflows/{workflow_id}", json={"flow": flow})
        assert "count must be an integer from 1 to 1000" in refusal(response)
        assert state() == before

    def test_a_workflow_that_runs_itself_is_refused(self, http, state):
        workflow_id = new_workflow(http)
        before = state()
        flow = [runs(workflow_id, f"again_{index}") for index in range(10)]
        response = http("PUT", f"/v1/workflows/{workflow_id}", json={"flow": flow, "status": "ready"})
        assert f"runs itself: {workflow_id} -> {workflow_id}" in refusal(response)
        assert state() == before

    def test_a_workflow_that_runs_itself_through_another_is_refused(self, http):
        first = new_workflow(http)
        second = new_workflow(http, flow=[runs(first, "back")], status="ready")
        response = http("PUT", f"/v1/workflows/{first}", json={"flow": [runs(second, "on")], "status": "ready"})
        assert f"runs itself: {first} -> {second} -> {first}" in refusal(response)


class TestRunning:
    def test_a_cycle_made_behind_the_checks_is_refused_at_run_and_in_dry_runs(self, http, fake, state):
        first = new_workflow(http, flow=[{"id": "t", "type": "model", "modelId": "m"}], status="ready")
        second = new_workflow(http, flow=[runs(first, "back")], status="ready")
        http("PUT", f"/v1/workflows/{first}", json={"flow": [runs(second, "on")]})  # refused: it would loop
        looping = fake.scenario.store.get_workflow(first)
        fake.scenario.store.save_workflow(looping.model_copy(update={"flow": [runs(second, "on")]}))
        before = state()
        for dry_run in ("false", "true"):
            response = http("PUT", f"/v1/workflows/{first}/run?dryRun={dry_run}", json={})
            assert "runs itself" in refusal(response)
        assert state() == before

    def test_a_loop_past_the_node_run_budget_is_refused_when_sure(self, http, state):
        body = [{"id": f"t{index}", "type": "transform"} for index in range(3)]
        loop = {"id": "loop", "type": "for-each", "count": 1000, "loopBodyNodeIds": [n["id"] for n in body]}
        workflow_id = new_workflow(http, flow=[*body, loop], status="ready")
        before = state()
        response = http("PUT", f"/v1/workflows/{workflow_id}/run", json={})
        assert f"would pass the run's budget of {MAX_NODE_RUNS} node runs" in refusal(response)
        assert state() == before

    def test_a_loop_past_the_node_run_budget_while_running_fails_its_node(self, http, fake):
        sub = new_workflow(http, flow=[{"id": "t", "type": "transform"}], status="ready")
        workflow_id = new_workflow(http, flow=[runs(sub, "sub")], status="ready")
        body = [{"id": f"t{index}", "type": "transform"} for index in range(3)]
        loop = {"id": "loop", "type": "for-each", "count": 1000, "loopBodyNodeIds": [n["id"] for n in body]}

        def grow_the_sub_workflow():  # after the run was checked, before its sub-workflow starts
            assert http("PUT", f"/v1/workflows/{sub}", json={"flow": [*body, loop]}).status_code == 200

        job = run_to_the_end(http, fake, workflow_id, meanwhile=grow_the_sub_workflow)
        assert job["status"] == "failure"
        [sub_job] = [j for j in fake.scenario.store.all_jobs() if j.workflow_job_id == job["jobId"]]
        assert f"budget of {MAX_NODE_RUNS} node runs" in sub_job.error
        assert len(sub_job.nodes) == 4

    def test_a_loop_within_the_budget_runs(self, http, fake):
        loop = {"id": "loop", "type": "for-each", "count": 1000, "loopBodyNodeIds": ["t"]}
        workflow_id = new_workflow(http, flow=[{"id": "t", "type": "transform"}, loop], status="ready")
        assert run_to_the_end(http, fake, workflow_id)["status"] == "success"

    def test_sub_workflows_past_the_budget_are_refused_when_sure(self, http):
        leaf = new_workflow(http, flow=[{"id": "t", "type": "transform"}], status="ready")
        middle = new_workflow(http, flow=[runs(leaf, f"n{index}") for index in range(11)], status="ready")
        top = new_workflow(http, flow=[runs(middle, f"n{index}") for index in range(10)], status="ready")
        response = http("PUT", f"/v1/workflows/{top}/run?dryRun=true", json={})
        assert f"would pass the run's budget of {MAX_SUB_JOBS} sub-workflow jobs" in refusal(response)

    def test_sub_workflows_past_the_budget_while_running_fail_their_node(self, http, fake):
        leaf = new_workflow(http, flow=[{"id": "t", "type": "transform"}], status="ready")
        middle = new_workflow(http, flow=[{"id": "t", "type": "transform"}], status="ready")
        top = new_workflow(http, flow=[runs(middle, f"n{index}") for index in range(10)], status="ready")
        eleven_leaves = {"flow": [runs(leaf, f"n{index}") for index in range(11)]}
        job = run_to_the_end(
            http, fake, top, meanwhile=lambda: http("PUT", f"/v1/workflows/{middle}", json=eleven_leaves)
        )
        assert job["status"] == "failure"
        assert f"budget of {MAX_SUB_JOBS} sub-workflow jobs" in job["metadata"]["error"]
        assert len(fake.scenario.store.all_jobs()) <= 1 + MAX_SUB_JOBS + MAX_NODE_RUNS

    def test_sub_workflow_jobs_hold_the_projects_slots(self, http, fake):
        leaf = new_workflow(http, flow=[{"id": "t", "type": "model", "modelId": "m"}], status="ready")
        top = new_workflow(http, flow=[runs(leaf, f"n{index}") for index in range(10)], status="ready")
        first = http("PUT", f"/v1/workflows/{top}/run", json={}).json()["job"]["jobId"]
        http("POST", "/_mock/clock/advance", who=None, json={"seconds": 4})  # queued, warmed up, nodes started
        _, holding = fake.scenario.simulation.queues()
        # Sub-workflow jobs start at once (their parent waits for them) but count: the run and its ten.
        assert len(holding["proj_demo"]) == 11
        second = http("PUT", f"/v1/workflows/{leaf}/run", json={}).json()["job"]["jobId"]
        http("POST", "/_mock/clock/advance", who=None, json={"seconds": 2})
        assert http("GET", f"/v1/jobs/{second}").json()["job"]["status"] == "queued"
        http("POST", "/_mock/clock/advance", who=None, json={"seconds": 600})
        for job_id in (first, second):
            assert http("GET", f"/v1/jobs/{job_id}").json()["job"]["status"] == "success"


class TestCosts:
    def test_a_dry_run_does_not_reveal_the_cost_of_a_workflow_the_caller_cannot_see(self, http):
        model = {"id": "m", "type": "model", "modelId": "model_x"}
        hidden = new_workflow(http, who="eve", flow=[model, {**model, "id": "m2"}], status="ready")
        missing = new_workflow(http, flow=[runs("workflow_that_does_not_exist", "sub")], status="ready")
        pointing = new_workflow(http, flow=[runs(hidden, "sub")], status="ready")
        cost_of = {}
        for workflow_id in (missing, pointing):
            response = http("PUT", f"/v1/workflows/{workflow_id}/run?dryRun=true", json={})
            assert response.json()["message"] == "Dry run completed", response.text
            cost_of[workflow_id] = response.json()["estimatedCost"]
        assert cost_of[pointing] == cost_of[missing]
        seen_by_eve = new_workflow(http, who="eve", flow=[runs(hidden, "sub")], status="ready")
        dry_run = http("PUT", f"/v1/workflows/{seen_by_eve}/run?dryRun=true", who="eve", json={})
        assert dry_run.json()["estimatedCost"] > cost_of[missing]

    def test_a_cost_past_the_maximum_is_refused_not_a_crash(self, http, state):
        inputs = [{"name": "scale", "type": "number", "default": 1, "costImpact": True}]
        flow = [{"id": "m", "type": "model", "modelId": "model_x"}]
        workflow_id = new_workflow(http, flow=flow, inputs=inputs, status="ready")
        before = state()
        for dry_run in ("true", "false"):
            response = http("PUT", f"/v1/workflows/{workflow_id}/run?dryRun={dry_run}", json={"scale": 1e308})
            assert "would cost more than 1000000 CU" in refusal(response)
        assert state() == before


def test_a_dry_run_sure_to_pass_the_budget_is_refused_as_the_run_is(http, state):
    inputs = [{"name": "items", "type": "string_array"}]
    body = [{"id": "t", "type": "transform"}, {"id": "u", "type": "transform"}]
    loop = {"id": "loop", "type": "for-each", "loopBodyNodeIds": ["t", "u"]}
    loop["inputs"] = [{"name": "items", "type": "string_array", "ref": {"node": "workflow", "name": "items"}}]
    workflow_id = new_workflow(http, flow=[*body, loop], inputs=inputs, status="ready")
    before = state()
    for dry_run in ("true", "false"):
        response = http("PUT", f"/v1/workflows/{workflow_id}/run?dryRun={dry_run}", json={"items": ["x"] * 1001})
        assert f"would pass the run's budget of {MAX_NODE_RUNS} node runs" in refusal(response)
    assert state() == before
    small = http("PUT", f"/v1/workflows/{workflow_id}/run?dryRun=true", json={"items": ["x"] * 999})
    assert small.json()["message"] == "Dry run completed", small.text
