"""The job lifecycle check: the documented rules, and the check run against fakes right and wrong."""

from __future__ import annotations

import copy

import pytest

from mockserver.kit.lifecycle import LifecycleCheck, LifecycleRun, job_problems, may_follow, sequence_problems
from mockserver.kit.target import open_target


def job(status: str, progress: float, *history: str, nodes: list[tuple[str, str]] = ()) -> dict:
    return {
        "jobId": "job_1",
        "status": status,
        "progress": progress,
        "statusHistory": [{"date": f"2026-01-01T00:00:{i:02d}.000Z", "status": s} for i, s in enumerate(history)],
        "metadata": {"flow": [{"id": node, "status": state} for node, state in nodes]},
    }


@pytest.mark.parametrize(
    ("before", "after", "allowed"),
    [
        ("queued", "in-progress", True),  # a poll may miss statuses in between
        ("in-progress", "canceled", True),
        ("pending", "failure", True),
        ("finalizing", "in-progress", False),
        ("success", "failure", False),
        ("canceled", "canceled", True),
        ("queued", "succeeded", False),  # the guide's word, not a status
    ],
)
def test_the_documented_status_graph(before, after, allowed):
    assert may_follow(before, after) is allowed


def test_a_job_that_keeps_the_rules_has_no_problems():
    reads = [
        job("queued", 0, "queued", nodes=[("a", "pending")]),
        job("in-progress", 0.4, "queued", "warming-up", "in-progress", nodes=[("a", "processing")]),
        job("success", 1, "queued", "warming-up", "in-progress", "finalizing", "success", nodes=[("a", "success")]),
    ]
    assert sequence_problems(reads) == []


def with_node_job(read: dict) -> dict:
    read["metadata"]["flow"][0]["jobId"] = "job_node"
    return read


def with_history_date(read: dict, index: int, date: str) -> dict:
    read["statusHistory"][index]["date"] = date
    return read


BROKEN_READS = [
    (job("success", 0.9, "queued", "success"), "not 1"),
    (job("success", 1, "queued", "in-progress"), "ends with"),
    (job("failure", 1, "success", "failure"), "moves from success"),
    (job("canceled", 0.5, "queued", "canceled", nodes=[("a", "processing")]), "are not done"),
    (job("success", 1, "queued", "success", nodes=[("a", "failure")]), "did not"),
    (job("queued", 0, "queued", nodes=[("a", "processing")]), "have started"),
    (job("failure", 0.5, "queued", "failure", nodes=[("a", "skipped")]), "no failed node"),
    (
        with_node_job(job("in-progress", 0.1, "queued", "in-progress", nodes=[("a", "pending")])),
        "pending but has a job",
    ),
    (
        with_history_date(job("success", 1, "queued", "in-progress", "success"), 1, "2025-01-01T00:00:00Z"),
        "back in time",
    ),
    (job("in-progress", 1.5, "queued", "in-progress"), "between 0 and 1"),
]


@pytest.mark.parametrize(("read", "problem"), BROKEN_READS, ids=[problem for _, problem in BROKEN_READS])
def test_each_broken_rule_of_one_read_is_named(read, problem):
    assert any(problem in found for found in job_problems(read)), job_problems(read)


def test_each_broken_rule_across_reads_is_named():
    good = job("in-progress", 0.5, "queued", "in-progress", nodes=[("a", "processing")])
    back = job("queued", 0.2, "queued", nodes=[("a", "pending")])
    rewritten = job("in-progress", 0.6, "pending", "in-progress")
    assert any("back to queued" in found for found in sequence_problems([good, back]))
    assert any("progress went down" in found for found in sequence_problems([good, back]))
    assert any("rewrote its past" in found for found in sequence_problems([good, rewritten]))


def test_observed_statuses_must_be_in_the_history():
    seen = job("in-progress", 0.5, "queued", "in-progress")
    final = copy.deepcopy(seen)
    final["status"], final["progress"] = "success", 1
    final["statusHistory"] = [{"date": "2026-01-01T00:00:09.000Z", "status": "success"}]
    problems = sequence_problems([seen, final])
    assert any("does not hold the statuses observed" in p for p in problems)


@pytest.mark.parametrize(
    ("workflow_id", "inputs", "decision", "final"),
    [
        ("workflow_demo_poster", {"prompt": "a poster"}, "approve", "success"),
        ("workflow_demo_poster", {"prompt": "a poster"}, "reject", "canceled"),
        ("workflow_product_shot", {"prompt": "a shoe"}, "cancel-node", "canceled"),
    ],
)
def test_the_check_passes_the_fake(workflow_id, inputs, decision, final):
    with open_target("in-process") as target, target.client() as client:
        check = LifecycleCheck(client, target.advance_clock, poll_interval=1)
        run = LifecycleRun(workflow_id, decision)
        check.dry_run(run, inputs)
        check.real_run(run, inputs)
    assert run.problems == []
    assert run.dry_run_status == 402 and run.estimated_cost > 0
    assert run.final_status == final and run.statuses[0] == "queued" and len(run.reads) > 3


@pytest.mark.parametrize(
    ("workflow_id", "inputs", "decision", "final"),
    [
        ("workflow_demo_poster", {"prompt": "a poster"}, "approve", "success"),
        ("workflow_product_shot", {"prompt": "a shoe"}, "cancel-node", "canceled"),
    ],
)
def test_the_check_holds_a_current_fake_to_the_current_api(workflow_id, inputs, decision, final):
    with open_target("in-process", settings={"api_profile": "current"}) as target, target.client() as client:
        check = LifecycleCheck(client, target.advance_clock, poll_interval=1, api_profile="current")
        run = LifecycleRun(workflow_id, decision)
        check.dry_run(run, inputs)
        check.real_run(run, inputs)
        cancelled = [step for step in run.requests if "/action" in step]
    assert run.problems == []
    assert run.dry_run_status == 269 and run.estimated_cost > 0
    assert run.final_status == final
    if decision == "cancel-node":
        assert len(cancelled) == 1


@pytest.mark.parametrize(
    ("target_profile", "held_to", "status"), [("guide", "current", 402), ("current", "guide", 269)]
)
def test_the_check_fails_a_dry_run_of_the_other_profile(target_profile, held_to, status):
    with open_target("in-process", settings={"api_profile": target_profile}) as target, target.client() as client:
        check = LifecycleCheck(client, target.advance_clock, poll_interval=1, api_profile=held_to)
        run = LifecycleRun("workflow_upscaler", "approve")
        check.dry_run(run, {"image": "asset_photo"})
    assert run.dry_run_status == status
    assert any(f"the dry run answered {status}, not" in p and held_to in p for p in run.problems), run.problems


def test_the_check_catches_a_job_that_goes_back():
    with open_target("asgi:mutants:status_going_back") as target, target.client() as client:
        check = LifecycleCheck(client, target.advance_clock, poll_interval=1)
        run = LifecycleRun("workflow_upscaler", "approve")
        check.real_run(run, {"image": "asset_photo"})
    assert any("went from in-progress back to warming-up" in p for p in run.problems), run.problems
    assert any("statusHistory moves from in-progress to warming-up" in p for p in run.problems), run.problems
