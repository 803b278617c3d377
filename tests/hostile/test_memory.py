"""Memory stays bounded under hostile requests that make no state: once every bounded cache is full (the
journal, the rendered workflows per ``Host``, the open listings), more of the same requests keep no more.

Requests that store something (a run, an upload) grow the state by design, within the limits of
docs/limits.md; these are the ones a careless or hostile client sends by the thousand and that must cost
nothing lasting: new ``Host`` headers, first pages that open a listing, forged tokens, refused and dry-run
bodies, journal reads. The caches' bounds are made small here, so that they fill in a few hundred
requests rather than thousands; what is checked is that nothing else grows.
"""

from __future__ import annotations

import gc
import os
import tracemalloc
from collections.abc import Callable

import httpx
import pytest

from mockserver.core import index
from mockserver.scenario.workflows import views
from mockserver.server.settings import Settings

JSON = {"Content-Type": "application/json"}
BOUND = 40  # each cache's size in this test
ROUNDS = int(os.environ.get("MOCKSERVER_HOSTILE_MEMORY_ROUNDS", "150"))  # a round fills each cache by one or more
# What the measured rounds may keep: the bounded caches' entries are replaced, not added to.
KEPT_BYTES = 256 * 1024


@pytest.fixture
def settings() -> Settings:
    return Settings(clock_mode="manual", journal_size=BOUND)


@pytest.fixture(autouse=True)
def small_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "OPEN_LISTINGS", BOUND)
    monkeypatch.setattr(views, "RENDERED", views.RenderedVersions(capacity=BOUND))


def _hostile_round(http: Callable[..., httpx.Response], n: int) -> None:
    host = {"Host": f"client-{n}.example"}
    assert http("GET", "/v1/workflows?pageSize=1", headers=host).status_code == 200  # opens a listing
    assert http("GET", "/v1/workflows/workflow_demo_poster", headers=host).status_code == 200
    assert http("GET", f"/v1/workflows?paginationToken=forged-{n}").status_code == 400
    dry_run = http("PUT", "/v1/workflows/workflow_demo_poster/run?dryRun=true", json={"prompt": f"p{n}" * 40})
    assert dry_run.status_code in (200, 402), dry_run.text  # the guide profile quotes with a 402
    assert http("POST", "/v1/workflows", content=b'{"name": NaN}', headers=JSON).status_code == 400
    assert http("GET", f"/_mock/journal?since={6 * n}", who=None).status_code == 200  # about this round's


def _kept_after(http: Callable[..., httpx.Response], first: int, rounds: int) -> int:
    for n in range(first, first + rounds):
        _hostile_round(http, n)
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_requests_that_make_no_state_keep_no_more_memory_once_the_caches_are_full(http) -> None:
    tracemalloc.start()
    try:
        filled = _kept_after(http, 0, ROUNDS)
        after = _kept_after(http, ROUNDS, ROUNDS)
    finally:
        tracemalloc.stop()
    assert len(views.RENDERED) == BOUND
    assert after - filled < KEPT_BYTES, f"{ROUNDS} more rounds kept {(after - filled) / 1024:.0f} KiB"
