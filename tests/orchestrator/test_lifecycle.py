"""The orchestrator's documented lifecycle, through HTTP: create, start, fail, resume, complete, cancel, cleanup."""

from __future__ import annotations

import httpx


def _get(orch: httpx.Client, workflow_id: str) -> dict:
    answer = orch.get(f"/workflows/{workflow_id}")
    assert answer.status_code == 200
    return answer.json()


def _statuses(workflow: dict) -> dict[str, str]:
    return {step["step_id"]: step["status"] for step in workflow["steps"]}


def test_create_start_fail_resume_complete(orch, create, advance, fault, transport):
    created = create(start=False)
    assert created["status"] == "PENDING" and created["started_at"] is None
    assert (created["total_steps"], created["completed_steps"], created["progress"]) == (2, 0, 0)
    assert _statuses(created) == {"generate": "PENDING", "refine": "PENDING"}
    assert [step["dependencies"] for step in created["steps"]] == [[], ["generate"]]
    workflow_id = created["id"]
    rule = fault("step-failure", stepId="refine", error="GPU out of memory")

    started = orch.post(f"/workflows/{workflow_id}/start").json()
    assert started["status"] == "RUNNING" and started["started_at"] is not None
    assert started["current_step"] == "generate" and started["final_step_id"] == "refine"

    advance(8)  # GENERATION takes 8 simulated seconds
    running = _get(orch, workflow_id)
    assert _statuses(running) == {"generate": "COMPLETED", "refine": "RUNNING"}
    assert (running["completed_steps"], running["progress"], running["current_step"]) == (1, 50.0, "refine")
    generated = running["steps"][0]["result"]
    assert generated["result_image_path"].endswith(".png")
    assert running["steps"][1]["config"]["base_image_url"] == generated["result_image_path"]

    advance(30)  # 4 attempts of 5 s with 2 s between them: the 3 retries are used up
    failed = _get(orch, workflow_id)
    assert failed["status"] == "FAILED" and failed["completed_at"] is not None
    assert failed["error_message"] == "Step 'refine' failed: GPU out of memory"
    assert failed["errors"] == ["Step 'refine' failed: GPU out of memory"] and failed["current_step"] == "refine"
    refine = failed["steps"][1]
    assert (refine["status"], refine["retry_count"], refine["error_message"]) == ("FAILED", 3, "GPU out of memory")

    with httpx.Client(transport=transport, base_url="http://testserver") as control:
        assert control.delete(f"/_mock/faults/{rule['id']}").status_code == 200
    resumed = orch.post(f"/workflows/{workflow_id}/resume").json()
    assert resumed["status"] == "RUNNING" and resumed["error_message"] is None and resumed["completed_at"] is None
    assert resumed["steps"][0] == failed["steps"][0]  # the completed step keeps its task and result
    refine = resumed["steps"][1]
    assert (refine["status"], refine["retry_count"], refine["error_message"]) == ("RUNNING", 0, None)
    assert refine["task_id"] != failed["steps"][1]["task_id"]

    advance(5)
    done = _get(orch, workflow_id)
    assert done["status"] == "COMPLETED" and (done["completed_steps"], done["progress"]) == (2, 100.0)
    assert done["current_step"] is None and done["final_step_id"] == "refine"
    assert done["final_step_result"] == done["steps"][1]["result"]
    assert done["final_step_result"]["width"] == 2048  # refined at the configured upscale factor


def test_cancel_a_running_workflow(orch, create, advance):
    workflow = create()
    assert workflow["status"] == "RUNNING"
    cancelled = orch.delete(f"/workflows/{workflow['id']}")
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert body["status"] == "CANCELLED" and body["completed_at"] is not None and body["is_deleted"] is False
    assert _statuses(body) == {"generate": "CANCELLED", "refine": "CANCELLED"}
    advance(60)
    assert _get(orch, workflow["id"]) == body  # nothing runs any more


def test_illegal_transitions_are_400s_that_leave_the_workflow_as_it_was(orch, create, advance):
    running = create()["id"]
    pending = create(start=False)["id"]
    cases = [
        (
            "POST",
            f"/workflows/{running}/start",
            "Cannot start workflow with status RUNNING: only a PENDING workflow can be started",
        ),
        (
            "POST",
            f"/workflows/{running}/resume",
            "Cannot resume workflow with status RUNNING: only a FAILED or PAUSED workflow can be resumed",
        ),
        (
            "POST",
            f"/workflows/{pending}/resume",
            "Cannot resume workflow with status PENDING: only a FAILED or PAUSED workflow can be resumed",
        ),
        ("POST", f"/workflows/{running}/cleanup", "Cannot clean up workflow with status RUNNING: cancel it first"),
    ]
    advance(1)
    before = {workflow_id: _get(orch, workflow_id) for workflow_id in (running, pending)}
    for method, url, message in cases:
        answer = orch.request(method, url)
        assert (answer.status_code, answer.json()) == (400, {"detail": message}), url
    assert {workflow_id: _get(orch, workflow_id) for workflow_id in (running, pending)} == before

    advance(60)
    assert _get(orch, running)["status"] == "COMPLETED"
    for verb, url in (("cancel", f"/workflows/{running}"), ("start", f"/workflows/{running}/start")):
        answer = orch.request("DELETE" if verb == "cancel" else "POST", url)
        assert answer.status_code == 400 and answer.json()["detail"].startswith(
            f"Cannot {verb} workflow with status COMPLETED"
        )


