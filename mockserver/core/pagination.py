"""Opaque, tamper-evident pagination tokens.

A token carries the key of the last record of the page it ends, as the real
API's tokens do (base64 of ``{"lastKey": ...}``), plus a signature over that key
and the listing's filters. A page continues just past the key, so workflows
added or deleted between two pages neither repeat nor vanish. A token that was
edited, made up, or sent with other filters is refused with a 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from mockserver.core.errors import BadRequest
from mockserver.core.index import Key

_SIGNING_KEY = b"scenario-mockserver pagination"


def encode_token(last_key: Key, filters: object) -> str:
    payload = {"lastKey": list(last_key), "sig": _signature(last_key, filters)}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, filters: object) -> Key:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        sort_value, record_id = payload["lastKey"]
        signature = payload["sig"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise BadRequest("Invalid paginationToken") from None
    last_key = (str(sort_value), str(record_id))
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _signature(last_key, filters)):
        raise BadRequest("Invalid paginationToken: it does not belong to this query")
    return last_key


def _signature(last_key: Key, filters: object) -> str:
    message = json.dumps([list(last_key), filters], sort_keys=True, default=str).encode()
    return hmac.new(_SIGNING_KEY, message, hashlib.sha256).hexdigest()[:32]
