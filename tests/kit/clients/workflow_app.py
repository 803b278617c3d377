"""A small program on the official SDK, as a team writes one: it uploads its input, runs a workflow with a
selection step, picks a candidate, waits for the job, then reads its outputs as assets and downloads them.

Like Scenario's own client code it refuses a base URL that is not https. It takes the SDK's environment
(``SCENARIO_BASE_URL``, ``SCENARIO_SDK_API_KEY``, ``SCENARIO_SDK_API_SECRET``) and trusts the authority
``SSL_CERT_FILE`` names, as ``mockserver kit client --tls`` sets them.
"""

from __future__ import annotations

import os
import struct
import sys
import time
import zlib

import httpx
from scenario_sdk import Scenario

POLLS = 600  # a bound on every wait: the program never hangs
PHOTO = {"name": "image", "type": "file", "kind": "image", "ref": {"node": "workflow", "name": "photo"}}


def png(width: int = 8, height: int = 8) -> bytes:
    """A small, valid RGB PNG: the photo the program uploads."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 30 % 256, y * 30 % 256, 128)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def upload(client: Scenario, data: bytes) -> str:
    """The multipart upload flow: create, PUT each part to its URL, complete; the new asset's id."""
    upload = client.uploads.create(
        file_name="photo.png", content_type="image/png", file_size=len(data), kind="image", parts=2
    ).upload
    half = len(data) // 2
    chunks = {1: data[:half], 2: data[half:]}
    with httpx.Client() as plain:  # part URLs carry their own authorization
        for part in upload.parts:
            plain.put(part.url, content=chunks[part.number]).raise_for_status()
    client.uploads.trigger_action(upload.id, action="complete")
    done = client.uploads.retrieve(upload.id).upload
    assert done.status == "imported" and done.entity_id, done
    return done.entity_id


def pick_and_upscale_workflow(client: Scenario) -> str:
    workflow = client.workflows.create(name="Pick and upscale", description="two drafts, one picked").workflow
    client.workflows.update(
        workflow.id,
        status="ready",
        output_asset_kinds=["image", "image"],
        inputs=[{"name": "photo", "type": "file", "kind": "image", "required": {"always": True}}],
        flow=[
            {
                "id": "drafts",
                "type": "custom-model",
                "modelId": "model_drafts",
                "inputs": [PHOTO],
            },
            {
                "id": "pick",
                "type": "user-selection",
                "inputs": [{"name": "images", "type": "file_array", "ref": {"node": "drafts"}, "min": 1, "max": 1}],
            },
            {
                "id": "upscale",
                "type": "custom-model",
                "modelId": "model_upscaler_4k",
                "inputs": [{"name": "image", "type": "file", "kind": "image", "ref": {"node": "pick"}}],
            },
        ],
    )
    return workflow.id


def wait(client: Scenario, job_id: str, done: object) -> object:
    for _ in range(POLLS):
        job = client.jobs.retrieve(job_id).job
        if done(job):
            return job
        time.sleep(0.05)
    sys.exit(f"job {job_id} did not get there: {job.status}")


def waiting_selection(job: object) -> object | None:
    for node in job.metadata.flow or []:
        if node.id == "pick" and node.status == "processing" and node.items:
            return node
    return None


def main() -> None:
    base_url = os.environ["SCENARIO_BASE_URL"]
    if not base_url.startswith("https://"):
        sys.exit(f"refusing a base URL that is not https: {base_url}")
    client = Scenario(max_retries=0)
    photo = upload(client, png())
    workflow_id = pick_and_upscale_workflow(client)
    job_id = client.workflows.run(workflow_id, body={"photo": photo}).job.job_id

    job = wait(client, job_id, waiting_selection)
    candidates = waiting_selection(job).items
    assert len(candidates) == 2, candidates
    client.workflows.user_selection(
        workflow_id,
        action="select",
        selected_indices=[1],
        node_id="pick",
        workflow_job_id=job_id,
        project_id=job.owner_id,
    )
    job = wait(client, job_id, lambda j: j.status in ("success", "failure", "canceled"))
    assert job.status == "success", job.status
    picked = next(node for node in job.metadata.flow if node.id == "pick")
    assert picked.output == [candidates[1]], picked  # the candidate picked, passed on

    outputs = client.assets.get_bulk(asset_ids=job.metadata.asset_ids).assets
    assert sorted(a.id for a in outputs) == sorted(job.metadata.asset_ids) and outputs
    with httpx.Client() as plain:
        for asset in outputs:
            record = client.assets.retrieve(asset.id).asset
            body = plain.get(record.url)
            body.raise_for_status()
            assert record.url.startswith("https://"), record.url
            assert body.headers["content-type"].startswith(record.mime_type), (body.headers, record.mime_type)
            assert body.content[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"workflow app: {len(outputs)} output(s) of job {job_id} downloaded over https")


if __name__ == "__main__":
    main()
