"""``manage_workflows``: Scenario's one-tool surface for workflows, as its tool reference documents it.

Actions list, get, create, update, delete, run (with ``dry_run``), approve, reject and publish. It is a
client of the API, so its replies are the API's bodies (``{"workflow"}``, ``{"workflows",
"nextPaginationToken"}``, ``{"job", "workflow"}``, the API's dry-run answer), plus the metadata the tool
adds: ``_workflowListStatusFilter`` when a status the API does not filter was applied to the page, and
``_publishHint`` when a create or update saved ``editor_info`` with no flow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from mcp.server.fastmcp import Context, FastMCP
from pydantic import Field

from mockserver.core.errors import BadRequest
from mockserver.core.principals import Principal
from mockserver.mcp import replies
from mockserver.mcp import workflow_actions as actions
from mockserver.mcp.calls import Gateway, ToolCall
from mockserver.mcp.tools.arguments import (
    Description,
    EditorInfo,
    Flow,
    InputsDefinition,
    Limit,
    Name,
    PageToken,
    ProjectId,
    RunInputs,
    Status,
    TeamId,
)
from mockserver.mcp.tools.markdown import as_markdown
from mockserver.mcp.tools.scope import check_team
from mockserver.scenario.jobs.service import DryRun
from mockserver.scenario.profiles import CURRENT_DRY_RUN_STATUS, GUIDE_DRY_RUN_STATUS

Action = Literal["list", "get", "create", "update", "delete", "run", "approve", "reject", "publish"]
WORKFLOW_ID = "Workflow ID (required for get, update, delete, run, approve, reject, publish)."
PUBLISH_CALL = 'manage_workflows with action="publish"'
DESCRIPTION = (
    "CRUD and execution for visual workflows. Actions: list, get, create, update, delete, run, approve, reject, "
    'publish. create / update persist editor_info + inputs as a DRAFT; action="publish" compiles editor_info '
    'into a flow and flips status to "ready". A bare scalar for an array-typed input is wrapped into a '
    "one-element array before the run. In this fake team_id names its one team (teams_list) and project_id "
    "must be a project of the caller's key; editor_info nodes are {id, type, data} joined by edges "
    "{source, target}, each type a flow node type."
)


@dataclass
class Request:
    """The arguments of one ``manage_workflows`` call."""

    action: Action
    workflow_id: str | None
    name: str | None
    description: str | None
    definition: actions.Definition
    inputs: dict[str, Any]
    dry_run: bool
    workflow_job_id: str | None
    node_id: str | None
    status: str | None
    limit: int
    page_token: str | None

    def required(self, name: str) -> str:
        value = getattr(self, name)
        if not value:
            raise BadRequest(f'{name} is required for action="{self.action}"')
        return value


Perform = Callable[[ToolCall, Principal, Request], dict[str, Any]]


def register(server: FastMCP, gateway: Gateway) -> None:
    @server.tool(description=DESCRIPTION, structured_output=False)
    async def manage_workflows(
        ctx: Context,
        action: Annotated[Action, Field(description="Workflow action.")],
        workflow_id: Annotated[
            str | None,
            Field(description="Workflow ID (required for get, update, delete, run, approve, reject, publish)."),
        ] = None,
        name: Name = None,
        description: Description = None,
        flow: Flow = None,
        inputs_definition: InputsDefinition = None,
        editor_info: EditorInfo = None,
        inputs: RunInputs = None,
        dry_run: Annotated[bool, Field(description="Estimate cost without running.")] = False,
        workflow_job_id: Annotated[str | None, Field(description="Job ID (for approve/reject).")] = None,
        node_id: Annotated[str | None, Field(description="Node ID (for approve/reject).")] = None,
        status: Status = None,
        limit: Limit = 20,
        page_token: PageToken = None,
        team_id: TeamId = None,
        project_id: ProjectId = None,
        response_format: Annotated[
            Literal["json", "markdown"], Field(description="'json' for structured data, 'markdown' for text.")
        ] = "json",
    ) -> dict[str, Any] | str:
        request = Request(
            action,
            workflow_id,
            name,
            description,
            actions.Definition(flow, inputs_definition, editor_info),
            inputs or {},
            dry_run,
            workflow_job_id,
            node_id,
            status,
            limit,
            page_token,
        )
        facts = {"workflowId": workflow_id, "jobId": workflow_job_id}
        async with gateway.call("manage_workflows", ctx, project_id, **facts) as call:
            check_team(team_id)
            body = call.run(lambda who: PERFORM[action](call, who, request))
            return as_markdown(body) if response_format == "markdown" else body


def _list(call: ToolCall, who: Principal, request: Request) -> dict[str, Any]:
    page = actions.list_workflows(call.scenario, who, request.status, request.limit, request.page_token)
    return replies.workflow_page(call, page)


def _get(call: ToolCall, who: Principal, request: Request) -> dict[str, Any]:
    return {"workflow": replies.workflow(call, call.scenario.workflows.get(who, request.required("workflow_id")))}


def _create(call: ToolCall, who: Principal, request: Request) -> dict[str, Any]:
    name = actions.required_name(request.name)
    created = actions.create_workflow(call.scenario, who, name, request.description or "", request.definition)
    return _saved(call, created, request)


def _update(call: ToolCall, who: Principal, request: Request) -> dict[str, Any]:
    fields = {"name": request.name, "description": request.description}
    workflow_id = request.required("workflow_id")
    return _saved(call, actions.update_workflow(call.scenario, who, workflow_id, fields, request.definition), request)


def _delete(call: ToolCall, who: Principal, request: Request) -> dict[str, Any]:
    call.scenario.workflows.delete(who, request.required("workflow_id"))
    return {"success": True}


def _run(call: ToolCall, who: Principal, request: Request) -> dict[str, Any]:
    workflow_id = request.required("workflow_id")
    result = actions.run_workflow(call.scenario, who, workflow_id, request.inputs, request.dry_run)
    if isinstance(result, DryRun):
        status = GUIDE_DRY_RUN_STATUS if call.scenario.api_profile == "guide" else CURRENT_DRY_RUN_STATUS
        return {"statusCode": status, "message": "Dry run completed", "estimatedCost": result.estimate.total}
    call.warn(result.warnings)
    return {"job": replies.job(call, result.job), "workflow": replies.workflow(call, result.workflow)}


def _decision(action: str) -> Perform:
    def decide(call: ToolCall, who: Principal, request: Request) -> dict[str, Any]:
        workflow_id, job_id = request.required("workflow_id"), request.required("workflow_job_id")
        node_id = request.required("node_id")
        job = actions.decide_approval(call.scenario, who, workflow_id, job_id, node_id, action)
        return {"job": replies.job(call, job)}

    return decide


def _publish(call: ToolCall, who: Principal, request: Request) -> dict[str, Any]:
    published = actions.publish_workflow(call.scenario, who, request.required("workflow_id"))
    return {"workflow": replies.workflow(call, published)}


def _saved(call: ToolCall, saved: Any, request: Request) -> dict[str, Any]:
    body = {"workflow": replies.workflow(call, saved)}
    return replies.with_publish_hint(body, saved, PUBLISH_CALL) if request.definition.needs_publish() else body


PERFORM: dict[str, Perform] = {
    "list": _list,
    "get": _get,
    "create": _create,
    "update": _update,
    "delete": _delete,
    "run": _run,
    "approve": _decision("approve"),
    "reject": _decision("reject"),
    "publish": _publish,
}
