"""The per-verb tools of Scenario's hosted MCP server, each driven through ``mcp.ClientSession`` in memory and
over Streamable HTTP, with the refusals the API gives."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import ClientSession

from mockserver.core.principals import Principal
from mockserver.server.fake import Fake
from tests.mcp.conftest import McpTarget, call, refusal

pytestmark = pytest.mark.anyio

TOOLS = {
    "assets_list",
    "asset_get",
    "assets_get_bulk",
    "asset_display",
    "asset_download",
    "upload_asset",
    "upload_asset_complete",
    "assets_delete",
    "manage_workflows",
    "workflows_list",
    "workflow_get",
    "workflow_run",
    "workflow_create",
    "workflow_update",
    "workflow_publish",
    "workflow_copy",
    "workflow_approve",
    "workflow_reject",
    "workflow_delete",
    "jobs_wait",
    "teams_list",
    "projects_list",
}
INPUTS = [{"name": "prompt", "type": "string", "required": {"always": True}}]
EDITOR_INFO = {
    "nodes": [
        {
            "id": "node_a",
            "type": "custom-model",
            "position": {"x": 0, "y": 0},
            "data": {
                "modelId": "model_poster",
                "inputs": [{"name": "prompt", "type": "string", "ref": {"node": "workflow", "name": "prompt"}}],
            },
        },
        {
            "id": "node_b",
            "type": "remove-background",
            "data": {
                "inputs": [{"name": "image", "type": "file", "ref": {"node": "node_a", "name": "image"}}],
            },
        },
    ],
    "edges": [{"source": "node_a", "target": "node_b"}],
}


async def approval_job(session: ClientSession, target: McpTarget) -> str:
    """A run of the demo poster parked on its review node."""
    job_id = (await call(session, "workflow_run", workflow_id="workflow_demo_poster", inputs={"prompt": "a fox"}))[
        "job"
    ]["jobId"]
    for _ in range(120):
        target.advance(1)
        job = target.fake.scenario.store.get_job(job_id)
        if job is not None and job.node("node_review").status == "processing":
            return job_id
    raise AssertionError("the review node never started")


def lock(fake: Fake, workflow_id: str) -> None:
    """Lock a workflow as its author would (the MCP tools do not lock)."""
    with fake.lock:
        fake.scenario.workflows.update(Principal("user_alice", "proj_demo", "editor"), workflow_id, {"isLocked": True})


async def test_every_tool_is_listed_with_a_schema_to_validate_against(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert set(tools) == TOOLS
    copy = tools["workflow_copy"].inputSchema
    assert copy["required"] == ["source_workflow_id"] and copy["additionalProperties"] is False
    assert tools["workflows_list"].inputSchema["properties"]["limit"]["maximum"] == 200
    assert tools["jobs_wait"].inputSchema["properties"]["job_ids"]["maxItems"] == 32
    assert set(tools["workflow_approve"].inputSchema["required"]) == {"workflow_id", "workflow_job_id", "node_id"}
    assert all(tool.description for tool in tools.values())


async def test_list_and_get(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        page = await call(session, "workflows_list", status="ready", limit=3)
        assert [workflow["id"] for workflow in page["workflows"]] == ["workflow_demo_poster"]
        assert page["workflows"][0]["inputs"][0]["name"] == "prompt" and "editorInfo" in page["workflows"][0]
        got = (await call(session, "workflow_get", workflow_id="workflow_demo_poster"))["workflow"]
        assert got["inputs_definition"][0]["name"] == "prompt" and got["editor_info"] == {}
        assert "inputs" not in got and got["hasFlow"] is True
        message = await refusal(session, "workflow_get", workflow_id="workflow_nope")
        assert "workflow_nope" in message and "not found" in message


async def test_create_publish_dry_run_run_and_wait(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        created = await call(
            session,
            "workflow_create",
            name="Import",
            description="d",
            inputs_definition=INPUTS,
            editor_info=EDITOR_INFO,
        )
        workflow = created["workflow"]
        assert workflow["status"] == "draft" and workflow["hasFlow"] is False
        assert "workflow_publish" in created["_publishHint"] and workflow["id"] in created["_publishHint"]
        assert "draft" in await refusal(session, "workflow_run", workflow_id=workflow["id"], inputs={"prompt": "x"})

        published = (await call(session, "workflow_publish", workflow_id=workflow["id"]))["workflow"]
        assert published["status"] == "ready"
        assert [(node["id"], node.get("dependsOn")) for node in published["flow"]] == [
            ("node_a", None),
            ("node_b", ["node_a"]),
        ]
        assert "position" not in published["flow"][0]

        jobs_before = len(mcp_target.fake.scenario.store.all_jobs())
        priced = await call(session, "workflow_run", workflow_id=workflow["id"], inputs={"prompt": "x"}, dry_run=True)
        assert priced["creativeUnitsCost"] > 0 and priced["creativeUnitsDiscount"] == 0 and priced["job"] == {}
        assert len(mcp_target.fake.scenario.store.all_jobs()) == jobs_before

        run = await call(session, "workflow_run", workflow_id=workflow["id"], inputs={"prompt": "x"})
        job_id = run["job"]["jobId"]
        assert run["workflow"]["id"] == workflow["id"]
        waited = await call(session, "jobs_wait", job_ids=[job_id])
        assert waited == {"jobs": [], "pending_job_ids": [job_id], "timed_out": True}
        mcp_target.advance(600)
        waited = await call(session, "jobs_wait", job_ids=waited["pending_job_ids"])
        assert [job["status"] for job in waited["jobs"]] == ["success"] and waited["pending_job_ids"] == []


async def test_update_keeps_the_api_rules(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        workflow_id = (await call(session, "workflow_create", name="w", description="d"))["workflow"]["id"]
        updated = await call(session, "workflow_update", workflow_id=workflow_id, name="renamed")
        assert updated["workflow"]["name"] == "renamed" and "_publishHint" not in updated
        message = await refusal(session, "workflow_update", workflow_id=workflow_id, editor_info={"nodes": []})
        assert "editor_info.nodes must be a non-empty array" in message
        bad_type = {"nodes": [{"id": "n", "type": "teleport"}], "edges": [{"source": "n", "target": "n"}]}
        assert "teleport" in await refusal(session, "workflow_update", workflow_id=workflow_id, editor_info=bad_type)
        assert "Nothing to update" in await refusal(session, "workflow_update", workflow_id=workflow_id)
        assert "name is required" in await refusal(session, "workflow_create", description="d")
    lock(mcp_target.fake, workflow_id)
    async with mcp_target.session("bob") as session:
        message = await refusal(session, "workflow_update", workflow_id=workflow_id, name="x")
        assert "locked" in message
        assert "locked" in await refusal(session, "workflow_delete", workflow_id=workflow_id)


async def test_copy_takes_source_workflow_id(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        copy = (await call(session, "workflow_copy", source_workflow_id="workflow_demo_poster", name="Mine"))[
            "workflow"
        ]
        source = (await call(session, "workflow_get", workflow_id="workflow_demo_poster"))["workflow"]
        assert copy["id"] != source["id"] and copy["name"] == "Mine" and copy["status"] == "ready"
        assert copy["flow"] == source["flow"] and copy["inputs"] == source["inputs_definition"]
        message = await refusal(session, "workflow_copy", workflow_id="workflow_demo_poster")
        assert "source_workflow_id" in message


async def test_approve_and_reject_a_parked_run(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        approved_job = await approval_job(session, mcp_target)
        decision: dict[str, Any] = {"workflow_id": "workflow_demo_poster", "node_id": "node_review"}
        job = (await call(session, "workflow_approve", workflow_job_id=approved_job, **decision))["job"]
        assert {node["id"]: node["status"] for node in job["metadata"]["flow"]}["node_review"] == "success"
        again = await refusal(session, "workflow_reject", workflow_job_id=approved_job, **decision)
        assert "not waiting for approval" in again

        rejected_job = await approval_job(session, mcp_target)
        job = (await call(session, "workflow_reject", workflow_job_id=rejected_job, **decision))["job"]
        assert job["status"] == "canceled"
        wrong_node = {**decision, "node_id": "node_generate"}
        assert "not a user-approval node" in await refusal(
            session, "workflow_approve", workflow_job_id=approved_job, **wrong_node
        )
        assert "required" in await refusal(session, "workflow_approve", workflow_id="workflow_demo_poster")


async def test_delete(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        workflow_id = (await call(session, "workflow_create", name="w", description="d"))["workflow"]["id"]
        assert await call(session, "workflow_delete", workflow_id=workflow_id) == {
            "success": True,
            "workflow_id": workflow_id,
        }
        assert "not found" in await refusal(session, "workflow_get", workflow_id=workflow_id)


async def test_a_reader_reads_and_runs_but_does_not_write(mcp_target: McpTarget) -> None:
    async with mcp_target.session("carol") as session:
        assert (await call(session, "workflows_list", limit=1))["workflows"]
        assert "reader" in await refusal(session, "workflow_create", name="w", description="d")
        assert "reader" in await refusal(session, "workflow_update", workflow_id="workflow_demo_poster", name="x")
        assert "reader" in await refusal(session, "workflow_delete", workflow_id="workflow_demo_poster")
        assert "reader" in await refusal(session, "workflow_publish", workflow_id="workflow_demo_poster")
        assert "reader" in await refusal(session, "workflow_copy", source_workflow_id="workflow_demo_poster")
        run = await call(session, "workflow_run", workflow_id="workflow_demo_poster", inputs={"prompt": "x"})
        assert run["job"]["status"] == "queued"


async def test_a_caller_without_credentials_is_refused(mcp_target: McpTarget) -> None:
    async with mcp_target.session(None) as session:
        assert "Invalid or missing API key" in await refusal(session, "workflows_list")
        assert "Invalid or missing API key" in await refusal(session, "teams_list")


async def test_unknown_arguments_and_values_are_refused(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        assert "bogus" in await refusal(session, "workflows_list", bogus=1)
        assert "limit" in await refusal(session, "workflows_list", limit=201)
        assert "job_ids" in await refusal(session, "jobs_wait", job_ids=[f"job_{n}" for n in range(33)])
        message = await refusal(session, "workflow_run", workflow_id="workflow_demo_poster", inputs={})
        assert "prompt" in message
        assert "team_nope" in await refusal(session, "workflows_list", team_id="team_nope")
        assert "proj_other" in await refusal(session, "workflows_list", project_id="proj_other")


async def test_teams_and_projects(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        teams = (await call(session, "teams_list"))["teams"]
        assert teams == [
            {"id": "team_mockserver", "name": "Mockserver", "projects": [{"id": "proj_demo", "name": "Demo project"}]}
        ]
        projects = await call(session, "projects_list", team_id="team_mockserver")
        assert projects == {"projects": [{"id": "proj_demo", "name": "Demo project"}]}
        assert "team_id" in await refusal(session, "projects_list")
        assert "not found" in await refusal(session, "projects_list", team_id="team_other")
        scoped = await call(session, "workflows_list", team_id="team_mockserver", project_id="proj_demo", limit=1)
        assert scoped["workflows"]
