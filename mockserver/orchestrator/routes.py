"""Routes of the orchestrator API, served under ``/api/v1``: each reads the call, asks the domain, shapes the answer."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from mockserver.core.http.endpoint import Call, api
from mockserver.orchestrator.backend import OrchestratorBackend
from mockserver.orchestrator.dialect import FastAPIDialect
from mockserver.orchestrator.requests import CreateWorkflow, WorkflowUpdate
from mockserver.orchestrator.service import PipelineQuery
from mockserver.orchestrator.views import workflow_view

PREFIX = "/api/v1"

ORCHESTRATOR = FastAPIDialect(
    body_models={
        "create_workflow_api_v1_workflows__post": CreateWorkflow,
        "update_workflow_api_v1_workflows__workflow_id__patch": WorkflowUpdate,
    },
)
OrchestratorCall = Call[OrchestratorBackend]


@api("create_workflow_api_v1_workflows__post", ORCHESTRATOR)
async def create_workflow(call: OrchestratorCall) -> dict[str, Any]:
    pipeline = call.backend.service.create(call.parsed, call.params.get("start", True))
    return workflow_view(pipeline)


@api("list_workflows_api_v1_workflows__get", ORCHESTRATOR)
async def list_workflows(call: OrchestratorCall) -> dict[str, Any]:
    p = call.params
    query = PipelineQuery(
        status=p.get("status"),
        origin_instance=p.get("origin_instance"),
        origin_tenant_id=p.get("origin_tenant_id"),
        include_deleted=p.get("include_deleted", False),
        skip=p.get("skip", 0),
        limit=p.get("limit", 50),
    )
    page, total = call.backend.service.list(query)
    workflows = [workflow_view(pipeline) for pipeline in page]
    return {"workflows": workflows, "total": total, "skip": query.skip, "limit": query.limit}


@api("get_workflow_api_v1_workflows__workflow_id__get", ORCHESTRATOR)
async def get_workflow(call: OrchestratorCall) -> dict[str, Any]:
    return workflow_view(call.backend.service.get(call.path("workflow_id")))


@api("update_workflow_api_v1_workflows__workflow_id__patch", ORCHESTRATOR)
async def update_workflow(call: OrchestratorCall) -> dict[str, Any]:
    update: WorkflowUpdate = call.parsed
    return workflow_view(call.backend.service.update(call.path("workflow_id"), update.changes()))


@api("cancel_workflow_api_v1_workflows__workflow_id__delete", ORCHESTRATOR)
async def cancel_workflow(call: OrchestratorCall) -> dict[str, Any]:
    return workflow_view(call.backend.service.cancel(call.path("workflow_id")))


@api("start_workflow_api_v1_workflows__workflow_id__start_post", ORCHESTRATOR)
async def start_workflow(call: OrchestratorCall) -> dict[str, Any]:
    return workflow_view(call.backend.service.start(call.path("workflow_id")))


@api("resume_workflow_api_v1_workflows__workflow_id__resume_post", ORCHESTRATOR)
async def resume_workflow(call: OrchestratorCall) -> dict[str, Any]:
    return workflow_view(call.backend.service.resume(call.path("workflow_id")))


@api("cleanup_workflow_api_v1_workflows__workflow_id__cleanup_post", ORCHESTRATOR)
async def cleanup_workflow(call: OrchestratorCall) -> dict[str, Any]:
    pipeline, report = call.backend.service.cleanup(call.path("workflow_id"), call.params.get("cleanup_tasks", True))
    cleanup = {
        "tasks_processed": report.tasks_processed,
        "tasks_cleaned": report.tasks_cleaned,
        "deleted_paths": report.deleted_paths,
        "errors": report.errors,
    }
    return {"workflow": workflow_view(pipeline), "cleanup": cleanup}


routes = [
    Route("/workflows/", create_workflow, methods=["POST"]),
    Route("/workflows/", list_workflows, methods=["GET"]),
    Route("/workflows/{workflow_id}", get_workflow, methods=["GET"]),
    Route("/workflows/{workflow_id}", update_workflow, methods=["PATCH"]),
    Route("/workflows/{workflow_id}", cancel_workflow, methods=["DELETE"]),
    Route("/workflows/{workflow_id}/start", start_workflow, methods=["POST"]),
    Route("/workflows/{workflow_id}/resume", resume_workflow, methods=["POST"]),
    Route("/workflows/{workflow_id}/cleanup", cleanup_workflow, methods=["POST"]),
]
