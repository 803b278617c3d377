"""The webapp's editor graph (``editor_info``) and the flow it compiles to when a workflow is published.

``manage_workflows`` documents that ``editor_info`` "is validated against the webapp's import schema (must
include non-empty nodes / edges arrays and recognized node types)" and that publish "compiles editor_info
into a flow". The import schema itself is not public, so the fake reads the graph as the webapp's node
editor keeps it: ``nodes`` of ``{"id", "type", "data": {...}}`` and ``edges`` of ``{"source", "target"}``.
A node's ``data`` holds its flow fields (``modelId``, ``inputs``, ...); an edge makes its target wait for
its source (``dependsOn``). The compiled flow is then checked as any flow sent to the API is.
"""

from __future__ import annotations

from typing import Any

from mockserver.core.errors import BadRequest
from mockserver.scenario.workflows.flow import NODE_TYPES

# What the editor keeps about a node for its own drawing, not for the flow.
_EDITOR_ONLY = frozenset({"label", "position", "selected", "dragging", "width", "height"})


def check_editor_info(editor_info: Any) -> None:
    """Refuse a graph the webapp would not import, with the reason."""
    if not isinstance(editor_info, dict):
        raise BadRequest("editor_info must be an object with nodes and edges arrays")
    nodes, edges = editor_info.get("nodes"), editor_info.get("edges")
    if not isinstance(nodes, list) or not nodes:
        raise BadRequest("editor_info.nodes must be a non-empty array")
    if not isinstance(edges, list) or not edges:
        raise BadRequest("editor_info.edges must be a non-empty array")
    ids: set[str] = set()
    for index, node in enumerate(nodes):
        if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not node["id"]:
            raise BadRequest(f"editor_info.nodes[{index}] must be an object with a string id")
        if node.get("type") not in NODE_TYPES:
            known = ", ".join(sorted(NODE_TYPES))
            raise BadRequest(f'editor_info node "{node["id"]}" has type {node.get("type")!r}; recognized: {known}')
        if "data" in node and not isinstance(node["data"], dict):
            raise BadRequest(f'editor_info node "{node["id"]}": data must be an object')
        ids.add(node["id"])
    for index, edge in enumerate(edges):
        if not isinstance(edge, dict) or edge.get("source") not in ids or edge.get("target") not in ids:
            raise BadRequest(f"editor_info.edges[{index}] must join two of its nodes by source and target")


def compile_flow(editor_info: dict[str, Any]) -> list[dict[str, Any]]:
    """The flow of a checked editor graph: one flow node per editor node, in the editor's order."""
    check_editor_info(editor_info)
    waits: dict[str, list[str]] = {}
    for edge in editor_info["edges"]:
        waits.setdefault(edge["target"], []).append(edge["source"])
    flow = []
    for node in editor_info["nodes"]:
        data = {key: value for key, value in node.get("data", {}).items() if key not in _EDITOR_ONLY}
        compiled: dict[str, Any] = {**data, "id": node["id"], "type": node["type"]}
        depends_on = list(dict.fromkeys([*data.get("dependsOn", []), *waits.get(node["id"], [])]))
        if depends_on:
            compiled["dependsOn"] = depends_on
        flow.append(compiled)
    return flow
