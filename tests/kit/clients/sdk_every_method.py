"""A real client: the official scenario-sdk, every workflows, jobs, assets and uploads method, sync and async,
with the SDK's strict response validation on: an answer its types do not describe fails the run.

It finds the fake the way any SDK user's code does, from SCENARIO_BASE_URL,
SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET, and moves the fake's clock through
its control plane at MOCKSERVER_URL. It exits non-zero on any surprise.
"""

from __future__ import annotations

import asyncio
import base64
import os

import httpx
from scenario_sdk import APIStatusError, AsyncScenario, BadRequestError, NotFoundError, Scenario

INPUTS = [{"name": "prompt", "type": "string", "required": {"always": True}}]
FLOW = [
    {
        "id": "node_generate",
        "type": "custom-model",
        "modelId": "model_poster",
        "inputs": [{"name": "prompt", "type": "string", "ref": {"node": "workflow", "name": "prompt"}}],
    }
]


# A 1x1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")
DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()
BATCH_OPTIONS = {"file_name_template": "<asset-id>"}


def advance(seconds: float) -> None:
    httpx.post(f"{os.environ['MOCKSERVER_URL']}/_mock/clock/advance", json={"seconds": seconds}).raise_for_status()


def every_method(client: Scenario, tag: str) -> None:
    created = client.workflows.create(name=f"SDK {tag}", description="every method of the SDK").workflow
    assert client.workflows.retrieve(created.id).workflow.status == "draft"
    updated = client.workflows.update(created.id, status="ready", inputs=INPUTS, flow=FLOW, tag_set=[tag]).workflow
    assert updated.status == "ready" and updated.has_flow
    assert created.id in [workflow.id for workflow in client.workflows.list(page_size=2, status="ready")]
    assert tag in client.workflows.get_tags().tags
    try:
        client.workflows.run(created.id, body={"prompt": "a lighthouse"}, dry_run="true")
        raise AssertionError("a dry run answers 402")
    except APIStatusError as error:
        assert error.status_code == 402 and error.body["estimatedCost"] >= 0

    reviewed = client.workflows.run("workflow_demo_poster", body={"prompt": "a poster"}).job
    advance(12)
    approval = dict(project_id=reviewed.owner_id, node_id="node_review", workflow_job_id=reviewed.job_id)
    assert client.workflows.user_approval("workflow_demo_poster", **approval).job.status == "in-progress"
    rejected = client.workflows.run("workflow_demo_poster", body={"prompt": "another poster"}).job
    advance(12)
    approval = dict(project_id=rejected.owner_id, node_id="node_review", workflow_job_id=rejected.job_id)
    assert client.workflows.approve_user("workflow_demo_poster", action="reject", **approval).job.status == "canceled"
    try:
        client.workflows.user_selection("workflow_demo_poster", action="reject", **approval)
        raise AssertionError("a user-approval node is not decided by a selection")
    except BadRequestError as error:
        assert "not a user-selection node" in error.message
    found = [hit.id for hit in client.search.workflow_search(query="SDK", filter=f"tags = {tag}", limit=1)]
    assert found == [created.id]

    running = client.workflows.run(created.id, body={"prompt": "a lighthouse"}).job
    advance(4)
    node_job = client.jobs.retrieve(running.job_id).job.metadata.flow[0].job_id
    assert client.jobs.trigger_action(node_job, action="cancel").job.status == "canceled"
    assert client.jobs.retrieve(running.job_id).job.status == "canceled"
    assert running.job_id in [job.job_id for job in client.jobs.list(workflow_id=created.id, page_size=1)]

    assert client.workflows.delete(created.id)["success"]
    try:
        client.workflows.retrieve(created.id)
        raise AssertionError("a deleted workflow is 404")
    except NotFoundError:
        pass


def every_asset_method(client: Scenario) -> None:
    uploaded = client.assets.upload(name="photo.png", image=DATA_URL).asset
    upload = client.uploads.create(
        file_name="p.png", content_type="image/png", file_size=len(PNG), kind="image", parts=1
    )
    httpx.put(upload.upload.parts[0].url, content=PNG).raise_for_status()
    assert client.uploads.retrieve(upload.upload.id).upload.status == "pending"
    made = client.uploads.trigger_action(upload.upload.id, action="complete").upload.entity_id
    assert httpx.get(client.assets.retrieve(made).asset.url).content == PNG
    assert {uploaded.id, made} <= {asset.id for asset in client.assets.list(page_size=2)}
    assert len(client.assets.get_bulk(asset_ids=[uploaded.id, made]).assets) == 2
    assert httpx.get(client.assets.download.request(made).url).content == PNG
    query = {"asset_ids": [uploaded.id, made], "inference_ids": [], "model_ids": []}
    batch = client.assets.download.request_batch(query=query, options=BATCH_OPTIONS)
    assert client.assets.download.get_status(batch.job_id).job_status == "success"
    client.assets.delete_multiple(asset_ids=[uploaded.id, made])


