"""Arguments several tools take, typed and described once so every tool lists the same schema for them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from mockserver.mcp.workflow_actions import MAX_LIST_LIMIT

TeamId = Annotated[
    str | None,
    Field(description="Team ID. The fake has one team (see teams_list); another id is refused."),
]
ProjectId = Annotated[
    str | None,
    Field(
        description="Project ID to act in, as the API's projectId: the caller's key must belong to it. "
        "Left out, the project of the caller's key."
    ),
]
WorkflowId = Annotated[
    str, Field(description="Workflow ID, e.g. workflow_xxx (the fake's ids; Scenario's are wflow_).")
]
Name = Annotated[str | None, Field(description="Workflow name.")]
Description = Annotated[str | None, Field(description="Workflow description.")]
Flow = Annotated[
    list[dict[str, Any]] | None,
    Field(description="Workflow flow definition: the array of node objects the API stores as flow."),
]
InputsDefinition = Annotated[
    list[dict[str, Any]] | None,
    Field(description="Workflow input definitions (the API's inputs of a workflow): name, type, required..."),
]
EditorInfo = Annotated[
    dict[str, Any] | None,
    Field(
        description="The webapp's editor graph: non-empty nodes ({id, type, data}) and edges ({source, target}) "
        "arrays, every node type a flow node type. Saved as a draft; publish compiles it into the flow."
    ),
]
RunInputs = Annotated[
    dict[str, Any] | None,
    Field(
        description="Input values keyed by the workflow's inputs[].name. A bare scalar for a file_array, "
        "string_array or model_array input is wrapped into a one-element array."
    ),
]
DryRun = Annotated[bool, Field(description="Estimate the cost without running: no job is created.")]
WorkflowJobId = Annotated[str, Field(description="ID of the workflow job parked on the approval node.")]
NodeId = Annotated[str, Field(description="ID of the user-approval node to decide.")]
Status = Annotated[
    str | None,
    Field(
        description="Only workflows whose status matches. 'draft' and 'ready' are filtered by the API; any other "
        "value filters the returned page only, and the reply carries _workflowListStatusFilter."
    ),
]
Limit = Annotated[int, Field(ge=1, le=MAX_LIST_LIMIT, description=f"Results per page, 1 to {MAX_LIST_LIMIT}.")]
PageToken = Annotated[str | None, Field(description="nextPaginationToken of the previous page.")]
