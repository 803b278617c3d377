from __future__ import annotations

import pytest

from mockserver.core.errors import BadRequest
from mockserver.scenario.jobs.cost import (
    DEFAULT_NODE_COSTS,
    MAX_INPUT_IMPACT,
    CostTable,
    WorkflowDefinition,
    estimate_cost,
    estimate_cost_details,
    input_impact,
    node_price,
    node_runs,
    skipped_nodes,
)
from mockserver.scenario.workflows.flow import NODE_TYPES

DEFAULTS = CostTable()


def node(node_id: str, node_type: str = "model", **fields: object) -> dict:
    return {"id": node_id, "type": node_type, **fields}


def model(node_id: str, model_id: str = "model_any", node_type: str = "model") -> dict:
    return node(node_id, node_type, modelId=model_id)


def for_each(node_id: str, body: list[str], **fields: object) -> dict:
    return node(node_id, "for-each", loopBodyNodeIds=body, **fields)


def iterate_over(**source: object) -> dict:
    """A for-each node's array input, fed by ``ref`` or ``value``."""
    return {"name": "items", "type": "string_array", **source}


def workflow_input(name: str) -> dict:
    return {"node": "workflow", "name": name}


def impact_input(name: str, input_type: str, **fields: object) -> dict:
    return {"name": name, "type": input_type, "costImpact": True, **fields}


def cost(
    flow: list[dict],
    inputs: list[dict] | None = None,
    values: dict[str, object] | None = None,
    table: CostTable = DEFAULTS,
    workflows: dict[str, WorkflowDefinition] | None = None,
    workflow_id: str = "workflow_main",
) -> int:
    known = workflows or {}
    return estimate_cost(workflow_id, flow, inputs or [], values or {}, table, known.get)


# --- Prices --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("node_type", "expected"),
    [
        ("custom-model", 5),
        ("model", 5),
        ("remove-background", 2),
        ("generate-prompt", 1),
        ("workflow", 0),
        ("logic", 0),
        ("transform", 0),
        ("list", 0),
        ("for-each", 0),
        ("user-approval", 0),
        ("user-selection", 0),
    ],
)
def test_each_node_type_has_a_default_price(node_type: str, expected: int) -> None:
    assert cost([node("only", node_type)]) == expected


def test_the_defaults_price_every_node_type() -> None:
    assert set(DEFAULT_NODE_COSTS) == NODE_TYPES


def test_a_flow_costs_the_sum_of_its_nodes() -> None:
    flow = [model("draw"), node("cut", "remove-background"), node("words", "generate-prompt"), node("check", "logic")]
    assert cost(flow) == 8


def test_an_empty_flow_costs_nothing() -> None:
    assert cost([]) == 0


def test_fixtures_merge_node_type_prices_over_the_defaults() -> None:
    table = CostTable.from_fixtures({"nodeTypes": {"remove-background": 3}})
    assert cost([model("draw"), node("cut", "remove-background")], table=table) == 8


def test_empty_fixtures_give_the_defaults() -> None:
    assert CostTable.from_fixtures({}) == CostTable()


def test_a_model_price_overrides_the_node_type_price() -> None:
    table = CostTable.from_fixtures({"models": {"model_flux": 12, "model_tiny": 0.5}})
    flow = [model("a", "model_flux"), model("b", "model_tiny", "custom-model"), model("c", "model_other")]
    assert cost(flow, table=table) == 18


def test_a_model_price_applies_only_to_model_nodes() -> None:
    table = CostTable.from_fixtures({"models": {"model_flux": 12}})
    assert node_price(node("cut", "remove-background", modelId="model_flux"), table) == 2.0


def test_a_workflow_node_price_leaves_out_the_sub_workflow() -> None:
    assert node_price(node("sub", "workflow", workflowId="workflow_sub"), DEFAULTS) == 0.0


def test_a_type_the_table_does_not_list_costs_nothing() -> None:
    assert node_price(node("odd", "teleport"), DEFAULTS) == 0.0


