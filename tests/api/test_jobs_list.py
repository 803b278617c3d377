"""GET /jobs: filters, ordering, forbidden combinations and pages while jobs change status."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def runs(http, fake):
    """Three upscaler runs and two background-remover runs, a second apart."""
    made = []
    for workflow_id, body in [
        ("workflow_upscaler", {"image": "asset_photo123"}),
        ("workflow_bg_remover", {"image": "asset_input123"}),
        ("workflow_upscaler", {"image": "asset_before123"}),
        ("workflow_bg_remover", {"image": "asset_after123"}),
        ("workflow_upscaler", {"image": "asset_output123"}),
    ]:
        made.append(http("PUT", f"/v1/workflows/{workflow_id}/run", json=body).json()["job"]["jobId"])
        fake.clock.advance(1)
    return made


def ids(response):
    assert response.status_code == 200, response.text
    return [job["jobId"] for job in response.json()["jobs"]]


def test_newest_first_by_creation(http, runs):
    jobs = http("GET", "/v1/jobs?pageSize=100").json()["jobs"]
    assert [job["jobId"] for job in jobs if job["jobType"] == "workflow"] == list(reversed(runs))
    created = [job["createdAt"] for job in jobs]
    assert created == sorted(created, reverse=True)


def test_filter_by_workflow_and_type(http, fake, runs):
    upscaler = ids(http("GET", "/v1/jobs?workflowId=workflow_upscaler"))
    assert set(upscaler) >= {runs[0], runs[2], runs[4]} and runs[1] not in upscaler
    fake.clock.advance(20)
    http("GET", "/v1/jobs")  # let node jobs start and finish
    inference = http("GET", "/v1/jobs?types=inference,remove-background").json()["jobs"]
    assert inference and {job["jobType"] for job in inference} == {"inference", "remove-background"}
    only_inference = http("GET", "/v1/jobs?type=inference&types=remove-background").json()["jobs"]
    assert {job["jobType"] for job in only_inference} == {"remove-background"}  # types wins over type


def test_status_filter_orders_by_update(http, fake, runs):
    fake.clock.advance(60)
    done = http("GET", "/v1/jobs?status=success&type=workflow").json()["jobs"]
    assert {job["jobId"] for job in done} == set(runs)
    updated = [job["updatedAt"] for job in done]
    assert updated == sorted(updated, reverse=True)
    assert http("GET", "/v1/jobs?status=queued").json()["jobs"] == []


def test_forbidden_date_combinations_are_400(http, runs):
    since = "2020-01-01T00:00:00Z"
    response = http("GET", f"/v1/jobs?status=success&createdAfter={since}")
    assert response.status_code == 400 and "createdAfter" in response.json()["message"]
    response = http("GET", f"/v1/jobs?updatedAfter={since}")
    assert response.status_code == 400 and "updatedAfter" in response.json()["message"]
    response = http("GET", "/v1/jobs?createdAfter=yesterday")
    assert response.status_code == 400
    assert http("GET", "/v1/jobs?type=teleport").status_code == 400
    assert http("GET", "/v1/jobs?pageSize=0").status_code == 400


def test_created_after_and_the_30_day_window(http, fake, runs):
    created = [http("GET", f"/v1/jobs/{job_id}").json()["job"]["createdAt"] for job_id in runs]
    later = ids(http("GET", f"/v1/jobs?createdAfter={created[2]}"))
    assert runs[3] in later and runs[4] in later and runs[2] not in later
    fake.clock.advance(timedelta(days=31).total_seconds())
    assert ids(http("GET", "/v1/jobs?authorId=user_alice")) == []
    assert runs[0] in ids(http("GET", "/v1/jobs?authorId=user_alice&createdAfter=2000-01-01T00:00:00Z"))
    assert runs[0] in ids(http("GET", "/v1/jobs?pageSize=100"))


def test_other_projects_jobs_are_not_listed(http, runs):
    assert http("GET", "/v1/jobs", who="eve").json()["jobs"] == []


def test_pages_stay_correct_while_jobs_change_status(http, fake, runs):
    first = http("GET", "/v1/jobs?type=workflow&pageSize=2").json()
    seen = [job["jobId"] for job in first["jobs"]]
    token = first["nextPaginationToken"]
    fake.clock.advance(3)  # every job moves on between the pages
    while token:
        page = http("GET", f"/v1/jobs?type=workflow&pageSize=2&paginationToken={token}").json()
        assert page["jobs"] or "nextPaginationToken" not in page
        seen += [job["jobId"] for job in page["jobs"]]
        token = page.get("nextPaginationToken")
    assert len(seen) == len(set(seen))


def test_paging_by_creation_visits_every_job_once(http, runs):
    seen, token = [], None
    while True:
        url = "/v1/jobs?pageSize=2" + (f"&paginationToken={token}" if token else "")
        page = http("GET", url).json()
        seen += [job["jobId"] for job in page["jobs"]]
        token = page.get("nextPaginationToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) and set(runs) <= set(seen)


def test_page_size_goes_up_to_200_as_the_sdk_documents(http, fake, sdk):
    for _ in range(205):
        http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": "asset_photo123"})
    first = sdk("alice").jobs.list(page_size=200)
    assert len(first.jobs) == 200 and first.next_pagination_token
    ids = [job.job_id for job in first.jobs]
    rest = sdk("alice").jobs.list(page_size=200, pagination_token=first.next_pagination_token)
    ids += [job.job_id for job in rest.jobs]
    assert len(ids) == len(set(ids))
    too_many = http("GET", "/v1/jobs?pageSize=201")
    assert too_many.status_code == 400 and "maximum of 200" in too_many.json()["message"]
