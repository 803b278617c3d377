"""The two API profiles: ``guide`` (the source documents) and ``current`` (the official SDK 2.4.0), through the
SDK with strict response validation and over plain HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import scenario_sdk

from mockserver.server.fake import Fake
from mockserver.server.settings import Settings
from mockserver.testing import MockHandle

RUN_BODY = {"prompt": "a shoe"}  # workflow_product_shot: model, remove-background and generate-prompt nodes
PARALLEL_LIMIT = {"actionName": "parallel-custom-jobs", "actionLimit": 10}


@pytest.fixture
def open_mock() -> Iterator[Callable[..., MockHandle]]:
    """Makes a fake answering as a profile; when the test ends, every answer of each must have kept to the contract."""
    handles: list[MockHandle] = []

    def make(api_profile: str, **settings: Any) -> MockHandle:
        handles.append(MockHandle(Fake(Settings(clock_mode="manual", api_profile=api_profile, **settings))))
        return handles[-1]

    yield make
    for handle in handles:
        broken = [(e.path, e.status, e.response_violations) for e in handle.fake.journal.entries()]
        handle.close()
        assert not [entry for entry in broken if entry[2]], broken


@pytest.fixture
def guide(open_mock: Callable[..., MockHandle]) -> MockHandle:
    return open_mock("guide")


@pytest.fixture
def current(open_mock: Callable[..., MockHandle]) -> MockHandle:
    return open_mock("current")


def strict(handle: MockHandle) -> scenario_sdk.Scenario:
    return handle.client("alice", _strict_response_validation=True, max_retries=0)


def strict_async(handle: MockHandle) -> scenario_sdk.AsyncScenario:
    return handle.async_client("alice", _strict_response_validation=True, max_retries=0)


def start_blocking_runs(handle: MockHandle, count: int) -> str:
    """A workflow that waits for approval, run ``count`` times; its id."""
    http = handle.http()
    workflow_id = http.post("/v1/workflows", json={"name": "hold", "description": "waits"}).json()["workflow"]["id"]
    flow = [{"id": "wait", "type": "user-approval"}]
    assert http.put(f"/v1/workflows/{workflow_id}", json={"flow": flow, "status": "ready"}).status_code == 200
    for _ in range(count):
        assert http.put(f"/v1/workflows/{workflow_id}/run", json={}).status_code == 200
    handle.advance(10)
    return workflow_id


def node_job(handle: MockHandle, workflow_id: str, body: dict[str, Any], node_type: str) -> tuple[str, str]:
    """A run of the workflow and the job of its first node of ``node_type``, once that node has started."""
    http = handle.http()
    job_id = http.put(f"/v1/workflows/{workflow_id}/run", json=body).json()["job"]["jobId"]
    for _ in range(60):
        handle.advance(0.5)
        flow = http.get(f"/v1/jobs/{job_id}").json()["job"]["metadata"]["flow"]
        started = [node["jobId"] for node in flow if node["type"] == node_type and "jobId" in node]
        if started:
            return job_id, started[0]
    raise AssertionError(f"no {node_type} node of {workflow_id} started")


# ---- dry runs


def test_guide_dry_run_is_a_402_the_sdk_raises(guide):
    with pytest.raises(scenario_sdk.APIStatusError) as raised:
        strict(guide).workflows.run("workflow_product_shot", body=RUN_BODY, dry_run="true")
    assert raised.value.status_code == 402
    assert raised.value.body == {"statusCode": 402, "message": "Dry run completed", "estimatedCost": 25}
    assert guide.fake.scenario.store.all_jobs() == []


@pytest.mark.parametrize(("profile", "mode"), [("current", "true"), ("current", "api"), ("guide", "api")])
def test_a_269_dry_run_validates_as_the_sdks_run_response(open_mock, profile, mode):
    handle = open_mock(profile)
    answer = strict(handle).workflows.run("workflow_product_shot", body=RUN_BODY, dry_run=mode)
    extra = answer.model_extra or {}
    assert extra["creativeUnitsCost"] == 25 and extra["creativeUnitsDiscount"] == 0
    assert extra["costDetails"] == {"custom-generation": 20, "prompt": 1, "remove-background": 4}
    assert sum(extra["costDetails"].values()) == extra["creativeUnitsCost"]
    assert answer.job.job_id == "" and answer.job.status_history == []
    assert answer.job.billing is not None and answer.job.billing.cu_cost == 25
    assert (answer.job.metadata.input or {})["prompt"] == "a shoe" and answer.workflow.id == "workflow_product_shot"
    assert handle.fake.scenario.store.all_jobs() == []


def test_a_269_dry_run_validates_in_the_async_sdk(current):
    async def dry_run() -> scenario_sdk.types.WorkflowRunResponse:
        async with strict_async(current) as client:
            return await client.workflows.run("workflow_bg_remover", body={"image": "asset_photo"}, dry_run="true")

    answer = asyncio.run(dry_run())
    assert (answer.model_extra or {})["creativeUnitsCost"] == 2
    assert (answer.model_extra or {})["costDetails"] == {"remove-background": 2}


def test_dry_run_bodies_over_http(guide, current):
    path = "/v1/workflows/workflow_bg_remover/run"
    guide_answer = guide.http().put(path, params={"dryRun": "true"}, json={"image": "asset_photo"})
    assert guide_answer.status_code == 402
    assert guide_answer.json() == {"statusCode": 402, "message": "Dry run completed", "estimatedCost": 2}
    for handle in (guide, current):
        mode = "api" if handle is guide else "true"
        answer = handle.http().put(path, params={"dryRun": mode}, json={"image": "asset_photo"})
        assert answer.status_code == 269
        body = answer.json()
        assert set(body) == {"creativeUnitsCost", "creativeUnitsDiscount", "costDetails", "job", "workflow"}
        assert (body["creativeUnitsCost"], body["costDetails"]) == (2, {"remove-background": 2})
        assert body["job"]["jobId"] == "" and body["job"]["metadata"]["workflowId"] == "workflow_bg_remover"


# ---- the parallel-job limit


def test_guide_queues_a_run_past_the_limit(guide):
    workflow_id = start_blocking_runs(guide, 10)
    job = strict(guide).workflows.run(workflow_id, body={}).job
    guide.advance(10)
    assert strict(guide).jobs.retrieve(job.job_id).job.status == "queued"


def test_current_refuses_a_run_past_the_limit_with_a_429_naming_it(current):
    workflow_id = start_blocking_runs(current, 10)
    with pytest.raises(scenario_sdk.RateLimitError) as raised:
        strict(current).workflows.run(workflow_id, body={})
    assert raised.value.status_code == 429
    assert raised.value.body["details"] == PARALLEL_LIMIT
    assert len(current.fake.scenario.store.all_jobs()) == 10

    async def run_async() -> None:
        async with strict_async(current) as client:
            await client.workflows.run(workflow_id, body={})

    with pytest.raises(scenario_sdk.RateLimitError):
        asyncio.run(run_async())
    assert strict(current).workflows.run("workflow_bg_remover", body={"image": "asset_photo"}, dry_run="true")


def test_current_429_body_over_http_and_a_freed_slot_takes_a_run_again(current):
    workflow_id = start_blocking_runs(current, 10)
    http = current.http()
    refused = http.put(f"/v1/workflows/{workflow_id}/run", json={})
    assert refused.status_code == 429 and "retry-after" not in refused.headers
    body = refused.json()
    assert (body["statusCode"], body["error"], body["details"]) == (429, "Too Many Requests", PARALLEL_LIMIT)
    assert "limit of 10" in body["message"]
    other_project = current.http("eve").put("/v1/workflows/workflow_product_shot/run", json={"prompt": "a lamp"})
    assert other_project.status_code == 200
    first = http.get("/v1/jobs", params={"workflowId": workflow_id}).json()["jobs"][0]["jobId"]
    decision = {"workflowJobId": first, "nodeId": "wait", "action": "reject"}
    assert http.put(f"/v1/workflows/{workflow_id}/user-approval", json=decision).status_code == 200
    assert http.put(f"/v1/workflows/{workflow_id}/run", json={}).status_code == 200


# ---- ids


def test_created_workflow_ids_follow_the_profile_and_fixture_ids_stay(guide, current):
    assert strict(guide).workflows.create(name="n", description="d").workflow.id.startswith("workflow_")
    created = strict(current).workflows.create(name="n", description="d").workflow
    assert created.id.startswith("wflow_") and len(created.id) == len("wflow_") + 24
    assert strict(current).workflows.retrieve("workflow_bg_remover").workflow.id == "workflow_bg_remover"

    async def create_async() -> str:
        async with strict_async(current) as client:
            return (await client.workflows.create(name="n", description="d")).workflow.id

    assert asyncio.run(create_async()).startswith("wflow_")


# ---- cancel


def test_guide_cancels_any_node_job_but_not_a_workflow_job(guide):
    job_id, remover_job = node_job(guide, "workflow_bg_remover", {"image": "asset_photo"}, "remove-background")
    client = strict(guide)
    with pytest.raises(scenario_sdk.BadRequestError) as refused:
        client.jobs.trigger_action(job_id, action="cancel")
    assert "workflow job" in refused.value.body["message"]
    assert client.jobs.trigger_action(remover_job, action="cancel").job.status == "canceled"


def test_current_cancels_only_inference_jobs(current):
    client = strict(current)
    job_id, remover_job = node_job(current, "workflow_bg_remover", {"image": "asset_photo"}, "remove-background")
    for refused_id in (job_id, remover_job):
        with pytest.raises(scenario_sdk.BadRequestError) as refused:
            client.jobs.trigger_action(refused_id, action="cancel")
        assert refused.value.body["message"] == "Cannot cancel this type of job. Action not permitted."
    upscale_run, model_job = node_job(current, "workflow_upscaler", {"image": "asset_photo"}, "custom-model")
    assert client.jobs.retrieve(model_job).job.job_type == "inference"
    assert client.jobs.trigger_action(model_job, action="cancel").job.status == "canceled"
    assert client.jobs.retrieve(upscale_run).job.status == "canceled"


def test_current_cancel_refusal_over_http(current):
    job_id, _ = node_job(current, "workflow_bg_remover", {"image": "asset_photo"}, "remove-background")
    refused = current.http().post(f"/v1/jobs/{job_id}/action", json={"action": "cancel"})
    assert refused.status_code == 400
    assert refused.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": "Cannot cancel this type of job. Action not permitted.",
    }


def test_the_workflow_job_option_applies_under_current_too(open_mock):
    handle = open_mock("current", cancel_workflow_jobs=True)
    job = strict(handle).workflows.run("workflow_bg_remover", body={"image": "asset_photo"}).job
    assert strict(handle).jobs.trigger_action(job.job_id, action="cancel").job.status == "canceled"


# ---- where the profile shows


def test_the_state_shows_the_profile(guide, current):
    assert guide.http().get("/_mock/state").json()["apiProfile"] == "guide"
    assert current.http().get("/_mock/state").json()["apiProfile"] == "current"
