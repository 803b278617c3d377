"""PUT /_mock/state checks the whole document, not only each record's shape: a document GET /_mock/state
made always loads; one whose records disagree is a 400 naming the field, and changes nothing."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mockserver.server.fake import Fake
from mockserver.server.settings import Settings


def _busy(http) -> dict[str, Any]:
    """More workflow jobs than a project has slots (some wait), one canceled while waiting, a sub-workflow."""
    for n in range(12):
        http("PUT", "/v1/workflows/workflow_product_shot/run", json={"prompt": f"lamp {n}"})
    http("PUT", "/v1/workflows/workflow_demo_poster/run", json={"prompt": "Sale"}, who="bob")
    http("POST", "/_mock/clock/advance", who=None, json={"seconds": 3})
    return http("GET", "/_mock/state", who=None).json()


def test_every_snapshot_along_a_busy_run_loads_into_a_fresh_fake(http, fake):
    _busy(http)
    waiting = fake.snapshot()["simulation"]["waiting"]
    assert waiting, "the run should leave jobs waiting for a slot"
    job_id = next(iter(waiting.values()))[0]
    http("POST", f"/v1/jobs/{job_id}/action", json={"action": "cancel"})
    for _ in range(40):
        snapshot = fake.snapshot()
        fresh = Fake(Settings(clock_mode="manual"))
        fresh.restore(snapshot)
        assert fresh.snapshot() == snapshot
        fresh.close()
        fake.advance(2)


def _set(path: str, value: Any):
    def mutate(state: dict) -> None:
        *parents, last = path.split("/")
        target = state
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[int(last) if isinstance(target, list) else last] = value

    return mutate


def _duplicate_job(state: dict) -> None:
    state["jobs"].append(copy.deepcopy(state["jobs"][0]))


def _duplicate_workflow(state: dict) -> None:
    state["workflows"].append(copy.deepcopy(state["workflows"][0]))


def _cycle(state: dict) -> None:
    workflow = next(w for w in state["workflows"] if len(w["flow"]) >= 2)
    first, second = workflow["flow"][0], workflow["flow"][1]
    first.setdefault("dependsOn", []).append(second["id"])
    second.setdefault("dependsOn", []).append(first["id"])


def _phantom_holders(state: dict) -> None:
    state["simulation"]["holding"]["proj_demo"] = [f"job_phantom_{n}" for n in range(10)]


def _too_many_holders(state: dict) -> None:
    ids = [job["jobId"] for job in state["jobs"] if job["ownerId"] == "proj_demo" and job["jobType"] == "workflow"]
    for job in state["jobs"]:
        if job["jobId"] in ids:
            job["status"] = "in-progress"
    state["simulation"]["holding"]["proj_demo"] = ids
    state["simulation"]["waiting"] = {}


def _ended_holder(state: dict) -> None:
    holder = state["simulation"]["holding"]["proj_demo"][0]
    next(job for job in state["jobs"] if job["jobId"] == holder)["status"] = "success"


def _holder_twice(state: dict) -> None:
    holder = state["simulation"]["holding"]["proj_demo"][0]
    state["simulation"]["waiting"].setdefault("proj_demo", []).append(holder)


def _duplicate_fault(state: dict) -> None:
    state["faults"]["rules"] = [{"id": "fault_1", "kind": "latency"}, {"id": "fault_1", "kind": "latency"}]


def _event_for_no_job(state: dict) -> None:
    state["simulation"]["events"][0]["jobId"] = "job_nowhere"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_duplicate_job, "is already jobs[0]"),
        (_duplicate_workflow, "is already workflows[0]"),
        (_cycle, "cycle"),
        (_set("jobs/0/createdAt", "last tuesday"), "jobs[0].createdAt must be an ISO-8601 date"),
        (_set("jobs/0/updatedAt", "2026-13-45T99:00:00Z"), "jobs[0].updatedAt"),
        (_set("jobs/0/statusHistory/0/0", "never"), "jobs[0].statusHistory[0][0]"),
        (_set("jobs/0/status", "exploded"), "jobs[0].status must be one of"),
        (_set("jobs/0/statusHistory/0/1", "exploded"), "jobs[0].statusHistory[0][1]"),
        (_set("jobs/0/nodes/0/status", "dancing"), "jobs[0].nodes[0].status"),
        (_set("jobs/0/workflowId", "workflow_nowhere"), "jobs[0].workflowId"),
        (_set("jobs/0/workflowJobId", "job_nowhere"), "jobs[0].workflowJobId"),
        (_set("jobs/0/cuCost", -5), "cuCost"),
        (_phantom_holders, "simulation.holding.proj_demo[0]: no job job_phantom_0"),
        (_too_many_holders, "at most 10 jobs hold a slot"),
        (_ended_holder, "has ended"),
        (_holder_twice, "twice"),
        (_event_for_no_job, "simulation.events[0].jobId"),
        (_duplicate_fault, "faults.rules[1].id"),
        (
            _set(
                "webhooks/webhooks",
                [{"id": "w", "projectId": "proj_demo", "url": "http://localhost/_mock/reset", "secret": "s"}],
            ),
            "url",
        ),
    ],
)
def test_a_document_whose_records_disagree_is_a_400_and_changes_nothing(http, mutate, message):
    snapshot = _busy(http)
    broken = copy.deepcopy(snapshot)
    mutate(broken)
    answer = http("PUT", "/_mock/state", who=None, json=broken)
    assert answer.status_code == 400, answer.text
    assert message in answer.json()["message"], answer.json()["message"]
    assert http("GET", "/_mock/state", who=None).json() == snapshot


def test_dates_the_fast_check_does_not_read_are_still_taken_when_they_are_dates(http, fake):
    """Jobs' dates are checked all at once as RFC 3339 with an offset; a date without one is then read field
    by field, as ISO 8601, and taken."""
    snapshot = _busy(http)
    naive = copy.deepcopy(snapshot)
    naive["jobs"][0]["createdAt"] = "2026-11-30T21:07:39"
    answer = http("PUT", "/_mock/state", who=None, json=naive)
    assert answer.status_code == 200, answer.text
    assert answer.json()["jobs"][0]["createdAt"] == "2026-11-30T21:07:39"
