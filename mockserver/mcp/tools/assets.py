"""The asset tools of Scenario's hosted MCP server, as its public skills describe them.

``assets_list``, ``asset_get`` and ``assets_get_bulk`` answer the API's asset records; ``asset_display``
shows an image inline; ``asset_download`` answers the file's URL. ``upload_asset`` starts a multipart
upload whose parts are PUT to the URLs it answers, then ``upload_asset_complete`` makes the asset; with
``file_data`` it takes a small file inline and answers the asset at once. ``assets_delete`` deletes assets.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any

from mcp.server.fastmcp import Context, FastMCP
from mcp.types import ContentBlock, ImageContent, TextContent
from pydantic import Field

from mockserver.core.errors import BadRequest
from mockserver.core.principals import Principal
from mockserver.mcp.calls import Gateway, ToolCall
from mockserver.mcp.tools.arguments import PageToken, ProjectId, TeamId
from mockserver.mcp.tools.scope import check_team
from mockserver.scenario.assets.models import Asset, Upload
from mockserver.scenario.assets.outputs import asset_bytes
from mockserver.scenario.assets.service import MAX_BULK_DELETE, MAX_BULK_GET, AssetQuery
from mockserver.scenario.assets.uploads import part_signature
from mockserver.scenario.assets.views import asset_view, upload_view

MAX_LIST_LIMIT = 100
# The image types an MCP client shows inline.
_INLINE_IMAGES = ("image/png", "image/jpeg", "image/webp", "image/gif")

AssetId = Annotated[str, Field(description="Asset ID, e.g. asset_xxx, of the caller's project.")]


def register(server: FastMCP, gateway: Gateway) -> None:
    _register_reads(server, gateway)
    _register_uploads(server, gateway)

    @server.tool(
        description=f"Delete up to {MAX_BULK_DELETE} assets of the project, all or none: an id that names no "
        "asset of the project refuses the call. A reader is refused. The tool's name is the fake's: "
        "Scenario's public skills do not name a delete tool."
    )
    async def assets_delete(
        ctx: Context,
        asset_ids: Annotated[list[str], Field(min_length=1, max_length=MAX_BULK_DELETE, description="Asset IDs.")],
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        async with gateway.call("assets_delete", ctx, project_id) as call:
            check_team(team_id)
            call.run(lambda who: call.scenario.assets.delete(who, asset_ids))
            return {"success": True, "asset_ids": list(dict.fromkeys(asset_ids))}


def _register_reads(server: FastMCP, gateway: Gateway) -> None:
    @server.tool(
        description="List the project's assets, newest first. Follow nextPaginationToken with page_token. "
        "The fake keeps no tags or collections: filter by types, inference_id or parent_asset_id."
    )
    async def assets_list(
        ctx: Context,
        limit: Annotated[
            int, Field(ge=1, le=MAX_LIST_LIMIT, description=f"Results per page, 1 to {MAX_LIST_LIMIT}.")
        ] = 50,
        page_token: PageToken = None,
        types: Annotated[
            list[str] | None, Field(description="Only assets of these types, e.g. uploaded, inference-txt2img.")
        ] = None,
        inference_id: Annotated[
            str | None, Field(description="Only the outputs of this job (a workflow job or a node job).")
        ] = None,
        parent_asset_id: Annotated[str | None, Field(description="Only the children of this asset.")] = None,
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        query = AssetQuery(
            types=tuple(types or ()),
            inference_id=inference_id,
            parent_asset_id=parent_asset_id,
            page_size=limit,
            pagination_token=page_token,
        )
        async with gateway.call("assets_list", ctx, project_id) as call:
            check_team(team_id)
            assets, token = call.run(lambda who: call.scenario.assets.list(who, query))
            body: dict[str, Any] = {"assets": [_asset(call, asset) for asset in assets]}
            if token:
                body["nextPaginationToken"] = token
            return body

    @server.tool(description="One asset of the project: its type, kind, MIME type, dimensions and size.")
    async def asset_get(
        ctx: Context, asset_id: AssetId, team_id: TeamId = None, project_id: ProjectId = None
    ) -> dict[str, Any]:
        async with gateway.call("asset_get", ctx, project_id, assetId=asset_id) as call:
            check_team(team_id)
            return {"asset": _asset(call, call.run(lambda who: call.scenario.assets.get(who, asset_id)))}

    @server.tool(
        description=f"Up to {MAX_BULK_GET} assets at once, in the order asked; ids of no asset of the project "
        "are left out, as the API leaves them out."
    )
    async def assets_get_bulk(
        ctx: Context,
        asset_ids: Annotated[list[str], Field(min_length=1, max_length=MAX_BULK_GET, description="Asset IDs.")],
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        async with gateway.call("assets_get_bulk", ctx, project_id) as call:
            check_team(team_id)
            assets = call.run(lambda who: call.scenario.assets.get_bulk(who, asset_ids))
            return {"assets": [_asset(call, asset) for asset in assets]}

    @server.tool(
        description="Show an asset: a PNG, JPEG, WebP or GIF image inline, with its record as text. Other kinds "
        "(video, 3D, audio) answer the record only: download them with asset_download.",
        structured_output=False,
    )
    async def asset_display(
        ctx: Context, asset_id: AssetId, team_id: TeamId = None, project_id: ProjectId = None
    ) -> list[ContentBlock]:
        async with gateway.call("asset_display", ctx, project_id, assetId=asset_id) as call:
            check_team(team_id)
            asset, data = call.run(lambda who: _with_bytes(call, who, asset_id))
            shown: list[ContentBlock] = [TextContent(type="text", text=json.dumps({"asset": _asset(call, asset)}))]
            if asset.mime_type in _INLINE_IMAGES:
                encoded = base64.b64encode(data).decode("ascii")
                shown.append(ImageContent(type="image", data=encoded, mimeType=asset.mime_type))
            return shown

    @server.tool(
        description="The URL of an asset's file, to save with curl -L. format asks for a file type; the fake "
        "converts nothing, so a format other than the stored one (png for the fake's images) is refused. "
        "Leave it out for video, 3D or audio."
    )
    async def asset_download(
        ctx: Context,
        asset_id: AssetId,
        format: Annotated[
            str | None, Field(description="png, jpg, webp...: the stored format only. Left out, as stored.")
        ] = None,
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        async with gateway.call("asset_download", ctx, project_id, assetId=asset_id) as call:
            check_team(team_id)

            def download(who: Principal) -> dict[str, Any]:
                asset = call.scenario.assets.get(who, asset_id)
                call.scenario.assets.check_format(asset, format)
                return {"asset_id": asset.asset_id, "url": call.asset_url(asset.asset_id), "mimeType": asset.mime_type}

            return call.run(download)


def _register_uploads(server: FastMCP, gateway: Gateway) -> None:
    @server.tool(
        description="Upload a local file as an asset. Multipart: give file_name, content_type, kind, file_size "
        "and parts, PUT each part's bytes to its URL as answered (no credentials), then call "
        "upload_asset_complete with upload_id. Inline: give file_data (base64, for small files) instead of "
        "file_size and the asset is answered at once. A reader is refused."
    )
    async def upload_asset(
        ctx: Context,
        file_name: Annotated[str, Field(min_length=1, description="The file's name, e.g. photo.png.")],
        content_type: Annotated[str, Field(description="The file's MIME type, e.g. image/png.")],
        kind: Annotated[
            str, Field(description="image, video, audio, 3d, text or asset: what the file makes.")
        ] = "image",
        file_size: Annotated[int | None, Field(ge=1, description="The file's size in bytes (multipart).")] = None,
        parts: Annotated[int, Field(ge=1, description="How many parts the file is sent in (multipart).")] = 1,
        file_data: Annotated[
            str | None, Field(description="The file's bytes as base64: an inline upload, no parts to PUT.")
        ] = None,
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        async with gateway.call("upload_asset", ctx, project_id) as call:
            check_team(team_id)
            data = _inline_bytes(file_data, file_size)
            body: dict[str, Any] = {"fileName": file_name, "contentType": content_type, "kind": kind}
            body["parts"], body["fileSize"] = (1, len(data)) if data is not None else (parts, file_size)
            return call.run(lambda who: _upload_reply(call, _upload(call, who, body, data)))

    @server.tool(
        description="Finish a multipart upload once every part was PUT: the asset is made and its id answered "
        "as asset_id. A part missing or sizes not adding up to file_size is refused and changes nothing."
    )
    async def upload_asset_complete(
        ctx: Context,
        upload_id: Annotated[str, Field(description="ID of the upload, from upload_asset.")],
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        async with gateway.call("upload_asset_complete", ctx, project_id) as call:
            check_team(team_id)
            return call.run(lambda who: _upload_reply(call, call.scenario.uploads.complete(who, upload_id, "complete")))


def _inline_bytes(file_data: str | None, file_size: int | None) -> bytes | None:
    if file_data is None:
        return None
    try:
        data = base64.b64decode(file_data, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("file_data must be the file's bytes as base64") from None
    if file_size is not None and file_size != len(data):
        raise BadRequest(f"file_size is {file_size} but file_data holds {len(data)} bytes")
    return data


def _upload(call: ToolCall, who: Principal, body: dict[str, Any], data: bytes | None) -> Upload:
    """A multipart upload, or for inline bytes the same upload with its one part sent and completed."""
    uploads = call.scenario.uploads
    upload = uploads.create(who, body)
    if data is None:
        return upload
    uploads.put_part(upload.upload_id, 1, part_signature(upload.upload_id, 1), data)
    return uploads.complete(who, upload.upload_id, "complete")


def _upload_reply(call: ToolCall, upload: Upload) -> dict[str, Any]:
    """The upload as the API shows it, and once imported its asset; under the lock, as it reads the store."""
    body: dict[str, Any] = {"upload": upload_view(upload, call.gateway.base_url())}
    if upload.asset_id is not None:
        body["asset_id"] = upload.asset_id
        body["asset"] = _asset(call, call.scenario.store.get_asset(upload.asset_id))  # type: ignore[arg-type]
    return body


def _with_bytes(call: ToolCall, who: Principal, asset_id: str) -> tuple[Asset, bytes]:
    asset = call.scenario.assets.get(who, asset_id)
    return asset, asset_bytes(asset)


def _asset(call: ToolCall, asset: Asset) -> dict[str, Any]:
    return asset_view(asset, call.asset_url)
