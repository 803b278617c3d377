from __future__ import annotations

from collections.abc import Callable

import pytest

from mockserver.core.errors import BadRequest
from mockserver.scenario.workflows.flow import (
    MAX_NODES,
    NODE_TYPES,
    node_dependencies,
    terminal_node_ids,
    topological_order,
    validate_flow,
)

WORKFLOW_INPUTS = [{"name": "image", "type": "file"}, {"name": "prompt", "type": "string"}]


def node(node_id: str, node_type: str = "remove-background", **fields: object) -> dict:
    return {"id": node_id, "type": node_type, **fields}


def fed_by(node_id: str, name: str = "image", **ref: object) -> dict:
    """A node input reading the output of ``node_id``."""
    return {"name": name, "type": "file", "ref": {"node": node_id, **ref}}


def from_workflow(name: str = "image") -> dict:
    return {"name": name, "type": "file", "ref": {"node": "workflow", "name": name}}


def refusal(flow: list | dict, inputs: list | None = None) -> str:
    with pytest.raises(BadRequest) as raised:
        validate_flow(flow, WORKFLOW_INPUTS if inputs is None else inputs)
    return raised.value.message


def chain(length: int) -> list[dict]:
    """``length`` nodes, each fed by the one before it."""
    first = node("node_0", inputs=[from_workflow()])
    return [first] + [node(f"node_{i}", inputs=[fed_by(f"node_{i - 1}")]) for i in range(1, length)]


# --- Node types and dependencies ---------------------------------------------------------------


