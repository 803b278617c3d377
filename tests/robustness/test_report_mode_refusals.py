"""Report mode lets a request that breaks the contract through; one its handler cannot read is refused as
strict mode refuses it (400 naming the problem), never a 500, and changes nothing."""

from __future__ import annotations

import json

import httpx
import pytest

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings

MALFORMED = [
    ("POST", "/v1/assets", {"name": 5}),
    ("POST", "/v1/assets", "x"),
    ("DELETE", "/v1/assets", {"assetIds": 5}),
    ("POST", "/v1/assets/download", [5]),
    ("POST", "/v1/assets/get-bulk", 5),
    ("POST", "/v1/uploads", {"parts": "x", "fileName": 5}),
    ("POST", "/v1/uploads/upload_x/action", [1]),
    ("POST", "/v1/search/workflows", 5),
    ("PUT", "/v1/workflows/workflow_demo_poster/user-selection", "x"),
]


@pytest.mark.parametrize(("method", "path", "body"), MALFORMED)
def test_a_request_the_handler_cannot_read_is_a_400_in_report_mode(method, path, body):
    fake = Fake(Settings(clock_mode="manual", validation="report"))
    transport = SyncASGITransport(create_app(fake))
    before = fake.snapshot()
    with httpx.Client(transport=transport, base_url="http://testserver", auth=("key_alice", "secret_alice")) as http:
        answer = http.request(method, path, content=json.dumps(body), headers={"content-type": "application/json"})
    transport.close()
    refusal = answer.json()
    assert answer.status_code == 400 and refusal["error"] == "Bad Request" and refusal["message"], answer.text
    assert fake.snapshot() == before
    (entry,) = fake.journal.entries()
    assert entry.status == 400 and entry.request_violations
    fake.close()
