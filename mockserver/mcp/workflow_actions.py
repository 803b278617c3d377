"""What the MCP tools do with workflows, over the API's own services: both tool surfaces share it.

Each function runs inside a tool call (under the fake's lock) and keeps the API's rules: the same
permissions, locks, flow checks and run inputs as the REST routes. The tools add what Scenario's MCP
server adds on top of the API: creating with a definition in one call, publishing an editor graph,
copying, wrapping a scalar for an array input, and filtering a list by any status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.core.errors import BadRequest
from mockserver.core.principals import Principal
from mockserver.mcp.editor import check_editor_info, compile_flow
from mockserver.scenario.backend import ScenarioBackend
from mockserver.scenario.jobs.service import DryRun, Run
from mockserver.scenario.workflows.flow import validate_flow
from mockserver.scenario.workflows.models import Workflow
from mockserver.scenario.workflows.service import WorkflowQuery

MAX_LIST_LIMIT = 200
SERVER_STATUSES = ("draft", "ready")
# Input types whose value is an array: a bare scalar sent for one is wrapped into a one-element array.
ARRAY_INPUT_TYPES = frozenset({"file_array", "string_array", "model_array"})


@dataclass(frozen=True)
class Definition:
    """The typed definition fields a create or update may carry (None: not sent)."""

    flow: list[dict[str, Any]] | None = None
    inputs_definition: list[dict[str, Any]] | None = None
    editor_info: dict[str, Any] | None = None

    def changes(self) -> dict[str, Any]:
        """The fields as the API's update body names them."""
        named = {"flow": self.flow, "inputs": self.inputs_definition, "editorInfo": self.editor_info}
        return {name: value for name, value in named.items() if value is not None}

    def needs_publish(self) -> bool:
        """An editor graph saved with no flow compiled from it: the workflow stays a draft until published."""
        return self.editor_info is not None and self.flow is None

    def check(self) -> None:
        """Refuse a definition before anything is saved, with the validator's message."""
        if self.editor_info is not None:
            check_editor_info(self.editor_info)
        if self.flow is not None:
            validate_flow(self.flow, self.inputs_definition or [])


@dataclass
class ListedPage:
    workflows: list[Workflow]
    next_token: str | None
    status_filter: dict[str, Any] | None  # set when a status the API does not filter was applied to the page


def list_workflows(
    scenario: ScenarioBackend, principal: Principal, status: str | None, limit: int, page_token: str | None
) -> ListedPage:
    """A page of the project's workflows; ``draft`` and ``ready`` filtered by the API, any other status on the page."""
    server_status = status if status in SERVER_STATUSES else None
    query = WorkflowQuery(status=server_status, page_size=limit, pagination_token=page_token or None)
    page = scenario.workflows.list(principal, query)
    if status is None or server_status is not None:
        return ListedPage(page.workflows, page.next_token, None)
    kept = [workflow for workflow in page.workflows if workflow.status == status]
    status_filter = {
        "status": status,
        "filteredOn": "client",
        "note": f'"{status}" is not a status the API filters on: only this page was filtered, '
        "so an empty page beside a nextPaginationToken means none on this page",
        "pageSize": len(page.workflows),
        "matched": len(kept),
    }
    return ListedPage(kept, page.next_token, status_filter)


def required_name(name: str | None) -> str:
    if not name:
        raise BadRequest("name is required to create a workflow")
    return name


def create_workflow(
    scenario: ScenarioBackend, principal: Principal, name: str, description: str, definition: Definition
) -> Workflow:
    """Provision the workflow, then patch its definition in: one call, refused whole if the definition is."""
    definition.check()
    workflow = scenario.workflows.create(principal, name, description)
    changes = definition.changes()
    return scenario.workflows.update(principal, workflow.id, changes) if changes else workflow


def update_workflow(
    scenario: ScenarioBackend, principal: Principal, workflow_id: str, fields: dict[str, Any], definition: Definition
) -> Workflow:
    definition.check()
    changes = {**{name: value for name, value in fields.items() if value is not None}, **definition.changes()}
    if not changes:
        raise BadRequest("Nothing to update: send name, description, flow, inputs_definition or editor_info")
    return scenario.workflows.update(principal, workflow_id, changes)


def publish_workflow(scenario: ScenarioBackend, principal: Principal, workflow_id: str) -> Workflow:
    """Compile the workflow's editor graph into its flow and make it ready; a workflow with only a flow is
    made ready as it is."""
    workflow = scenario.workflows.get(principal, workflow_id)
    if workflow.editor_info.get("nodes"):
        flow = compile_flow(workflow.editor_info)
    elif workflow.flow:
        flow = workflow.flow
    else:
        raise BadRequest(f"Workflow {workflow_id} has neither editor_info nodes nor a flow: nothing to publish")
    return scenario.workflows.update(principal, workflow_id, {"flow": flow, "status": "ready"})


def copy_workflow(scenario: ScenarioBackend, principal: Principal, source_id: str, name: str | None) -> Workflow:
    """A new workflow of the caller's project with the source's definition; a ready source gives a ready copy."""
    source = scenario.workflows.get(principal, source_id)
    copy = scenario.workflows.create(principal, name or f"{source.name} (copy)", source.description)
    changes: dict[str, Any] = {"inputs": source.inputs, "flow": source.flow, "editorInfo": source.editor_info}
    if source.short_description:
        changes["shortDescription"] = source.short_description
    if source.status == "ready":
        changes["status"] = "ready"
    return scenario.workflows.update(principal, copy.id, changes)


def run_workflow(
    scenario: ScenarioBackend, principal: Principal, workflow_id: str, inputs: dict[str, Any], dry_run: bool
) -> Run | DryRun:
    return scenario.jobs.run(principal, workflow_id, wrap_array_inputs(scenario, workflow_id, inputs), dry_run)


def wrap_array_inputs(scenario: ScenarioBackend, workflow_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """A bare scalar for a ``file_array``, ``string_array`` or ``model_array`` input, as a one-element array."""
    workflow = scenario.store.get_workflow(workflow_id)
    if workflow is None:
        return inputs
    array_inputs = {item.get("name") for item in workflow.inputs if item.get("type") in ARRAY_INPUT_TYPES}
    return {
        name: [value] if name in array_inputs and value is not None and not isinstance(value, list) else value
        for name, value in inputs.items()
    }


def decide_approval(
    scenario: ScenarioBackend, principal: Principal, workflow_id: str, job_id: str, node_id: str, action: str
) -> Any:
    return scenario.jobs.user_approval(principal, workflow_id, job_id, node_id, action)
