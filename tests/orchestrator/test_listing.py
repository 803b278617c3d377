"""GET /api/v1/workflows/: newest first, total across pages, skip and limit echoed, filters."""

from __future__ import annotations


def test_newest_first_with_total_skip_and_limit(orch, create, advance):
    made = []
    for index in range(5):
        made.append(create(name=f"wf {index}")["id"])
        if index == 2:
            advance(1)  # some share a creation instant: they still list in creation order, newest first
    page = orch.get("/workflows/", params={"skip": 1, "limit": 2}).json()
    assert [w["id"] for w in page["workflows"]] == [made[3], made[2]]
    assert (page["total"], page["skip"], page["limit"]) == (5, 1, 2)
    whole = orch.get("/workflows/").json()
    assert [w["id"] for w in whole["workflows"]] == made[::-1] and (whole["skip"], whole["limit"]) == (0, 50)
    assert orch.get("/workflows/", params={"skip": 10}).json() == {"workflows": [], "total": 5, "skip": 10, "limit": 50}
    assert orch.get("/workflows/", params={"limit": 0}).json()["workflows"] == []


def test_filters_by_status_origin_and_tenant(orch, create):
    a = create(origin_instance="api-prod", origin_tenant_id="tenant-a")["id"]
    b = create(start=False, origin_instance="api-prod", origin_tenant_id="tenant-b")["id"]
    c = create(origin_instance="batch", origin_tenant_id="tenant-a")["id"]

    def ids(**params: str) -> tuple[list[str], int]:
        body = orch.get("/workflows/", params=params).json()
        return [w["id"] for w in body["workflows"]], body["total"]

    assert ids(status="PENDING") == ([b], 1)
    assert ids(status="RUNNING") == ([c, a], 2)
    assert ids(origin_instance="api-prod") == ([b, a], 2)
    assert ids(origin_tenant_id="tenant-a") == ([c, a], 2)
    assert ids(origin_instance="api-prod", origin_tenant_id="tenant-a", status="RUNNING") == ([a], 1)
    assert ids(origin_instance="nowhere") == ([], 0)
    orch.delete(f"/workflows/{a}")
    assert ids(status="CANCELLED") == ([a], 1) and ids(status="RUNNING") == ([c], 1)


def test_a_cleaned_up_workflow_is_listed_only_with_include_deleted(orch, create):
    pending = create(start=False)["id"]
    orch.post(f"/workflows/{pending}/cleanup")
    assert orch.get("/workflows/", params={"status": "PENDING"}).json()["total"] == 0
    with_deleted = orch.get("/workflows/", params={"status": "PENDING", "include_deleted": "true"}).json()
    assert [w["id"] for w in with_deleted["workflows"]] == [pending] and with_deleted["workflows"][0]["is_deleted"]
