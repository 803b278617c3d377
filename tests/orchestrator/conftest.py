from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from mockserver.fake import Fake
from mockserver.transport import SyncASGITransport

BEARER = {"Authorization": "Bearer token_alice"}

FASHION = {
    "name": "Fashion Image Pipeline",
    "description": "Generate and refine fashion images",
    "origin_instance": "api-prod",
    "steps": [
        {
            "id": "generate",
            "task_type": "GENERATION",
            "config": {"prompt": "fashion model wearing elegant dress", "width": 1024, "height": 1024},
        },
        {
            "id": "refine",
            "task_type": "REFINE",
            "config": {"upscale_factor": 2.0},
            "depends_on": ["generate"],
            "input_mappings": [
                {"from_field": "result_image_path", "from_step": "generate", "to_field": "base_image_url"}
            ],
        },
    ],
}


@pytest.fixture
def orch(transport: SyncASGITransport) -> Iterator[httpx.Client]:
    """The orchestrator API as a client sees it: base URL ``/api/v1``, Alice's bearer token."""
    with httpx.Client(transport=transport, base_url="http://testserver/api/v1", headers=BEARER) as client:
        yield client


@pytest.fixture
def create(orch: httpx.Client) -> Callable[..., dict[str, Any]]:
    """Create a workflow (the reference's example unless told otherwise) and return it as the API answered."""

    def make(start: bool = True, **changes: Any) -> dict[str, Any]:
        answer = orch.post("/workflows/", params={"start": str(start).lower()}, json={**FASHION, **changes})
        assert answer.status_code == 200, answer.text
        return answer.json()

    return make


@pytest.fixture
def advance(transport: SyncASGITransport) -> Iterator[Callable[[float], None]]:
    """Move the fake's clock on, as a test would over the control plane."""
    with httpx.Client(transport=transport, base_url="http://testserver") as client:

        def move(seconds: float) -> None:
            assert client.post("/_mock/clock/advance", json={"seconds": seconds}).status_code == 200

        yield move


@pytest.fixture
def fault(transport: SyncASGITransport) -> Iterator[Callable[..., dict[str, Any]]]:
    """Add a fault rule over the control plane: ``fault("step-failure", stepId="refine", count=2)``."""
    with httpx.Client(transport=transport, base_url="http://testserver") as client:

        def add(kind: str, count: int | None = None, error: str | None = None, **match: str) -> dict[str, Any]:
            body: dict[str, Any] = {"kind": kind, "match": match}
            if count is not None:
                body["count"] = count
            if error is not None:
                body["error"] = error
            response = client.post("/_mock/faults", json=body)
            assert response.status_code == 201, response.text
            return response.json()["fault"]

        yield add


@pytest.fixture(autouse=True)
def no_contract_breaches(fake: Fake) -> Iterator[None]:
    """Every answer the orchestrator API gives in a test keeps to its contract."""
    yield
    broken = [
        (e.method, e.path, e.status, e.response_violations) for e in fake.journal.entries() if e.response_violations
    ]
    assert not broken, f"responses that break the contract: {broken}"


class Receiver:
    """A webhook receiver on a real loopback socket: records every POST, answers the statuses it is told to."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []  # answered in turn, then 200
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.received.append({"headers": dict(self.headers), "json": json.loads(body)})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/workflows"
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.received)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The calls, once there are at least ``count`` (polled with a deadline)."""
        deadline = time.monotonic() + timeout
        while len(self.calls()) < count:
            assert time.monotonic() < deadline, f"waited {timeout}s for {count} webhook calls, got {len(self.calls())}"
            time.sleep(0.01)
        return self.calls()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
