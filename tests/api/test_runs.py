"""Runs: input checks, dry runs, the simulated lifecycle, approvals, failures, cancels and the slot limit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import scenario_sdk

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings

TERMINAL = {"success", "failure", "canceled"}


@contextmanager
def alice_client(fake: Fake) -> Iterator[scenario_sdk.Scenario]:
    """The official client as Alice, bound in process to a fake made with its own settings."""
    transport = SyncASGITransport(create_app(fake))
    try:
        yield scenario_sdk.Scenario(
            base_url="http://testserver/v1",
            api_key="key_alice",
            api_secret="secret_alice",
            http_client=httpx.Client(transport=transport),
            max_retries=0,
        )
    finally:
        transport.close()


BRANCHING_FLOW = [
    {
        "id": "node_check",
        "type": "logic",
        "logicType": "if-else",
        "inputs": [{"name": "condition", "type": "string", "ref": {"node": "workflow", "name": "mode"}}],
        "logic": {
            "cases": [{"condition": "fast", "value": "fast"}, {"condition": "quality", "value": "quality"}],
            "default": "fast",
        },
    },
    {
        "id": "node_fast",
        "type": "custom-model",
        "modelId": "model_fast",
        "inputs": [{"name": "go", "type": "string", "ref": {"conditional": ["node_check"], "equal": "fast"}}],
    },
    {
        "id": "node_quality",
        "type": "custom-model",
        "modelId": "model_quality",
        "inputs": [{"name": "go", "type": "string", "ref": {"conditional": ["node_check"], "equal": "quality"}}],
    },
    {
        "id": "node_loop",
        "type": "for-each",
        "loopBodyNodeIds": ["node_body"],
        "inputs": [{"name": "items", "type": "string_array", "ref": {"node": "workflow", "name": "items"}}],
    },
    {
        "id": "node_body",
        "type": "remove-background",
        "inputs": [{"name": "item", "type": "string", "ref": {"node": "node_loop", "name": "item"}}],
    },
    {"id": "node_review", "type": "user-approval", "dependsOn": ["node_fast", "node_quality", "node_loop"]},
    {"id": "node_final", "type": "custom-model", "modelId": "model_final", "dependsOn": ["node_review"]},
]
BRANCHING_INPUTS = [
    {"name": "mode", "type": "string", "allowedValues": ["fast", "quality"], "required": {"always": True}},
    {"name": "items", "type": "string_array", "default": ["a"]},
]


def make_workflow(http, who="alice", flow=None, inputs=None, **extra):
    workflow_id = http("POST", "/v1/workflows", who=who, json={"name": "w", "description": "d"}).json()["workflow"][
        "id"
    ]
    body = {"status": "ready", "flow": flow or [{"id": "n1", "type": "remove-background"}], "inputs": inputs or []}
    response = http("PUT", f"/v1/workflows/{workflow_id}", who=who, json={**body, **extra})
    assert response.status_code == 200, response.text
    return workflow_id


def poll(http, fake, job_id, until=TERMINAL, who="alice", steps=200):
    """Advance the clock a second at a time, polling, until the job's status is in ``until``."""
    seen = []
    for _ in range(steps):
        job = http("GET", f"/v1/jobs/{job_id}", who=who).json()["job"]
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        if job["status"] in until:
            return job, seen
        fake.clock.advance(1)
    raise AssertionError(f"job {job_id} never reached {until}; saw {seen}")


