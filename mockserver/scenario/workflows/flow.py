"""The flow graph of a workflow: which nodes exist, what each waits for, and in which order they run.

Nodes are the API's JSON objects (camelCase dicts). ``validate_flow`` checks the structure the fake
needs to run a flow (ids, references, the fields each node type cannot do without, no cycles) and
accepts every other field as sent.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable

from mockserver.core.errors import BadRequest

NODE_TYPES: frozenset[str] = frozenset(
    {
        "custom-model",
        "for-each",
        "generate-prompt",
        "list",
        "logic",
        "model",
        "remove-background",
        "transform",
        "user-approval",
        "user-selection",
        "workflow",
    }
)
MAX_NODES = 50
# The most iterations a for-each node's ``count`` may ask for.
MAX_LOOP_COUNT = 1000

# ``ref.node`` names this pseudo-node to read one of the workflow's own inputs.
WORKFLOW_REF = "workflow"


# --- Dependencies -------------------------------------------------------------------------------


def node_dependencies(node: dict) -> list[str]:
    """Ids of the nodes ``node`` waits for, de-duplicated, in first-seen order.

    They come from each input's ``ref.node`` (except ``"workflow"``) and ``ref.conditional``, the
    refs of the sub-inputs in an inputs_array's ``items``, and ``dependsOn``.
    """
    found: list[str] = []
    for node_input in _objects(node.get("inputs")):
        found.extend(_ref_targets(node_input.get("ref")))
        for sub_input in _sub_inputs(node_input):
            found.extend(_ref_targets(sub_input.get("ref")))
    found.extend(_strings(node.get("dependsOn")))
    return list(dict.fromkeys(found))


def _ref_targets(ref: object) -> list[str]:
    if not isinstance(ref, dict):
        return []
    targets = []
    target = ref.get("node")
    if isinstance(target, str) and target and target != WORKFLOW_REF:
        targets.append(target)
    targets.extend(_strings(ref.get("conditional")))
    return targets


def _sub_inputs(node_input: dict) -> list[dict]:
    items = node_input.get("items")
    if not isinstance(items, list):
        return []
    return [sub_input for item in items for sub_input in _objects(item)]


def _objects(value: object) -> list[dict]:
    return [element for element in value if isinstance(element, dict)] if isinstance(value, list) else []


def _strings(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [element for element in value if isinstance(element, str) and element]


# --- Order ---------------------------------------------------------------------------------------


def _dependency_graph(flow: list) -> dict[str, list[str]]:
    """Each node id mapped to the ids it waits for, keeping only ids that are nodes of the flow."""
    node_ids = {node["id"] for node in flow}
    return {
        node["id"]: [dependency for dependency in node_dependencies(node) if dependency in node_ids] for node in flow
    }


def topological_order(flow: list) -> list[str]:
    """Node ids so that every node comes after the nodes it waits for.

    Among the nodes that are ready at the same time, the one placed first in the flow goes first,
    so a flow already written in dependency order keeps its order. Expects a validated flow.
    """
    graph = _dependency_graph(flow)
    position = {node_id: index for index, node_id in enumerate(graph)}
    waiting_on = {node_id: set(dependencies) for node_id, dependencies in graph.items()}
    dependents: dict[str, list[str]] = {node_id: [] for node_id in graph}
    for node_id, dependencies in graph.items():
        for dependency in dependencies:
            dependents[dependency].append(node_id)

    ready = [position[node_id] for node_id, pending in waiting_on.items() if not pending]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node_id = flow[heapq.heappop(ready)]["id"]
        order.append(node_id)
        for dependent in dependents[node_id]:
            waiting_on[dependent].discard(node_id)
            if not waiting_on[dependent]:
                heapq.heappush(ready, position[dependent])
    if len(order) != len(graph):
        raise ValueError("the flow has a dependency cycle; run validate_flow on it first")
    return order


def terminal_node_ids(flow: list) -> set[str]:
    """The "last nodes": nodes no other node waits for. Their outputs are the job's outputs."""
    graph = _dependency_graph(flow)
    waited_for = {dependency for dependencies in graph.values() for dependency in dependencies}
    return set(graph) - waited_for


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A cycle as ``[a, b, ..., a]`` where each node waits for the next, or None."""
    on_path: list[str] = []
    finished: set[str] = set()

    def visit(node_id: str) -> list[str] | None:
        on_path.append(node_id)
        for dependency in graph[node_id]:
            if dependency in on_path:
                return on_path[on_path.index(dependency) :] + [dependency]
            if dependency not in finished:
                cycle = visit(dependency)
                if cycle:
                    return cycle
        on_path.pop()
        finished.add(node_id)
        return None

    for node_id in graph:
        if node_id not in finished:
            cycle = visit(node_id)
            if cycle:
                return cycle
    return None


# --- Validation ----------------------------------------------------------------------------------


def validate_flow(flow: list, inputs: list) -> None:
    """Raise BadRequest on the first structural problem of ``flow``.

    ``inputs`` are the workflow's input definitions; ``{"node": "workflow", "name": ...}`` refs
    must name one of them.
    """
    _check_flow_shape(flow)
    node_ids = _check_node_ids(flow)
    input_names = frozenset(name for definition in _objects(inputs) if isinstance(name := definition.get("name"), str))
    for node in flow:
        _check_node(node, node_ids, input_names)
    cycle = _find_cycle(_dependency_graph(flow))
    if cycle:
        path = " -> ".join(f'"{node_id}"' for node_id in cycle)
        raise BadRequest(f"Invalid flow: the nodes form a cycle: {path} (each node waits for the next)")
    _check_loop_bodies(flow)


def _check_loop_bodies(flow: list) -> None:
    """Loop bodies form a tree: a node is in at most one body, and no for-each node is inside its own body."""
    enclosing: dict[str, str] = {}
    for node in flow:
        if node["type"] != "for-each":
            continue
        for body_id in node.get("loopBodyNodeIds") or ():
            if body_id in enclosing and enclosing[body_id] != node["id"]:
                raise _invalid(
                    f'node "{body_id}"',
                    f'it is in the loop bodies of both "{enclosing[body_id]}" and "{node["id"]}": '
                    "a node can be in one loop body only",
                )
            enclosing[body_id] = node["id"]
    for loop_id in enclosing.values():
        outer, seen = enclosing.get(loop_id), {loop_id}
        while outer is not None:
            if outer in seen:
                raise _invalid(
                    f'node "{loop_id}" (for-each)', "its loop body contains itself, directly or through nested loops"
                )
            seen.add(outer)
            outer = enclosing.get(outer)


def _invalid(where: str, problem: str) -> BadRequest:
    return BadRequest(f"Invalid flow: {where}: {problem}")


def _show(value: object) -> str:
    return json.dumps(value)


def _check_flow_shape(flow: object) -> None:
    if not isinstance(flow, list):
        raise BadRequest('Invalid flow: "flow" must be a list of nodes')
    for index, node in enumerate(flow):
        if not isinstance(node, dict):
            raise _invalid(f"flow[{index}]", "a node must be an object")
    if len(flow) > MAX_NODES:
        raise BadRequest(f"Invalid flow: a flow can have at most {MAX_NODES} nodes, got {len(flow)}")


def _check_node_ids(flow: list) -> frozenset[str]:
    first_position: dict[str, int] = {}
    for index, node in enumerate(flow):
        node_id = node.get("id")
        if not isinstance(node_id, str) or not node_id:
            raise _invalid(f"flow[{index}]", 'a node needs a non-empty string "id"')
        if node_id in first_position:
            raise _invalid(
                f'node "{node_id}"',
                f"the id is used by more than one node (flow[{first_position[node_id]}] and flow[{index}])",
            )
        first_position[node_id] = index
    return frozenset(first_position)


def _check_node(node: dict, node_ids: frozenset[str], input_names: frozenset[str]) -> None:
    node_type = _check_node_type(node)
    _check_node_inputs(node, node_ids, input_names)
    _check_node_id_list(node, "dependsOn", node_ids)
    _TYPE_SPECIFIC_CHECKS.get(node_type, _no_check)(node, node_ids)


def _check_node_type(node: dict) -> str:
    node_type = node.get("type")
    if not isinstance(node_type, str) or node_type not in NODE_TYPES:
        known = ", ".join(sorted(NODE_TYPES))
        shown = '"type" is missing' if node_type is None else f"unknown type {_show(node_type)}"
        raise _invalid(f'node "{node["id"]}"', f"{shown}. Known types: {known}")
    return node_type


def _check_node_inputs(node: dict, node_ids: frozenset[str], input_names: frozenset[str]) -> None:
    node_inputs = node.get("inputs")
    if node_inputs is None:
        return
    if not isinstance(node_inputs, list):
        raise _invalid(f'node "{node["id"]}"', '"inputs" must be a list')
    for index, node_input in enumerate(node_inputs):
        where = f'node "{node["id"]}" {_input_label(node_input, index)}'
        if not isinstance(node_input, dict):
            raise _invalid(where, "an input must be an object")
        _check_ref(node_input.get("ref"), where, node["id"], node_ids, input_names)
        _check_sub_inputs(node_input, where, node["id"], node_ids, input_names)


def _input_label(node_input: object, index: int) -> str:
    name = node_input.get("name") if isinstance(node_input, dict) else None
    return f'input "{name}"' if isinstance(name, str) and name else f"input #{index}"


def _check_sub_inputs(
    node_input: dict, where: str, node_id: str, node_ids: frozenset[str], input_names: frozenset[str]
) -> None:
    items = node_input.get("items")
    if items is None:
        return
    if not isinstance(items, list) or not all(isinstance(item, list) for item in items):
        raise _invalid(where, '"items" must be a list of lists of inputs')
    for item_index, item in enumerate(items):
        for sub_index, sub_input in enumerate(item):
            sub_where = f"{where} item {item_index} {_input_label(sub_input, sub_index)}"
            if not isinstance(sub_input, dict):
                raise _invalid(sub_where, "an input must be an object")
            _check_ref(sub_input.get("ref"), sub_where, node_id, node_ids, input_names)


def _check_ref(ref: object, where: str, node_id: str, node_ids: frozenset[str], input_names: frozenset[str]) -> None:
    if ref is None:
        return
    if not isinstance(ref, dict):
        raise _invalid(where, '"ref" must be an object')
    if ref.get("node") is None and ref.get("conditional") is None:
        raise _invalid(where, 'ref must have "node" or "conditional"')
    if ref.get("node") is not None:
        _check_ref_node(ref, where, node_id, node_ids, input_names)
    if ref.get("conditional") is not None:
        _check_ref_conditional(ref["conditional"], where, node_id, node_ids)


def _check_ref_node(ref: dict, where: str, node_id: str, node_ids: frozenset[str], input_names: frozenset[str]) -> None:
    target = ref["node"]
    if not isinstance(target, str) or not target:
        raise _invalid(where, "ref.node must be a non-empty string")
    if target == WORKFLOW_REF:
        _check_workflow_input_name(ref.get("name"), where, input_names)
        return
    _check_target(where, "ref.node", target, node_id, node_ids, f' or "{WORKFLOW_REF}"')


def _check_workflow_input_name(name: object, where: str, input_names: frozenset[str]) -> None:
    if not isinstance(name, str) or not name:
        raise _invalid(where, f'ref.name is required when ref.node is "{WORKFLOW_REF}"')
    if name not in input_names:
        known = sorted(known_name for known_name in input_names if isinstance(known_name, str))
        listed = f"inputs: {', '.join(known)}" if known else "the workflow has no inputs"
        raise _invalid(where, f'ref.name "{name}" is not an input of this workflow ({listed})')


def _check_ref_conditional(conditional: object, where: str, node_id: str, node_ids: frozenset[str]) -> None:
    if not isinstance(conditional, list) or not all(isinstance(target, str) for target in conditional):
        raise _invalid(where, "ref.conditional must be a list of node ids")
    for target in conditional:
        _check_target(where, "ref.conditional", target, node_id, node_ids)


def _check_node_id_list(node: dict, field: str, node_ids: frozenset[str]) -> None:
    targets = node.get(field)
    if targets is None:
        return
    where = f'node "{node["id"]}"'
    if not isinstance(targets, list) or not all(isinstance(target, str) for target in targets):
        raise _invalid(where, f"{field} must be a list of node ids")
    for target in targets:
        _check_target(where, field, target, node["id"], node_ids)


def _check_target(
    where: str, field: str, target: str, node_id: str, node_ids: frozenset[str], also_allowed: str = ""
) -> None:
    if target == node_id:
        raise _invalid(where, f'{field} "{target}" points at the node itself')
    if target not in node_ids:
        raise _invalid(where, f'{field} "{target}" is not a node of this flow{also_allowed}')


# --- Checks that depend on the node type ---------------------------------------------------------


def _no_check(node: dict, node_ids: frozenset[str]) -> None:
    return None


def _type_label(node: dict) -> str:
    return f'node "{node["id"]}" ({node["type"]})'


def _require_string_field(field: str) -> Callable[[dict, frozenset[str]], None]:
    def check(node: dict, node_ids: frozenset[str]) -> None:
        value = node.get(field)
        if not isinstance(value, str) or not value:
            raise _invalid(_type_label(node), f'"{field}" is required')

    return check


def _check_logic_node(node: dict, node_ids: frozenset[str]) -> None:
    where = _type_label(node)
    logic_type = node.get("logicType")
    if logic_type != "if-else":
        shown = "it is missing" if logic_type is None else f"got {_show(logic_type)}"
        raise _invalid(where, f'logicType must be "if-else", {shown}')
    logic = node.get("logic")
    cases = logic.get("cases") if isinstance(logic, dict) else None
    if not isinstance(cases, list):
        raise _invalid(where, "logic.cases must be a list of {condition, value} objects")
    for index, case in enumerate(cases):
        if not _is_logic_case(case):
            raise _invalid(where, f'logic.cases[{index}] must be an object with a string "condition" and "value"')


def _is_logic_case(case: object) -> bool:
    return isinstance(case, dict) and isinstance(case.get("condition"), str) and isinstance(case.get("value"), str)


def _check_for_each_node(node: dict, node_ids: frozenset[str]) -> None:
    where = _type_label(node)
    _check_node_id_list(node, "loopBodyNodeIds", node_ids)
    count = node.get("count")
    if count is not None:
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_LOOP_COUNT:
            raise _invalid(where, f"count must be an integer from 1 to {MAX_LOOP_COUNT}, got {_show(count)}")
        return
    if not any(_has_source(node_input) for node_input in _objects(node.get("inputs"))):
        raise _invalid(where, 'needs a positive integer "count" or an input to iterate over')


def _has_source(node_input: dict) -> bool:
    return node_input.get("ref") is not None or node_input.get("value") is not None


# --- User selection ------------------------------------------------------------------------------

# How many items a user-selection node lets the user pick, unless its array input says otherwise.
SELECTION_MIN = 1
SELECTION_MAX = 100


def selection_inputs(node: dict) -> list[dict]:
    """The inputs that give a user-selection node its candidates, in order: those with a ``ref.node`` or a
    ``value`` (an input with only ``ref.conditional`` is a condition, not items)."""
    return [node_input for node_input in _objects(node.get("inputs")) if _gives_items(node_input)]


def selection_input(node: dict) -> dict | None:
    """The input whose ``min`` and ``max`` bound the pick: the first array input, else the first source."""
    sources = selection_inputs(node)
    arrays = [node_input for node_input in sources if str(node_input.get("type", "")).endswith("_array")]
    chosen = arrays or sources
    return chosen[0] if chosen else None


def selection_bounds(node: dict) -> tuple[int, int]:
    """How many items the user may pick (defaults 1 and 100); expects a validated node."""
    source = selection_input(node) or {}
    return int(source.get("min", SELECTION_MIN)), int(source.get("max", SELECTION_MAX))


def _gives_items(node_input: dict) -> bool:
    ref = node_input.get("ref")
    return "value" in node_input or (isinstance(ref, dict) and ref.get("node") is not None)


def _check_selection_node(node: dict, node_ids: frozenset[str]) -> None:
    where = _type_label(node)
    source = selection_input(node)
    if source is None:
        raise _invalid(where, 'needs an input with a "ref" to a node (or a "value") giving the items to choose from')
    bounds = {}
    for name, default in (("min", SELECTION_MIN), ("max", SELECTION_MAX)):
        value = source.get(name, default)
        whole = (
            isinstance(value, int) and not isinstance(value, bool) or isinstance(value, float) and value.is_integer()
        )
        if not whole:
            raise _invalid(where, f"{name} must be a whole number, got {_show(value)}")
        bounds[name] = int(value)
    low, high = bounds["min"], bounds["max"]
    if not SELECTION_MIN <= low <= high <= SELECTION_MAX:
        raise _invalid(
            where, f"min and max must satisfy {SELECTION_MIN} <= min <= max <= {SELECTION_MAX}, got {low} and {high}"
        )


_TYPE_SPECIFIC_CHECKS: dict[str, Callable[[dict, frozenset[str]], None]] = {
    "model": _require_string_field("modelId"),
    "custom-model": _require_string_field("modelId"),
    "workflow": _require_string_field("workflowId"),
    "logic": _check_logic_node,
    "for-each": _check_for_each_node,
    "user-selection": _check_selection_node,
}
