"""The asset tools of Scenario's hosted MCP server, each driven through ``mcp.ClientSession`` in memory and over
Streamable HTTP, on the same assets and uploads the REST API serves, with the refusals the API gives."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.mcp.conftest import McpTarget, call, refusal

pytestmark = pytest.mark.anyio

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OTHER_PROJECTS_ASSET = "asset_bgremover_before"  # an asset of proj_apps; alice's key is of proj_demo


async def fetch(target: McpTarget, url: str) -> bytes:
    async with httpx.AsyncClient(transport=target.transport) as client:
        response = await client.get(url)
    assert response.status_code == 200, response.text
    return response.content


async def test_the_asset_tools_list_their_documented_arguments(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        tools = {tool.name: tool.inputSchema for tool in (await session.list_tools()).tools}
    assert tools["upload_asset"]["required"] == ["file_name", "content_type"]
    optional = {"kind", "file_size", "parts", "file_data", "team_id", "project_id"}
    assert optional <= set(tools["upload_asset"]["properties"])
    assert tools["upload_asset_complete"]["required"] == ["upload_id"]
    assert tools["assets_list"]["properties"]["limit"]["maximum"] == 100
    assert tools["assets_get_bulk"]["properties"]["asset_ids"]["maxItems"] == 200
    assert "format" in tools["asset_download"]["properties"]


async def test_list_pages_and_filters(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        first = await call(session, "assets_list", limit=4)
        assert len(first["assets"]) == 4 and first["nextPaginationToken"]
        rest = await call(session, "assets_list", limit=100, page_token=first["nextPaginationToken"])
        ids = [asset["id"] for asset in first["assets"] + rest["assets"]]
        assert "asset_photo" in ids and OTHER_PROJECTS_ASSET not in ids and len(ids) == len(set(ids))
        assert "nextPaginationToken" not in rest
        assert all(asset["ownerId"] == "proj_demo" for asset in first["assets"] + rest["assets"])
        assert (await call(session, "assets_list", types=["inference-txt2img"]))["assets"] == []
        assert "limit" in await refusal(session, "assets_list", limit=101)
        assert "filters" in await refusal(session, "assets_list", filters={"tags": ["x"]})


async def test_get_and_get_bulk_see_the_project_only(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        asset = (await call(session, "asset_get", asset_id="asset_photo"))["asset"]
        assert asset["id"] == "asset_photo" and asset["mimeType"] == "image/png"
        assert asset["properties"] == {"size": asset["properties"]["size"], "width": 64, "height": 64}
        assert (await refusal(session, "asset_get", asset_id="asset_nope")).endswith("Asset asset_nope not found")
        assert "not found" in await refusal(session, "asset_get", asset_id=OTHER_PROJECTS_ASSET)
        bulk = await call(session, "assets_get_bulk", asset_ids=["asset_photo", OTHER_PROJECTS_ASSET, "asset_nope"])
        assert [asset["id"] for asset in bulk["assets"]] == ["asset_photo"]


async def test_display_shows_an_image_inline_with_its_record(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        shown = await session.call_tool("asset_display", {"asset_id": "asset_photo"})
        assert not shown.isError
        text, image = shown.content
        assert text.type == "text" and json.loads(text.text)["asset"]["id"] == "asset_photo"
        assert image.type == "image" and image.mimeType == "image/png"
        url = json.loads(text.text)["asset"]["url"]
        assert base64.b64decode(image.data) == await fetch(mcp_target, url)
        assert "not found" in await refusal(session, "asset_display", asset_id=OTHER_PROJECTS_ASSET)


async def test_download_answers_the_file_url_and_converts_nothing(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        download = await call(session, "asset_download", asset_id="asset_photo", format="png")
        assert download["mimeType"] == "image/png" and download["asset_id"] == "asset_photo"
        assert (await fetch(mcp_target, download["url"])).startswith(PNG_SIGNATURE)
        message = await refusal(session, "asset_download", asset_id="asset_photo", format="webp")
        assert "does not convert" in message
        assert "not found" in await refusal(session, "asset_download", asset_id="asset_nope")


async def test_a_multipart_upload_puts_its_parts_then_completes(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        photo = await fetch(mcp_target, (await call(session, "asset_get", asset_id="asset_photo"))["asset"]["url"])
        started = await call(
            session,
            "upload_asset",
            file_name="mine.png",
            content_type="image/png",
            kind="image",
            file_size=len(photo),
            parts=2,
        )
        upload = started["upload"]
        assert upload["status"] == "pending" and "asset_id" not in started
        assert "missing parts 1, 2" in await refusal(session, "upload_asset_complete", upload_id=upload["id"])
        half = len(photo) // 2
        async with httpx.AsyncClient(transport=mcp_target.transport) as client:
            for part, chunk in zip(upload["parts"], (photo[:half], photo[half:]), strict=True):
                assert (await client.put(part["url"], content=chunk)).status_code == 200
        done = await call(session, "upload_asset_complete", upload_id=upload["id"])
        assert done["upload"]["status"] == "imported" and done["upload"]["entityId"] == done["asset_id"]
        asset = (await call(session, "asset_get", asset_id=done["asset_id"]))["asset"]
        assert asset == done["asset"] and asset["metadata"]["name"] == "mine.png"
        assert await fetch(mcp_target, asset["url"]) == photo
        assert "not found" in await refusal(session, "upload_asset_complete", upload_id="upload_nope")


async def test_an_inline_upload_answers_the_asset_at_once(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        photo = await fetch(mcp_target, (await call(session, "asset_get", asset_id="asset_photo"))["asset"]["url"])
        encoded = base64.b64encode(photo).decode("ascii")
        done = await call(session, "upload_asset", file_name="inline.png", content_type="image/png", file_data=encoded)
        assert done["upload"]["status"] == "imported" and done["asset"]["properties"]["width"] == 64
        listed = [asset["id"] for asset in (await call(session, "assets_list", limit=100))["assets"]]
        assert done["asset_id"] in listed
        assert "base64" in await refusal(
            session, "upload_asset", file_name="x.png", content_type="image/png", file_data="not base64!"
        )
        assert "file_size" in await refusal(
            session, "upload_asset", file_name="x.png", content_type="image/png", file_data=encoded, file_size=3
        )
        assert "not a file of kind image" in await refusal(
            session, "upload_asset", file_name="x.mp4", content_type="video/mp4", file_data=encoded
        )


async def test_delete_is_all_or_none_and_refused_to_a_reader(mcp_target: McpTarget) -> None:
    async with mcp_target.session("carol") as session:
        assert (await call(session, "asset_get", asset_id="asset_photo"))["asset"]["id"] == "asset_photo"
        assert "reader" in await refusal(session, "assets_delete", asset_ids=["asset_photo"])
        assert "reader" in await refusal(
            session, "upload_asset", file_name="x.png", content_type="image/png", file_size=10
        )
    async with mcp_target.session("alice") as session:
        message = await refusal(session, "assets_delete", asset_ids=["asset_photo", OTHER_PROJECTS_ASSET])
        assert OTHER_PROJECTS_ASSET in message and "not found" in message
        assert (await call(session, "asset_get", asset_id="asset_photo"))["asset"]["id"] == "asset_photo"
        deleted = await call(session, "assets_delete", asset_ids=["asset_photo", "asset_photo123", "asset_photo"])
        assert deleted == {"success": True, "asset_ids": ["asset_photo", "asset_photo123"]}
        assert "not found" in await refusal(session, "asset_get", asset_id="asset_photo")
    async with mcp_target.session("eve") as session:
        assert "not found" in await refusal(session, "assets_delete", asset_ids=[OTHER_PROJECTS_ASSET])


async def test_asset_tools_are_journaled_and_take_fault_rules(mcp_target: McpTarget) -> None:
    mcp_target.fake.faults.add({"kind": "http-error", "status": 503, "match": {"operationId": "asset_get"}, "count": 1})
    async with mcp_target.session("alice") as session:
        assert "503" in await refusal(session, "asset_get", asset_id="asset_photo")
        await call(session, "asset_get", asset_id="asset_photo")
        await refusal(session, "asset_get", asset_id="asset_nope")
    async with mcp_target.session("carol") as session:
        await refusal(session, "assets_delete", asset_ids=["asset_photo"])
    entries = [entry for entry in mcp_target.fake.journal.entries() if entry.via == "mcp"]
    assert [(entry.operation_id, entry.status) for entry in entries] == [
        ("asset_get", 503),
        ("asset_get", 200),
        ("asset_get", 404),
        ("assets_delete", 403),
    ]
    assert "team_nope" in await _refused_team(mcp_target)


async def _refused_team(target: McpTarget) -> str:
    async with target.session("alice") as session:
        return await refusal(session, "assets_list", team_id="team_nope")