def test_sdk_runs_a_seeded_app_and_downloads_its_outputs(sdk, fake, transport, uploaded_image):
    client = sdk("eve")
    photo = uploaded_image("eve")
    run = client.workflows.run("workflow_upscaler", body={"image": photo})
    assert run.job.status == "queued" and run.job.progress == 0 and run.job.job_type == "workflow"
    assert run.workflow.id == "workflow_upscaler"
    assert [node.status for node in run.job.metadata.flow] == ["pending"]
    assert run.job.metadata.input == {"image": photo, "scale": 2, "strength": 0.75}
    job = run.job
    progress = [job.progress]
    while job.status not in TERMINAL:
        fake.clock.advance(1)
        job = client.jobs.retrieve(job.job_id).job
        progress.append(job.progress)
    assert job.status == "success" and job.progress == 1
    assert progress == sorted(progress)
    assert [entry.status for entry in job.status_history] == [
        "queued",
        "warming-up",
        "in-progress",
        "finalizing",
        "success",
    ]
    assert job.metadata.asset_ids
    downloader = httpx.Client(transport=transport)
    for node in job.metadata.flow:
        assert node.job_id
        for asset in node.assets:
            response = downloader.get(asset.url)
            assert response.status_code == 200 and response.headers["content-type"] == "image/png"
            assert response.content.startswith(b"\x89PNG")
    node_job = client.jobs.retrieve(job.metadata.flow[0].job_id).job
    assert node_job.job_type == "inference" and node_job.status == "success"
    assert node_job.metadata.workflow_job_id == job.job_id and node_job.metadata.workflow_id == "workflow_upscaler"


def branching_job(http, fake, items=("x", "y", "z")):
    workflow_id = make_workflow(http, flow=BRANCHING_FLOW, inputs=BRANCHING_INPUTS)
    response = http("PUT", f"/v1/workflows/{workflow_id}/run", json={"mode": "fast", "items": list(items)})
    assert response.status_code == 200, response.text
    job_id = response.json()["job"]["jobId"]
    job, seen = poll(http, fake, job_id, until={"in-progress"})
    for _ in range(60):
        job = http("GET", f"/v1/jobs/{job_id}").json()["job"]
        nodes = {node["id"]: node for node in job["metadata"]["flow"]}
        if nodes["node_review"]["status"] == "processing":
            return workflow_id, job, nodes
        fake.clock.advance(1)
    raise AssertionError("the approval node never started")


def test_if_else_for_each_and_approval_then_approve(http, fake):
    workflow_id, job, nodes = branching_job(http, fake)
    assert job["status"] == "in-progress"
    assert nodes["node_check"]["status"] == "success" and nodes["node_check"]["output"] == "fast"
    assert nodes["node_fast"]["status"] == "success" and nodes["node_quality"]["status"] == "skipped"
    assert nodes["node_body"]["status"] == "skipped"  # the template
    copies = [node for node in job["metadata"]["flow"] if node.get("loopNodeId") == "node_loop"]
    assert [(c["iterationIndex"], c["status"]) for c in copies] == [(0, "success"), (1, "success"), (2, "success")]
    assert nodes["node_final"]["status"] == "pending" and "jobId" not in nodes["node_final"]
    fake.clock.advance(30)
    assert http("GET", f"/v1/jobs/{job['jobId']}").json()["job"]["status"] == "in-progress"  # waits for approval

    response = http(
        "PUT",
        f"/v1/workflows/{workflow_id}/user-approval?projectId=proj_demo",
        json={"workflowJobId": job["jobId"], "nodeId": "node_review", "action": "approve"},
    )
    assert response.status_code == 200, response.text
    assert {n["id"]: n["status"] for n in response.json()["job"]["metadata"]["flow"]}["node_review"] == "success"
    final, _ = poll(http, fake, job["jobId"])
    assert final["status"] == "success"
    assert [h["status"] for h in final["statusHistory"]] == [
        "queued",
        "warming-up",
        "in-progress",
        "finalizing",
        "success",
    ]
    dates = [h["date"] for h in final["statusHistory"]]
    assert dates == sorted(dates)
    statuses = {n["id"]: n["status"] for n in final["metadata"]["flow"]}
    assert statuses["node_final"] == "success" and statuses["node_quality"] == "skipped"
    final_node = next(n for n in final["metadata"]["flow"] if n["id"] == "node_final")
    assert final["metadata"]["assetIds"] == [asset["assetId"] for asset in final_node["assets"]]