async def every_asset_method_async(client: AsyncScenario) -> None:
    uploaded = (await client.assets.upload(name="photo.png", image=DATA_URL)).asset
    upload = (
        await client.uploads.create(
            file_name="p.png", content_type="image/png", file_size=len(PNG), kind="image", parts=1
        )
    ).upload
    httpx.put(upload.parts[0].url, content=PNG).raise_for_status()
    assert (await client.uploads.retrieve(upload.id)).upload.status == "pending"
    made = (await client.uploads.trigger_action(upload.id, action="complete")).upload.entity_id
    assert (await client.assets.retrieve(made)).asset.properties.size == len(PNG)
    assert {uploaded.id, made} <= {asset.id async for asset in client.assets.list(page_size=2)}
    assert len((await client.assets.get_bulk(asset_ids=[uploaded.id, made])).assets) == 2
    assert (await client.assets.download.request(made)).mime_type == "image/png"
    query = {"asset_ids": [made], "inference_ids": [], "model_ids": []}
    batch = await client.assets.download.request_batch(query=query, options=BATCH_OPTIONS)
    assert (await client.assets.download.get_status(batch.job_id)).job_status == "success"
    await client.assets.delete_multiple(asset_ids=[uploaded.id, made])


async def every_method_async(client: AsyncScenario, tag: str) -> None:
    created = (await client.workflows.create(name=f"SDK {tag}", description="every method, async")).workflow
    assert (await client.workflows.retrieve(created.id)).workflow.status == "draft"
    updated = (
        await client.workflows.update(created.id, status="ready", inputs=INPUTS, flow=FLOW, tag_set=[tag])
    ).workflow
    assert updated.status == "ready"
    assert created.id in [workflow.id async for workflow in client.workflows.list(page_size=2, status="ready")]
    assert tag in (await client.workflows.get_tags()).tags
    try:
        await client.workflows.run(created.id, body={"prompt": "a lighthouse"}, dry_run="true")
        raise AssertionError("a dry run answers 402")
    except APIStatusError as error:
        assert error.status_code == 402

    reviewed = (await client.workflows.run("workflow_demo_poster", body={"prompt": "a poster"})).job
    advance(12)
    approval = dict(project_id=reviewed.owner_id, node_id="node_review", workflow_job_id=reviewed.job_id)
    assert (await client.workflows.user_approval("workflow_demo_poster", **approval)).job.status == "in-progress"
    rejected = (await client.workflows.run("workflow_demo_poster", body={"prompt": "another poster"})).job
    advance(12)
    approval = dict(project_id=rejected.owner_id, node_id="node_review", workflow_job_id=rejected.job_id)
    decided = await client.workflows.approve_user("workflow_demo_poster", action="reject", **approval)
    assert decided.job.status == "canceled"
    try:
        await client.workflows.user_selection("workflow_demo_poster", action="reject", **approval)
        raise AssertionError("a user-approval node is not decided by a selection")
    except BadRequestError as error:
        assert "not a user-selection node" in error.message
    found = [hit.id async for hit in client.search.workflow_search(filter=f"tags = {tag}", limit=1)]
    assert found == [created.id]

    running = (await client.workflows.run(created.id, body={"prompt": "a lighthouse"})).job
    advance(4)
    node_job = (await client.jobs.retrieve(running.job_id)).job.metadata.flow[0].job_id
    assert (await client.jobs.trigger_action(node_job, action="cancel")).job.status == "canceled"
    assert running.job_id in [job.job_id async for job in client.jobs.list(workflow_id=created.id, page_size=1)]

    assert (await client.workflows.delete(created.id))["success"]


def main() -> None:
    with Scenario(max_retries=0, _strict_response_validation=True) as client:
        every_method(client, "sdk-sync")
        every_asset_method(client)

    async def run_async() -> None:
        async with AsyncScenario(max_retries=0, _strict_response_validation=True) as client:
            await every_method_async(client, "sdk-async")
            await every_asset_method_async(client)

    asyncio.run(run_async())
    print("scenario-sdk: every workflows, jobs, assets and uploads method, sync and async, done")


if __name__ == "__main__":
    main()