def test_node_types_are_the_eleven_of_the_api() -> None:
    assert NODE_TYPES == {
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


def test_dependencies_come_from_refs_conditionals_items_and_depends_on_in_first_seen_order() -> None:
    merged = node(
        "merge",
        inputs=[
            from_workflow(),
            fed_by("b"),
            {"name": "gate", "ref": {"conditional": ["c", "b"], "equal": "success"}},
            {
                "name": "layers",
                "type": "inputs_array",
                "items": [[fed_by("d")], [{"name": "weight", "value": 1}, fed_by("a")]],
            },
        ],
        dependsOn=["e", "c"],
    )
    assert node_dependencies(merged) == ["b", "c", "d", "a", "e"]


def test_a_node_without_inputs_depends_on_nothing() -> None:
    assert node_dependencies(node("alone")) == []


# --- validate_flow: accepted flows -------------------------------------------------------------


def test_a_flow_using_every_node_type_is_accepted_with_its_ui_fields() -> None:
    flow = [
        node("start", "list", items=["a", "b"], position={"x": 1, "y": 2}),
        node("each", "for-each", inputs=[fed_by("start", "items")], loopBodyNodeIds=["gen"]),
        node("gen", "model", modelId="model_x", inputs=[fed_by("each", "item"), from_workflow("prompt")]),
        node("custom", "custom-model", modelId="model_y", inputs=[fed_by("gen")]),
        node("prompt", "generate-prompt", inputs=[from_workflow("prompt")]),
        node("cut", "remove-background", inputs=[fed_by("custom")], label="Cut out"),
        node("resize", "transform", logic={"transform": "resize(width, height)"}, inputs=[fed_by("cut")]),
        node(
            "check",
            "logic",
            logicType="if-else",
            logic={"cases": [{"condition": "x > 1", "value": "resize"}], "default": "cut"},
            inputs=[fed_by("resize")],
        ),
        node("approve", "user-approval", dependsOn=["check"]),
        node("pick", "user-selection", inputs=[fed_by("resize", "images")], dependsOn=["approve"]),
        node("sub", "workflow", workflowId="workflow_abc", inputs=[fed_by("pick")]),
    ]
    assert {item["type"] for item in flow} == NODE_TYPES
    assert validate_flow(flow, WORKFLOW_INPUTS) is None


@pytest.mark.parametrize(("size", "accepted"), [(MAX_NODES, True), (MAX_NODES + 1, False)])
def test_a_flow_holds_at_most_fifty_nodes(size: int, accepted: bool) -> None:
    flow = chain(size)
    if accepted:
        assert validate_flow(flow, WORKFLOW_INPUTS) is None
    else:
        assert refusal(flow) == "Invalid flow: a flow can have at most 50 nodes, got 51"


# --- validate_flow: shape and ids -------------------------------------------------------------


def test_the_flow_must_be_a_list() -> None:
    assert refusal({"id": "a"}) == 'Invalid flow: "flow" must be a list of nodes'


def test_every_node_must_be_an_object() -> None:
    assert refusal([node("a"), "b"]) == "Invalid flow: flow[1]: a node must be an object"


@pytest.mark.parametrize("bad_id", [None, "", 7])
def test_every_node_needs_a_non_empty_string_id(bad_id: object) -> None:
    flow = [node("a"), {"type": "list"} if bad_id is None else {"id": bad_id, "type": "list"}]
    assert refusal(flow) == 'Invalid flow: flow[1]: a node needs a non-empty string "id"'


def test_node_ids_are_unique() -> None:
    message = refusal([node("a"), node("b"), node("a")])
    assert message == 'Invalid flow: node "a": the id is used by more than one node (flow[0] and flow[2])'


def test_an_unknown_type_is_refused_with_the_known_types_listed() -> None:
    message = refusal([node("a", "inference")])
    assert message.startswith('Invalid flow: node "a": unknown type "inference". Known types: custom-model, ')
    assert all(node_type in message for node_type in NODE_TYPES)


def test_a_node_without_a_type_is_refused() -> None:
    assert refusal([{"id": "a"}]).startswith('Invalid flow: node "a": "type" is missing. Known types:')


# --- validate_flow: references -----------------------------------------------------------------


def test_a_ref_needs_a_node_or_a_conditional() -> None:
    flow = [node("a", inputs=[{"name": "image", "ref": {"name": "all"}}])]
    assert refusal(flow) == 'Invalid flow: node "a" input "image": ref must have "node" or "conditional"'


def test_a_workflow_ref_needs_a_name() -> None:
    flow = [node("a", inputs=[{"name": "image", "ref": {"node": "workflow"}}])]
    assert refusal(flow) == 'Invalid flow: node "a" input "image": ref.name is required when ref.node is "workflow"'


@pytest.mark.parametrize(
    ("inputs", "listed"),
    [(WORKFLOW_INPUTS, "inputs: image, prompt"), ([], "the workflow has no inputs")],
)
def test_a_workflow_ref_must_name_an_input_of_the_workflow(inputs: list, listed: str) -> None:
    flow = [node("a", inputs=[from_workflow("mask")])]
    assert refusal(flow, inputs) == (
        f'Invalid flow: node "a" input "mask": ref.name "mask" is not an input of this workflow ({listed})'
    )


def test_a_ref_must_point_at_a_node_of_the_flow() -> None:
    flow = [node("node_1"), node("node_2", inputs=[fed_by("node_9")])]
    assert refusal(flow) == (
        'Invalid flow: node "node_2" input "image": ref.node "node_9" is not a node of this flow or "workflow"'
    )


def test_an_unnamed_input_is_named_by_its_position() -> None:
    flow = [node("a", inputs=[from_workflow(), {"ref": {"node": "ghost"}}])]
    assert refusal(flow).startswith('Invalid flow: node "a" input #1: ref.node "ghost"')


@pytest.mark.parametrize(
    ("field", "make_node"),
    [
        ("ref.node", lambda: node("a", inputs=[fed_by("a")])),
        ("ref.conditional", lambda: node("a", inputs=[{"name": "image", "ref": {"conditional": ["a"]}}])),
        ("dependsOn", lambda: node("a", dependsOn=["a"])),
        ("loopBodyNodeIds", lambda: node("a", "for-each", count=2, loopBodyNodeIds=["a"])),
    ],
)
def test_a_node_cannot_point_at_itself(field: str, make_node: Callable[[], dict]) -> None:
    message = refusal([make_node()])
    assert message.startswith('Invalid flow: node "a"')
    assert message.endswith(f'{field} "a" points at the node itself')


@pytest.mark.parametrize(
    ("expected", "pointing_node"),
    [
        (
            'node "b" input "gate": ref.conditional "ghost" is not a node of this flow',
            node("b", inputs=[{"name": "gate", "ref": {"conditional": ["a", "ghost"], "equal": "success"}}]),
        ),
        ('node "b": dependsOn "ghost" is not a node of this flow', node("b", dependsOn=["ghost"])),
        (
            'node "b": loopBodyNodeIds "ghost" is not a node of this flow',
            node("b", "for-each", count=2, loopBodyNodeIds=["a", "ghost"]),
        ),
        (
            'node "b" input "layers" item 0 input "image": ref.node "ghost" is not a node of this flow or "workflow"',
            node("b", inputs=[{"name": "layers", "type": "inputs_array", "items": [[fed_by("ghost")]]}]),
        ),
    ],
)
def test_every_node_reference_must_name_a_node_of_the_flow(expected: str, pointing_node: dict) -> None:
    assert refusal([node("a"), pointing_node]) == f"Invalid flow: {expected}"


def test_two_nodes_waiting_for_each_other_form_a_cycle() -> None:
    flow = [node("a", inputs=[fed_by("b")]), node("b", inputs=[fed_by("a")])]
    assert refusal(flow) == 'Invalid flow: the nodes form a cycle: "a" -> "b" -> "a" (each node waits for the next)'


def test_a_cycle_of_three_nodes_is_named_without_the_nodes_leading_into_it() -> None:
    flow = [
        node("entry", inputs=[fed_by("x")]),
        node("x", inputs=[fed_by("y")]),
        node("y", dependsOn=["z"]),
        node("z", inputs=[{"name": "gate", "ref": {"conditional": ["x"]}}]),
    ]
    assert refusal(flow) == (
        'Invalid flow: the nodes form a cycle: "x" -> "y" -> "z" -> "x" (each node waits for the next)'
    )


# --- validate_flow: fields each node type needs ------------------------------------------------


@pytest.mark.parametrize(
    ("node_type", "field"),
    [("model", "modelId"), ("custom-model", "modelId"), ("workflow", "workflowId")],
)
@pytest.mark.parametrize("bad_value", [None, ""])
def test_model_and_workflow_nodes_need_the_id_of_what_they_run(node_type: str, field: str, bad_value: object) -> None:
    fields = {} if bad_value is None else {field: bad_value}
    assert refusal([node("a", node_type, **fields)]) == f'Invalid flow: node "a" ({node_type}): "{field}" is required'


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"logic": {"cases": []}}, 'logicType must be "if-else", it is missing'),
        ({"logicType": "switch", "logic": {"cases": []}}, 'logicType must be "if-else", got "switch"'),
        ({"logicType": "if-else"}, "logic.cases must be a list of {condition, value} objects"),
        (
            {"logicType": "if-else", "logic": {"cases": {}}},
            "logic.cases must be a list of {condition, value} objects",
        ),
        (
            {
                "logicType": "if-else",
                "logic": {"cases": [{"condition": "x", "value": "b"}, {"condition": "y"}]},
            },
            'logic.cases[1] must be an object with a string "condition" and "value"',
        ),
    ],
)
def test_logic_nodes_need_if_else_cases(fields: dict, problem: str) -> None:
    assert refusal([node("a", "logic", **fields)]) == f'Invalid flow: node "a" (logic): {problem}'