def test_a_review_can_be_decided_after_its_workflow_was_deleted(http, fake):
    workflow_id, job, _ = branching_job(http, fake, items=("x",))
    assert http("DELETE", f"/v1/workflows/{workflow_id}").status_code == 200
    response = http(
        "PUT",
        f"/v1/workflows/{workflow_id}/user-approval?projectId=proj_demo",
        json={"workflowJobId": job["jobId"], "nodeId": "node_review", "action": "reject"},
    )
    assert response.status_code == 200 and response.json()["job"]["status"] == "canceled"
    other = http(
        "PUT",
        f"/v1/workflows/{workflow_id}/user-approval?projectId=proj_other",
        who="eve",
        json={"workflowJobId": job["jobId"], "nodeId": "node_review", "action": "reject"},
    )
    assert other.status_code == 404


def test_approval_reject_cancels_the_job(http, fake):
    workflow_id, job, _ = branching_job(http, fake, items=("x",))
    response = http(
        "PUT",
        f"/v1/workflows/{workflow_id}/user-approval?projectId=proj_demo",
        json={"workflowJobId": job["jobId"], "nodeId": "node_review", "action": "reject"},
    )
    assert response.status_code == 200
    final = response.json()["job"]
    assert final["status"] == "canceled"
    assert [h["status"] for h in final["statusHistory"]] == ["queued", "warming-up", "in-progress", "canceled"]
    statuses = {n["id"]: n["status"] for n in final["metadata"]["flow"]}
    assert statuses["node_review"] == "rejected" and statuses["node_final"] == "skipped"
    fake.clock.advance(60)
    assert http("GET", f"/v1/jobs/{job['jobId']}").json()["job"]["status"] == "canceled"


def test_approval_errors(http, fake, sdk):
    workflow_id, job, _ = branching_job(http, fake, items=("x",))
    url = f"/v1/workflows/{workflow_id}/user-approval?projectId=proj_demo"
    not_waiting = http("PUT", url, json={"workflowJobId": job["jobId"], "nodeId": "node_final"})
    assert not_waiting.status_code == 400 and "not a user-approval node" in not_waiting.json()["message"]
    unknown = http("PUT", url, json={"workflowJobId": job["jobId"], "nodeId": "node_nope"})
    assert unknown.status_code == 404 and "node_nope" in unknown.json()["message"]
    other = make_workflow(http)
    wrong = http(
        "PUT",
        f"/v1/workflows/{other}/user-approval?projectId=proj_demo",
        json={"workflowJobId": job["jobId"], "nodeId": "node_review"},
    )
    assert wrong.status_code == 404 and "is not a job of workflow" in wrong.json()["message"]
    another_project = http(
        "PUT",
        f"/v1/workflows/{workflow_id}/user-approval?projectId=proj_other",
        json={"workflowJobId": job["jobId"], "nodeId": "node_review"},
    )
    assert another_project.status_code == 403
    # The SDK's deprecated alias sends the same request.
    with pytest.warns(DeprecationWarning):
        approved = sdk("alice").workflows.approve_user(
            workflow_id, project_id="proj_demo", node_id="node_review", workflow_job_id=job["jobId"]
        )
    assert approved.job.status == "in-progress"
    twice = http("PUT", url, json={"workflowJobId": job["jobId"], "nodeId": "node_review"})
    assert twice.status_code == 400 and "not waiting for approval" in twice.json()["message"]


def test_approval_without_project_id_uses_the_keys_project(http, fake, sdk):
    workflow_id, job, _ = branching_job(http, fake, items=("x",))
    with pytest.raises(scenario_sdk.PermissionDeniedError):
        sdk("alice").workflows.user_approval(
            workflow_id, project_id="proj_other", node_id="node_review", workflow_job_id=job["jobId"]
        )
    approved = sdk("alice").workflows.user_approval(
        workflow_id, project_id=scenario_sdk.omit, node_id="node_review", workflow_job_id=job["jobId"]
    )
    assert approved.job.status == "in-progress"
    assert {node.id: node.status for node in approved.job.metadata.flow}["node_review"] == "success"


