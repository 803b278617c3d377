"""How steps run: mappings, results, retries, the fallback provider, failures in a branch, resume of running steps."""

from __future__ import annotations

import httpx


def _get(orch: httpx.Client, workflow_id: str) -> dict:
    return orch.get(f"/workflows/{workflow_id}").json()


def _step(workflow: dict, step_id: str) -> dict:
    return next(step for step in workflow["steps"] if step["step_id"] == step_id)


def test_mappings_copy_results_into_the_config_with_transforms(orch, create, advance):
    steps = [
        {"id": "shoot", "task_type": "GENERATION", "config": {"prompt": "a red shoe", "width": 512, "height": 768}},
        {"id": "cutout", "task_type": "REMOVE_BACKGROUND", "config": {}, "depends_on": ["shoot"]},
        {
            "id": "compose",
            "task_type": "EDIT",
            "config": {"prompt": "on a beach"},
            "depends_on": ["cutout"],
            "input_mappings": [
                {"from_step": "cutout", "from_field": "result_image_path", "to_field": "image_url"},
                {"from_step": "cutout", "from_field": "result_mask_path", "to_field": "masks", "transform": "LIST"},
                {"from_step": "shoot", "from_field": "width", "to_field": "width", "transform": "STRING"},
            ],
        },
    ]
    workflow = create(steps=steps)
    assert _step(workflow, "compose")["config"] == {"prompt": "on a beach"}  # nothing mapped before it starts
    advance(8 + 3 + 5)
    done = _get(orch, workflow["id"])
    shoot, cutout, compose = (_step(done, name) for name in ("shoot", "cutout", "compose"))
    assert (shoot["result"]["width"], shoot["result"]["height"]) == (512, 768)
    assert compose["config"] == {
        "prompt": "on a beach",
        "image_url": cutout["result"]["result_image_path"],
        "masks": [cutout["result"]["result_mask_path"]],
        "width": "512",
    }
    assert _step(done, "compose")["input_mappings"][1] == {
        "from_step": "cutout",
        "from_field": "result_mask_path",
        "to_field": "masks",
        "transform": "LIST",
    }
    assert done["status"] == "COMPLETED" and done["final_step_result"] == compose["result"]


def test_a_mapping_from_a_missing_field_fails_the_step_without_retries(orch, create, advance):
    steps = [
        {"id": "generate", "task_type": "GENERATION", "config": {}},
        {
            "id": "animate",
            "task_type": "VIDEO_GENERATION",
            "config": {},
            "depends_on": ["generate"],
            "input_mappings": [{"from_step": "generate", "from_field": "result_video_path", "to_field": "video"}],
        },
    ]
    workflow_id = create(steps=steps)["id"]
    advance(8)
    failed = _get(orch, workflow_id)
    animate = _step(failed, "animate")
    assert failed["status"] == "FAILED" and animate["status"] == "FAILED" and animate["retry_count"] == 0
    assert animate["error_message"].startswith(
        "Input mapping of step 'animate' failed: step 'generate' has no output field 'result_video_path'"
    )
    assert failed["error_message"] == f"Step 'animate' failed: {animate['error_message']}"


def test_a_step_is_retried_until_it_succeeds(orch, create, advance, fault):
    fault("step-failure", count=2, stepId="generate", error="Provider timeout")
    workflow_id = create()["id"]
    advance(8)
    retrying = _step(_get(orch, workflow_id), "generate")
    assert (retrying["status"], retrying["retry_count"], retrying["error_message"]) == (
        "RUNNING",
        1,
        "Provider timeout",
    )
    advance(20)  # two more attempts of 8 s, 2 s apart: the second one succeeds
    generate = _step(_get(orch, workflow_id), "generate")
    assert (generate["status"], generate["retry_count"], generate["error_message"]) == ("COMPLETED", 2, None)


