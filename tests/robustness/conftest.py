from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from mockserver.server.fake import Fake


def state_of(fake: Fake) -> str:
    """Everything a client could observe of the store, as one comparable string."""
    workflows = sorted(
        (wf.model_dump_json() for wf in fake.scenario.store.all_workflows()),
    )
    jobs = sorted(f"{job.job_id}:{job.status}:{job.updated_at}" for job in fake.scenario.store.all_jobs())
    return json.dumps([workflows, jobs])


@pytest.fixture
def unchanged(fake: Fake) -> Iterator[None]:
    """The test's requests must leave the fake's state as it was."""
    before = state_of(fake)
    yield
    assert state_of(fake) == before