def test_dry_run_answers_402_with_the_cost_billed_by_the_real_run(http, fake):
    response = http(
        "PUT", "/v1/workflows/workflow_upscaler/run?dryRun=true", json={"image": "asset_photo123", "scale": 4}
    )
    assert response.status_code == 402
    body = response.json()
    assert body["statusCode"] == 402 and body["message"] == "Dry run completed"
    assert body["estimatedCost"] == 10  # custom-model 5, doubled by scale 4 over its default 2
    assert http("GET", "/v1/jobs").json()["jobs"] == []
    again = http("PUT", "/v1/workflows/workflow_upscaler/run?dryRun=true", json={"image": "asset_photo123", "scale": 4})
    assert again.json() == body
    run = http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo123", "scale": 4}).json()
    assert run["job"]["billing"]["cuCost"] == body["estimatedCost"]
    final, _ = poll(http, fake, run["job"]["jobId"])
    assert final["billing"]["cuCost"] == body["estimatedCost"]


def test_dry_run_surfaces_as_api_status_error_in_the_sdk(sdk):
    with pytest.raises(scenario_sdk.APIStatusError) as raised:
        sdk("alice").workflows.run("workflow_bg_remover", body={"image": "asset_photo123"}, dry_run="true")
    assert raised.value.status_code == 402 and raised.value.body["estimatedCost"] == 2


def test_run_input_violations_are_400_naming_the_input(http):
    workflow_id = "workflow_product_shot"
    cases = [
        ({}, "prompt"),
        ({"prompt": "x", "style": "noir"}, "style"),
        ({"prompt": "x" * 501}, "prompt"),
        ({"prompt": 5}, "prompt"),
        ({"prompt": "x", "angles": ["front", "front", "side", "top", "top"]}, "angles"),
    ]
    for body, name in cases:
        response = http("PUT", f"/v1/workflows/{workflow_id}/run", json=body)
        assert response.status_code == 400, (body, response.text)
        assert f'"{name}"' in response.json()["message"]
    assert http("GET", "/v1/jobs").json()["jobs"] == []


def test_an_unknown_input_is_a_400_listing_the_known_ones(http):
    response = http("PUT", "/v1/workflows/workflow_product_shot/run", json={"prompt": "x", "colour": "red"})
    assert response.status_code == 400
    assert response.json()["message"] == 'Unknown input "colour". Known inputs: prompt, style, angles'
    assert http("GET", "/v1/jobs").json()["jobs"] == []


def test_a_scalar_for_an_array_input_is_dropped_and_journaled(http, fake):
    response = http("PUT", "/v1/workflows/workflow_product_shot/run", json={"prompt": "x", "angles": "front"})
    assert response.status_code == 200
    assert response.json()["job"]["metadata"]["input"]["angles"] == ["front", "three-quarter"]  # the default
    entry = fake.journal.entries()[-1]
    assert entry.warnings and '"angles"' in entry.warnings[0]


def test_only_ready_workflows_run(http):
    draft = http("POST", "/v1/workflows", json={"name": "w", "description": "d"}).json()["workflow"]["id"]
    response = http("PUT", f"/v1/workflows/{draft}/run", json={})
    assert response.status_code == 400 and "draft" in response.json()["message"]


def test_who_may_run_what(http):
    private = make_workflow(http, who="alice")
    assert http("PUT", f"/v1/workflows/{private}/run", who="carol", json={}).status_code == 200  # a reader
    assert http("PUT", f"/v1/workflows/{private}/run", who="eve", json={}).status_code == 404
    unlisted = make_workflow(http, who="alice", privacy="unlisted")
    run = http("PUT", f"/v1/workflows/{unlisted}/run", who="eve", json={}).json()
    assert run["job"]["ownerId"] == "proj_other" and run["job"]["authorId"] == "user_eve"
    assert http("GET", f"/v1/jobs/{run['job']['jobId']}", who="alice").status_code == 404
    assert http("GET", f"/v1/jobs/{run['job']['jobId']}", who="eve").status_code == 200


