"""User-selection nodes: the frozen candidates, select and reject through the official SDK, every refusal."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
import scenario_sdk

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake

# Three generations, of which the user keeps one or two, which are then cut out.
PICK_FLOW = [
    {"id": "loop", "type": "for-each", "count": 3, "loopBodyNodeIds": ["generate"]},
    {
        "id": "generate",
        "type": "custom-model",
        "modelId": "model_poster",
        "inputs": [{"name": "seed", "type": "number", "ref": {"node": "loop"}}],
    },
    {
        "id": "pick",
        "type": "user-selection",
        "inputs": [{"name": "images", "type": "file_array", "ref": {"node": "loop"}, "min": 1, "max": 2}],
    },
    {
        "id": "cut",
        "type": "remove-background",
        "inputs": [{"name": "image", "type": "file_array", "ref": {"node": "pick", "name": "images"}}],
    },
]
# A list of words, of which the user picks exactly two, which a transform receives.
WORDS_FLOW = [
    {"id": "words", "type": "list", "items": ["red", "green", "blue", "black"]},
    {
        "id": "pick",
        "type": "user-selection",
        "inputs": [{"name": "words", "type": "string_array", "ref": {"node": "words"}, "min": 2, "max": 2}],
    },
    {
        "id": "use",
        "type": "transform",
        "inputs": [{"name": "chosen", "type": "string_array", "ref": {"node": "pick", "name": "words"}}],
    },
]


def strict_sdk(fake: Fake) -> Iterator[scenario_sdk.Scenario]:
    transport = SyncASGITransport(create_app(fake))
    yield scenario_sdk.Scenario(
        base_url="http://testserver/v1",
        api_key="key_alice",
        api_secret="secret_alice",
        http_client=httpx.Client(transport=transport),
        max_retries=0,
        _strict_response_validation=True,
    )
    transport.close()


@pytest.fixture
def client(fake: Fake) -> Iterator[scenario_sdk.Scenario]:
    yield from strict_sdk(fake)


def async_sdk(fake: Fake) -> scenario_sdk.AsyncScenario:
    return scenario_sdk.AsyncScenario(
        base_url="http://testserver/v1",
        api_key="key_alice",
        api_secret="secret_alice",
        http_client=httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(fake))),
        max_retries=0,
        _strict_response_validation=True,
    )


def publish(client: scenario_sdk.Scenario, flow: list) -> str:
    workflow = client.workflows.create(name="pick", description="a flow with a choice").workflow
    client.workflows.update(workflow.id, status="ready", flow=flow)
    return workflow.id


def waiting_job(client: scenario_sdk.Scenario, fake: Fake, workflow_id: str, node_id: str = "pick"):
    job = client.workflows.run(workflow_id, body={}).job
    for _ in range(60):
        job = client.jobs.retrieve(job.job_id).job
        node = next((node for node in job.metadata.flow if node.id == node_id), None)
        if node is not None and node.status == "processing":
            return job, node
        fake.clock.advance(1)
    raise AssertionError("the selection node never started")


def finish(client: scenario_sdk.Scenario, fake: Fake, job_id: str):
    for _ in range(60):
        job = client.jobs.retrieve(job_id).job
        if job.status in ("success", "failure", "canceled"):
            return job
        fake.clock.advance(1)
    raise AssertionError("the job never ended")


def test_the_candidates_are_frozen_and_the_picked_assets_flow_on(client, fake):
    workflow_id = publish(client, PICK_FLOW)
    job, node = waiting_job(client, fake, workflow_id)
    generated = [n.assets[0].asset_id for n in job.metadata.flow if n.loop_node_id == "loop"]
    assert node.items == generated and len(generated) == 3
    fake.clock.advance(60)
    assert client.jobs.retrieve(job.job_id).job.status == "in-progress"  # waits, as for an approval

    decided = client.workflows.user_selection(
        workflow_id,
        project_id="proj_demo",
        action="select",
        node_id="pick",
        workflow_job_id=job.job_id,
        selected_indices=[2, 0],
    ).job
    picked = next(n for n in decided.metadata.flow if n.id == "pick")
    assert picked.status == "success" and picked.output == [generated[2], generated[0]]
    assert [asset.asset_id for asset in picked.assets] == [generated[2], generated[0]]
    final = finish(client, fake, job.job_id)
    assert final.status == "success"
    cut = next(n for n in final.metadata.flow if n.id == "cut")
    assert cut.status == "success" and final.metadata.asset_ids == [asset.asset_id for asset in cut.assets]
    cut_job = client.jobs.retrieve(cut.job_id).job
    assert cut_job.metadata.input["image"] == [generated[2], generated[0]]
    # Billed as the dry run estimated: three generations and one cut; the choice itself is free.
    assert final.billing.cu_cost == job.billing.cu_cost == 3 * 5 + 2


def test_picked_texts_are_passed_on_in_the_order_given(client, fake):
    workflow_id = publish(client, WORDS_FLOW)
    job, node = waiting_job(client, fake, workflow_id)
    assert node.items == ["red", "green", "blue", "black"]
    client.workflows.user_selection(
        workflow_id,
        project_id=scenario_sdk.omit,
        action="select",
        node_id="pick",
        workflow_job_id=job.job_id,
        selected_indices=[3, 1],
    )
    final = finish(client, fake, job.job_id)
    use = next(n for n in final.metadata.flow if n.id == "use")
    assert final.status == "success" and use.output == {"chosen": ["black", "green"]}
    assert final.billing.cu_cost == 0


def test_reject_cancels_the_job(client, fake):
    workflow_id = publish(client, PICK_FLOW)
    job, _ = waiting_job(client, fake, workflow_id)
    decided = client.workflows.user_selection(
        workflow_id, project_id="proj_demo", action="reject", node_id="pick", workflow_job_id=job.job_id
    ).job
    assert decided.status == "canceled"
    statuses = {n.id: n.status for n in decided.metadata.flow}
    assert statuses["pick"] == "rejected" and statuses["cut"] == "skipped"
    fake.clock.advance(60)
    final = client.jobs.retrieve(job.job_id).job
    assert final.status == "canceled" and final.billing.cu_cost == 3 * 5  # the generations were done


def test_async_client_selects_and_rejects(fake):
    sync = next(strict_sdk(fake))
    workflow_id = publish(sync, WORDS_FLOW)
    chosen, _ = waiting_job(sync, fake, workflow_id)
    rejected, _ = waiting_job(sync, fake, workflow_id)

    async def decide() -> tuple[scenario_sdk.types.WorkflowUserSelectionResponse, ...]:
        async with async_sdk(fake) as client:
            selected = await client.workflows.user_selection(
                workflow_id,
                project_id="proj_demo",
                action="select",
                node_id="pick",
                workflow_job_id=chosen.job_id,
                selected_indices=[0, 2],
            )
            refused = await client.workflows.user_selection(
                workflow_id, project_id="proj_demo", action="reject", node_id="pick", workflow_job_id=rejected.job_id
            )
            return selected, refused

    selected, refused = asyncio.run(decide())
    assert next(n for n in selected.job.metadata.flow if n.id == "pick").output == ["red", "blue"]
    assert selected.job.status == "in-progress" and refused.job.status == "canceled"
    assert finish(sync, fake, chosen.job_id).status == "success"


def test_selection_inside_a_for_each_rejects_one_iteration(client, fake):
    flow = [
        {"id": "loop", "type": "for-each", "count": 2, "loopBodyNodeIds": ["generate", "pick"]},
        {
            "id": "generate",
            "type": "custom-model",
            "modelId": "model_poster",
            "inputs": [{"name": "seed", "type": "number", "ref": {"node": "loop"}}],
        },
        {
            "id": "pick",
            "type": "user-selection",
            "inputs": [{"name": "images", "type": "file_array", "ref": {"node": "generate"}}],
        },
    ]
    workflow_id = publish(client, flow)
    job, first = waiting_job(client, fake, workflow_id, "pick_0")
    nodes = {n.id: n for n in job.metadata.flow}
    assert nodes["pick"].status == "skipped"  # the template
    assert first.items == [nodes["generate_0"].assets[0].asset_id]
    assert nodes["pick_1"].items == [nodes["generate_1"].assets[0].asset_id]
    selected = client.workflows.user_selection(
        workflow_id,
        project_id="proj_demo",
        action="select",
        node_id="pick_0",
        workflow_job_id=job.job_id,
        selected_indices=[0],
    ).job
    assert selected.status == "in-progress"
    rejected = client.workflows.user_selection(
        workflow_id, project_id="proj_demo", action="reject", node_id="pick_1", workflow_job_id=job.job_id
    ).job
    statuses = {n.id: n.status for n in rejected.metadata.flow}
    assert rejected.status == "canceled"
    assert statuses["pick_0"] == "success" and statuses["pick_1"] == "rejected"  # the other iteration is kept
    assert statuses["generate_0"] == statuses["generate_1"] == "success"


def test_a_node_with_fewer_candidates_than_its_min_fails(client, fake):
    flow = [{**node, "items": ["only"]} if node["id"] == "words" else node for node in WORDS_FLOW]
    workflow_id = publish(client, flow)
    job = client.workflows.run(workflow_id, body={}).job
    final = finish(client, fake, job.job_id)
    assert final.status == "failure"
    assert "pick" in final.metadata.error and "at least 2" in final.metadata.error
    assert {n.id: n.status for n in final.metadata.flow}["use"] == "skipped"


def refusal(response: httpx.Response, status: int) -> str:
    body = response.json()
    assert response.status_code == status and body["statusCode"] == status and body["error"], response.text
    return body["message"]


@pytest.fixture
def waiting(client, fake) -> tuple[str, str]:
    workflow_id = publish(client, WORDS_FLOW)
    job, _ = waiting_job(client, fake, workflow_id)
    return workflow_id, job.job_id


def test_choices_breaking_the_rules_are_400_naming_the_rule(http, waiting):
    workflow_id, job_id = waiting
    url = f"/v1/workflows/{workflow_id}/user-selection"

    def select(**body):
        return http("PUT", url, json={"workflowJobId": job_id, "nodeId": "pick", "action": "select", **body})

    assert "selectedIndices is required" in refusal(select(), 400)
    assert "out of range" in refusal(select(selectedIndices=[0, 4]), 400)
    assert "out of range" in refusal(select(selectedIndices=[-1, 0]), 400)
    assert "repeats index 1" in refusal(select(selectedIndices=[1, 1]), 400)
    assert "between 2 and 2 items" in refusal(select(selectedIndices=[1]), 400)
    assert "between 2 and 2 items" in refusal(select(selectedIndices=[0, 1, 2]), 400)
    assert refusal(select(selectedIndices=["0", 1]), 400)
    assert refusal(select(selectedIndices=[0.5, 1]), 400)
    assert refusal(http("PUT", url, json={"workflowJobId": job_id, "nodeId": "pick", "action": "approve"}), 400)
    assert refusal(http("PUT", url, json={"workflowJobId": job_id, "nodeId": "pick"}), 400)
    assert refusal(http("PUT", url, json={"nodeId": "pick", "action": "reject"}), 400)
    assert "not a user-selection node" in refusal(
        http("PUT", url, json={"workflowJobId": job_id, "nodeId": "use", "action": "reject"}), 400
    )
    # Nothing was decided by the refusals.
    assert {n["id"]: n["status"] for n in http("GET", f"/v1/jobs/{job_id}").json()["job"]["metadata"]["flow"]} == {
        "words": "success",
        "pick": "processing",
        "use": "pending",
    }
    decided = select(selectedIndices=[0, 1])
    assert decided.status_code == 200
    assert "not waiting for a selection" in refusal(select(selectedIndices=[0, 1]), 400)


def test_wrong_job_node_or_project_are_refused_as_for_approval(http, waiting):
    workflow_id, job_id = waiting
    url = f"/v1/workflows/{workflow_id}/user-selection"
    body = {"workflowJobId": job_id, "nodeId": "pick", "action": "reject"}
    assert "node_nope" in refusal(http("PUT", url, json={**body, "nodeId": "node_nope"}), 404)
    assert refusal(http("PUT", url, json={**body, "workflowJobId": "job_nope"}), 404)
    other = http("POST", "/v1/workflows", json={"name": "o", "description": "d"}).json()["workflow"]["id"]
    wrong = http("PUT", f"/v1/workflows/{other}/user-selection", json=body)
    assert "is not a job of workflow" in refusal(wrong, 404)
    assert refusal(http("PUT", f"{url}?projectId=proj_other", json=body), 403)
    assert refusal(http("PUT", url, who="eve", json=body), 404)  # another project's job
    assert refusal(http("PUT", url, who=None, json=body), 401)
    assert http("PUT", url, json=body).json()["job"]["status"] == "canceled"


def test_an_endless_max_is_a_400_not_a_crash(http):
    workflow_id = http("POST", "/v1/workflows", json={"name": "w", "description": "d"}).json()["workflow"]["id"]
    node = '{"id": "pick", "type": "user-selection", "inputs": [{"name": "w", "type": "string_array", '
    node += '"ref": {"node": "words"}, "max": Infinity}]}'
    raw = '{"flow": [{"id": "words", "type": "list", "items": ["a"]}, ' + node + "]}"
    response = http("PUT", f"/v1/workflows/{workflow_id}", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["statusCode"] == 400


@pytest.mark.parametrize(
    ("node", "problem"),
    [
        ({"id": "pick", "type": "user-selection"}, "needs an input"),
        (
            {
                "id": "pick",
                "type": "user-selection",
                "inputs": [{"name": "go", "type": "string", "ref": {"conditional": ["words"]}}],
            },
            "needs an input",
        ),
        (
            {
                "id": "pick",
                "type": "user-selection",
                "inputs": [{"name": "w", "type": "string_array", "ref": {"node": "words"}, "min": 0}],
            },
            "1 <= min <= max <= 100",
        ),
        (
            {
                "id": "pick",
                "type": "user-selection",
                "inputs": [{"name": "w", "type": "string_array", "ref": {"node": "words"}, "min": 3, "max": 2}],
            },
            "got 3 and 2",
        ),
        (
            {
                "id": "pick",
                "type": "user-selection",
                "inputs": [{"name": "w", "type": "string_array", "ref": {"node": "words"}, "max": 101}],
            },
            "1 <= min <= max <= 100",
        ),
        (
            {
                "id": "pick",
                "type": "user-selection",
                "inputs": [{"name": "w", "type": "string", "ref": {"node": "words"}, "max": 1.5}],
            },
            "max must be a whole number",
        ),
    ],
)
def test_a_selection_node_config_is_checked_when_the_flow_is_saved(http, node, problem):
    workflow_id = http("POST", "/v1/workflows", json={"name": "w", "description": "d"}).json()["workflow"]["id"]
    flow = [WORDS_FLOW[0], node]
    message = refusal(http("PUT", f"/v1/workflows/{workflow_id}", json={"flow": flow}), 400)
    assert message.startswith("Invalid flow:") and '"pick"' in message and problem in message


def test_a_waiting_selection_survives_a_snapshot_and_restore(client, fake):
    workflow_id = publish(client, WORDS_FLOW)
    job, node = waiting_job(client, fake, workflow_id)
    saved = fake.snapshot()
    client.workflows.user_selection(
        workflow_id, project_id="proj_demo", action="reject", node_id="pick", workflow_job_id=job.job_id
    )
    fake.restore(saved)
    restored = client.jobs.retrieve(job.job_id).job
    assert restored.status == "in-progress"
    assert next(n for n in restored.metadata.flow if n.id == "pick").items == node.items
    client.workflows.user_selection(
        workflow_id,
        project_id="proj_demo",
        action="select",
        node_id="pick",
        workflow_job_id=job.job_id,
        selected_indices=[0, 1],
    )
    assert finish(client, fake, job.job_id).status == "success"
