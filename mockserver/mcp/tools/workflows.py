"""The per-verb workflow tools of Scenario's hosted MCP server, as its public skills describe them.

``workflow_get`` answers the definition as ``inputs_definition`` and ``editor_info`` where
``workflows_list`` keeps the API's ``inputs`` and ``editorInfo``; a dry run of ``workflow_run``
answers ``creativeUnitsCost``, ``creativeUnitsDiscount`` and an empty ``job``, and creates none.
"""

from __future__ import annotations

from typing import Any

from mcp.server.fastmcp import Context, FastMCP

from mockserver.core.principals import Principal
from mockserver.mcp import replies
from mockserver.mcp import workflow_actions as actions
from mockserver.mcp.calls import Gateway, ToolCall
from mockserver.mcp.tools.arguments import (
    Description,
    DryRun,
    EditorInfo,
    Flow,
    InputsDefinition,
    Limit,
    Name,
    NodeId,
    PageToken,
    ProjectId,
    RunInputs,
    Status,
    TeamId,
    WorkflowId,
    WorkflowJobId,
)
from mockserver.mcp.tools.scope import check_team
from mockserver.scenario.jobs.service import DryRun as DryRunResult
from mockserver.scenario.workflows.models import Workflow

PUBLISH_CALL = "workflow_publish"