def test_fixtures_refuse_an_unknown_node_type() -> None:
    with pytest.raises(ValueError, match="unknown node type\\(s\\) in nodeTypes: remove-backround"):
        CostTable.from_fixtures({"nodeTypes": {"remove-backround": 3}})


@pytest.mark.parametrize("price", ["5", True, None])
def test_fixtures_refuse_a_price_that_is_not_a_number(price: object) -> None:
    with pytest.raises(ValueError, match="costs: models.model_flux must be a number"):
        CostTable.from_fixtures({"models": {"model_flux": price}})


def test_fixtures_refuse_a_section_that_is_not_a_mapping() -> None:
    with pytest.raises(ValueError, match='costs: "workflows" must map names to prices'):
        CostTable.from_fixtures({"workflows": [4]})


# --- Fixed workflow prices -----------------------------------------------------------------------


def test_a_workflow_price_replaces_the_sum_of_its_flow() -> None:
    table = CostTable.from_fixtures({"workflows": {"workflow_main": 20}})
    assert cost([model("a"), model("b"), model("c")], table=table) == 20


def test_a_workflow_price_still_scales_with_input_impact() -> None:
    table = CostTable.from_fixtures({"workflows": {"workflow_main": 20}})
    inputs = [impact_input("hd", "boolean")]
    assert cost([model("a")], inputs, {"hd": True}, table=table) == 30


def test_a_workflow_price_applies_only_to_that_workflow() -> None:
    table = CostTable.from_fixtures({"workflows": {"workflow_other": 20}})
    assert cost([model("a")], table=table) == 5


# --- Branches ------------------------------------------------------------------------------------

MODE = [{"name": "mode", "type": "string"}]


def if_else(node_id: str, source: dict, default: str | None = None) -> dict:
    """A logic node choosing "cheap" or "dear" from ``source``, one of its inputs."""
    cases = [{"condition": "cheap", "value": "cheap"}, {"condition": "dear", "value": "dear"}]
    logic: dict[str, object] = {"cases": cases, "default": default}
    return node(node_id, "logic", logicType="if-else", inputs=[{"name": "condition", **source}], logic=logic)


def when(logic_id: str, equal: str | None = None) -> list[dict]:
    """The inputs of a node that runs only when ``logic_id`` outputs ``equal`` (or succeeds, without one)."""
    ref: dict[str, object] = {"conditional": [logic_id]}
    if equal is not None:
        ref["equal"] = equal
    return [{"name": "go", "type": "string", "ref": ref}]


def branches(source: dict, default: str | None = None) -> list[dict]:
    return [
        if_else("check", source, default),
        node("cheap", "remove-background", inputs=when("check", "cheap")),
        model("dear", "model_dear") | {"inputs": when("check", "dear")},
    ]


def test_the_inputs_choose_the_branch_that_is_priced() -> None:
    flow = branches({"ref": workflow_input("mode")})
    assert cost(flow, MODE, {"mode": "cheap"}) == 2
    assert cost(flow, MODE, {"mode": "dear"}) == 5
    assert skipped_nodes(flow, {"mode": "cheap"}) == {"dear"}


def test_a_literal_chooses_the_branch_too() -> None:
    assert cost(branches({"value": "dear"})) == 5


def test_no_matching_case_takes_the_default_branch() -> None:
    flow = branches({"ref": workflow_input("mode")}, default="cheap")
    assert cost(flow, MODE, {"mode": "neither"}) == 2
    assert cost(branches({"ref": workflow_input("mode")}), MODE, {"mode": "neither"}) == 0


def test_a_branch_chosen_by_another_nodes_output_prices_both() -> None:
    flow = [node("words", "generate-prompt"), *branches({"ref": {"node": "words", "name": "prompt"}})]
    assert skipped_nodes(flow, {}) == set()
    assert cost(flow) == 1 + 2 + 5


