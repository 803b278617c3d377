"""Documented rules of the API that a JSON schema cannot express, taught to schemathesis.

The contract describes them in prose; without these, generated requests that
break them (a made-up pagination token, ``createdAfter`` together with
``status``, a flow whose refs point nowhere) would count as valid data that the
server wrongly refused.
"""

from __future__ import annotations

from typing import Any

# listJobs: these parameters sort jobs by update date.
UPDATE_ORDER_FILTERS = ("status", "type", "types", "workflowId")

# Beginnings of the 400 messages for rules stated in the contract's descriptions.
SEMANTIC_REFUSALS = (
    "Invalid flow:",  # refs, ids, cycles and node types of a flow
    "Invalid input",  # run bodies are checked against the workflow's own inputs
    'Input "',
    "The request body must be a JSON object of input values",
    "cannot be set to ready",
    "is a draft",
    "Invalid paginationToken",
    "createdAfter is only allowed",  # listJobs: date filters follow the sort order
    "updatedAfter is only allowed",
)


def documented_query(operation_id: str, query: dict[str, Any]) -> dict[str, Any]:
    """The query with documented cross-parameter rules applied."""
    query = {key: value for key, value in query.items() if key != "paginationToken"}
    if operation_id == "listJobs":
        if any(name in query for name in UPDATE_ORDER_FILTERS):
            query.pop("createdAfter", None)
        else:
            query.pop("updatedAfter", None)
    return query


def is_semantic_refusal(status: int, body: Any) -> bool:
    """A 400 the contract documents for a rule its schemas cannot express."""
    if status != 400 or not isinstance(body, dict):
        return False
    message = str(body.get("message", ""))
    return any(marker in message for marker in SEMANTIC_REFUSALS)


def register(schema: Any) -> None:
    """Attach the rules to a schemathesis schema."""

    @schema.hook
    def map_query(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
        if query is None or context.operation is None:
            return query
        return documented_query(context.operation.definition.raw.get("operationId", ""), query)

    @schema.hook
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if "rejected" not in type(failure).__name__.lower() and "Schema-valid" not in str(failure.title):
            return True
        try:
            body = response.json()
        except ValueError:
            return True
        return not is_semantic_refusal(response.status_code, body)
