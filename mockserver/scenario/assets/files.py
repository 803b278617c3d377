"""What the fake knows of a file's bytes: data URLs, MIME types, the kind of asset they make, and size limits."""

from __future__ import annotations

import base64
import binascii
import re
import struct

from mockserver.core.errors import BadRequest, PayloadTooLarge

# The fake's own limits on what a client may upload (the real API's are not documented): a part of a
# multipart upload, a whole file, and the number of parts. ``POST /assets`` is bounded by the request body limit.
MAX_PART_BYTES = 5 * 1024 * 1024
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PARTS = 100

DATA_URL = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+)(?:;[\w.+-]+=[\w.+-]+)*;base64,(?P<payload>.*)", re.DOTALL)

_HDR_TYPES = frozenset({"image/vnd.radiance", "image/x-exr", "image/aces"})
_KIND_OF_FAMILY = {"image": "image", "video": "video", "audio": "audio", "model": "3d"}
_KIND_OF_TYPE = {"text/plain": "text", "application/json": "json", "application/pdf": "document"}
# metadata.type of an uploaded asset, by its kind.
_UPLOADED_TYPE = {"video": "uploaded-video", "audio": "uploaded-audio", "3d": "uploaded-3d", "text": "uploaded-text"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def kind_of(mime_type: str) -> str | None:
    """The asset kind a file of ``mime_type`` makes, or None when no asset kind holds it."""
    essence = mime_type.split(";")[0].strip().lower()
    if essence in _HDR_TYPES:
        return "image-hdr"
    if essence in _KIND_OF_TYPE:
        return _KIND_OF_TYPE[essence]
    return _KIND_OF_FAMILY.get(essence.split("/")[0])


def uploaded_type(kind: str) -> str:
    return _UPLOADED_TYPE.get(kind, "uploaded-text" if kind in ("json", "document") else "uploaded")


def decode_data_url(value: str, field: str) -> tuple[str, bytes]:
    """The MIME type and bytes of a ``data:<mime>;base64,<payload>`` URL; BadRequest naming ``field`` if not one."""
    match = DATA_URL.fullmatch(value)
    if match is None:
        raise BadRequest(f"{field} must be a data URL: data:<mime type>;base64,<payload>")
    try:
        data = base64.b64decode(match["payload"], validate=True)
    except binascii.Error:
        raise BadRequest(f"{field}: the data URL's payload is not valid base64") from None
    if not data:
        raise BadRequest(f"{field}: the data URL holds no bytes")
    return match["mime"].lower(), data


def check_file_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"The file is {size} bytes: files up to {MAX_FILE_BYTES} bytes can be uploaded")


def image_dimensions(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, read from its header; None for anything else."""
    if len(data) >= 24 and data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    return None