def register(server: FastMCP, gateway: Gateway) -> None:
    @server.tool(description="List the project's workflows, newest first. Cap limit: each record carries its flow.")
    async def workflows_list(
        ctx: Context,
        status: Status = None,
        limit: Limit = 20,
        page_token: PageToken = None,
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        async with gateway.call("workflows_list", ctx, project_id) as call:
            check_team(team_id)
            page = call.run(lambda who: actions.list_workflows(call.scenario, who, status, limit, page_token))
            return replies.workflow_page(call, page)

    @server.tool(description="One workflow, its definition as inputs_definition and editor_info.")
    async def workflow_get(
        ctx: Context, workflow_id: WorkflowId, team_id: TeamId = None, project_id: ProjectId = None
    ) -> dict[str, Any]:
        async with gateway.call("workflow_get", ctx, project_id, workflowId=workflow_id) as call:
            check_team(team_id)
            found = call.run(lambda who: call.scenario.workflows.get(who, workflow_id))
            body = replies.workflow(call, found)
            body["inputs_definition"] = body.pop("inputs")
            body["editor_info"] = body.pop("editorInfo")
            return {"workflow": body}

    @server.tool(
        description="Run a ready workflow with inputs keyed by its inputs[].name; dry_run=true prices it and "
        "creates no job. A draft is refused: publish it first. Wait on the job with jobs_wait."
    )
    async def workflow_run(
        ctx: Context,
        workflow_id: WorkflowId,
        inputs: RunInputs = None,
        dry_run: DryRun = False,
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        async with gateway.call("workflow_run", ctx, project_id, workflowId=workflow_id) as call:
            check_team(team_id)

            def run(who: Principal) -> dict[str, Any]:
                result = actions.run_workflow(call.scenario, who, workflow_id, inputs or {}, dry_run)
                if isinstance(result, DryRunResult):
                    estimate = result.estimate
                    return {
                        "creativeUnitsCost": estimate.total,
                        "creativeUnitsDiscount": 0,
                        "costDetails": estimate.by_action,
                        "job": {},
                    }
                call.warn(result.warnings)
                return {"job": replies.job(call, result.job), "workflow": replies.workflow(call, result.workflow)}

            return call.run(run)

    @server.tool(
        description="Create a workflow; flow, inputs_definition and editor_info are patched in by the same call. "
        "It is a draft: editor_info alone needs workflow_publish before it can run."
    )
    async def workflow_create(
        ctx: Context,
        name: Name = None,
        description: Description = None,
        flow: Flow = None,
        inputs_definition: InputsDefinition = None,
        editor_info: EditorInfo = None,
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        definition = actions.Definition(flow, inputs_definition, editor_info)
        async with gateway.call("workflow_create", ctx, project_id) as call:
            check_team(team_id)
            created = call.run(
                lambda who: actions.create_workflow(
                    call.scenario, who, actions.required_name(name), description or "", definition
                )
            )
            return _saved(call, created, definition)

    @server.tool(description="Change a workflow's name, description or definition. Its lock rules apply.")
    async def workflow_update(
        ctx: Context,
        workflow_id: WorkflowId,
        name: Name = None,
        description: Description = None,
        flow: Flow = None,
        inputs_definition: InputsDefinition = None,
        editor_info: EditorInfo = None,
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        definition = actions.Definition(flow, inputs_definition, editor_info)
        fields = {"name": name, "description": description}
        async with gateway.call("workflow_update", ctx, project_id, workflowId=workflow_id) as call:
            check_team(team_id)
            updated = call.run(lambda who: actions.update_workflow(call.scenario, who, workflow_id, fields, definition))
            return _saved(call, updated, definition)

    @server.tool(description="Compile the workflow's editor_info into its flow and make it ready to run.")
    async def workflow_publish(
        ctx: Context, workflow_id: WorkflowId, team_id: TeamId = None, project_id: ProjectId = None
    ) -> dict[str, Any]:
        async with gateway.call("workflow_publish", ctx, project_id, workflowId=workflow_id) as call:
            check_team(team_id)
            published = call.run(lambda who: actions.publish_workflow(call.scenario, who, workflow_id))
            return {"workflow": replies.workflow(call, published)}

    @server.tool(
        description="Copy a workflow into the caller's project. The source is source_workflow_id, not workflow_id; "
        "the copy is ready when the source is."
    )
    async def workflow_copy(
        ctx: Context,
        source_workflow_id: WorkflowId,
        name: Name = None,
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        async with gateway.call("workflow_copy", ctx, project_id, workflowId=source_workflow_id) as call:
            check_team(team_id)
            copy = call.run(lambda who: actions.copy_workflow(call.scenario, who, source_workflow_id, name))
            return {"workflow": replies.workflow(call, copy)}

    for verb in ("approve", "reject"):
        _register_decision(server, gateway, verb)

    @server.tool(description="Delete a workflow. A locked workflow is refused unless the caller is an admin.")
    async def workflow_delete(
        ctx: Context, workflow_id: WorkflowId, team_id: TeamId = None, project_id: ProjectId = None
    ) -> dict[str, Any]:
        async with gateway.call("workflow_delete", ctx, project_id, workflowId=workflow_id) as call:
            check_team(team_id)
            call.run(lambda who: call.scenario.workflows.delete(who, workflow_id))
            return {"success": True, "workflow_id": workflow_id}


def _register_decision(server: FastMCP, gateway: Gateway, verb: str) -> None:
    tool = f"workflow_{verb}"

    async def decide(
        ctx: Context,
        workflow_id: WorkflowId,
        workflow_job_id: WorkflowJobId,
        node_id: NodeId,
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        async with gateway.call(tool, ctx, project_id, workflowId=workflow_id, jobId=workflow_job_id) as call:
            check_team(team_id)

            def decide_node(who: Principal) -> dict[str, Any]:
                job = actions.decide_approval(call.scenario, who, workflow_id, workflow_job_id, node_id, verb)
                return {"job": replies.job(call, job)}

            return call.run(decide_node)

    description = f"{verb.title()} the user-approval node node_id of the workflow job parked on it."
    server.add_tool(decide, name=tool, description=description)


def _saved(call: ToolCall, saved: Workflow, definition: actions.Definition) -> dict[str, Any]:
    body = {"workflow": replies.workflow(call, saved)}
    return replies.with_publish_hint(body, saved, PUBLISH_CALL) if definition.needs_publish() else body
