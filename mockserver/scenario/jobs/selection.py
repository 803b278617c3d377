"""User selection: the candidates a ``user-selection`` node offers, and the rules a choice among them follows.

When the node starts, what flows into it (the outputs of the nodes it references, or its literal values)
is frozen into its ``items``, a list of strings: asset ids, texts, numbers as JSON. A choice names items by
their zero-based index, in the order the node passes them on.
"""

from __future__ import annotations

import json
from typing import Any

from mockserver.core.errors import BadRequest
from mockserver.scenario.jobs import outputs
from mockserver.scenario.jobs.models import Job, NodeRun
from mockserver.scenario.workflows.flow import selection_bounds, selection_inputs


def candidates(job: Job, run: NodeRun) -> list[str]:
    """The items the node offers, from each of its inputs in turn."""
    found: list[str] = []
    for node_input in selection_inputs(run.definition):
        found.extend(_flatten(outputs.resolve_value(job, run, node_input)))
    return found


def _flatten(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for element in value for item in _flatten(element)]
    if isinstance(value, dict):
        # A ref without a name reads a node whole: its assets, or else its output.
        if set(value) == {"assets", "output"}:
            return _flatten(value["assets"]) or _flatten(value["output"])
        return [item for element in value.values() for item in _flatten(element)]
    return [json.dumps(value)]


def too_few_candidates(run: NodeRun) -> str | None:
    """Why the node cannot be decided by a selection, or None when it can."""
    low, _ = selection_bounds(run.definition)
    count = len(run.candidates or ())
    if count >= low:
        return None
    return f"it has {count} item(s) to choose from, and at least {low} must be picked"


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) or isinstance(value, float) and value.is_integer()


def chosen_items(run: NodeRun, indices: Any) -> list[str]:
    """The items ``indices`` pick, in the order given; BadRequest names the rule a wrong choice breaks."""
    if indices is None:
        raise BadRequest('selectedIndices is required when action is "select"')
    if not isinstance(indices, list) or not all(_is_whole(index) for index in indices):
        raise BadRequest("selectedIndices must be a list of whole numbers")
    indices = [int(index) for index in indices]
    items = run.candidates or []
    low, high = selection_bounds(run.definition)
    seen: set[int] = set()
    for position, index in enumerate(indices):
        if not 0 <= index < len(items):
            raise BadRequest(
                f"selectedIndices[{position}] is {index}: out of range, "
                f'node "{run.node_id}" has {len(items)} items (indices 0 to {len(items) - 1})'
            )
        if index in seen:
            raise BadRequest(f"selectedIndices[{position}] repeats index {index}: pick each item at most once")
        seen.add(index)
    if not low <= len(indices) <= high:
        raise BadRequest(
            f'Node "{run.node_id}" takes between {low} and {high} items (its min and max), '
            f"got {len(indices)} in selectedIndices"
        )
    return [items[index] for index in indices]