def test_a_logic_node_with_an_empty_case_list_is_accepted() -> None:
    assert validate_flow([node("a", "logic", logicType="if-else", logic={"cases": [], "default": "b"})], []) is None


@pytest.mark.parametrize(
    "for_each",
    [
        node("loop", "for-each", count=3),
        node("loop", "for-each", inputs=[from_workflow()]),
        node("loop", "for-each", inputs=[{"name": "items", "value": ["a", "b"]}]),
    ],
)
def test_a_for_each_runs_a_fixed_count_or_over_an_input(for_each: dict) -> None:
    assert validate_flow([for_each], WORKFLOW_INPUTS) is None


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0"), (-2, "-2"), (1.5, "1.5"), ("3", '"3"'), (True, "true"), (1001, "1001"), (10**9, "1000000000")],
)
def test_a_for_each_count_must_be_an_integer_from_one_to_the_maximum(count: object, shown: str) -> None:
    flow = [node("loop", "for-each", count=count, inputs=[from_workflow()])]
    assert refusal(flow) == (
        f'Invalid flow: node "loop" (for-each): count must be an integer from 1 to 1000, got {shown}'
    )


def test_the_largest_count_is_accepted() -> None:
    assert validate_flow([node("loop", "for-each", count=1000)], WORKFLOW_INPUTS) is None