def test_what_waits_only_for_a_skipped_branch_is_skipped() -> None:
    flow = [
        *branches({"value": "cheap"}),
        model("after_dear") | {"dependsOn": ["dear"]},
        model("after_both") | {"dependsOn": ["cheap", "dear"]},
        node("if_dear_ran", "generate-prompt", inputs=when("dear")),
    ]
    assert skipped_nodes(flow, {}) == {"dear", "after_dear", "if_dear_ran"}
    assert cost(flow) == 2 + 5


def test_a_skipped_loop_skips_its_body_nested_loops_included() -> None:
    flow = [
        *branches({"value": "cheap"}),
        for_each("outer", ["inner"], count=2, dependsOn=["dear"]),
        for_each("inner", ["draw"], count=3),
        model("draw"),
    ]
    assert skipped_nodes(flow, {}) == {"dear", "outer", "inner", "draw"}
    assert cost(flow) == 2


def test_a_branch_inside_a_loop_is_priced_per_iteration() -> None:
    flow = [for_each("loop", ["check", "cheap", "dear"], count=3), *branches({"value": "dear"})]
    assert cost(flow) == 15


# --- Loops ---------------------------------------------------------------------------------------


def test_a_loop_body_runs_count_times() -> None:
    flow = [for_each("loop", ["draw", "cut"], count=3), model("draw"), node("cut", "remove-background"), model("end")]
    assert cost(flow) == 26


def test_count_wins_over_the_array_input() -> None:
    flow = [for_each("loop", ["draw"], count=2, inputs=[iterate_over(value=["a", "b", "c"])]), model("draw")]
    assert cost(flow) == 10


def test_a_loop_over_a_workflow_input_runs_once_per_item() -> None:
    inputs = [{"name": "images", "type": "file_array"}]
    flow = [
        for_each("loop", ["cut"], inputs=[iterate_over(ref=workflow_input("images"))]),
        node("cut", "remove-background"),
    ]
    assert cost(flow, inputs, {"images": ["asset_a", "asset_b", "asset_c", "asset_d"]}) == 8


def test_a_loop_over_a_list_node_runs_once_per_item() -> None:
    flow = [
        node("styles", "list", items=["ink", "oil", "pastel"]),
        for_each("loop", ["draw"], inputs=[iterate_over(ref={"node": "styles"})]),
        model("draw"),
    ]
    assert cost(flow) == 15


def test_a_loop_over_a_literal_array_runs_once_per_item() -> None:
    flow = [for_each("loop", ["draw"], inputs=[iterate_over(value=["a", "b"])]), model("draw")]
    assert cost(flow) == 10


def test_a_loop_over_an_empty_array_runs_its_body_zero_times() -> None:
    inputs = [{"name": "images", "type": "file_array"}]
    flow = [
        for_each("loop", ["draw"], inputs=[iterate_over(ref=workflow_input("images"))]),
        model("draw"),
        model("end"),
    ]
    assert cost(flow, inputs, {"images": []}) == 5


@pytest.mark.parametrize(
    "source",
    [
        {"ref": {"node": "words"}},  # another node's output is only known at run time
        {"ref": workflow_input("images")},  # no value and no default for the input
        {"value": "not an array"},
    ],
)
def test_a_loop_over_something_unresolvable_counts_one_iteration(source: dict) -> None:
    flow = [
        node("words", "generate-prompt"),
        for_each("loop", ["draw"], inputs=[iterate_over(**source)]),
        model("draw"),
    ]
    assert cost(flow, [{"name": "images", "type": "file_array"}]) == 6


def test_nested_loops_multiply() -> None:
    flow = [
        for_each("outer", ["inner", "cut"], count=2),
        for_each("inner", ["draw"], count=3),
        model("draw"),
        node("cut", "remove-background"),
    ]
    assert cost(flow) == 34


def test_a_node_listed_in_both_nested_bodies_is_not_counted_twice() -> None:
    flow = [
        for_each("outer", ["inner", "draw", "cut"], count=2),
        for_each("inner", ["draw"], count=3),
        model("draw"),
        node("cut", "remove-background"),
    ]
    assert cost(flow) == 34