def test_requested_node_failure(http, fake):
    fake.faults.add(
        {
            "kind": "node-failure",
            "match": {"nodeId": "node_cutout_1"},
            "count": 1,
            "error": "Out of memory",
            "hint": "Use a smaller image",
        }
    )
    run = http("PUT", "/v1/workflows/workflow_product_shot/run", json={"prompt": "shoe"}).json()
    final, seen = poll(http, fake, run["job"]["jobId"])
    assert final["status"] == "failure" and seen[-1] == "failure" and "finalizing" not in seen
    assert "node_cutout_1" in final["metadata"]["error"] and "Out of memory" in final["metadata"]["error"]
    assert final["metadata"]["hint"] == "Use a smaller image"
    statuses = {n["id"]: n["status"] for n in final["metadata"]["flow"]}
    assert statuses["node_cutout_1"] == "failure" and statuses["node_upscale_1"] == "skipped"
    assert statuses["node_upscale_0"] == "success"  # an independent branch goes on
    failed_job = next(n["jobId"] for n in final["metadata"]["flow"] if n["id"] == "node_cutout_1")
    node_job = http("GET", f"/v1/jobs/{failed_job}").json()["job"]
    assert node_job["status"] == "failure" and node_job["metadata"]["error"] == "Out of memory"
    assert final["progress"] < 1


def test_cancel_a_node_job_cancels_the_workflow_job(http, fake):
    run = http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo123"}).json()
    job_id = run["job"]["jobId"]
    refused = http("POST", f"/v1/jobs/{job_id}/action", json={"action": "cancel"})
    assert refused.status_code == 400 and "workflow job" in refused.json()["message"]
    job, _ = poll(http, fake, job_id, until={"in-progress"})
    fake.clock.advance(1)
    node_job_id = http("GET", f"/v1/jobs/{job_id}").json()["job"]["metadata"]["flow"][0]["jobId"]
    canceled = http("POST", f"/v1/jobs/{node_job_id}/action", json={"action": "cancel"})
    assert canceled.status_code == 200 and canceled.json()["job"]["status"] == "canceled"
    workflow_job = http("GET", f"/v1/jobs/{job_id}").json()["job"]
    assert workflow_job["status"] == "canceled"
    assert workflow_job["metadata"]["flow"][0]["status"] == "failure"
    again = http("POST", f"/v1/jobs/{node_job_id}/action", json={"action": "cancel"})
    assert again.status_code == 400 and "already ended" in again.json()["message"]
    assert http("POST", "/v1/jobs/job_nope/action", json={"action": "cancel"}).status_code == 404


@pytest.mark.parametrize("body", [None, {}])
def test_cancel_is_the_default_action(http, fake, body):
    job_id = http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo123"}).json()["job"]["jobId"]
    poll(http, fake, job_id, until={"in-progress"})
    fake.clock.advance(1)
    node_job_id = http("GET", f"/v1/jobs/{job_id}").json()["job"]["metadata"]["flow"][0]["jobId"]
    canceled = http("POST", f"/v1/jobs/{node_job_id}/action", **({} if body is None else {"json": body}))
    assert canceled.status_code == 200 and canceled.json()["job"]["status"] == "canceled"


def test_cancel_a_workflow_job_when_the_option_allows_it():
    fake = Fake(Settings(clock_mode="manual", cancel_workflow_jobs=True))
    with alice_client(fake) as client:
        job = client.workflows.run("workflow_product_shot", body={"prompt": "x"}).job
        fake.clock.advance(8)
        canceled = client.jobs.trigger_action(job.job_id, action="cancel").job
        assert canceled.status == "canceled"
        assert [h.status for h in canceled.status_history][-1] == "canceled"
        assert all(node.status in ("success", "skipped", "failure") for node in canceled.metadata.flow)
        fake.clock.advance(100)
        assert client.jobs.retrieve(job.job_id).job.status == "canceled"


