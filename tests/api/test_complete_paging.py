"""Paging is complete: whatever changes between pages, every record listed when the first page was asked
for is met exactly once, and nothing is met twice."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.server.fake import Fake

Http = Callable[..., httpx.Response]
Change = Callable[[], None]

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
RUNNABLE = [("workflow_upscaler", {"image": "asset_photo123"}), ("workflow_bg_remover", {"image": "asset_input123"})]


def ok(response: httpx.Response) -> dict:
    assert response.status_code < 300, response.text
    return response.json()


def listed(http: Http, url: str, field: str) -> list[str]:
    return [record["id" if field == "workflows" else "jobId"] for record in ok(http("GET", url))[field]]


def page_through(http: Http, url: str, field: str, between_pages: Callable[[], None]) -> list[str]:
    """Every id of every page, running ``between_pages`` after each page that has a next one."""
    seen: list[str] = []
    token = None
    while True:
        body = ok(http("GET", url + (f"&paginationToken={token}" if token else "")))
        seen += [record["id" if field == "workflows" else "jobId"] for record in body[field]]
        token = body.get("nextPaginationToken")
        if not token:
            return seen
        between_pages()


def assert_each_once(seen: list[str], expected: set[str]) -> None:
    assert len(seen) == len(set(seen)), f"listed twice: {sorted({i for i in seen if seen.count(i) > 1})}"
    assert expected <= set(seen), f"never listed: {sorted(expected - set(seen))}"


def test_the_jobs_of_a_workflow_are_all_listed_while_they_run(http, fake):
    runs = [
        ok(http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo123"}))["job"]
        for _ in range(4)
    ]
    fake.advance(3)
    running = ok(http("GET", "/v1/jobs?workflowId=workflow_upscaler&pageSize=100"))["jobs"]
    workflow_jobs = [job for job in running if job["jobType"] == "workflow"]
    assert sorted(job["jobId"] for job in workflow_jobs) == sorted(job["jobId"] for job in runs)
    assert {job["status"] for job in workflow_jobs} == {"in-progress"}
    url = "/v1/jobs?workflowId=workflow_upscaler&pageSize=1"
    seen = page_through(http, url, "jobs", lambda: fake.advance(1))
    assert_each_once(seen, {job["jobId"] for job in running})


def test_a_token_from_a_listing_closed_long_ago_is_a_400(http, fake, monkeypatch):
    monkeypatch.setattr("mockserver.core.index.OPEN_LISTINGS", 1)
    for _ in range(3):
        ok(http("POST", "/v1/workflows", json={"name": "w", "description": "d"}))
    first = ok(http("GET", "/v1/workflows?pageSize=1"))["nextPaginationToken"]
    ok(http("POST", "/v1/workflows", json={"name": "w", "description": "d"}))
    ok(http("GET", "/v1/workflows?pageSize=2"))  # opens a newer listing, which closes the first
    expired = http("GET", f"/v1/workflows?pageSize=1&paginationToken={first}")
    assert expired.status_code == 400 and "expired" in expired.json()["message"]


@st.composite
def workflow_changes(draw: st.DrawFn) -> list[tuple[str, int, int]]:
    kinds = st.sampled_from(["create", "rename", "tag", "delete", "advance"])
    return draw(st.lists(st.tuples(kinds, st.integers(0, 50), st.integers(0, 5)), max_size=4))


@PROPERTY
@given(
    existing=st.integers(1, 10),
    page_size=st.integers(1, 4),
    query=st.sampled_from(["", "&status=draft&sortDirection=asc", "&status=draft&sortDirection=desc"]),
    gaps=st.lists(workflow_changes(), min_size=1, max_size=12),
)
def test_paging_workflows_lists_each_once_whatever_changes(http, fake, existing, page_size, query, gaps):
    fake.reset()
    made = [ok(http("POST", "/v1/workflows", json={"name": f"w{i}", "description": "d"})) for i in range(existing)]
    ids = [body["workflow"]["id"] for body in made]
    url = f"/v1/workflows?pageSize={page_size}{query}"
    before = set(listed(http, f"/v1/workflows?pageSize=100{query}", "workflows"))
    deleted: set[str] = set()
    pending = iter(gaps)

    def change(kind: str, pick: int, seconds: int) -> None:
        target = ids[pick % len(ids)]
        if kind == "create":
            ids.append(ok(http("POST", "/v1/workflows", json={"name": "new", "description": "d"}))["workflow"]["id"])
        elif kind == "rename" and target not in deleted:
            ok(http("PUT", f"/v1/workflows/{target}", json={"name": f"renamed {pick}"}))
        elif kind == "tag" and target not in deleted:
            ok(http("PUT", f"/v1/workflows/{target}", json={"tagSet": [f"t{seconds}"]}))
        elif kind == "delete" and target not in deleted:
            ok(http("DELETE", f"/v1/workflows/{target}"))
            deleted.add(target)
        fake.advance(seconds)

    def between_pages() -> None:
        for step in next(pending, []):
            change(*step)

    seen = page_through(http, url, "workflows", between_pages)
    assert_each_once(seen, before - deleted)
    assert set(seen) <= before | set(ids)


@st.composite
def job_changes(draw: st.DrawFn) -> list[tuple[str, int, int]]:
    kinds = st.sampled_from(["run", "cancel", "advance"])
    return draw(st.lists(st.tuples(kinds, st.integers(0, 50), st.integers(0, 20)), max_size=4))


@PROPERTY
@given(
    runs=st.integers(1, 6),
    page_size=st.integers(1, 4),
    query=st.sampled_from(["", "&workflowId=workflow_upscaler", "&type=workflow", "&types=workflow,upscale"]),
    gaps=st.lists(job_changes(), min_size=1, max_size=12),
)
def test_paging_jobs_lists_each_once_whatever_changes(http, fake: Fake, runs, page_size, query, gaps):
    fake.reset()
    for index in range(runs):
        workflow_id, body = RUNNABLE[index % len(RUNNABLE)]
        ok(http("PUT", f"/v1/workflows/{workflow_id}/run", json=body))
        fake.advance(index % 3)
    url = f"/v1/jobs?pageSize={page_size}{query}"
    before = listed(http, f"/v1/jobs?pageSize=200{query}", "jobs")
    pending = iter(gaps)

    def change(kind: str, pick: int, seconds: int) -> None:
        if kind == "run":
            workflow_id, body = RUNNABLE[pick % len(RUNNABLE)]
            ok(http("PUT", f"/v1/workflows/{workflow_id}/run", json=body))
        elif kind == "cancel":
            job_id = before[pick % len(before)]
            response = http("POST", f"/v1/jobs/{job_id}/action", json={"action": "cancel"})
            assert response.status_code in (200, 400), response.text
        fake.advance(seconds)

    def between_pages() -> None:
        for step in next(pending, []):
            change(*step)

    seen = page_through(http, url, "jobs", between_pages)
    assert_each_once(seen, set(before))
