"""The rules a workflow's steps must keep to form a DAG, and the orders the engine needs.

A step waits for the steps in its ``depends_on``; its ``input_mappings`` may only
read from steps it waits for, directly or through others. Every refusal names the
step at fault, as a message for a 422 ``value_error``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class DagNode:
    id: str
    depends_on: tuple[str, ...]
    mapped_from: tuple[str, ...]  # the from_step of each input mapping


def dag_problem(nodes: Sequence[DagNode]) -> str | None:
    """The first rule the steps break, as a message naming the step; None when they form a valid DAG."""
    return _duplicate_id(nodes) or _unknown_dependency(nodes) or _cycle(nodes) or _mapping_outside_dependencies(nodes)


def _duplicate_id(nodes: Sequence[DagNode]) -> str | None:
    seen: set[str] = set()
    for node in nodes:
        if node.id in seen:
            return f"Duplicate step id '{node.id}': step ids must be unique within a workflow"
        seen.add(node.id)
    return None


def _unknown_dependency(nodes: Sequence[DagNode]) -> str | None:
    known = {node.id for node in nodes}
    for node in nodes:
        for dependency in node.depends_on:
            if dependency not in known:
                return f"Step '{node.id}' depends on unknown step '{dependency}'"
    return None


def _cycle(nodes: Sequence[DagNode]) -> str | None:
    """A cycle as ``'a' -> 'b' -> 'a'`` where each step depends on the next."""
    graph = {node.id: node.depends_on for node in nodes}
    finished: set[str] = set()
    for start in graph:
        if start in finished:
            continue
        path: list[str] = [start]
        on_path = {start}
        pending = [iter(graph[start])]
        while pending:
            dependency = next(pending[-1], None)
            if dependency is None:
                finished.add(path[-1])
                on_path.discard(path.pop())
                pending.pop()
            elif dependency in on_path:
                loop = path[path.index(dependency) :] + [dependency]
                chain = " -> ".join(f"'{step}'" for step in loop)
                return f"Steps form a dependency cycle: {chain} (step '{loop[0]}' can never start)"
            elif dependency not in finished:
                path.append(dependency)
                on_path.add(dependency)
                pending.append(iter(graph[dependency]))
    return None


def _mapping_outside_dependencies(nodes: Sequence[DagNode]) -> str | None:
    graph = {node.id: node.depends_on for node in nodes}
    for node in nodes:
        for source in node.mapped_from:
            if source not in graph:
                return f"Step '{node.id}' maps input from unknown step '{source}'"
            if source not in ancestors(graph, node.id):
                return (
                    f"Step '{node.id}' maps input from step '{source}', which is not one of its dependencies: "
                    f"add '{source}' to its depends_on"
                )
    return None


def ancestors(graph: Mapping[str, Iterable[str]], step_id: str) -> set[str]:
    """Every step ``step_id`` waits for, directly or through others."""
    found: set[str] = set()
    pending = list(graph.get(step_id, ()))
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(graph.get(current, ()))
    return found


def final_step_id(nodes: Sequence[DagNode]) -> str | None:
    """The last step, in definition order, that no other step depends on."""
    waited_for = {dependency for node in nodes for dependency in node.depends_on}
    sinks = [node.id for node in nodes if node.id not in waited_for]
    return sinks[-1] if sinks else None