def test_node_runs_lists_how_often_each_node_executes() -> None:
    flow = [for_each("outer", ["inner"], count=2), for_each("inner", ["draw"], count=3), model("draw"), model("end")]
    assert node_runs(flow, {}) == [1, 2, 6, 1]


# --- Input impact --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("definition", "value", "expected"),
    [
        (impact_input("scale", "number", default=2), 4, 10),
        (impact_input("scale", "number", default=2), 3, 8),  # 5 * 1.5 = 7.5, rounded up
        (impact_input("scale", "number", default=2), 1, 5),  # never below the flow's cost
        (impact_input("scale", "number"), 3, 15),  # no default: the value itself
        (impact_input("scale", "number", default=0), 3, 15),
        (impact_input("scale", "number", default=2), None, 5),
    ],
)
def test_a_number_input_scales_the_cost_against_its_default(definition: dict, value: object, expected: int) -> None:
    assert cost([model("draw")], [definition], {"scale": value}) == expected


@pytest.mark.parametrize(
    ("definition", "value", "expected"),
    [
        (impact_input("refs", "file_array", default=["asset_a"]), ["asset_a", "asset_b", "asset_c"], 15),
        (impact_input("refs", "string_array", default=["a", "b"]), ["a", "b", "c"], 8),  # 5 * 1.5 = 7.5
        (impact_input("refs", "string_array"), ["a", "b", "c"], 15),  # no default: the number of items
        (impact_input("refs", "string_array", default=[]), ["a", "b"], 10),
        (impact_input("refs", "string_array", default=["a", "b"]), [], 5),
    ],
)
def test_an_array_input_scales_the_cost_by_its_number_of_items(definition: dict, value: object, expected: int) -> None:
    assert cost([model("draw")], [definition], {"refs": value}) == expected


@pytest.mark.parametrize(("value", "expected"), [(True, 8), (False, 5), (None, 5)])
def test_a_boolean_input_raises_the_cost_by_half_when_true(value: object, expected: int) -> None:
    assert cost([model("draw")], [impact_input("hd", "boolean")], {"hd": value}) == expected


def test_a_string_input_does_not_change_the_cost() -> None:
    assert cost([model("draw")], [impact_input("style", "string")], {"style": "a long prompt"}) == 5


def test_an_input_without_cost_impact_does_not_change_the_cost() -> None:
    assert cost([model("draw")], [{"name": "scale", "type": "number", "default": 1}], {"scale": 4}) == 5


def test_impacts_multiply() -> None:
    inputs = [impact_input("scale", "number", default=1), impact_input("hd", "boolean")]
    assert input_impact(inputs, {"scale": 2, "hd": True}) == 3.0
    assert cost([model("draw")], inputs, {"scale": 2, "hd": True}) == 15


# --- Sub-workflows -------------------------------------------------------------------------------

SUB_WORKFLOW: WorkflowDefinition = ([model("draw"), node("cut", "remove-background")], [])


def call(workflow_id: str, node_id: str = "sub", **fields: object) -> dict:
    return node(node_id, "workflow", workflowId=workflow_id, **fields)


def test_a_workflow_node_costs_what_its_workflow_costs() -> None:
    assert cost([call("workflow_sub"), model("end")], workflows={"workflow_sub": SUB_WORKFLOW}) == 12


def test_a_workflow_node_in_a_loop_runs_its_workflow_each_iteration() -> None:
    flow = [for_each("loop", ["sub"], count=2), call("workflow_sub")]
    assert cost(flow, workflows={"workflow_sub": SUB_WORKFLOW}) == 14


def test_a_sub_workflow_price_from_the_table_applies() -> None:
    table = CostTable.from_fixtures({"workflows": {"workflow_sub": 4}})
    assert cost([call("workflow_sub")], table=table, workflows={"workflow_sub": SUB_WORKFLOW}) == 4


