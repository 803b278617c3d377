"""Routes of the workflows resource: each reads the call, asks the domain, shapes the answer."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from mockserver.core.http.endpoint import Call, api
from mockserver.core.http.responses import ApiJSONResponse as JSONResponse
from mockserver.scenario.jobs.service import DryRun
from mockserver.scenario.jobs.views import job_view
from mockserver.scenario.workflows.service import WorkflowQuery


@api("listWorkflows")
async def list_workflows(call: Call) -> dict[str, Any]:
    p = call.params
    query = WorkflowQuery(
        privacy=p.get("privacy", "private"),
        status=p.get("status"),
        tags=tuple(tag for tag in p.get("tags", "").split(",") if tag),
        sort_direction=p.get("sortDirection", "desc"),
        full=p.get("full", True),
        page_size=p.get("pageSize", 50),
        pagination_token=p.get("paginationToken"),
    )
    page = call.fake.scenario.workflows.list(call.principal, query)
    body: dict[str, Any] = {"workflows": [wf.api_json(call.asset_url, page.full) for wf in page.workflows]}
    if page.next_token:
        body["nextPaginationToken"] = page.next_token
    return body


@api("createWorkflow")
async def create_workflow(call: Call) -> dict[str, Any]:
    workflow = call.fake.scenario.workflows.create(call.principal, call.body["name"], call.body["description"])
    return {"workflow": workflow.api_json(call.asset_url)}


@api("getWorkflowTags")
async def get_tags(call: Call) -> dict[str, Any]:
    return {"tags": call.fake.scenario.workflows.tags(call.principal, call.params.get("status", "ready"))}


@api("getWorkflow")
async def get_workflow(call: Call) -> dict[str, Any]:
    workflow = call.fake.scenario.workflows.get(call.principal, call.path("workflowId"))
    return {"workflow": workflow.api_json(call.asset_url)}


@api("updateWorkflow")
async def update_workflow(call: Call) -> dict[str, Any]:
    workflow = call.fake.scenario.workflows.update(call.principal, call.path("workflowId"), call.body or {})
    return {"workflow": workflow.api_json(call.asset_url)}


@api("deleteWorkflow")
async def delete_workflow(call: Call) -> dict[str, Any]:
    call.fake.scenario.workflows.delete(call.principal, call.path("workflowId"))
    return {"success": True}


routes = [
    Route("/workflows", list_workflows, methods=["GET"]),
    Route("/workflows", create_workflow, methods=["POST"]),
    Route("/workflows/tags", get_tags, methods=["GET"]),
    Route("/workflows/{workflowId}", get_workflow, methods=["GET"]),
    Route("/workflows/{workflowId}", update_workflow, methods=["PUT"]),
    Route("/workflows/{workflowId}", delete_workflow, methods=["DELETE"]),
]


@api("runWorkflow")
async def run_workflow(call: Call) -> Any:
    fake = call.fake
    dry_run = call.params.get("dryRun") in ("true", "api") or call.request.query_params.get("dryRun") == "api"
    result = fake.scenario.jobs.run(call.principal, call.path("workflowId"), call.body, dry_run)
    if isinstance(result, DryRun):
        status = fake.scenario.dry_run_status
        body = {"statusCode": status, "message": "Dry run completed", "estimatedCost": result.estimated_cost}
        return JSONResponse(body, status_code=status)
    call.warnings.extend(result.warnings)
    return {
        "job": job_view(result.job, fake.scenario.simulation.progress(result.job), call.asset_url),
        "workflow": result.workflow.api_json(call.asset_url),
    }


@api("userApproval")
async def user_approval(call: Call) -> dict[str, Any]:
    body = call.body or {}
    job = call.fake.scenario.jobs.user_approval(
        call.principal, call.path("workflowId"), body["workflowJobId"], body["nodeId"], body.get("action", "approve")
    )
    return {"job": job_view(job, call.fake.scenario.simulation.progress(job), call.asset_url)}


routes += [
    Route("/workflows/{workflowId}/run", run_workflow, methods=["PUT"]),
    Route("/workflows/{workflowId}/user-approval", user_approval, methods=["PUT"]),
]