def test_the_fallback_provider_takes_over_when_the_retries_are_used_up(orch, create, advance, fault):
    fault("step-failure", providerType="FAL", error="FAL is down")
    steps = [
        {
            "id": "generate",
            "task_type": "GENERATION",
            "config": {},
            "max_retries": 1,
            "provider_config": {"provider_type": "FAL", "fal_app_id": "fal-ai/flux"},
            "active_provider_capabilities": ["text-to-image"],
            "fallback_provider_type": "REPLICATE",
            "fallback_provider_config": {"model": "flux-dev"},
            "fallback_provider_capabilities": ["text-to-image", "seed"],
        }
    ]
    workflow_id = create(steps=steps)["id"]
    advance(8 + 10)
    on_fallback = _step(_get(orch, workflow_id), "generate")
    assert on_fallback["status"] == "RUNNING" and on_fallback["retry_count"] == 1
    assert on_fallback["active_provider_capabilities"] == ["text-to-image", "seed"]
    advance(10)
    done = _get(orch, workflow_id)
    generate = _step(done, "generate")
    assert done["status"] == "COMPLETED" and generate["result"]["provider_type"] == "REPLICATE"


def test_without_a_fallback_the_step_and_the_workflow_fail(orch, create, advance, fault):
    fault("step-failure", stepId="generate", error="NSFW content detected")
    steps = [{"id": "generate", "task_type": "GENERATION", "config": {}, "max_retries": 0}]
    workflow_id = create(steps=steps)["id"]
    advance(8)
    failed = _get(orch, workflow_id)
    assert failed["status"] == "FAILED" and failed["error_message"] == "Step 'generate' failed: NSFW content detected"
    assert _step(failed, "generate")["completed_at"] == failed["completed_at"]


def test_after_a_failure_running_steps_finish_and_no_new_step_starts(orch, create, advance, fault):
    fault("step-failure", stepId="portrait")
    steps = [
        {"id": "portrait", "task_type": "GENERATION", "config": {}, "max_retries": 0},
        {"id": "upscale", "task_type": "UPSCALE", "config": {}},
        {"id": "clip", "task_type": "VIDEO_GENERATION", "config": {}},
        {"id": "after-upscale", "task_type": "EDIT", "config": {}, "depends_on": ["upscale"]},
        {"id": "after-clip", "task_type": "EDIT", "config": {}, "depends_on": ["clip"]},
    ]
    workflow_id = create(steps=steps)["id"]
    advance(4)  # upscale done, after-upscale started
    advance(4)  # portrait fails at 8 s while clip still runs
    failed = _get(orch, workflow_id)
    assert failed["status"] == "FAILED" and failed["current_step"] == "portrait"
    advance(10)  # clip ends at 12 s; after-clip must not start
    later = _get(orch, workflow_id)
    statuses = {step["step_id"]: step["status"] for step in later["steps"]}
    assert statuses == {
        "portrait": "FAILED",
        "upscale": "COMPLETED",
        "clip": "COMPLETED",
        "after-upscale": "COMPLETED",
        "after-clip": "PENDING",
    }
    assert later["status"] == "FAILED" and (later["completed_steps"], later["progress"]) == (3, 60.0)


def test_resume_restarts_failed_and_still_running_steps(orch, create, advance, fault, transport):
    rule = fault("step-failure", stepId="portrait")
    steps = [
        {"id": "portrait", "task_type": "GENERATION", "config": {}, "max_retries": 0},
        {"id": "clip", "task_type": "VIDEO_GENERATION", "config": {}},
    ]
    workflow_id = create(steps=steps)["id"]
    advance(8)
    failed = _get(orch, workflow_id)
    clip_before = _step(failed, "clip")
    assert clip_before["status"] == "RUNNING"
    with httpx.Client(transport=transport, base_url="http://testserver") as control:
        control.delete(f"/_mock/faults/{rule['id']}")
    resumed = orch.post(f"/workflows/{workflow_id}/resume").json()
    clip = _step(resumed, "clip")
    assert clip["status"] == "RUNNING" and clip["task_id"] != clip_before["task_id"]
    assert clip["started_at"] > clip_before["started_at"]
    advance(4)  # the first attempt of clip would have ended here: it was abandoned
    assert _step(_get(orch, workflow_id), "clip")["status"] == "RUNNING"
    advance(8)
    assert _get(orch, workflow_id)["status"] == "COMPLETED"


def test_instant_clock_runs_a_workflow_to_its_end_as_soon_as_it_is_read(orch, create, transport):
    with httpx.Client(transport=transport, base_url="http://testserver") as control:
        control.post("/_mock/clock/advance", json={"mode": "instant"})
    workflow_id = create()["id"]
    assert _get(orch, workflow_id)["status"] == "COMPLETED"