def test_an_unknown_sub_workflow_costs_nothing_unless_the_table_prices_it() -> None:
    table = CostTable.from_fixtures({"workflows": {"workflow_priced": 4}})
    assert cost([call("workflow_missing", "a"), call("workflow_priced", "b")], table=table) == 4


SCALED_SUB_WORKFLOW: WorkflowDefinition = (
    [node("cut", "remove-background")],
    [impact_input("copies", "number", default=1), impact_input("hd", "boolean", default=True)],
)


@pytest.mark.parametrize(
    ("node_inputs", "parent_values", "expected"),
    [
        ([], {}, 3),  # the sub-workflow's defaults: copies 1, hd true -> 2 * 1.5
        ([{"name": "copies", "type": "number", "value": 4}], {}, 12),
        ([{"name": "hd", "type": "boolean", "value": False}], {}, 2),
        ([{"name": "copies", "type": "number", "ref": workflow_input("n")}], {"n": 2}, 6),
        ([{"name": "copies", "type": "number", "ref": workflow_input("n")}], {}, 3),  # unknown: the default
        ([{"name": "copies", "type": "number", "ref": {"node": "words"}}], {}, 3),
    ],
)
def test_a_sub_workflow_is_costed_with_the_inputs_it_is_given(
    node_inputs: list[dict], parent_values: dict[str, object], expected: int
) -> None:
    flow = [call("workflow_sub", inputs=node_inputs)]
    parent_inputs = [{"name": "n", "type": "number"}]
    assert cost(flow, parent_inputs, parent_values, workflows={"workflow_sub": SCALED_SUB_WORKFLOW}) == expected


def test_a_workflow_calling_itself_counts_the_repeat_as_nothing() -> None:
    flow = [model("draw"), call("workflow_main")]
    assert cost(flow, workflows={"workflow_main": (flow, [])}) == 5


def test_a_workflow_calling_itself_through_another_counts_the_repeat_as_nothing() -> None:
    main_flow = [model("draw"), call("workflow_b")]
    b_flow = [node("cut", "remove-background"), call("workflow_main")]
    workflows = {"workflow_main": (main_flow, []), "workflow_b": (b_flow, [])}
    assert cost(main_flow, workflows=workflows) == 7


def test_a_deep_chain_of_workflows_is_costed_quickly() -> None:
    # Ten levels, each calling the next 40 times: 40**10 paths, one cost per level.
    workflows = {
        f"workflow_{level}": ([call(f"workflow_{level + 1}", f"call_{index}") for index in range(40)], [])
        for level in range(10)
    }
    workflows["workflow_10"] = ([node("words", "generate-prompt")], [])
    # 40**10 CU is past the most a run may cost: it is refused, once every level is costed (once).
    with pytest.raises(BadRequest, match="would cost more than 1000000 CU"):
        cost([call("workflow_0")], workflows=workflows)
    # Three levels each calling the next 4 times: 4**3, within the maximum cost and the run's budget.
    for level in (7, 8, 9):
        workflows[f"workflow_{level}"] = ([call(f"workflow_{level + 1}", f"call_{i}") for i in range(4)], [])
    assert cost([call("workflow_7")], workflows=workflows) == 4**3


def test_a_cost_that_overflows_is_refused_not_a_crash() -> None:
    inputs = [
        {"name": "a", "type": "number", "costImpact": True},
        {"name": "b", "type": "number", "costImpact": True},
    ]
    huge = {"a": 1e308, "b": 1e308}  # their product overflows: the inputs' impact is capped instead
    assert estimate_cost("w", [node("words", "generate-prompt")], inputs, huge, CostTable()) == MAX_INPUT_IMPACT
    with pytest.raises(BadRequest, match="would cost more than 1000000 CU"):
        estimate_cost("w", [node("image", "model")], inputs, huge, CostTable())


# --- Rounding and determinism --------------------------------------------------------------------


