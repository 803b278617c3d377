"""Client verification: the journal catches a misspelled or unknown field, keeps the bodies (bounded, secrets
redacted), and can be filtered; strict requests answer such a field 400 in the API's envelope."""

from __future__ import annotations

import json

import pytest

from mockserver.core.journal import REQUEST_BODY_BYTES, RESPONSE_BODY_BYTES
from mockserver.server.settings import Settings


def _journal(http, **filters) -> list[dict]:
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    answer = http("GET", f"/_mock/journal?{query}", who=None)
    assert answer.status_code == 200, answer.text
    return answer.json()["entries"]


def _new_workflow(http) -> str:
    created = http("POST", "/v1/workflows?projectId=proj_demo", json={"name": "Typos", "description": "d"})
    assert created.status_code == 200, created.text
    return created.json()["workflow"]["id"]


def test_a_misspelled_body_field_sent_by_the_sdk_is_flagged_with_the_field_meant(sdk, http):
    workflow_id = _new_workflow(http)
    updated = sdk("alice").workflows.update(workflow_id, project_id="proj_demo", extra_body={"short_description": "x"})
    assert updated.workflow.short_description != "x"  # the real API ignores it: the client's bug goes unseen
    (entry,) = _journal(http, operation="updateWorkflow")
    assert entry["verdict"] == "violates"
    assert entry["unknownFields"] == [
        "`short_description` is not a field of updateWorkflow's body; did you mean `shortDescription`?"
    ]
    report = http("GET", "/_mock/journal/report?format=json", who=None).json()
    (finding,) = [f for f in report["violations"] if f["operation"] == "updateWorkflow"]
    assert "did you mean `shortDescription`?" in finding["reasons"][0]
    text = http("GET", "/_mock/journal/report", who=None).text
    assert "`short_description` is not a field of updateWorkflow's body" in text


def test_an_unknown_query_parameter_is_flagged_and_a_known_one_is_not(http):
    assert http("GET", "/v1/jobs?pagesize=5").status_code == 200
    assert http("GET", "/v1/jobs?pageSize=5&bogus=1").status_code == 200
    first, second = _journal(http)
    assert first["unknownFields"] == ["`pagesize` is not a query parameter of listJobs; did you mean `pageSize`?"]
    assert second["unknownFields"] == ["`bogus` is not a query parameter of listJobs"]
    assert http("GET", "/v1/jobs?pageSize=5").status_code == 200
    assert _journal(http)[-1]["unknownFields"] == [] and _journal(http)[-1]["verdict"] == "conforms"


def test_a_free_form_body_is_not_checked_for_unknown_fields(http):
    """runWorkflow's body is the workflow's inputs by name: the contract declares no fields to compare with."""
    http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": "asset_x", "anything": 1})
    assert _journal(http, operation="runWorkflow")[0]["unknownFields"] == []


@pytest.mark.parametrize("settings", [Settings(clock_mode="manual", strict_requests=True)])
def test_strict_requests_answer_an_unknown_field_400_in_the_apis_envelope(http, fake):
    workflow_id = _new_workflow(http)
    refused = http("PUT", f"/v1/workflows/{workflow_id}", json={"short_description": "x"})
    assert refused.status_code == 400
    assert refused.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": "`short_description` is not a field of updateWorkflow's body; did you mean `shortDescription`?",
    }
    assert http("GET", "/v1/jobs?pagesize=2").status_code == 400
    assert http("GET", "/v1/jobs?pageSize=2").status_code == 200
    assert fake.scenario.store.get_workflow(workflow_id).short_description != "x"

    # The orchestrator refuses as a FastAPI model forbidding extra fields does.
    orchestrated = http("GET", "/api/v1/workflows/?limt=2", who=None, headers={"Authorization": "Bearer token_alice"})
    assert orchestrated.status_code == 422
    assert orchestrated.json() == {
        "detail": [
            {"type": "extra_forbidden", "loc": ["query", "limt"], "msg": "Extra inputs are not permitted", "input": "2"}
        ]
    }
    (entry,) = _journal(http, status=422)
    assert entry["unknownFields"] == [
        "`limt` is not a query parameter of list_workflows_api_v1_workflows__get; did you mean `limit`?"
    ]


