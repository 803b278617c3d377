"""The bill of a job that ended: the node runs that succeeded, each once, at the cost model's prices."""

from __future__ import annotations

import pytest

from mockserver.scenario.jobs.billing import bill
from mockserver.scenario.jobs.cost import CostTable
from mockserver.scenario.jobs.models import Job, NodeRun

DEFAULTS = CostTable()


def run(node_id: str, node_type: str, status: str = "success", **fields: object) -> NodeRun:
    definition = {"id": node_id.split("_")[0], "type": node_type}
    return NodeRun(node_id=node_id, definition=definition, status=status, **fields)  # type: ignore[arg-type]


def workflow_job(nodes: list[NodeRun], job_id: str = "job_main", workflow_id: str = "workflow_main", **fields) -> Job:
    return Job(
        job_id=job_id,
        job_type="workflow",
        owner_id="proj",
        author_id="user",
        created_at="",
        updated_at="",
        status="in-progress",
        status_history=[],
        input={},
        workflow_id=workflow_id,
        nodes=nodes,
        **fields,
    )


def no_jobs(job_id: str) -> Job | None:
    return None


def test_every_run_that_succeeded_is_billed_once_loop_iterations_included() -> None:
    nodes = [
        run("loop", "for-each"),
        run("cut", "remove-background", status="skipped"),  # the loop body's template
        *(run(f"cut_{index}", "remove-background", loop_node_id="loop", iteration_index=index) for index in range(3)),
        run("draw", "model"),
    ]
    assert bill(workflow_job(nodes), "success", DEFAULTS, no_jobs) == 3 * 2 + 5


@pytest.mark.parametrize("status", ["skipped", "failure", "rejected", "pending", "processing"])
def test_a_run_that_did_not_succeed_costs_nothing(status: str) -> None:
    nodes = [run("draw", "model", status=status), run("cut", "remove-background")]
    assert bill(workflow_job(nodes), "failure", DEFAULTS, no_jobs) == 2


def test_the_input_impact_scales_the_work_and_only_the_total_is_rounded_up() -> None:
    table = CostTable.from_fixtures({"nodeTypes": {"generate-prompt": 0.7}})
    nodes = [run(f"words_{index}", "generate-prompt") for index in range(10)]
    assert bill(workflow_job(nodes), "success", table, no_jobs) == 7
    assert bill(workflow_job(nodes, cost_factor=1.5), "success", table, no_jobs) == 11  # 10.5


def test_a_fixed_workflow_price_is_billed_when_the_run_succeeds() -> None:
    table = CostTable.from_fixtures({"workflows": {"workflow_main": 4}})
    job = workflow_job([run("draw", "model")], cost_factor=2.0)
    assert bill(job, "success", table, no_jobs) == 8
    assert bill(job, "failure", table, no_jobs) == 0


def test_a_sub_workflow_job_is_billed_on_the_job_that_ran_it() -> None:
    sub_job = workflow_job([run("draw", "model"), run("cut", "remove-background", status="skipped")], "job_sub")
    sub_job.status, sub_job.cost_factor = "success", 2.0
    jobs = {"job_sub": sub_job}
    nodes = [run("call", "workflow", job_id="job_sub"), run("words", "generate-prompt")]
    assert bill(workflow_job(nodes), "success", DEFAULTS, jobs.get) == 5 * 2 + 1