def test_cleanup_soft_deletes_and_lists_follow_include_deleted(orch, create, advance):
    kept = create()["id"]
    cleaned = create()["id"]
    advance(13)
    detail = orch.post(f"/workflows/{cleaned}/cleanup")
    assert detail.status_code == 200
    body = detail.json()
    assert body["workflow"]["is_deleted"] is True and body["workflow"]["deleted_at"] is not None
    steps = body["workflow"]["steps"]
    assert body["cleanup"] == {
        "tasks_processed": 2,
        "tasks_cleaned": 2,
        "deleted_paths": [step["result"]["result_image_path"] for step in steps],
        "errors": [],
    }

    listed = orch.get("/workflows/").json()
    assert [w["id"] for w in listed["workflows"]] == [kept] and listed["total"] == 1
    everything = orch.get("/workflows/", params={"include_deleted": "true"}).json()
    assert [w["id"] for w in everything["workflows"]] == [cleaned, kept] and everything["total"] == 2
    assert _get(orch, cleaned)["is_deleted"] is True  # still found by id

    again = orch.post(f"/workflows/{cleaned}/cleanup").json()["cleanup"]
    assert again == {"tasks_processed": 2, "tasks_cleaned": 0, "deleted_paths": [], "errors": []}
    refused = orch.post(f"/workflows/{cleaned}/start")
    assert (
        refused.status_code == 400
        and refused.json()["detail"] == f"Cannot start workflow {cleaned}: it has been cleaned up"
    )


def test_cleanup_without_tasks_touches_no_files(orch, create, advance):
    workflow_id = create()["id"]
    advance(13)
    body = orch.post(f"/workflows/{workflow_id}/cleanup", params={"cleanup_tasks": "false"}).json()
    assert body["cleanup"] == {"tasks_processed": 0, "tasks_cleaned": 0, "deleted_paths": [], "errors": []}
    assert body["workflow"]["is_deleted"] is True


def test_pause_on_request_then_resume(orch, create, advance, fault):
    fault("pause", count=1, stepId="refine")
    workflow_id = create()["id"]
    advance(8)
    paused = _get(orch, workflow_id)
    assert paused["status"] == "PAUSED" and paused["current_step"] == "refine"
    assert _statuses(paused) == {"generate": "COMPLETED", "refine": "PENDING"}
    advance(60)
    assert _get(orch, workflow_id) == paused  # a paused workflow starts no step
    assert orch.delete(f"/workflows/{workflow_id}").status_code == 400  # cancel is for PENDING or RUNNING only

    resumed = orch.post(f"/workflows/{workflow_id}/resume").json()
    assert resumed["status"] == "RUNNING" and _statuses(resumed)["refine"] == "RUNNING"
    advance(5)
    assert _get(orch, workflow_id)["status"] == "COMPLETED"


def test_cleanup_of_a_paused_workflow_reports_the_task_still_running(orch, create, advance, fault):
    fault("pause", count=1, stepId="after-upscale")
    steps = [
        {"id": "slow", "task_type": "GENERATION", "config": {}},
        {"id": "upscale", "task_type": "UPSCALE", "config": {}},
        {"id": "after-upscale", "task_type": "EDIT", "config": {}, "depends_on": ["upscale"]},
    ]
    workflow_id = create(steps=steps)["id"]
    advance(4)  # upscale done, the pause holds the next step back, slow still runs
    paused = _get(orch, workflow_id)
    assert paused["status"] == "PAUSED" and _statuses(paused)["slow"] == "RUNNING"
    cleanup = orch.post(f"/workflows/{workflow_id}/cleanup").json()["cleanup"]
    slow, upscale = paused["steps"][0], paused["steps"][1]
    assert (cleanup["tasks_processed"], cleanup["tasks_cleaned"]) == (2, 1)
    assert cleanup["deleted_paths"] == [upscale["result"]["result_image_path"]]
    assert cleanup["errors"] == [
        {
            "task_id": slow["task_id"],
            "step_id": "slow",
            "task_type": "GENERATION",
            "error": "Task is still running; its files were not deleted",
        }
    ]


def test_advancing_until_idle_stops_at_a_pause_and_finishes_once_resumed(orch, create, fault, transport):
    fault("pause", count=1, stepId="refine")
    workflow_id = create()["id"]
    with httpx.Client(transport=transport, base_url="http://testserver") as control:
        until_idle = {"untilIdle": True}
        assert control.post("/_mock/clock/advance", json=until_idle).json()["idle"] is True
        assert _get(orch, workflow_id)["status"] == "PAUSED"
        orch.post(f"/workflows/{workflow_id}/resume")
        assert control.post("/_mock/clock/advance", json=until_idle).json()["idle"] is True
    assert _get(orch, workflow_id)["status"] == "COMPLETED"
