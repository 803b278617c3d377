"""Routes of the workflows resource: each reads the call, asks the domain, shapes the answer."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from mockserver.core.clock import iso
from mockserver.core.http.endpoint import Call, api
from mockserver.core.http.responses import ApiJSONResponse as JSONResponse
from mockserver.scenario.asset_url import AssetUrl
from mockserver.scenario.backend import ScenarioBackend
from mockserver.scenario.dialect import SCENARIO
from mockserver.scenario.jobs.service import DryRun
from mockserver.scenario.jobs.views import job_view
from mockserver.scenario.profiles import CURRENT_DRY_RUN_STATUS, GUIDE_DRY_RUN_STATUS
from mockserver.scenario.workflows.search import WorkflowSearch
from mockserver.scenario.workflows.service import WorkflowQuery
from mockserver.scenario.workflows.views import dry_run_view, search_hit, workflow_json

ScenarioCall = Call[ScenarioBackend]


@api("listWorkflows", SCENARIO)
async def list_workflows(call: ScenarioCall) -> dict[str, Any]:
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
    page = call.backend.workflows.list(call.principal, query)
    asset_url = AssetUrl(call.base_url)
    body: dict[str, Any] = {"workflows": [workflow_json(wf, asset_url, page.full) for wf in page.workflows]}
    if page.next_token:
        body["nextPaginationToken"] = page.next_token
    return body


@api("createWorkflow", SCENARIO)
async def create_workflow(call: ScenarioCall) -> dict[str, Any]:
    workflow = call.backend.workflows.create(call.principal, call.body["name"], call.body["description"])
    return {"workflow": workflow_json(workflow, AssetUrl(call.base_url))}


@api("getWorkflowTags", SCENARIO)
async def get_tags(call: ScenarioCall) -> dict[str, Any]:
    return {"tags": call.backend.workflows.tags(call.principal, call.params.get("status", "ready"))}


@api("getWorkflow", SCENARIO)
async def get_workflow(call: ScenarioCall) -> dict[str, Any]:
    workflow = call.backend.workflows.get(call.principal, call.path("workflowId"))
    return {"workflow": workflow_json(workflow, AssetUrl(call.base_url))}


@api("updateWorkflow", SCENARIO)
async def update_workflow(call: ScenarioCall) -> dict[str, Any]:
    workflow = call.backend.workflows.update(call.principal, call.path("workflowId"), call.body or {})
    return {"workflow": workflow_json(workflow, AssetUrl(call.base_url))}


@api("deleteWorkflow", SCENARIO)
async def delete_workflow(call: ScenarioCall) -> dict[str, Any]:
    call.backend.workflows.delete(call.principal, call.path("workflowId"))
    return {"success": True}


@api("searchWorkflows", SCENARIO)
async def search_workflows(call: ScenarioCall) -> dict[str, Any]:
    body = call.body or {}
    offset = call.params.get("offset", body.get("offset"))  # the SDK's next page sends its offset in the query
    asked = WorkflowSearch(
        query=body.get("query"),
        filter=body.get("filter"),
        public=body.get("public") is True,
        sort_by=body.get("sortBy", ()),
        offset=offset,
        limit=body.get("limit"),
        page=body.get("page"),
        hits_per_page=body.get("hitsPerPage"),
    )
    result = call.backend.workflows.search(call.principal, asked)
    asset_url = AssetUrl(call.base_url)
    hits = [search_hit(workflow, asset_url) for workflow in result.hits]
    total = "totalHits" if "page" in result.paging else "estimatedTotalHits"
    return {"hits": hits, "query": asked.query or "", **result.paging, total: result.total}


routes = [
    Route("/search/workflows", search_workflows, methods=["POST"]),
    Route("/workflows", list_workflows, methods=["GET"]),
    Route("/workflows", create_workflow, methods=["POST"]),
    Route("/workflows/tags", get_tags, methods=["GET"]),
    Route("/workflows/{workflowId}", get_workflow, methods=["GET"]),
    Route("/workflows/{workflowId}", update_workflow, methods=["PUT"]),
    Route("/workflows/{workflowId}", delete_workflow, methods=["DELETE"]),
]


@api("runWorkflow", SCENARIO)
async def run_workflow(call: ScenarioCall) -> Any:
    scenario = call.backend
    # ``api`` is a value of the current API only: the contract's parameter does not list it.
    requested = call.params.get("dryRun")
    at_api_tier = requested != "true" and call.request.query_params.get("dryRun") == "api"
    dry_run = requested == "true" or at_api_tier
    result = scenario.jobs.run(call.principal, call.path("workflowId"), call.body, dry_run)
    asset_url = AssetUrl(call.base_url)
    if isinstance(result, DryRun):
        if scenario.api_profile == "guide" and not at_api_tier:
            body = {"statusCode": GUIDE_DRY_RUN_STATUS, "message": "Dry run completed"}
            body["estimatedCost"] = result.estimate.total
            return JSONResponse(body, status_code=GUIDE_DRY_RUN_STATUS)
        now = iso(call.host.clock.now())
        return JSONResponse(dry_run_view(result, call.principal, now, asset_url), status_code=CURRENT_DRY_RUN_STATUS)
    call.warnings.extend(result.warnings)
    return {
        "job": job_view(result.job, scenario.simulation.progress(result.job), asset_url),
        "workflow": workflow_json(result.workflow, asset_url),
    }


@api("userApproval", SCENARIO)
async def user_approval(call: ScenarioCall) -> dict[str, Any]:
    body = call.body or {}
    job = call.backend.jobs.user_approval(
        call.principal, call.path("workflowId"), body["workflowJobId"], body["nodeId"], body.get("action", "approve")
    )
    return {"job": job_view(job, call.backend.simulation.progress(job), AssetUrl(call.base_url))}


@api("userSelection", SCENARIO)
async def user_selection(call: ScenarioCall) -> dict[str, Any]:
    body = call.body or {}
    job = call.backend.jobs.user_selection(
        call.principal,
        call.path("workflowId"),
        body.get("workflowJobId"),
        body.get("nodeId"),
        body.get("action"),
        body.get("selectedIndices"),
    )
    return {"job": job_view(job, call.backend.simulation.progress(job), AssetUrl(call.base_url))}


routes += [
    Route("/workflows/{workflowId}/run", run_workflow, methods=["PUT"]),
    Route("/workflows/{workflowId}/user-approval", user_approval, methods=["PUT"]),
    Route("/workflows/{workflowId}/user-selection", user_selection, methods=["PUT"]),
]
