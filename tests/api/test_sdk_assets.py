"""The official scenario-sdk client against the fake: every assets and uploads method it serves, sync and async,
each answer parsed with the SDK's strict response validation."""

from __future__ import annotations

import asyncio
import base64
import io
import zipfile

import httpx
import pytest
import scenario_sdk
from scenario_sdk import AsyncScenario, Scenario

from mockserver.core.transport import SyncASGITransport
from mockserver.scenario.jobs.samples import sample_file
from mockserver.server.app import create_app
from mockserver.server.fake import Fake

PNG = sample_file("image", seed="sdk test").content
DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


@pytest.fixture
def client(transport: SyncASGITransport) -> Scenario:
    with Scenario(
        base_url="http://testserver/v1",
        api_key="key_alice",
        api_secret="secret_alice",
        max_retries=0,
        http_client=httpx.Client(transport=transport),
        _strict_response_validation=True,
    ) as client:
        yield client


def test_every_assets_and_uploads_method_sync(client: Scenario, transport: SyncASGITransport, fake: Fake) -> None:
    fake.clock.advance(1)
    uploaded = client.assets.upload(name="photo.png", image=DATA_URL).asset
    assert (uploaded.kind, uploaded.mime_type, uploaded.properties.size) == ("image", "image/png", len(PNG))
    assert (uploaded.properties.width, uploaded.properties.height) == (64, 64)
    assert uploaded.owner_id == "proj_demo" and uploaded.author_id == "user_alice"
    assert uploaded.metadata.type == "uploaded" and uploaded.metadata.name == "photo.png"
    assert client.assets.retrieve(uploaded.id).asset.url == uploaded.url

    upload = client.uploads.create(
        file_name="big.png", content_type="image/png", file_size=len(PNG), kind="image", parts=3
    )
    assert upload.upload.status == "pending" and [part.number for part in upload.upload.parts] == [1, 2, 3]
    storage = httpx.Client(transport=transport)
    thirds = [PNG[: len(PNG) // 3], PNG[len(PNG) // 3 : 2 * len(PNG) // 3], PNG[2 * len(PNG) // 3 :]]
    for part, chunk in zip(upload.upload.parts, thirds, strict=True):
        assert storage.put(part.url, content=chunk).headers["etag"]
    assert client.uploads.retrieve(upload.upload.id).upload.status == "pending"
    fake.clock.advance(1)
    done = client.uploads.trigger_action(upload.upload.id, action="complete").upload
    assert done.status == "imported" and done.entity_id
    assert client.uploads.retrieve(upload.upload.id).upload.entity_id == done.entity_id
    joined = client.assets.retrieve(done.entity_id).asset
    assert storage.get(joined.url).content == PNG

    listed = [asset.id for asset in client.assets.list(page_size=2)]
    assert listed[:2] == [joined.id, uploaded.id], "newest first"
    assert len(listed) == len(set(listed)) == 11 and "asset_photo123" in listed
    bulk = client.assets.get_bulk(asset_ids=[joined.id, "asset_photo123", "asset_unknown"]).assets
    assert [asset.id for asset in bulk] == [joined.id, "asset_photo123"]

    link = client.assets.download.request(joined.id, target_format="png")
    assert link.url == joined.url and link.mime_type == "image/png"
    batch = client.assets.download.request_batch(
        query={"asset_ids": [uploaded.id, joined.id], "inference_ids": [], "model_ids": []},
        options={"file_name_template": "<asset-id>"},
    )
    status = client.assets.download.get_status(batch.job_id)
    assert status.job_status == "success" and status.job_id == batch.job_id
    archive = zipfile.ZipFile(io.BytesIO(storage.get(status.download_url).content))
    assert [archive.read(name) for name in archive.namelist()] == [PNG, PNG]

    client.assets.delete_multiple(asset_ids=[uploaded.id])
    with pytest.raises(scenario_sdk.NotFoundError):
        client.assets.retrieve(uploaded.id)
    deleted = list(client.assets.list(deleted=True))
    assert [asset.id for asset in deleted] == [uploaded.id] and deleted[0].deleted_at
    storage.close()


def test_every_assets_and_uploads_method_async(fake: Fake) -> None:
    async def scenario() -> None:
        transport = httpx.ASGITransport(app=create_app(fake))
        async with (
            httpx.AsyncClient(transport=transport) as storage,
            AsyncScenario(
                base_url="http://testserver/v1",
                api_key="key_alice",
                api_secret="secret_alice",
                max_retries=0,
                http_client=httpx.AsyncClient(transport=transport),
                _strict_response_validation=True,
            ) as client,
        ):
            uploaded = (await client.assets.upload(name="photo.png", image=DATA_URL)).asset
            assert (await client.assets.retrieve(uploaded.id)).asset.properties.size == len(PNG)

            upload = (
                await client.uploads.create(
                    file_name="clip.png", content_type="image/png", file_size=len(PNG), kind="asset", parts=1
                )
            ).upload
            assert (await storage.put(upload.parts[0].url, content=PNG)).status_code == 200
            assert (await client.uploads.retrieve(upload.id)).upload.status == "pending"
            done = (await client.uploads.trigger_action(upload.id, action="complete")).upload
            assert done.status == "imported"
            assert (await storage.get((await client.assets.retrieve(done.entity_id)).asset.url)).content == PNG

            ids = [asset.id async for asset in client.assets.list(page_size=3)]
            assert {uploaded.id, done.entity_id, "asset_input123"} <= set(ids) and len(ids) == len(set(ids))
            bulk = await client.assets.get_bulk(asset_ids=[uploaded.id, done.entity_id])
            assert [asset.id for asset in bulk.assets] == [uploaded.id, done.entity_id]

            link = await client.assets.download.request(uploaded.id)
            assert (await storage.get(link.url)).content == PNG
            batch = await client.assets.download.request_batch(
                query={"asset_ids": [uploaded.id], "inference_ids": [], "model_ids": []},
                options={"file_name_template": "<asset-id>", "archive_name": "mine"},
            )
            status = await client.assets.download.get_status(batch.job_id)
            answer = await storage.get(status.download_url)
            assert zipfile.ZipFile(io.BytesIO(answer.content)).read("photo.png") == PNG
            assert 'filename="mine.zip"' in answer.headers["content-disposition"]

            await client.assets.delete_multiple(asset_ids=[uploaded.id, done.entity_id])
            deleted = [asset.id async for asset in client.assets.list(deleted=True)]
            assert sorted(deleted) == sorted([uploaded.id, done.entity_id])
            with pytest.raises(scenario_sdk.NotFoundError):
                await client.assets.retrieve(done.entity_id)

    asyncio.run(scenario())
