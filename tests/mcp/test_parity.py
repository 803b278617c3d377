"""One scenario played through REST and through MCP on two fresh fakes: the same final state, and the same
operations in the journal (each tool call standing for the REST operation it performs)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.server.fake import Fake
from mockserver.server.settings import Settings
from mockserver.testing import MockHandle
from tests.mcp.conftest import call

pytestmark = pytest.mark.anyio

# The REST operation each tool call of the scenario performs.
TOOL_OPERATIONS = {
    "workflow_create": "createWorkflow",
    "workflow_update": "updateWorkflow",
    "workflow_publish": "updateWorkflow",
    "workflow_run": "runWorkflow",
    "workflow_approve": "userApproval",
    "jobs_wait": "getJob",
    "workflow_delete": "deleteWorkflow",
    "workflows_list": "listWorkflows",
}
INPUTS = [{"name": "prompt", "type": "string", "required": {"always": True}}]
FLOW = [
    {
        "id": "node_a",
        "type": "custom-model",
        "modelId": "model_poster",
        "inputs": [{"name": "prompt", "type": "string", "ref": {"node": "workflow", "name": "prompt"}}],
    }
]
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


@pytest.fixture
def fakes() -> Iterator[tuple[MockHandle, MockHandle]]:
    rest, mcp = (MockHandle(Fake(Settings(clock_mode="manual", seed=7))) for _ in range(2))
    yield rest, mcp
    rest.close()
    mcp.close()


def play_rest(handle: MockHandle) -> None:
    http = handle.http("alice")

    def ok(response: Any) -> Any:
        assert response.status_code in (200, 402), response.text
        return response.json()

    workflow_id = ok(http.post("/v1/workflows", json={"name": "Parity", "description": "d"}))["workflow"]["id"]
    ok(http.put(f"/v1/workflows/{workflow_id}", json={"flow": FLOW, "inputs": INPUTS}))
    ok(http.put(f"/v1/workflows/{workflow_id}", json={"status": "ready"}))
    ok(http.put(f"/v1/workflows/{workflow_id}/run?dryRun=true", json={"prompt": "x"}))
    job_id = ok(http.put(f"/v1/workflows/{workflow_id}/run", json={"prompt": "x"}))["job"]["jobId"]
    handle.advance(600)
    ok(http.get(f"/v1/jobs/{job_id}"))
    review = ok(http.put("/v1/workflows/workflow_demo_poster/run", json={"prompt": "a fox"}))["job"]["jobId"]
    handle.advance(60)
    decision = {"workflowJobId": review, "nodeId": "node_review", "action": "approve"}
    ok(http.put("/v1/workflows/workflow_demo_poster/user-approval", json=decision))
    handle.advance(600)
    ok(http.get(f"/v1/jobs/{review}"))
    ok(http.delete(f"/v1/workflows/{workflow_id}"))
    ok(http.get("/v1/workflows?pageSize=20"))


async def play_mcp(handle: MockHandle) -> None:
    async with handle.mcp_session("alice") as session:
        workflow_id = (await call(session, "workflow_create", name="Parity", description="d"))["workflow"]["id"]
        await call(session, "workflow_update", workflow_id=workflow_id, flow=FLOW, inputs_definition=INPUTS)
        await call(session, "workflow_publish", workflow_id=workflow_id)
        await call(session, "workflow_run", workflow_id=workflow_id, inputs={"prompt": "x"}, dry_run=True)
        job_id = (await call(session, "workflow_run", workflow_id=workflow_id, inputs={"prompt": "x"}))["job"]["jobId"]
        handle.advance(600)
        assert (await call(session, "jobs_wait", job_ids=[job_id]))["pending_job_ids"] == []
        run = await call(session, "workflow_run", workflow_id="workflow_demo_poster", inputs={"prompt": "a fox"})
        handle.advance(60)
        decision = {"workflow_id": "workflow_demo_poster", "workflow_job_id": run["job"]["jobId"]}
        await call(session, "workflow_approve", node_id="node_review", **decision)
        handle.advance(600)
        await call(session, "jobs_wait", job_ids=[run["job"]["jobId"]])
        await call(session, "workflow_delete", workflow_id=workflow_id)
        await call(session, "workflows_list", limit=20)


def comparable(snapshot: dict[str, Any]) -> Any:
    """The state without the clock, every moment written alike: the two fakes started a moment apart."""
    state = {name: part for name, part in snapshot.items() if name != "clock"}
    return json.loads(ISO_TIME.sub("<time>", json.dumps(state, sort_keys=True)))


async def test_rest_and_mcp_end_in_the_same_state_through_the_same_operations(
    fakes: tuple[MockHandle, MockHandle],
) -> None:
    rest, mcp = fakes
    play_rest(rest)
    await play_mcp(mcp)

    rest_state, mcp_state = comparable(rest.snapshot()), comparable(mcp.snapshot())
    assert {job["status"] for job in mcp_state["jobs"]} == {"success"} and len(mcp_state["jobs"]) > 2
    assert rest_state == mcp_state

    rest_operations = [(entry.operation_id, entry.via) for entry in rest.journal()]
    mcp_operations = [(entry.operation_id, entry.via) for entry in mcp.journal()]
    assert {via for _, via in rest_operations} == {"rest"} and {via for _, via in mcp_operations} == {"mcp"}
    assert [operation for operation, _ in rest_operations] == [TOOL_OPERATIONS[tool] for tool, _ in mcp_operations]