def test_the_eleventh_concurrent_job_stays_queued_until_a_slot_frees(http, fake, uploaded_image):
    workflow_id = make_workflow(http, flow=[{"id": "wait", "type": "user-approval"}])
    jobs = [http("PUT", f"/v1/workflows/{workflow_id}/run", json={}).json()["job"]["jobId"] for _ in range(11)]
    fake.clock.advance(10)
    statuses = [http("GET", f"/v1/jobs/{job_id}").json()["job"]["status"] for job_id in jobs]
    assert statuses == ["in-progress"] * 10 + ["queued"]
    photo = uploaded_image("eve")
    other_project = http("PUT", "/v1/workflows/workflow_bg_remover/run", who="eve", json={"image": photo})
    fake.clock.advance(5)
    assert (
        http("GET", f"/v1/jobs/{other_project.json()['job']['jobId']}", who="eve").json()["job"]["status"] != "queued"
    )
    http(
        "PUT",
        f"/v1/workflows/{workflow_id}/user-approval?projectId=proj_demo",
        json={"workflowJobId": jobs[0], "nodeId": "wait", "action": "reject"},
    )
    assert http("GET", f"/v1/jobs/{jobs[10]}").json()["job"]["status"] == "queued"
    fake.clock.advance(5)
    last = http("GET", f"/v1/jobs/{jobs[10]}").json()["job"]
    assert last["status"] == "in-progress"
    assert [h["status"] for h in last["statusHistory"]] == ["queued", "warming-up", "in-progress"]


def test_a_workflow_node_runs_the_referenced_workflow(http, fake):
    parent = make_workflow(
        http,
        flow=[
            {
                "id": "sub",
                "type": "workflow",
                "workflowId": "workflow_bg_remover",
                "inputs": [{"name": "image", "type": "file", "ref": {"node": "workflow", "name": "photo"}}],
            }
        ],
        inputs=[{"name": "photo", "type": "file", "required": {"always": True}}],
    )
    run = http("PUT", f"/v1/workflows/{parent}/run", json={"photo": "asset_photo"}).json()
    final, _ = poll(http, fake, run["job"]["jobId"])
    assert final["status"] == "success"
    child_id = final["metadata"]["flow"][0]["jobId"]
    child = http("GET", f"/v1/jobs/{child_id}").json()["job"]
    assert child["jobType"] == "workflow" and child["metadata"]["workflowId"] == "workflow_bg_remover"
    assert child["metadata"]["workflowJobId"] == final["jobId"] and child["status"] == "success"
    assert final["metadata"]["assetIds"] == child["metadata"]["assetIds"]


def test_job_state_is_a_function_of_the_clock(http, fake):
    """Polling often or not at all gives the same state at the same simulated time."""
    first = http("PUT", "/v1/workflows/workflow_product_shot/run", json={"prompt": "x"}).json()["job"]["jobId"]
    for _ in range(7):
        fake.clock.advance(1)
        http("GET", f"/v1/jobs/{first}")
    polled = http("GET", f"/v1/jobs/{first}").json()["job"]

    other = Fake(Settings(clock_mode="manual"))
    other.clock.restore(fake.clock.snapshot())
    transport = SyncASGITransport(create_app(other))
    try:
        client = httpx.Client(transport=transport, base_url="http://testserver")
        headers = {"Authorization": http("GET", "/v1/workflows").request.headers["authorization"]}
        other.clock.restore({"now": polled["createdAt"], "mode": "manual", "speed": 1})
        second = client.put("/v1/workflows/workflow_product_shot/run", json={"prompt": "x"}, headers=headers)
        second_id = second.json()["job"]["jobId"]
        other.clock.advance(7)
        unpolled = client.get(f"/v1/jobs/{second_id}", headers=headers).json()["job"]
    finally:
        transport.close()

    def strip(job):
        return (
            job["status"],
            job["progress"],
            [h["status"] for h in job["statusHistory"]],
            [(n["id"], n["status"]) for n in job["metadata"]["flow"]],
        )

    assert strip(polled) == strip(unpolled)
