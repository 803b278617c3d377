"""Routes of the assets and uploads resources."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from mockserver.core.http.endpoint import Call, api
from mockserver.scenario.asset_url import AssetUrl
from mockserver.scenario.assets.service import AssetQuery
from mockserver.scenario.assets.views import asset_view, upload_view
from mockserver.scenario.backend import ScenarioBackend
from mockserver.scenario.dialect import SCENARIO

ScenarioCall = Call[ScenarioBackend]


@api("uploadAsset", SCENARIO)
async def upload_asset(call: ScenarioCall) -> dict[str, Any]:
    body = call.body or {}
    asset = call.backend.assets.upload(call.principal, body["name"], body.get("image"), body.get("parentId"))
    return {"asset": asset_view(asset, AssetUrl(call.base_url))}


@api("getAsset", SCENARIO)
async def get_asset(call: ScenarioCall) -> dict[str, Any]:
    asset = call.backend.assets.get(call.principal, call.path("assetId"))
    return {"asset": asset_view(asset, AssetUrl(call.base_url))}


@api("listAssets", SCENARIO)
async def list_assets(call: ScenarioCall) -> dict[str, Any]:
    p = call.params
    types = tuple(t for t in p.get("types", "").split(",") if t) or ((p["type"],) if "type" in p else ())
    query = AssetQuery(
        sort_by=p.get("sortBy", "createdAt"),
        sort_direction=p.get("sortDirection", "desc"),
        types=types,
        author_id=p.get("authorId"),
        inference_id=p.get("inferenceId"),
        model_id=p.get("modelId"),
        parent_asset_id=p.get("parentAssetId"),
        root_asset_id=p.get("rootAssetId"),
        collection_id=p.get("collectionId"),
        privacy=p.get("privacy"),
        tags=p.get("tags"),
        created_after=p.get("createdAfter"),
        created_before=p.get("createdBefore"),
        updated_after=p.get("updatedAfter"),
        updated_before=p.get("updatedBefore"),
        deleted=p.get("deleted") is True,
        page_size=p.get("pageSize", 50),
        pagination_token=p.get("paginationToken"),
    )
    assets, token = call.backend.assets.list(call.principal, query)
    asset_url = AssetUrl(call.base_url)
    body: dict[str, Any] = {"assets": [asset_view(asset, asset_url) for asset in assets]}
    if token:
        body["nextPaginationToken"] = token
    return body


@api("getAssetsBulk", SCENARIO)
async def get_assets_bulk(call: ScenarioCall) -> dict[str, Any]:
    assets = call.backend.assets.get_bulk(call.principal, (call.body or {}).get("assetIds", []))
    asset_url = AssetUrl(call.base_url)
    return {"assets": [asset_view(asset, asset_url) for asset in assets]}


@api("deleteAssets", SCENARIO)
async def delete_assets(call: ScenarioCall) -> dict[str, Any]:
    call.backend.assets.delete(call.principal, call.body["assetIds"])
    return {}


@api("requestAssetDownload", SCENARIO)
async def request_asset_download(call: ScenarioCall) -> dict[str, Any]:
    service = call.backend.assets
    asset = service.get(call.principal, call.path("assetId"))
    service.check_format(asset, (call.body or {}).get("targetFormat"))
    return {"url": AssetUrl(call.base_url)(asset.asset_id), "mimeType": asset.mime_type}


@api("requestAssetsDownload", SCENARIO)
async def request_assets_download(call: ScenarioCall) -> dict[str, Any]:
    query, options = call.body["query"], call.body["options"]
    archive_name = options.get("archiveName") or "assets"
    job_id = call.backend.assets.request_archive(
        call.principal, query["assetIds"], query["inferenceIds"], query["modelIds"], archive_name
    )
    return {"jobId": job_id}


@api("getAssetsDownload", SCENARIO)
async def get_assets_download(call: ScenarioCall) -> dict[str, Any]:
    download = call.backend.assets.download_request(call.principal, call.path("jobId"))
    url = f"{call.base_url}cdn/downloads/{download.job_id}"
    return {"jobId": download.job_id, "jobStatus": "success", "downloadUrl": url}


@api("createUpload", SCENARIO)
async def create_upload(call: ScenarioCall) -> dict[str, Any]:
    upload = call.backend.uploads.create(call.principal, call.body or {})
    return {"upload": upload_view(upload, call.base_url)}


@api("getUpload", SCENARIO)
async def get_upload(call: ScenarioCall) -> dict[str, Any]:
    upload = call.backend.uploads.get(call.principal, call.path("uploadId"))
    return {"upload": upload_view(upload, call.base_url)}


@api("uploadAction", SCENARIO)
async def upload_action(call: ScenarioCall) -> dict[str, Any]:
    upload = call.backend.uploads.complete(call.principal, call.path("uploadId"), call.body["action"])
    return {"upload": upload_view(upload, call.base_url)}


routes = [
    Route("/assets", upload_asset, methods=["POST"]),
    Route("/assets", list_assets, methods=["GET"]),
    Route("/assets", delete_assets, methods=["DELETE"]),
    Route("/assets/get-bulk", get_assets_bulk, methods=["POST"]),
    Route("/assets/download", request_assets_download, methods=["POST"]),
    Route("/assets/download/{jobId}", get_assets_download, methods=["GET"]),
    Route("/assets/{assetId}", get_asset, methods=["GET"]),
    Route("/assets/{assetId}/download", request_asset_download, methods=["POST"]),
    Route("/uploads", create_upload, methods=["POST"]),
    Route("/uploads/{uploadId}", get_upload, methods=["GET"]),
    Route("/uploads/{uploadId}/action", upload_action, methods=["POST"]),
]
