"""Rules of the orchestrator contract that its schemas cannot express, taught to schemathesis.

- A workflow's steps must form a DAG (unique ids, known dependencies, no cycle,
  mappings only from dependencies). Generated steps rarely do, so valid
  ``CreateWorkflow`` bodies are made into one before they are sent: ids made
  unique, each step depending only on steps before it, mappings kept only from
  its dependencies. A refusal that names a DAG rule is still a documented one.
- Lifecycle actions answer 400 when the workflow's status does not allow them,
  as the contract's description documents: valid requests, refused for the state.
- ``DELETE /workflows/{id}`` cancels: the workflow is still there afterwards, so
  schemathesis' ``use_after_free`` check does not apply.
- ``origin_tenant_id`` is a caller's own label, not the id of a resource of this
  API; read as one, it would keep creating and listing workflows from starting
  the stateful walks.
"""

from __future__ import annotations

from typing import Any

from mockserver.kit.rules import failures_except
from mockserver.orchestrator.dag import ancestors

CREATE = "create_workflow_api_v1_workflows__post"
TRANSITIONS = (
    "start_workflow_api_v1_workflows__workflow_id__start_post",
    "resume_workflow_api_v1_workflows__workflow_id__resume_post",
    "cancel_workflow_api_v1_workflows__workflow_id__delete",
    "cleanup_workflow_api_v1_workflows__workflow_id__cleanup_post",
)
# Fields schemathesis would take for references to resources the API does not have.
FREE_LABELS = ("OriginTenant",)
# The statuses schemathesis accepts for valid data by default, and the documented refusals for the state.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


def config() -> dict[str, Any]:
    """Schemathesis configuration entries for the orchestrator contract."""
    return {
        "checks": {"use_after_free": {"enabled": False}},
        "operations": [
            {
                "include-operation-id": operation_id,
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
            }
            for operation_id in TRANSITIONS
        ],
    }


def as_dag(body: Any) -> Any:
    """A generated CreateWorkflow body whose steps form a valid DAG; anything else is left as it is."""
    if not isinstance(body, dict) or not isinstance(body.get("steps"), list):
        return body
    steps = body["steps"]
    if not all(isinstance(step, dict) and isinstance(step.get("id"), str) and step["id"] for step in steps):
        return body
    seen: list[str] = []
    graph: dict[str, list[str]] = {}
    fixed = []
    for index, step in enumerate(steps):
        step = dict(step)
        step_id = step["id"] if step["id"] not in graph else f"{step['id'][:90]}-{index}"
        step["id"] = step_id
        if isinstance(step.get("depends_on"), list):
            step["depends_on"] = [dep for dep in step["depends_on"] if dep in seen]
        graph[step_id] = [dep for dep in step.get("depends_on", []) if isinstance(dep, str)]
        mappings = step.get("input_mappings")
        if isinstance(mappings, list):
            upstream = ancestors(graph, step_id)
            step["input_mappings"] = [m for m in mappings if isinstance(m, dict) and m.get("from_step") in upstream]
        seen.append(step_id)
        fixed.append(step)
    return {**body, "steps": fixed}


def is_dag_refusal(status: int, body: Any) -> bool:
    """A 422 that names a DAG rule (the schema cannot express them)."""
    if status != 422 or not isinstance(body, dict) or not isinstance(body.get("detail"), list):
        return False
    return any(
        isinstance(error, dict) and error.get("loc") == ["body", "steps"] and error.get("type") == "value_error"
        for error in body["detail"]
    )


def register(schema: Any) -> None:
    """Attach the rules to a schemathesis schema of the orchestrator contract."""
    from schemathesis.core.parameters import ParameterLocation

    for node in schema.analysis.dependency_graph.operations.values():
        node.inputs = [slot for slot in node.inputs if slot.resource.name not in FREE_LABELS]

    @schema.hook
    def map_case(context: Any, case: Any) -> Any:
        if case.operation.definition.raw.get("operationId") != CREATE:
            return case
        negative = case.meta is not None and case.meta.is_negative_at(ParameterLocation.BODY)
        if not negative:
            case.body = as_dag(case.body)
        return case

    schema.hook(failures_except(is_dag_refusal))