def test_entries_keep_both_bodies_bounded_and_say_who_called(http):
    workflow_id = _new_workflow(http)
    long_description = "d" * (REQUEST_BODY_BYTES * 2)
    http("PUT", f"/v1/workflows/{workflow_id}", json={"description": long_description}, who="bob")
    created, updated = _journal(http)
    assert json.loads(created["requestBody"]) == {"name": "Typos", "description": "d"}
    assert json.loads(created["responseBody"])["workflow"]["id"] == workflow_id
    assert created["principal"] == "user_alice" and updated["principal"] == "user_bob"
    for body, bound in ((updated["requestBody"], REQUEST_BODY_BYTES), (updated["responseBody"], RESPONSE_BODY_BYTES)):
        kept, mark = body.split("…")
        assert len(kept.encode()) == bound and mark.startswith("[truncated: ") and mark.endswith(" bytes in all]")
    assert _journal(http, operation="getJob") == []
    assert http("GET", "/v1/jobs").status_code == 200
    assert _journal(http, operation="listJobs")[0]["requestBody"] is None


def test_secrets_in_bodies_are_redacted(http):
    workflow_id = _new_workflow(http)
    body = {"name": "n", "apiSecret": "s3cret", "webhook_secret": "whsec_1", "accessToken": "tok", "tagSet": ["a"]}
    http("PUT", f"/v1/workflows/{workflow_id}", json=body)
    entry = _journal(http, operation="updateWorkflow")[0]
    kept = json.loads(entry["requestBody"])
    assert kept == {**body, "apiSecret": "[redacted]", "webhook_secret": "[redacted]", "accessToken": "[redacted]"}
    assert "s3cret" not in json.dumps(entry) and "whsec_1" not in json.dumps(entry)


def test_the_journal_is_filtered_by_operation_status_verdict_and_principal(http):
    http("GET", "/v1/jobs")
    http("GET", "/v1/jobs/job_missing", who="bob")
    http("GET", "/v1/jobs?pagesize=1")
    assert [e["status"] for e in _journal(http, operation="getJob")] == [404]
    assert len(_journal(http, operation="listJobs")) == 2
    assert [e["path"] for e in _journal(http, status=404)] == ["/v1/jobs/job_missing"]
    assert [e["query"] for e in _journal(http, verdict="violates")] == ["pagesize=1"]
    assert [e["path"] for e in _journal(http, principal="user_bob")] == ["/v1/jobs/job_missing"]
    assert (
        _journal(http, operation="listJobs", verdict="conforms", principal="user_alice", status=200)[0]["query"] == ""
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("operation=listjobs", "operation 'listjobs' is no operation of the fake's APIs; did you mean listJobs?"),
        ("status=abc", "status must be an HTTP status, 100 to 999"),
        ("status=20", "status must be an HTTP status, 100 to 999"),
        ("status=%D9%A2%D9%A0%D9%A0", "status must be an HTTP status, 100 to 999"),
        ("verdict=ok", "verdict must be one of: conforms, violates, not-in-contract"),
        ("principal=" + "x" * 201, "principal must be a user id of 1 to 200 printable characters"),
        ("principal=", "principal must be a user id of 1 to 200 printable characters"),
        ("opration=listJobs", "Unknown query parameters: opration"),
        ("since=-1", "since must be a whole number of at most 18 digits"),
    ],
)
def test_bad_journal_filters_get_400_with_what_is_wrong(http, query, message):
    answer = http("GET", f"/_mock/journal?{query}", who=None)
    assert answer.status_code == 400 and answer.json()["message"] == message


def test_a_request_refused_for_breaking_the_contract_still_has_its_unknown_fields_journaled(http):
    workflow_id = _new_workflow(http)
    refused = http("PUT", f"/v1/workflows/{workflow_id}", json={"name": 5, "nmae": "x"})
    assert refused.status_code == 400 and "name" in refused.json()["message"]
    (entry,) = _journal(http, operation="updateWorkflow")
    assert entry["requestViolations"] and entry["verdict"] == "violates"
    assert entry["unknownFields"] == ["`nmae` is not a field of updateWorkflow's body; did you mean `name`?"]