def test_loop_bodies_that_list_each_other_are_refused() -> None:
    flow = [
        node("a", "for-each", count=2, loopBodyNodeIds=["b"]),
        node("b", "for-each", count=2, loopBodyNodeIds=["a"]),
    ]
    assert "its loop body contains itself" in refusal(flow)


def test_a_loop_body_that_contains_its_for_each_through_nested_loops_is_refused() -> None:
    flow = [
        node("a", "for-each", count=2, loopBodyNodeIds=["b"]),
        node("b", "for-each", count=2, loopBodyNodeIds=["c"]),
        node("c", "for-each", count=2, loopBodyNodeIds=["a"]),
    ]
    assert "its loop body contains itself" in refusal(flow)


def test_a_node_in_two_loop_bodies_is_refused() -> None:
    flow = [
        node("gen", "transform"),
        node("a", "for-each", count=2, loopBodyNodeIds=["gen"]),
        node("b", "for-each", count=2, loopBodyNodeIds=["gen"]),
    ]
    assert refusal(flow) == (
        'Invalid flow: node "gen": it is in the loop bodies of both "a" and "b": a node can be in one loop body only'
    )


def test_nested_loops_that_form_a_tree_are_accepted() -> None:
    flow = [
        node("gen", "transform"),
        node("inner", "for-each", count=2, loopBodyNodeIds=["gen"]),
        node("outer", "for-each", count=3, loopBodyNodeIds=["inner"]),
    ]
    assert validate_flow(flow, WORKFLOW_INPUTS) is None


@pytest.mark.parametrize("inputs", [None, [], [{"name": "items", "type": "string_array"}]])
def test_a_for_each_without_count_needs_an_input_to_iterate_over(inputs: list | None) -> None:
    fields = {} if inputs is None else {"inputs": inputs}
    assert refusal([node("loop", "for-each", **fields)]) == (
        'Invalid flow: node "loop" (for-each): needs a positive integer "count" or an input to iterate over'
    )


# --- Order and last nodes ----------------------------------------------------------------------


def test_topological_order_puts_each_node_after_what_it_waits_for() -> None:
    flow = [
        node("final", inputs=[fed_by("left"), fed_by("right", "mask")]),
        node("right", inputs=[fed_by("source")]),
        node("left", inputs=[fed_by("source")]),
        node("source", inputs=[from_workflow()]),
    ]
    assert topological_order(flow) == ["source", "right", "left", "final"]


def test_topological_order_breaks_ties_by_position_in_the_flow() -> None:
    flow = [
        node("c"),
        node("late", dependsOn=["b"]),
        node("a"),
        node("b"),
    ]
    # "late" becomes ready once "b" ran, which is after "a" even though "late" sits before "a".
    assert topological_order(flow) == ["c", "a", "b", "late"]


def test_topological_order_keeps_a_flow_already_in_dependency_order() -> None:
    flow = chain(6)
    assert topological_order(flow) == [item["id"] for item in flow]


def test_topological_order_refuses_a_cyclic_flow() -> None:
    with pytest.raises(ValueError, match="cycle"):
        topological_order([node("a", dependsOn=["b"]), node("b", dependsOn=["a"])])


def test_terminal_nodes_are_those_no_other_node_waits_for() -> None:
    flow = [
        node("source", inputs=[from_workflow()]),
        node("cut", inputs=[fed_by("source")]),
        node("approve", "user-approval", dependsOn=["cut"]),
        node("caption", "generate-prompt", inputs=[fed_by("source")]),
        node("gate", inputs=[{"name": "g", "ref": {"conditional": ["caption"]}}]),
    ]
    assert terminal_node_ids(flow) == {"approve", "gate"}


def test_every_node_of_a_flow_without_references_is_terminal() -> None:
    assert terminal_node_ids([node("a"), node("b")]) == {"a", "b"}
