"""``manage_workflows``, every action as its tool reference documents it, through ``mcp.ClientSession`` in
memory and over Streamable HTTP."""

from __future__ import annotations

import pytest

from tests.mcp.conftest import McpTarget, call, refusal
from tests.mcp.test_workflow_tools import EDITOR_INFO, INPUTS, approval_job, lock

pytestmark = pytest.mark.anyio
MANAGE = "manage_workflows"


async def test_the_action_enum_is_the_documented_one(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        tool = next(tool for tool in (await session.list_tools()).tools if tool.name == MANAGE)
        properties = tool.inputSchema["properties"]
        assert properties["action"]["enum"] == [
            "list", "get", "create", "update", "delete", "run", "approve", "reject", "publish"
        ]  # fmt: skip
        assert properties["limit"]["default"] == 20 and properties["limit"]["maximum"] == 200
        assert tool.inputSchema["required"] == ["action"]
        assert "bogus" in await refusal(session, MANAGE, action="bogus")


async def test_list_pages_and_filters_by_status(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        for n in range(3):
            await call(session, MANAGE, action="create", name=f"draft {n}", description="d")
        first = await call(session, MANAGE, action="list", limit=2)
        assert len(first["workflows"]) == 2 and first["nextPaginationToken"]
        second = await call(session, MANAGE, action="list", limit=2, page_token=first["nextPaginationToken"])
        assert {w["id"] for w in first["workflows"]}.isdisjoint(w["id"] for w in second["workflows"])
        assert len((await call(session, MANAGE, action="list", limit=200))["workflows"]) == 4
        assert "limit" in await refusal(session, MANAGE, action="list", limit=201)

        ready = await call(session, MANAGE, action="list", status="ready")
        assert [w["id"] for w in ready["workflows"]] == ["workflow_demo_poster"]
        assert "_workflowListStatusFilter" not in ready
        drafts = await call(session, MANAGE, action="list", status="draft")
        assert len(drafts["workflows"]) == 3 and "_workflowListStatusFilter" not in drafts

        archived = await call(session, MANAGE, action="list", status="archived", limit=3)
        assert archived["workflows"] == [] and archived["nextPaginationToken"]
        status_filter = archived["_workflowListStatusFilter"]
        assert status_filter["status"] == "archived" and status_filter["filteredOn"] == "client"
        assert status_filter["pageSize"] == 3 and status_filter["matched"] == 0


async def test_create_with_a_definition_then_publish_then_run(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        created = await call(
            session, MANAGE, action="create", name="Import", description="d",
            inputs_definition=INPUTS, editor_info=EDITOR_INFO,
        )  # fmt: skip
        workflow_id = created["workflow"]["id"]
        assert created["workflow"]["editorInfo"] == EDITOR_INFO and created["workflow"]["inputs"][0]["name"] == "prompt"
        assert 'action="publish"' in created["_publishHint"]
        assert "draft" in await refusal(session, MANAGE, action="run", workflow_id=workflow_id, inputs={"prompt": "x"})

        published = await call(session, MANAGE, action="publish", workflow_id=workflow_id)
        assert published["workflow"]["status"] == "ready" and published["workflow"]["hasFlow"] is True
        got = await call(session, MANAGE, action="get", workflow_id=workflow_id)
        assert got["workflow"]["flow"] == published["workflow"]["flow"]

        priced = await call(
            session, MANAGE, action="run", workflow_id=workflow_id, inputs={"prompt": "x"}, dry_run=True
        )
        assert priced["statusCode"] == 402 and priced["estimatedCost"] > 0
        run = await call(session, MANAGE, action="run", workflow_id=workflow_id, inputs={"prompt": "x"})
        assert run["job"]["status"] == "queued" and run["workflow"]["id"] == workflow_id


async def test_create_with_a_flow_needs_no_publish_hint_and_a_broken_one_saves_nothing(mcp_target: McpTarget) -> None:
    flow = [{"id": "node_a", "type": "custom-model", "modelId": "model_poster", "inputs": []}]
    async with mcp_target.session("alice") as session:
        created = await call(session, MANAGE, action="create", name="With flow", description="d", flow=flow)
        assert "_publishHint" not in created and created["workflow"]["flow"] == flow
        before = len(mcp_target.fake.scenario.store.all_workflows())
        broken = [{"id": "node_a", "type": "custom-model", "dependsOn": ["node_missing"]}]
        await refusal(session, MANAGE, action="create", name="Broken", description="d", flow=broken)
        await refusal(session, MANAGE, action="create", name="Broken", description="d", editor_info={"nodes": [1]})
        assert len(mcp_target.fake.scenario.store.all_workflows()) == before


async def test_update_delete_and_their_refusals(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        workflow_id = (await call(session, MANAGE, action="create", name="w", description="d"))["workflow"]["id"]
        updated = await call(session, MANAGE, action="update", workflow_id=workflow_id, description="new")
        assert updated["workflow"]["description"] == "new"
        hinted = await call(session, MANAGE, action="update", workflow_id=workflow_id, editor_info=EDITOR_INFO)
        assert "_publishHint" in hinted
        for action in ("get", "update", "delete", "run", "approve", "reject", "publish"):
            assert f'workflow_id is required for action="{action}"' in await refusal(session, MANAGE, action=action)
        assert "nothing to publish" in await refusal(session, MANAGE, action="publish", workflow_id=(
            await call(session, MANAGE, action="create", name="empty", description="d")
        )["workflow"]["id"])  # fmt: skip
    lock(mcp_target.fake, workflow_id)
    async with mcp_target.session("bob") as session:
        assert "locked" in await refusal(session, MANAGE, action="update", workflow_id=workflow_id, name="x")
        assert "locked" in await refusal(session, MANAGE, action="delete", workflow_id=workflow_id)
    async with mcp_target.session("carol") as session:
        assert "reader" in await refusal(session, MANAGE, action="create", name="w", description="d")
    async with mcp_target.session("alice") as session:
        assert await call(session, MANAGE, action="delete", workflow_id=workflow_id) == {"success": True}
        assert "not found" in await refusal(session, MANAGE, action="get", workflow_id=workflow_id)


async def test_a_bare_scalar_for_an_array_input_is_wrapped(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        inputs = {"prompt": "a lamp", "angles": "front"}
        run = await call(session, MANAGE, action="run", workflow_id="workflow_product_shot", inputs=inputs)
        assert run["job"]["metadata"]["input"]["angles"] == ["front"]
        per_verb = await call(session, "workflow_run", workflow_id="workflow_product_shot", inputs=inputs)
        assert per_verb["job"]["metadata"]["input"]["angles"] == ["front"]


async def test_approve_and_reject(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        decision = {"workflow_id": "workflow_demo_poster", "node_id": "node_review"}
        approved = await call(
            session, MANAGE, action="approve", workflow_job_id=await approval_job(session, mcp_target), **decision
        )
        assert approved["job"]["status"] == "in-progress"
        rejected = await call(
            session, MANAGE, action="reject", workflow_job_id=await approval_job(session, mcp_target), **decision
        )
        assert rejected["job"]["status"] == "canceled"
        refused = await refusal(session, MANAGE, action="approve", workflow_job_id=rejected["job"]["jobId"], **decision)
        assert "not waiting for approval" in refused
        assert "node_id is required" in await refusal(
            session, MANAGE, action="approve", workflow_id="workflow_demo_poster", workflow_job_id="job_x"
        )


async def test_markdown_answers(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        result = await session.call_tool(MANAGE, {"action": "list", "status": "ready", "response_format": "markdown"})
        text = result.content[0].text
        assert not result.isError and text.startswith("## Workflows (1)")
        assert "**Poster with review** `workflow_demo_poster`: ready, has a flow" in text
