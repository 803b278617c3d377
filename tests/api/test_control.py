"""The control plane under /_mock: reset, clock, fault rules and the journal."""

from __future__ import annotations


def test_reset_returns_to_the_fixtures(http):
    made = http("POST", "/v1/workflows", json={"name": "w", "description": "d"}).json()["workflow"]["id"]
    assert http("POST", "/_mock/reset", who=None).status_code == 200
    assert http("GET", f"/v1/workflows/{made}").status_code == 404
    assert http("GET", "/v1/workflows/workflow_bg_remover").status_code == 200


def test_clock_advance_and_modes(http):
    before = http("GET", "/_mock/clock", who=None).json()
    after = http("POST", "/_mock/clock/advance", who=None, json={"seconds": 90}).json()
    assert after["mode"] == "manual" and after["now"] > before["now"]
    assert http("POST", "/_mock/clock/advance", who=None, json={"seconds": -1}).status_code == 400
    assert http("POST", "/_mock/clock/advance", who=None, json={"mode": "warp"}).status_code == 400
    assert http("POST", "/_mock/clock/advance", who=None, json={"mode": "instant"}).json()["mode"] == "instant"


def test_instant_mode_finishes_jobs_as_soon_as_they_are_read(http):
    http("POST", "/_mock/clock/advance", who=None, json={"mode": "instant"})
    job = http("PUT", "/v1/workflows/workflow_product_shot/run", json={"prompt": "x"}).json()["job"]
    assert http("GET", f"/v1/jobs/{job['jobId']}").json()["job"]["status"] == "success"


def test_fault_rules_over_http(http, fake):
    rule = {"kind": "node-failure", "match": {"workflowId": "workflow_bg_remover"}, "count": 1, "error": "Boom"}
    created = http("POST", "/_mock/faults", who=None, json=rule)
    assert created.status_code == 201
    fault_id = created.json()["fault"]["id"]
    assert [f["id"] for f in http("GET", "/_mock/faults", who=None).json()["faults"]] == [fault_id]
    bad = http("POST", "/_mock/faults", who=None, json={"kind": "meteor"})
    assert bad.status_code == 400 and "kind" in bad.json()["message"]
    assert http("DELETE", f"/_mock/faults/{fault_id}", who=None).status_code == 200
    assert http("DELETE", f"/_mock/faults/{fault_id}", who=None).status_code == 404


def test_journal_records_verdicts(http):
    http("GET", "/v1/workflows?pageSize=500")
    http("GET", "/v1/workflows")
    http("POST", "/v1/search/assets", json={})
    entries = http("GET", "/_mock/journal", who=None).json()["entries"]
    assert entries[0]["verdict"] == "violates" and "pageSize" in entries[0]["requestViolations"][0]
    assert entries[1]["verdict"] == "conforms" and entries[1]["operationId"] == "listWorkflows"
    assert entries[2]["verdict"] == "not-in-contract" and entries[2]["looksLike"] == "searchWorkflows"
    since = entries[1]["id"]
    assert [e["id"] for e in http("GET", f"/_mock/journal?since={since}", who=None).json()["entries"]] == [
        entries[2]["id"]
    ]
