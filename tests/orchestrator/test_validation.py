"""Refusals as a FastAPI service of this shape sends them: 422 validation details, auth, 404, 405, trailing slash."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from mockserver.core.transport import SyncASGITransport
from mockserver.server.app import create_app
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings

STEP = {"id": "generate", "task_type": "GENERATION", "config": {}}
BASE = {"name": "Pipeline", "origin_instance": "api-prod", "steps": [STEP]}


def _detail(answer: httpx.Response) -> list[dict]:
    assert answer.status_code == 422, answer.text
    return answer.json()["detail"]


def _refused_dag(orch: httpx.Client, steps: list[dict]) -> str:
    (error,) = _detail(orch.post("/workflows/", json={**BASE, "steps": steps}))
    assert (error["type"], error["loc"]) == ("value_error", ["body", "steps"])
    assert error["msg"].startswith("Value error, ") and error["ctx"] == {"error": {}}
    return error["msg"].removeprefix("Value error, ")


def test_missing_body_and_fields_are_reported_as_pydantic_does(orch):
    assert _detail(orch.post("/workflows/")) == [
        {"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}
    ]
    errors = _detail(orch.post("/workflows/", json={"name": "x" * 256, "steps": [{"task_type": "REFINE"}]}))
    assert [(e["type"], e["loc"]) for e in errors] == [
        ("string_too_long", ["body", "name"]),
        ("missing", ["body", "steps", 0, "id"]),
        ("missing", ["body", "steps", 0, "config"]),
        ("missing", ["body", "origin_instance"]),
    ]
    assert errors[0]["msg"] == "String should have at most 255 characters" and errors[0]["ctx"] == {"max_length": 255}


def test_types_and_enums_keep_to_json_types(orch):
    body = {**BASE, "suppress_subtask_events": "true", "steps": [{**STEP, "task_type": "PAINT", "max_retries": "3"}]}
    errors = _detail(orch.post("/workflows/", json=body))
    assert [(e["type"], e["loc"]) for e in errors] == [
        ("enum", ["body", "steps", 0, "task_type"]),
        ("int_type", ["body", "steps", 0, "max_retries"]),
        ("bool_type", ["body", "suppress_subtask_events"]),
    ]
    assert errors[0]["msg"].startswith("Input should be 'GENERATION', 'REFINE', ")
    assert _detail(orch.post("/workflows/", json={**BASE, "steps": []}))[0]["type"] == "too_short"
    too_many = _detail(orch.post("/workflows/", json={**BASE, "steps": [{**STEP, "max_retries": 11}]}))
    assert too_many[0]["type"] == "less_than_equal"


def test_dag_rules_name_the_step(orch):
    assert _refused_dag(orch, [STEP, STEP]) == (
        "Duplicate step id 'generate': step ids must be unique within a workflow"
    )
    assert _refused_dag(orch, [{**STEP, "depends_on": ["upscale"]}]) == (
        "Step 'generate' depends on unknown step 'upscale'"
    )
    cycle = [{**STEP, "id": "a", "depends_on": ["c"]}, {**STEP, "id": "b", "depends_on": ["a"]}]
    cycle.append({**STEP, "id": "c", "depends_on": ["b"]})
    assert (
        _refused_dag(orch, cycle)
        == "Steps form a dependency cycle: 'a' -> 'c' -> 'b' -> 'a' (step 'a' can never start)"
    )
    assert _refused_dag(orch, [{**STEP, "depends_on": ["generate"]}]).startswith("Steps form a dependency cycle")
    mapping = {"from_step": "a", "from_field": "result_image_path", "to_field": "image_url"}
    unrelated = [{**STEP, "id": "a"}, {**STEP, "id": "b", "input_mappings": [mapping]}]
    assert _refused_dag(orch, unrelated) == (
        "Step 'b' maps input from step 'a', which is not one of its dependencies: add 'a' to its depends_on"
    )
    chain = [{**STEP, "id": "a"}, {**STEP, "id": "b", "depends_on": ["a"]}]
    chain.append({**STEP, "id": "c", "depends_on": ["b"], "input_mappings": [mapping]})
    assert orch.post("/workflows/", json={**BASE, "steps": chain}).status_code == 200  # an indirect dependency will do
    assert orch.get("/workflows/").json()["total"] == 1  # nothing refused was created


def test_malformed_bodies(orch):
    bad_json = orch.post("/workflows/", content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert _detail(bad_json) == [
        {
            "type": "json_invalid",
            "loc": ["body", 9],
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": "Expecting value"},
        }
    ]
    text = orch.post("/workflows/", content=b"name=x", headers={"Content-Type": "text/plain"})
    assert _detail(text)[0]["type"] == "model_attributes_type"
    undecodable = orch.post("/workflows/", content=b'{"name": "\xff"}', headers={"Content-Type": "application/json"})
    assert (undecodable.status_code, undecodable.json()) == (400, {"detail": "There was an error parsing the body"})
    listed = orch.get("/workflows/", params={"limit": "ten", "skip": "-1", "status": "DONE", "include_deleted": "1"})
    assert [(e["type"], e["loc"]) for e in _detail(listed)] == [
        ("enum", ["query", "status"]),
        ("bool_parsing", ["query", "include_deleted"]),
        ("greater_than_equal", ["query", "skip"]),
        ("int_parsing", ["query", "limit"]),
    ]


def test_update_changes_only_its_three_fields(orch, create):
    workflow = create(description="first")
    changed = orch.patch(
        f"/workflows/{workflow['id']}",
        json={"name": "Renamed", "webhook_url": "https://hooks.example/wf", "status": "COMPLETED", "config": {"a": 1}},
    ).json()
    assert (changed["name"], changed["webhook_url"], changed["description"]) == (
        "Renamed",
        "https://hooks.example/wf",
        "first",
    )
    assert changed["status"] == "RUNNING" and changed["config"] == {}
    cleared = orch.patch(f"/workflows/{workflow['id']}", json={"name": None, "description": None}).json()
    assert (cleared["name"], cleared["description"]) == ("Renamed", None)
    assert _detail(orch.patch(f"/workflows/{workflow['id']}", json={"name": ""}))[0]["type"] == "string_too_short"
    assert orch.patch("/workflows/nope", json={}).json() == {"detail": "Workflow not found"}


def test_unknown_workflows_methods_and_paths(orch):
    for method, url in (("GET", "/workflows/nope"), ("DELETE", "/workflows/nope"), ("POST", "/workflows/nope/start")):
        answer = orch.request(method, url)
        assert (answer.status_code, answer.json()) == (404, {"detail": "Workflow not found"})
    put = orch.put("/workflows/nope", json={})
    assert (put.status_code, put.json()) == (405, {"detail": "Method Not Allowed"})
    assert put.headers["allow"] == "GET, DELETE, PATCH"
    assert (orch.get("/pipelines").status_code, orch.get("/pipelines").json()) == (404, {"detail": "Not Found"})


def test_the_collection_without_its_trailing_slash_redirects(orch):
    answer = orch.get("/workflows")
    assert answer.status_code == 307 and answer.headers["location"] == "http://testserver/api/v1/workflows/"
    followed = orch.post("/workflows", json=BASE, follow_redirects=True)
    assert followed.status_code == 200 and followed.json()["status"] == "RUNNING"


def _jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.signature"


@pytest.mark.parametrize(
    ("authorization", "status", "detail"),
    [
        (None, 401, "Not authenticated"),
        ("Bearer", 401, "Not authenticated"),
        ("Basic a2V5X2FsaWNlOnNlY3JldF9hbGljZQ==", 401, "Not authenticated"),
        ("Bearer not-a-token", 401, "Could not validate credentials"),
        ("Bearer " + _jwt({"sub": "user_nobody"}), 401, "Could not validate credentials"),
        ("Bearer " + _jwt({"sub": "user_bob"}), 200, None),
        ("bearer token_eve", 200, None),
    ],
)
def test_http_bearer(transport, authorization, status, detail):
    headers = {"Authorization": authorization} if authorization else {}
    with httpx.Client(transport=transport, base_url="http://testserver/api/v1") as client:
        answer = client.get("/workflows/", headers=headers)
    assert answer.status_code == status
    if detail:
        assert answer.json() == {"detail": detail} and answer.headers["www-authenticate"] == "Bearer"


def test_legacy_fastapi_answers_403():
    fake = Fake(Settings(clock_mode="manual", orchestrator_auth_status=403))
    transport = SyncASGITransport(create_app(fake))
    try:
        with httpx.Client(transport=transport, base_url="http://testserver/api/v1") as client:
            missing = client.get("/workflows/")
            other_scheme = client.get("/workflows/", headers={"Authorization": "Basic eDp5"})
            bad_token = client.get("/workflows/", headers={"Authorization": "Bearer nope"})
    finally:
        transport.close()
    assert (missing.status_code, missing.json()) == (403, {"detail": "Not authenticated"})
    assert "www-authenticate" not in missing.headers
    assert (other_scheme.status_code, other_scheme.json()) == (403, {"detail": "Invalid authentication credentials"})
    assert bad_token.status_code == 401  # the service's own token check is not HTTPBearer's
    assert not [e for e in fake.journal.entries() if e.response_violations]


def test_injected_http_errors_use_fastapi_s_envelope(orch, create, transport):
    workflow_id = create()["id"]
    rule = {"kind": "http-error", "status": 503, "match": {"workflowId": workflow_id, "method": "GET"}, "count": 1}
    with httpx.Client(transport=transport, base_url="http://testserver") as control:
        assert control.post("/_mock/faults", json=rule).status_code == 201
    injected = orch.get(f"/workflows/{workflow_id}")
    assert injected.status_code == 503 and set(injected.json()) == {"detail"}
    assert orch.get(f"/workflows/{workflow_id}").status_code == 200
