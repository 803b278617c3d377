from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockserver.server.fake import Fake


@pytest.fixture(autouse=True)
def no_contract_breaches(fake: Fake) -> Iterator[None]:
    """Every response a test provokes must keep to the contract."""
    yield
    broken = [
        (e.method, e.path, e.status, e.response_violations) for e in fake.journal.entries() if e.response_violations
    ]
    assert not broken, f"responses that break the contract: {broken}"
