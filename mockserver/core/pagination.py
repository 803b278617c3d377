"""Opaque, tamper-evident pagination tokens.

A token carries the key of the last record of the page it ends, as the real
API's tokens do (base64 of ``{"lastKey": ...}``), the version of the store the
listing's first page was served at, and a signature over both and the
listing's filters. A page continues just past the key, in the listing as it
stood at that version, so every record listed then is met exactly once however
records change between pages. A token that was edited, made up, or sent with
other filters is refused with a 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from mockserver.core.errors import BadRequest
from mockserver.core.index import Cursor

_SIGNING_KEY = b"scenario-mockserver pagination"


def encode_token(cursor: Cursor, filters: object) -> str:
    payload = {"lastKey": list(cursor.key), "asOf": cursor.as_of, "sig": _signature(cursor, filters)}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, filters: object) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        sort_value, record_id = payload["lastKey"]
        as_of = payload["asOf"]
        signature = payload["sig"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise BadRequest("Invalid paginationToken") from None
    if not isinstance(as_of, int) or isinstance(as_of, bool):
        raise BadRequest("Invalid paginationToken")
    cursor = Cursor((str(sort_value), str(record_id)), as_of)
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _signature(cursor, filters)):
        raise BadRequest("Invalid paginationToken: it does not belong to this query")
    return cursor


def _signature(cursor: Cursor, filters: object) -> str:
    message = json.dumps([list(cursor.key), cursor.as_of, filters], sort_keys=True, default=str).encode()
    return hmac.new(_SIGNING_KEY, message, hashlib.sha256).hexdigest()[:32]
