"""The fake's CDN and storage: asset files, download archives, and the part URLs of multipart uploads.

Like a CDN's signed URLs, these take no API credentials: an asset URL serves the asset's bytes
(an upload's, byte for byte, or a job output's sample file of its kind); a part URL takes one part.
"""

from __future__ import annotations

import io
import re
import zipfile

from starlette.requests import Request
from starlette.responses import Response

from mockserver.core.errors import ApiError, NotFound, PayloadTooLarge
from mockserver.core.http.dialect import served_by
from mockserver.core.http.responses import error_response
from mockserver.scenario.assets.files import MAX_PART_BYTES
from mockserver.scenario.assets.models import Asset
from mockserver.scenario.assets.outputs import asset_bytes
from mockserver.scenario.backend import ScenarioBackend
from mockserver.scenario.dialect import SCENARIO

# What an asset id the fake hands out is made of; anything else (a quote, CR-LF, NUL, non-Latin-1 text)
# could never be one, and must not reach the Content-Disposition header.
ASSET_ID = re.compile(r"[A-Za-z0-9_.-]{1,200}")
# A file name given at upload may hold anything; in Content-Disposition a quote or CR-LF would end the header.
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9_.() -]")


async def download(request: Request) -> Response:
    asset_id = request.path_params["assetId"]
    if not ASSET_ID.fullmatch(asset_id):
        return error_response(NotFound("Asset not found: not an asset id"))
    backend = _backend(request)
    with backend.store.lock:
        asset = backend.store.get_asset(asset_id)
    if asset is None or asset.is_deleted:
        return error_response(NotFound(f"Asset {asset_id} not found"))
    headers = {"Content-Disposition": f'inline; filename="{_file_name(asset)}"'}
    return Response(asset_bytes(asset), media_type=asset.mime_type, headers=headers)


async def download_archive(request: Request) -> Response:
    """The zip of a ``POST /assets/download`` request: each asset's file, as its URL serves it."""
    job_id = request.path_params["jobId"]
    backend = _backend(request)
    with backend.store.lock:
        download = backend.store.get_download(job_id)
        assets = [backend.store.get_asset(asset_id) for asset_id in download.asset_ids] if download else []
    if download is None:
        return error_response(NotFound(f"Download {job_id} not found"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for asset in assets:
            if asset is not None:
                archive.writestr(_file_name(asset), asset_bytes(asset))
    headers = {"Content-Disposition": f'attachment; filename="{_safe(download.archive_name) or "assets"}.zip"'}
    return Response(buffer.getvalue(), media_type="application/zip", headers=headers)


async def put_part(request: Request) -> Response:
    """One part of a multipart upload, PUT to the URL the upload gave; answers its ETag, as S3 does."""
    backend = _backend(request)
    try:
        number = int(request.path_params["number"])
        data = await _body(request, MAX_PART_BYTES)
        with backend.store.lock:
            etag = backend.uploads.put_part(
                request.path_params["uploadId"], number, request.query_params.get("signature", ""), data
            )
    except ValueError:
        return error_response(NotFound("No such part: part numbers are whole numbers"))
    except ApiError as error:
        return error_response(error)
    return Response(b"", headers={"ETag": f'"{etag}"'})


async def _body(request: Request, limit: int) -> bytes:
    """The request's body, refused once it grows past ``limit`` bytes rather than read whole."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"A part is at most {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _backend(request: Request) -> ScenarioBackend:
    return SCENARIO.backend(served_by(request.app))


def _file_name(asset: Asset) -> str:
    """The name a download is saved under: the asset's own, kept to characters a header can carry as they are."""
    return _safe(asset.name or "") or asset.asset_id


def _safe(name: str) -> str:
    return _UNSAFE_IN_FILE_NAME.sub("_", name)[:200].strip(" .")
