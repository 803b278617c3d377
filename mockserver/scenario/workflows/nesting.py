"""Workflow nodes run other workflows: a workflow may not reach itself through them.

A workflow running itself, directly or through others, starts a job per workflow node at every level until
the nesting limit stops it: work that grows exponentially with no result a client could want. It is refused
when the flow is saved and again when it is run, as the workflows it runs may have changed in between.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from mockserver.core.errors import BadRequest

# A workflow's flow by its id, or None when the caller cannot see it (it then runs nothing, as far as it knows).
FlowOf = Callable[[str], list | None]


def workflows_run_by(flow: list) -> list[str]:
    """The ids of the workflows ``flow``'s workflow nodes run, each once, in flow order."""
    found: dict[str, None] = {}
    for node in flow:
        if isinstance(node, dict) and node.get("type") == "workflow" and isinstance(node.get("workflowId"), str):
            found[node["workflowId"]] = None
    return list(found)


def check_does_not_run_itself(workflow_id: str, flow: list, flow_of: FlowOf) -> None:
    """BadRequest naming the chain when ``flow`` (the flow of ``workflow_id``) leads back to it."""
    came_from: dict[str, str] = {}
    pending = deque((called, workflow_id) for called in workflows_run_by(flow))
    while pending:
        called, caller = pending.popleft()
        if called in came_from:
            continue
        came_from[called] = caller
        if called == workflow_id:
            raise BadRequest(f"Invalid flow: workflow {workflow_id} runs itself: {_chain(workflow_id, came_from)}")
        called_flow = flow_of(called)
        pending.extend((next_called, called) for next_called in workflows_run_by(called_flow or []))


def _chain(workflow_id: str, came_from: dict[str, str]) -> str:
    """``A -> B -> A`` from the first caller back to ``workflow_id``."""
    chain = [workflow_id]
    caller = came_from[workflow_id]
    while caller != workflow_id:
        chain.append(caller)
        caller = came_from[caller]
    chain.append(workflow_id)
    return " -> ".join(reversed(chain))
