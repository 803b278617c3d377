"""A program as a real one is written: upload its input, run a workflow with it, read its outputs' asset
records, and download their bytes."""

from __future__ import annotations

import io
import zipfile

import httpx
from scenario_sdk import Scenario

from mockserver.scenario.jobs.samples import sample_file

INPUT = sample_file("image", seed="program input").content


def upload(client: Scenario, storage: httpx.Client, data: bytes) -> str:
    parts = 2
    created = client.uploads.create(
        file_name="input.png", content_type="image/png", file_size=len(data), kind="image", parts=parts
    ).upload
    size = -(-len(data) // parts)
    for part in created.parts:
        start = (int(part.number) - 1) * size
        storage.put(part.url, content=data[start : start + size]).raise_for_status()
    client.uploads.trigger_action(created.id, action="complete")
    return client.uploads.retrieve(created.id).upload.entity_id


def test_upload_run_and_download_the_outputs(sdk, fake, transport):
    client = sdk("alice")
    storage = httpx.Client(transport=transport)
    image = upload(client, storage, INPUT)
    assert storage.get(client.assets.retrieve(image).asset.url).content == INPUT

    job = client.workflows.run("workflow_bg_remover", body={"image": image}).job
    while job.status not in ("success", "failure", "canceled"):
        fake.clock.advance(1)
        job = client.jobs.retrieve(job.job_id).job
    assert job.status == "success" and job.metadata.asset_ids

    outputs = client.assets.get_bulk(asset_ids=job.metadata.asset_ids).assets
    assert [asset.id for asset in outputs] == job.metadata.asset_ids
    node_urls = {asset.asset_id: asset.url for node in job.metadata.flow for asset in node.assets or ()}
    for asset in outputs:
        assert asset.owner_id == "proj_demo" and asset.kind == "image" and asset.metadata.type == "background-removal"
        assert asset.url == node_urls[asset.id]
        downloaded = storage.get(asset.url)
        assert downloaded.headers["content-type"] == asset.mime_type
        assert len(downloaded.content) == asset.properties.size
        assert downloaded.content == storage.get(client.assets.download.request(asset.id).url).content

    listed = [asset.id for asset in client.assets.list(inference_id=job.job_id)]
    assert listed == job.metadata.asset_ids
    batch = client.assets.download.request_batch(
        query={"asset_ids": [], "inference_ids": [job.job_id], "model_ids": []},
        options={"file_name_template": "<asset-id>"},
    )
    archive = zipfile.ZipFile(
        io.BytesIO(storage.get(client.assets.download.get_status(batch.job_id).download_url).content)
    )
    assert sorted(archive.read(name) for name in archive.namelist()) == sorted(
        storage.get(asset.url).content for asset in outputs
    )
    storage.close()


def test_outputs_survive_a_snapshot_and_restore_byte_for_byte(http, fake, uploaded_image):
    image = uploaded_image()
    snapshot_before_run = http("GET", "/_mock/state", who=None).json()
    job_id = http("PUT", "/v1/workflows/workflow_bg_remover/run", json={"image": image}).json()["job"]["jobId"]
    fake.clock.advance(120)
    output = http("GET", f"/v1/jobs/{job_id}").json()["job"]["metadata"]["assetIds"][0]
    output_bytes = http("GET", f"/cdn/assets/{output}", who=None).content
    snapshot = http("GET", "/_mock/state", who=None).json()
    assert http("PUT", "/_mock/state", who=None, json=snapshot_before_run).status_code == 200
    assert http("GET", f"/v1/assets/{output}").status_code == 404
    assert http("GET", f"/v1/assets/{image}").status_code == 200
    assert http("PUT", "/_mock/state", who=None, json=snapshot).status_code == 200
    assert http("GET", f"/cdn/assets/{output}", who=None).content == output_bytes
    assert http("POST", "/_mock/reset", who=None).status_code in (200, 204)
    assert http("GET", f"/v1/assets/{image}").status_code == 404
    assert http("GET", "/v1/assets/asset_photo123").status_code == 200
