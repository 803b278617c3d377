"""Documented rules of the API that a JSON schema cannot express, taught to schemathesis.

The contract describes them in prose; without these, generated requests that
break them (a made-up pagination token, ``createdAfter`` together with
``status``, a flow whose refs point nowhere) would count as valid data that the
server wrongly refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemathesis.core.parameters import ParameterLocation

# listJobs: these parameters sort jobs by update date.
UPDATE_ORDER_FILTERS = ("status", "type", "types", "workflowId")

# Beginnings of the 400 messages for rules stated in the contract's descriptions.
SEMANTIC_REFUSALS = (
    "Invalid flow:",  # refs, ids, cycles and node types of a flow
    "Invalid input",  # run bodies are checked against the workflow's own inputs
    "Unknown input",
    'Input "',
    "The request body must be a JSON object of input values",
    "cannot be set to ready",
    "is a draft",
    "Invalid paginationToken",
    "createdAfter is only allowed",  # listJobs: date filters follow the sort order
    "updatedAfter is only allowed",
    "only inference jobs can be canceled",  # jobAction on a workflow job
    "has already ended",  # jobAction on a finished job: not a job one can act on any more
    "is not waiting for approval",  # userApproval: the node must await a decision
    "not a user-approval node",
    "is not waiting for a selection",  # userSelection: likewise, and the choice follows the node's rules
    "not a user-selection node",
    'selectedIndices is required when action is "select"',
    "selectedIndices[",
    "takes between",
    "At least one of query or filter",  # searchWorkflows: rules across the body's fields
    "Use either offset and limit",
    "Invalid filter:",
    "sortBy[",
    "Invalid before:",  # a workflow's before/after/thumbnail name assets of its project
    "Invalid after:",
    "Invalid thumbnail:",
    "Invalid parentId:",
    "image is required",  # uploadAsset: an image as a data URL
    "image must be",
    "the data URL",
    "assetIds must hold",
    "does not convert",  # requestAssetDownload: assets are served as stored
    "names no asset",
    "multipart uploads only",  # createUpload: the fake's multipart uploads
    "is required for a multipart upload",
    "is not served by the fake",
    "is not a file of kind",
    "parts cannot each hold",
    "must be a whole number",
    "is missing parts",  # uploadAction: every part sent, adding up to the file's size
    "its parts hold",
)

# listAssets: the date filters each need the listing sorted by their date.
ASSET_DATE_FILTERS = {
    "createdAfter": "createdAt",
    "createdBefore": "createdAt",
    "updatedAfter": "updatedAt",
    "updatedBefore": "updatedAt",
}


def documented_query(
    operation_id: str, query: dict[str, Any], project_id: str | None = None, project_required: bool = False
) -> dict[str, Any]:
    """The query with documented cross-parameter rules applied.

    A valid ``projectId`` naming a project the key does not belong to is a documented 403: it is
    pinned to the key's project when the kit knows it, or left out when optional (the key implies
    the project), so that generated requests reach the operation itself.
    """
    query = {key: value for key, value in query.items() if key != "paginationToken"}
    if isinstance(query.get("projectId"), str) and query["projectId"]:
        if project_id is not None:
            query["projectId"] = project_id
        elif not project_required:
            del query["projectId"]
    if operation_id == "listAssets":
        sort_by = query.get("sortBy", "createdAt")
        query = {key: value for key, value in query.items() if ASSET_DATE_FILTERS.get(key, sort_by) == sort_by}
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


def register(schema: Any, project_id: str | None = None) -> None:
    """Attach the rules to a schemathesis schema; ``project_id`` is the project of the key the suite uses."""

    @schema.hook
    def map_case(context: Any, case: Any) -> Any:
        # A query made invalid on purpose is left as generated: it is refused whatever these rules say.
        if case.query is None or (case.meta is not None and case.meta.is_negative_at(ParameterLocation.QUERY)):
            return case
        operation = case.operation
        required = any(p.name == "projectId" and p.is_required for p in operation.iter_parameters())
        query = documented_query(operation.definition.raw.get("operationId", ""), case.query, project_id, required)
        if query != case.query:
            case.query = query
        return case

    schema.hook(failures_except(is_semantic_refusal))


def failures_except(documented: Callable[[int, Any], bool]) -> Callable[..., bool]:
    """A ``filter_failure`` hook dropping "valid data rejected" failures whose answer is a documented refusal."""

    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if "rejected" not in type(failure).__name__.lower() and "Schema-valid" not in str(failure.title):
            return True
        try:
            body = response.json()
        except ValueError:
            return True
        return not documented(response.status_code, body)

    return filter_failure
