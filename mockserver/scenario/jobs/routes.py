"""Routes of the Jobs API."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from mockserver.core.http.endpoint import Call, api
from mockserver.scenario.asset_url import AssetUrl
from mockserver.scenario.backend import ScenarioBackend
from mockserver.scenario.dialect import SCENARIO
from mockserver.scenario.jobs.service import JobQuery
from mockserver.scenario.jobs.views import job_view

ScenarioCall = Call[ScenarioBackend]


@api("listJobs", SCENARIO)
async def list_jobs(call: ScenarioCall) -> dict[str, Any]:
    p = call.params
    types = tuple(t for t in p.get("types", "").split(",") if t) or ((p["type"],) if "type" in p else ())
    query = JobQuery(
        status=p.get("status"),
        types=types,
        workflow_id=p.get("workflowId"),
        author_id=p.get("authorId"),
        created_after=p.get("createdAfter"),
        updated_after=p.get("updatedAfter"),
        hide_results=p.get("hideResults"),
        page_size=p.get("pageSize", 50),
        pagination_token=p.get("paginationToken"),
    )
    jobs, token = call.backend.jobs.list(call.principal, query)
    progress = call.backend.simulation.progress
    asset_url = AssetUrl(call.base_url)
    body: dict[str, Any] = {"jobs": [job_view(job, progress(job), asset_url) for job in jobs]}
    if token:
        body["nextPaginationToken"] = token
    return body


@api("getJob", SCENARIO)
async def get_job(call: ScenarioCall) -> dict[str, Any]:
    job = call.backend.jobs.get(call.principal, call.path("jobId"))
    return {"job": job_view(job, call.backend.simulation.progress(job), AssetUrl(call.base_url))}


@api("jobAction", SCENARIO)
async def job_action(call: ScenarioCall) -> dict[str, Any]:
    # The body is optional and its action defaults to cancel, as the contract documents (the SDK omits both).
    body = {} if call.body is None else call.body
    action = body.get("action", "cancel") if isinstance(body, dict) else None
    job = call.backend.jobs.cancel(call.principal, call.path("jobId"), action)
    return {"job": job_view(job, call.backend.simulation.progress(job), AssetUrl(call.base_url))}


routes = [
    Route("/jobs", list_jobs, methods=["GET"]),
    Route("/jobs/{jobId}", get_job, methods=["GET"]),
    Route("/jobs/{jobId}/action", job_action, methods=["POST"]),
]
