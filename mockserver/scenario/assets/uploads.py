"""Multipart uploads: create one, receive its parts at the fake's part URLs, complete it into an asset.

Nothing is half-stored: parts are kept on the upload only, and the asset exists once ``complete``
found every part there and their sizes adding up to the file's; a refused call changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from msgspec.structs import replace

from mockserver.core.clock import Clock, iso, parse_iso
from mockserver.core.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge
from mockserver.core.ids import IdFactory
from mockserver.core.principals import Principal
from mockserver.scenario.assets.files import MAX_PART_BYTES, MAX_PARTS, check_file_size, kind_of
from mockserver.scenario.assets.models import Upload
from mockserver.scenario.assets.service import AssetService, require_writer
from mockserver.scenario.store import ScenarioStore

# How long a part URL can be used.
PART_URL_LIFETIME = timedelta(hours=1)
# Upload kinds that make an asset, and the asset kinds a file of each may be.
_ASSET_KINDS = {
    "image": ("image", "image-hdr"),
    "video": ("video",),
    "audio": ("audio",),
    "3d": ("3d",),
    "text": ("text", "json", "document"),
    "asset": ("image", "image-hdr", "video", "audio", "3d", "text", "json", "document"),
}
_SIGNING_KEY = b"scenario-mockserver part urls"


@dataclass
class UploadService:
    store: ScenarioStore
    clock: Clock
    ids: IdFactory
    assets: AssetService

    def create(self, principal: Principal, body: dict[str, Any]) -> Upload:
        require_writer(principal)
        if any(body.get(name) for name in ("url", "civitaiModelUrl", "huggingFaceModelName")):
            raise BadRequest("The fake takes multipart uploads only: send fileName, contentType, fileSize, kind, parts")
        for name in ("fileName", "contentType", "fileSize", "kind", "parts"):
            if body.get(name) is None:
                raise BadRequest(f"{name} is required for a multipart upload")
        kind, content_type = body["kind"], str(body["contentType"]).lower()
        if kind not in _ASSET_KINDS:
            raise BadRequest(f"kind {kind} is not served by the fake: only {', '.join(_ASSET_KINDS)} make assets")
        if kind_of(content_type) not in _ASSET_KINDS[kind]:
            raise BadRequest(f"contentType {content_type} is not a file of kind {kind}")
        file_size, parts = _whole(body["fileSize"], "fileSize"), _whole(body["parts"], "parts")
        check_file_size(file_size)
        if not 1 <= parts <= MAX_PARTS:
            raise BadRequest(f"parts must be from 1 to {MAX_PARTS}, got {parts}")
        if math.ceil(file_size / parts) > MAX_PART_BYTES:
            raise PayloadTooLarge(
                f"{file_size} bytes in {parts} parts makes parts over {MAX_PART_BYTES} bytes: use more parts"
            )
        if parts > file_size:
            raise BadRequest(f"{parts} parts cannot each hold some of {file_size} bytes")
        options = body.get("assetOptions") or {}
        parent_id = options.get("parentId") if isinstance(options, dict) else None
        if parent_id is not None:
            self.assets.usable(principal.project_id, parent_id, "assetOptions.parentId")
        now = self.clock.now()
        upload = Upload(
            upload_id=self.ids.new("upload"),
            owner_id=principal.project_id,
            author_id=principal.user_id,
            file_name=str(body["fileName"]),
            content_type=content_type,
            file_size=file_size,
            kind=kind,
            parts_count=parts,
            created_at=iso(now),
            updated_at=iso(now),
            expires_at=iso(now + PART_URL_LIFETIME),
            parts=[None] * parts,
            parent_id=parent_id,
        )
        self.store.save_upload(upload)
        return upload

    def get(self, principal: Principal, upload_id: str) -> Upload:
        upload = self.store.get_upload(upload_id)
        if upload is None or upload.owner_id != principal.project_id:
            raise NotFound(f"Upload {upload_id} not found")
        return upload

    def put_part(self, upload_id: str, number: int, signature: str, data: bytes) -> str:
        """Keep a part sent to its part URL; its ETag. A part sent again replaces the one before."""
        upload = self.store.get_upload(upload_id)
        if upload is None or not hmac.compare_digest(signature, part_signature(upload_id, number)):
            raise Forbidden("The part URL is not valid: use a URL the upload gave")
        if self.clock.now() > parse_iso(upload.expires_at):
            raise Forbidden(f"The part URL expired at {upload.expires_at}: create a new upload")
        if upload.status != "pending":
            raise BadRequest(f"Upload {upload_id} is {upload.status}: its parts can no longer change")
        if not 1 <= number <= upload.parts_count:
            raise NotFound(f"Upload {upload_id} has parts 1 to {upload.parts_count}, not {number}")
        if len(data) > MAX_PART_BYTES:
            raise PayloadTooLarge(f"A part is at most {MAX_PART_BYTES} bytes, got {len(data)}")
        upload.parts[number - 1] = base64.b64encode(data).decode("ascii")
        upload.updated_at = iso(self.clock.now())
        return hashlib.md5(data, usedforsecurity=False).hexdigest()

    def complete(self, principal: Principal, upload_id: str, action: str) -> Upload:
        """Join the parts into the asset, once every part arrived and they hold the file's size."""
        if action != "complete":
            raise BadRequest("action must be one of: complete")
        upload = self.get(principal, upload_id)
        require_writer(principal)
        if upload.status != "pending":
            return upload
        missing = [str(i + 1) for i, part in enumerate(upload.parts) if part is None]
        if missing:
            raise BadRequest(f"Upload {upload_id} is missing parts {', '.join(missing)}: PUT them to their part URLs")
        data = b"".join(base64.b64decode(part or "") for part in upload.parts)
        if len(data) != upload.file_size:
            raise BadRequest(f"Upload {upload_id} announced {upload.file_size} bytes, its parts hold {len(data)}")
        asset = self.assets.add(principal, upload.file_name, upload.content_type, data, upload.parent_id)
        done = replace(upload, status="imported", asset_id=asset.asset_id, parts=[], updated_at=asset.created_at)
        self.store.save_upload(done)
        return done


def part_signature(upload_id: str, number: int) -> str:
    """What a part URL carries so that only the URLs an upload gave are taken."""
    return hmac.new(_SIGNING_KEY, f"{upload_id}/{number}".encode(), hashlib.sha256).hexdigest()[:32]


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) or value < 0:
        raise BadRequest(f"{name} must be a whole number, got {value!r}")
    return int(value)
