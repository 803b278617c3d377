"""Assets as the fake keeps them: the file's record and its bytes, uploads in progress, and download archives."""

from __future__ import annotations

import base64

import msgspec

from mockserver.core.records import Record

ASSET_KINDS = ("3d", "audio", "document", "image", "image-hdr", "json", "text", "video")


class Asset(Record):
    """One file of a project: uploaded, or made by a job (whose output it is)."""

    asset_id: str
    owner_id: str
    author_id: str
    kind: str  # one of ASSET_KINDS
    asset_type: str  # "uploaded", "uploaded-video", ... or the producing job's kind, as metadata.type
    source: str
    mime_type: str
    size: int | None  # None for a job output: its sample file is only made when it is read
    created_at: str
    updated_at: str
    name: str | None = None
    width: int | None = None  # an uploaded PNG's, read once from its header
    height: int | None = None
    job_id: str | None = None  # the job whose output it is (its inference)
    model_id: str | None = None
    parent_id: str | None = None
    output_index: int | None = None
    content: str | None = None  # base64 of the bytes; None for a job output, whose bytes are its kind's sample
    deleted_at: str | None = None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def data(self) -> bytes | None:
        return None if self.content is None else base64.b64decode(self.content)


class Upload(Record):
    """A multipart upload: its parts arrive at the fake's part URLs, then ``complete`` makes the asset."""

    upload_id: str
    owner_id: str
    author_id: str
    file_name: str
    content_type: str
    file_size: int
    kind: str  # the upload's kind: image, video, audio, 3d, text, asset...
    parts_count: int
    created_at: str
    updated_at: str
    expires_at: str
    status: str = "pending"
    parts: list[str | None] = msgspec.field(default_factory=list)  # base64 of each part received, by number - 1
    asset_id: str | None = None  # the asset ``complete`` made
    error_message: str | None = None
    parent_id: str | None = None


class DownloadRequest(Record):
    """An archive of assets asked for with ``POST /assets/download``, served once built."""

    job_id: str
    owner_id: str
    asset_ids: list[str]
    archive_name: str
    created_at: str
