"""The JSON the MCP tools answer with, built from the API's own views."""

from __future__ import annotations

from typing import Any

from mockserver.mcp.calls import ToolCall
from mockserver.mcp.workflow_actions import ListedPage
from mockserver.scenario.jobs.models import Job
from mockserver.scenario.jobs.views import job_view
from mockserver.scenario.workflows.models import Workflow
from mockserver.scenario.workflows.views import workflow_view


def workflow(call: ToolCall, found: Workflow) -> dict[str, Any]:
    return workflow_view(found, call.asset_url)


def job(call: ToolCall, found: Job) -> dict[str, Any]:
    return job_view(found, call.scenario.simulation.progress(found), call.asset_url)


def workflow_page(call: ToolCall, page: ListedPage) -> dict[str, Any]:
    body: dict[str, Any] = {"workflows": [workflow(call, found) for found in page.workflows]}
    if page.next_token:
        body["nextPaginationToken"] = page.next_token
    if page.status_filter is not None:
        body["_workflowListStatusFilter"] = page.status_filter
    return body


def with_publish_hint(body: dict[str, Any], found: Workflow, publish_call: str) -> dict[str, Any]:
    """The reply of a create or update that saved an editor graph and no flow: it names the call that publishes."""
    return {
        **body,
        "_publishHint": f"editor_info was saved as a draft, which cannot run: call {publish_call} "
        f'with workflow_id="{found.id}" to compile it into a flow and make the workflow ready.',
    }
