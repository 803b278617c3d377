"""Assets, uploads and download requests in the API's shape."""

from __future__ import annotations

from typing import Any

from mockserver.scenario.asset_url import AssetUrl
from mockserver.scenario.assets.files import image_dimensions
from mockserver.scenario.assets.models import Asset, Upload
from mockserver.scenario.assets.outputs import asset_bytes
from mockserver.scenario.assets.uploads import part_signature


def asset_view(asset: Asset, asset_url: AssetUrl) -> dict[str, Any]:
    metadata: dict[str, Any] = {"kind": asset.kind, "type": asset.asset_type}
    if asset.name is not None:
        metadata["name"] = asset.name
    if asset.job_id is not None:
        metadata["inferenceId"] = asset.job_id
    if asset.model_id is not None:
        metadata["modelId"] = asset.model_id
    if asset.parent_id is not None:
        metadata["parentId"] = asset.parent_id
    properties = _properties(asset)
    view: dict[str, Any] = {
        "id": asset.asset_id,
        "url": asset_url(asset.asset_id),
        "mimeType": asset.mime_type,
        "kind": asset.kind,
        "metadata": metadata,
        "properties": properties,
        "source": asset.source,
        "status": "success",
        "privacy": "private",
        "ownerId": asset.owner_id,
        "authorId": asset.author_id,
        "createdAt": asset.created_at,
        "updatedAt": asset.updated_at,
        "tags": [],
        "collectionIds": [],
        "editCapabilities": [],
    }
    if asset.output_index is not None:
        view["outputIndex"] = asset.output_index
    if asset.deleted_at is not None:
        view["deletedAt"] = asset.deleted_at
    return view


def _properties(asset: Asset) -> dict[str, Any]:
    """Size and, for a PNG, width and height: stored for an upload, read from the sample file otherwise."""
    if asset.size is not None:
        size, dimensions = asset.size, (asset.width, asset.height)
    else:
        data = asset_bytes(asset)
        size, dimensions = len(data), image_dimensions(data) or (None, None)
    properties: dict[str, Any] = {"size": size}
    if dimensions[0] is not None:
        properties["width"], properties["height"] = dimensions
    return properties


def upload_view(upload: Upload, base_url: str) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": upload.upload_id,
        "authorId": upload.author_id,
        "ownerId": upload.owner_id,
        "createdAt": upload.created_at,
        "updatedAt": upload.updated_at,
        "fileName": upload.file_name,
        "originalFileName": upload.file_name,
        "contentType": upload.content_type,
        "fileSize": upload.file_size,
        "kind": upload.kind,
        "source": "multipart",
        "status": upload.status,
        "partsCount": upload.parts_count,
    }
    if upload.status == "pending":
        view["parts"] = [
            {"number": number, "url": part_url(base_url, upload.upload_id, number), "expires": upload.expires_at}
            for number in range(1, upload.parts_count + 1)
        ]
    if upload.asset_id is not None:
        view["entityId"] = upload.asset_id
    if upload.parent_id is not None:
        view["assetOptions"] = {"parentId": upload.parent_id}
    if upload.error_message is not None:
        view["errorMessage"] = upload.error_message
    return view


def part_url(base_url: str, upload_id: str, number: int) -> str:
    signature = part_signature(upload_id, number)
    return f"{base_url.rstrip('/')}/cdn/uploads/{upload_id}/parts/{number}?signature={signature}"
