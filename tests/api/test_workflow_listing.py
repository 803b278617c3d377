"""Listing: filters, ordering, page sizes and pagination tokens that survive changes between pages."""

from __future__ import annotations

import pytest


@pytest.fixture
def many(http, fake):
    ids = []
    for i in range(12):
        fake.clock.advance(1)
        ids.append(http("POST", "/v1/workflows", json={"name": f"w{i}", "description": "d"}).json()["workflow"]["id"])
    return ids  # oldest first


def pages(http, url, token=None):
    seen = []
    while True:
        response = http("GET", url + (f"&paginationToken={token}" if token else ""))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["workflows"] or "nextPaginationToken" not in body
        seen.append([wf["id"] for wf in body["workflows"]])
        token = body.get("nextPaginationToken")
        if not token:
            return seen


def test_newest_first_and_paged(http, many):
    result = pages(http, "/v1/workflows?pageSize=5")
    assert [len(page) for page in result] == [5, 5, 3]  # 12 made + the fixture demo workflow
    flat = [wf for page in result for wf in page]
    assert flat[:12] == list(reversed(many))


def test_default_page_size_is_50_and_bounds_are_enforced(http, many):
    assert len(http("GET", "/v1/workflows").json()["workflows"]) == 13
    for size in ("0", "101", "abc", "-1"):
        response = http("GET", f"/v1/workflows?pageSize={size}")
        assert response.status_code == 400 and "pageSize" in response.json()["message"]


def test_sort_direction_with_a_status(http, many, fake):
    ascending = pages(http, "/v1/workflows?status=draft&sortDirection=asc&pageSize=100")[0]
    assert ascending == many
    ignored = pages(http, "/v1/workflows?sortDirection=asc&pageSize=100")[0]
    assert ignored[:12] == list(reversed(many))


def test_full_false_omits_flow_and_editor_info(http, many):
    workflows = http("GET", "/v1/workflows?full=false").json()["workflows"]
    assert all("flow" not in wf and "editorInfo" not in wf and "hasFlow" in wf for wf in workflows)
    assert all("flow" in wf for wf in http("GET", "/v1/workflows?full=true").json()["workflows"])


def test_pages_stay_correct_while_workflows_are_added_and_deleted(http, many, fake):
    first = http("GET", "/v1/workflows?pageSize=4").json()
    token = first["nextPaginationToken"]
    # Between pages: one new workflow, one already-seen deleted, one not-yet-seen deleted.
    fake.clock.advance(1)
    http("POST", "/v1/workflows", json={"name": "late", "description": "d"})
    http("DELETE", f"/v1/workflows/{first['workflows'][0]['id']}")
    unseen_victim = many[2]
    http("DELETE", f"/v1/workflows/{unseen_victim}")
    rest = pages(http, "/v1/workflows?pageSize=4", token)
    later_ids = [wf for page in rest for wf in page]
    seen_first = [wf["id"] for wf in first["workflows"]]
    assert not set(seen_first) & set(later_ids)
    assert unseen_victim not in later_ids
    expected = [wf for wf in reversed(many) if wf not in seen_first and wf != unseen_victim]
    assert later_ids[: len(expected)] == expected


def test_forged_or_foreign_tokens_are_400(http, many):
    token = http("GET", "/v1/workflows?pageSize=2").json()["nextPaginationToken"]
    for bad in ("eyJsYXN0S2V5IjoiLi4uIn0=", "garbage!", token[:-3] + "abc"):
        response = http("GET", f"/v1/workflows?pageSize=2&paginationToken={bad}")
        assert response.status_code == 400 and "paginationToken" in response.json()["message"]
    # A token is bound to its listing's filters.
    response = http("GET", f"/v1/workflows?pageSize=2&status=draft&paginationToken={token}")
    assert response.status_code == 400


def test_tags_filter_matches_any_listed_tag(http, many):
    http("PUT", f"/v1/workflows/{many[0]}", json={"tagSet": ["red"]})
    http("PUT", f"/v1/workflows/{many[1]}", json={"tagSet": ["blue", "green"]})
    found = {wf["id"] for wf in http("GET", "/v1/workflows?tags=red,blue").json()["workflows"]}
    assert found == {many[0], many[1]}