def test_the_total_is_rounded_up_once_at_the_end() -> None:
    table = CostTable.from_fixtures({"nodeTypes": {"generate-prompt": 0.4}})
    flow = [node("a", "generate-prompt"), node("b", "generate-prompt"), node("c", "generate-prompt")]
    assert cost(flow, table=table) == 2


def test_floating_point_noise_does_not_add_a_unit() -> None:
    table = CostTable.from_fixtures({"nodeTypes": {"generate-prompt": 0.7}})
    flow = [for_each("loop", ["words"], count=10), node("words", "generate-prompt")]
    assert cost(flow, table=table) == 7


def test_the_total_is_never_negative() -> None:
    table = CostTable.from_fixtures({"models": {"model_refund": -3}})
    assert cost([model("draw", "model_refund")], table=table) == 0


def test_the_same_run_costs_the_same_every_time() -> None:
    flow = [for_each("loop", ["draw"], inputs=[iterate_over(ref=workflow_input("refs"))]), model("draw")]
    inputs = [impact_input("refs", "string_array", default=["a"]), impact_input("hd", "boolean")]
    values: dict[str, object] = {"refs": ["a", "b", "c"], "hd": True}
    first = cost(flow, inputs, values)
    assert first == cost(flow, inputs, values) == 68  # 3 runs * 5 = 15, * 3 items * 1.5 = 67.5


def test_the_order_of_nodes_inputs_and_values_does_not_matter() -> None:
    table = CostTable.from_fixtures({"nodeTypes": {"generate-prompt": 0.1, "remove-background": 0.2}})
    flow = [node("a", "generate-prompt"), node("b", "remove-background"), node("c", "generate-prompt")]
    inputs = [impact_input("scale", "number", default=3), impact_input("hd", "boolean")]
    values: dict[str, object] = {"scale": 7, "hd": True}
    forward = cost(flow, inputs, values, table=table)
    backward = cost(flow[::-1], inputs[::-1], dict(reversed(values.items())), table=table)
    assert forward == backward == 2  # 0.4 * 7 / 3 * 1.5 = 1.4, rounded up


# --- Cost per billing action ---------------------------------------------------------------------


def test_the_cost_splits_by_billing_action_in_whole_units_that_sum_to_the_total() -> None:
    flow = [node("cut", "remove-background"), node("idea", "generate-prompt"), model("draw")]
    inputs = [impact_input("hd", "boolean")]
    # 2 + 1 + 5 = 8 CU, times 1.5: 3 + 1.5 + 7.5 = 12 exactly, the halves going to the two with a fraction.
    estimate = estimate_cost_details("workflow_main", flow, inputs, {"hd": True}, DEFAULTS)
    assert estimate.total == 12 == cost(flow, inputs, {"hd": True})
    assert estimate.by_action == {"custom-generation": 8, "prompt": 1, "remove-background": 3}
    assert sum(estimate.by_action.values()) == estimate.total


def test_the_rounded_up_unit_goes_to_the_largest_fraction_and_free_actions_are_left_out() -> None:
    table = CostTable.from_fixtures({"nodeTypes": {"remove-background": 0.4, "generate-prompt": 0.3, "logic": 0}})
    flow = [node("cut", "remove-background"), node("idea", "generate-prompt"), node("pick", "logic")]
    estimate = estimate_cost_details("workflow_main", flow, [], {}, table)
    assert (estimate.total, estimate.by_action) == (1, {"remove-background": 1})


def test_a_sub_workflow_and_a_whole_workflow_price_count_under_their_actions() -> None:
    sub = ([node("cut", "remove-background")], [])
    table = CostTable.from_fixtures({"workflows": {"workflow_fixed": 4}})
    flow = [node("call", "workflow", workflowId="workflow_sub"), node("fixed", "workflow", workflowId="workflow_fixed")]
    known = {"workflow_sub": sub, "workflow_fixed": ([], [])}
    estimate = estimate_cost_details("workflow_main", flow, [], {}, table, known.get)
    assert (estimate.total, estimate.by_action) == (6, {"custom-generation": 4, "remove-background": 2})
