from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from mockserver.core.transport import SyncASGITransport
from mockserver.server.fake import Fake

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
