"""What a workflow run costs, in creative units (CU).

``PUT /workflows/{id}/run?dryRun=true`` answers ``estimatedCost``: ``estimate_cost`` of the workflow
with the run's inputs. A real run's job carries that estimate in ``billing.cuCost`` while it runs, and
is billed, when it ends, the work it did at the same prices (:mod:`billing`). The model is
deterministic: it reads the flow, the input definitions, the run's input values and the price table,
and nothing else.

The estimate equals the bill of a run whose every node succeeds when the inputs decide every branch
and every loop. Where they do not, it is an upper bound for branches (an if-else decided by another
node's output is priced with every branch it may take) but not for loops: a loop over another node's
output counts one iteration. A workflow that runs itself is refused before it is costed (see
:mod:`nesting`).

The cost model
--------------
For a workflow ``W`` run with input values ``values`` (the values sent plus the inputs' defaults)::

    estimatedCost = max(0, ceil(cost(W, values)))     refused (400) when cost(W, values) > 1,000,000,
                                                      or when the run is sure to pass its budget

    cost(W, values) = flow_cost(W, values) * input_impact(W, values)

    flow_cost(W, values) = workflows[W]                         when the price table lists W
                         = sum over the nodes n of W of
                               runs(n) * (node_price(n) + sub_workflow_cost(n))      otherwise

Only the final total is rounded up to a whole number of CU; every intermediate amount keeps its
fractions. Amounts within 1e-9 of a whole number count as that number, so that a price of 0.7 run
10 times costs 7 and not 8.

**Node price** (one execution of one node)::

    node_price(n) = models[n.modelId]   for a model or custom-model node whose modelId the table lists
                  = nodeTypes[n.type]   otherwise (0 for a type the table does not list)

Default node type prices: ``model`` and ``custom-model`` 5, ``remove-background`` 2,
``generate-prompt`` 1; ``workflow``, ``logic``, ``transform``, ``list``, ``for-each``,
``user-approval`` and ``user-selection`` 0. Every node of the flow counts, except those the run is
sure to skip (``skipped_nodes``): a node with a ``ref.conditional`` on a ``logic`` node whose
``equal`` differs from what that logic node picks from the run's input values and literals, a node
conditional on a skipped node, a node all of whose dependencies are skipped, and the body of a
skipped for-each node. A logic node that reads another node's output picks only at run time: the
nodes of every one of its branches count.

**Runs** (how many times a node executes)::

    runs(n) = product of iterations(f) over the for-each nodes f that enclose n   (1 when none does)

A for-each node ``f`` encloses ``n`` when ``n`` is listed in ``f.loopBodyNodeIds``, or is enclosed by
a for-each node that ``f`` encloses: nested loops multiply (loop bodies form a tree, as a saved flow
is checked to: a node is in one loop body at most). ``iterations(f)``
is ``f.count`` when it is a positive integer; otherwise it is the number of items of the array that
the first of ``f``'s inputs carrying a ``ref`` or a ``value`` resolves to (0 for an empty array), or
1 when that input resolves to no array. An input resolves, statically, to:

- ``values[X]`` for ``ref: {node: "workflow", name: X}``;
- the ``items`` of the referenced node, for a ``ref`` to a ``list`` node;
- its literal ``value`` when it has no ``ref`` or the ``ref`` resolves to nothing of the above.

Outputs of other nodes are not known before the run, so a loop over one counts 1 iteration.

**Sub-workflows.** A ``workflow`` node costs its node price plus ``cost(S, sub_values)``, where
``S`` is its ``workflowId`` and ``sub_values`` are ``S``'s input defaults overridden by the node's
inputs that resolve as above (by input ``name``). A workflow that cannot be found has no flow and no
inputs: it costs ``workflows[S]`` when the table lists it, else 0; so does one the caller cannot see
(another project's private workflow), so a dry run tells nothing of it. A workflow already being
costed further up the chain costs 0 (a run of a workflow that runs itself is refused first).

**Input impact**::

    input_impact(W, values) = product of factor(i) over W's inputs i with costImpact: true   (1 when none)

===============  ==============================================================================
Input type       factor(i)
===============  ==============================================================================
``number``       ``value / default``, or ``value`` when the default is missing or <= 0
array types      ``len(value) / len(default)``, or ``len(value)`` when the default is missing or
                 empty (``file_array``, ``string_array``, ``number_array``, ``model_array``,
                 ``inputs_array``)
``boolean``      1.5 when the value is ``true``, else 1
anything else    1
===============  ==============================================================================

Every factor is at least 1, and is 1 when the input has no value of its type; their product is
capped at 1,000,000. A fixed
``workflows[W]`` price replaces only ``flow_cost``: ``input_impact`` still applies to it.

**Price table.** ``costs.yaml`` in a fixtures folder sets ``nodeTypes`` (merged over the defaults),
``models`` (per ``modelId``) and ``workflows`` (per workflow id); each section is optional::

    nodeTypes: {remove-background: 3}
    models: {model_upscaler_4k: 8}
    workflows: {workflow_bg_remover: 4}
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple, TypeGuard

from mockserver.core.errors import BadRequest
from mockserver.scenario.jobs import budget
from mockserver.scenario.jobs.inputs import ARRAY_ITEM_TYPES
from mockserver.scenario.jobs.outputs import if_else
from mockserver.scenario.workflows.flow import NODE_TYPES, WORKFLOW_REF, node_dependencies

DEFAULT_NODE_COSTS: Mapping[str, float] = MappingProxyType(
    {
        "custom-model": 5.0,
        "model": 5.0,
        "remove-background": 2.0,
        "generate-prompt": 1.0,
        # A workflow node's cost is the referenced workflow's cost, added on top of this price.
        "workflow": 0.0,
        "logic": 0.0,
        "transform": 0.0,
        "list": 0.0,
        "for-each": 0.0,
        "user-approval": 0.0,
        "user-selection": 0.0,
    }
)
TRUE_BOOLEAN_FACTOR = 1.5
# The most a run may cost: a dry run or a run that would cost more is refused (400).
MAX_ESTIMATED_COST = 1_000_000
# The most the inputs may multiply a run's cost by, so that no input value makes a cost overflow.
MAX_INPUT_IMPACT = 1_000_000.0

_MODEL_NODE_TYPES = frozenset({"model", "custom-model"})
# Amounts this close to a whole number are that number: float sums like 0.7 * 10 = 7.000000000000001.
_ROUNDING_DECIMALS = 9

# The billing action each node type's price is charged as; any other priced node, and a workflow
# priced whole by the table, is a custom generation.
NODE_BILLING_ACTIONS: Mapping[str, str] = MappingProxyType(
    {
        "model": "custom-generation",
        "custom-model": "custom-generation",
        "remove-background": "remove-background",
        "generate-prompt": "prompt",
    }
)
FIXED_PRICE_ACTION = "custom-generation"
# CU amounts per billing action.
Amounts = dict[str, float]

# A workflow's flow and input definitions, as ``resolve_workflow`` returns them.
WorkflowDefinition = tuple[list[dict], list[dict]]
WorkflowResolver = Callable[[str], WorkflowDefinition | None]


def _no_workflows(workflow_id: str) -> WorkflowDefinition | None:
    return None


@dataclass(frozen=True)
class CostTable:
    """Prices in CU: per node type, per model (overriding model nodes' type price), per whole workflow."""

    node_types: Mapping[str, float] = field(default_factory=lambda: DEFAULT_NODE_COSTS)
    models: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    workflows: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def from_fixtures(cls, data: Mapping[str, Any]) -> CostTable:
        """The table from a parsed ``costs.yaml``; raise ValueError naming the entry at fault."""
        node_types = _prices(data, "nodeTypes")
        unknown = sorted(set(node_types) - NODE_TYPES)
        if unknown:
            raise ValueError(
                f"costs: unknown node type(s) in nodeTypes: {', '.join(unknown)}. "
                f"Known types: {', '.join(sorted(NODE_TYPES))}"
            )
        return cls(
            node_types=MappingProxyType({**DEFAULT_NODE_COSTS, **node_types}),
            models=MappingProxyType(_prices(data, "models")),
            workflows=MappingProxyType(_prices(data, "workflows")),
        )


def _prices(data: Mapping[str, Any], section: str) -> dict[str, float]:
    entries = data.get(section)
    if entries is None:
        return {}
    if not isinstance(entries, Mapping):
        raise ValueError(f'costs: "{section}" must map names to prices, got {json.dumps(entries, default=repr)}')
    prices: dict[str, float] = {}
    for name, price in entries.items():
        if not _is_number(price):
            raise ValueError(f"costs: {section}.{name} must be a number, got {json.dumps(price, default=repr)}")
        prices[str(name)] = float(price)
    return prices


# --- Public entry points -------------------------------------------------------------------------


def node_price(node: dict, table: CostTable) -> float:
    """The price of one execution of ``node``; for a workflow node, without the sub-workflow's cost."""
    node_type = node.get("type")
    model_id = node.get("modelId")
    if node_type in _MODEL_NODE_TYPES and isinstance(model_id, str) and model_id in table.models:
        return float(table.models[model_id])
    if isinstance(node_type, str):
        return float(table.node_types.get(node_type, 0.0))
    return 0.0


def estimate_cost(
    workflow_id: str,
    flow: list[dict],
    inputs: list[dict],
    values: dict[str, object],
    table: CostTable,
    resolve_workflow: WorkflowResolver = _no_workflows,
) -> int:
    """The whole CU cost of running the workflow with ``values`` (see the module docstring)."""
    return estimate_cost_details(workflow_id, flow, inputs, values, table, resolve_workflow).total


@dataclass(frozen=True)
class Estimate:
    """A run's whole cost in CU, and what each billing action of it costs: whole CU that sum to ``total``."""

    total: int
    amounts: Amounts  # exact, per billing action

    @property
    def by_action(self) -> dict[str, int]:
        # Shared out only when asked (the current API's costDetails): the guide's dry runs never need it.
        return _whole_shares(self.amounts, self.total)


def estimate_cost_details(
    workflow_id: str,
    flow: list[dict],
    inputs: list[dict],
    values: dict[str, object],
    table: CostTable,
    resolve_workflow: WorkflowResolver = _no_workflows,
) -> Estimate:
    """``estimate_cost``, split by billing action (actions that cost nothing are left out); BadRequest for a
    run past the most one run may cost, or sure to pass the run's budget (see :mod:`budget`)."""
    try:
        tally = _Costing(table, resolve_workflow).workflow_tally(workflow_id, flow, inputs, values, frozenset())
        cost = tally.cost
    except OverflowError:  # fsum's intermediate overflow: far past the maximum either way
        tally, cost = _NOTHING, math.inf
    if not cost <= MAX_ESTIMATED_COST:
        raise BadRequest(
            f"Workflow {workflow_id} would cost more than {MAX_ESTIMATED_COST} CU with these inputs, "
            "the most one run may cost"
        )
    over = budget.over_budget(tally.node_runs, tally.sub_jobs)
    if over:
        raise BadRequest(f"Workflow {workflow_id} {over} with these inputs. {budget.HINT}")
    return Estimate(round_up(cost), tally.amounts)


def billing_action(node: dict) -> str:
    """The billing action one execution of ``node`` is charged as (a key of the API's ``costDetails``)."""
    node_type = node.get("type")
    return NODE_BILLING_ACTIONS.get(node_type, FIXED_PRICE_ACTION) if isinstance(node_type, str) else FIXED_PRICE_ACTION


def _whole_shares(amounts: Amounts, total: int) -> dict[str, int]:
    """Whole CU per action summing to ``total`` (the rounded-up sum of ``amounts``): each action gets its
    amount rounded down, and the CU left go one each to the actions with the largest fractions."""
    positive = {action: round(amount, _ROUNDING_DECIMALS) for action, amount in amounts.items() if amount > 0}
    shares = {action: math.floor(amount) for action, amount in positive.items()}
    left = max(0, total - sum(shares.values()))
    by_fraction = sorted(positive, key=lambda action: (shares[action] - positive[action], action))
    for action in by_fraction[:left]:
        shares[action] += 1
    return {action: share for action, share in sorted(shares.items()) if share > 0}


def round_up(cost: float) -> int:
    """A CU amount as a whole number of CU: rounded up, never below 0."""
    return max(0, math.ceil(round(cost, _ROUNDING_DECIMALS)))


def run_impact(definitions: list[dict], values: dict[str, object]) -> float:
    """``input_impact`` of a run, the inputs' defaults standing in for the values it was not given."""
    return input_impact(definitions, {**_defaults(definitions), **values})


# --- Workflows and nodes -------------------------------------------------------------------------


class _Tally(NamedTuple):
    """What a run of a workflow costs per billing action, and what it is sure to use of the run's budget."""

    amounts: Amounts
    node_runs: int
    sub_jobs: int

    @property
    def cost(self) -> float:
        # fsum is exact, so the total does not depend on the order of the actions.
        return math.fsum(self.amounts.values())


_NOTHING = _Tally({}, 0, 0)


class _Costing:
    """One estimate: the price table, how to find sub-workflows, and the sub-workflow tallies found so far.

    Amounts are kept per billing action (:func:`billing_action`), so that an estimate can say what each
    action costs; the whole cost is their sum.
    """

    def __init__(self, table: CostTable, resolve_workflow: WorkflowResolver) -> None:
        self.table = table
        self.resolve_workflow = resolve_workflow
        # A chain of workflows each calling the next many times would otherwise be costed
        # exponentially often; the same sub-workflow with the same values costs the same.
        self.sub_workflow_tallies: dict[tuple[str, frozenset[str], str], _Tally] = {}

    def workflow_tally(
        self, workflow_id: str, flow: list[dict], inputs: list[dict], values: dict[str, object], callers: frozenset[str]
    ) -> _Tally:
        """``cost(W, values)`` and its usage; ``callers`` are the workflows being costed around this one."""
        callers = callers | {workflow_id}
        tally = self.flow_tally(flow, values, callers)
        amounts = tally.amounts
        if workflow_id in self.table.workflows:
            amounts = {FIXED_PRICE_ACTION: float(self.table.workflows[workflow_id])}
        impact = input_impact(inputs, values)
        return tally._replace(amounts={action: amount * impact for action, amount in amounts.items()})

    def flow_tally(self, flow: list[dict], values: dict[str, object], callers: frozenset[str]) -> _Tally:
        nodes = _nodes(flow)
        runs = node_runs(nodes, values)
        skipped = skipped_nodes(nodes, values)
        parts: dict[str, list[float]] = {}
        node_total = sub_total = 0
        for index, node in enumerate(nodes):
            count = runs[index]
            if not count or node.get("id") in skipped:
                continue
            parts.setdefault(billing_action(node), []).append(count * node_price(node, self.table))
            sub = _NOTHING
            if node.get("type") == "workflow":
                sub = self.sub_workflow_tally(node, nodes, values, callers)
                sub_total += count * (1 + sub.sub_jobs)
                for action, amount in sub.amounts.items():
                    parts.setdefault(action, []).append(count * amount)
            node_total += count * (1 + sub.node_runs)
        # fsum is exact, so the amounts do not depend on the order of the nodes.
        return _Tally({action: math.fsum(amounts) for action, amounts in parts.items()}, node_total, sub_total)

    def sub_workflow_tally(
        self, node: dict, flow: list[dict], values: dict[str, object], callers: frozenset[str]
    ) -> _Tally:
        workflow_id = node.get("workflowId")
        if not isinstance(workflow_id, str) or workflow_id in callers:
            return _NOTHING
        sub_flow, sub_inputs = self.resolve_workflow(workflow_id) or ([], [])
        sub_values = {**_defaults(sub_inputs), **_passed_values(node, flow, values)}
        key = (workflow_id, callers, _fingerprint(sub_values))
        if key not in self.sub_workflow_tallies:
            self.sub_workflow_tallies[key] = self.workflow_tally(workflow_id, sub_flow, sub_inputs, sub_values, callers)
        return self.sub_workflow_tallies[key]


def _nodes(flow: list[dict]) -> list[dict]:
    return [node for node in flow if isinstance(node, dict)]


def _defaults(definitions: list[dict]) -> dict[str, object]:
    return {
        definition["name"]: definition["default"]
        for definition in definitions
        if isinstance(definition, dict)
        and isinstance(definition.get("name"), str)
        and definition.get("default") is not None
    }


def _passed_values(node: dict, flow: list[dict], values: dict[str, object]) -> dict[str, object]:
    """The inputs a workflow node hands its sub-workflow, where they are known before the run."""
    nodes_by_id = _nodes_by_id(flow)
    passed: dict[str, object] = {}
    for node_input in _objects(node.get("inputs")):
        name = node_input.get("name")
        value = _resolve_static_input(node_input, nodes_by_id, values)
        if isinstance(name, str) and value is not None:
            passed[name] = value
    return passed


def _fingerprint(values: dict[str, object]) -> str:
    return json.dumps(values, sort_keys=True, default=repr)


# --- Branches ------------------------------------------------------------------------------------


def skipped_nodes(flow: list[dict], values: dict[str, object]) -> set[str]:
    """Ids of the nodes a run is sure to skip, as far as its input values tell before it starts.

    A node is skipped when one of its ``ref.conditional`` nodes is, when it waits for a ``logic``
    node whose choice, made from input values and literals alone, is not its ``equal``, or when every
    node it waits for is skipped; a skipped for-each node skips its body. A choice that depends on
    another node's output is unknown here, so both of its branches count.
    """
    nodes = _nodes(flow)
    if not any(_conditional_refs(node) for node in nodes):
        return set()
    nodes_by_id = _nodes_by_id(nodes)
    choices = {node_id: choice for node_id, node in nodes_by_id.items() if (choice := _static_choice(node, values))}
    skipped: set[str] = set()
    changed = True
    while changed:
        changed = False
        for node_id, node in nodes_by_id.items():
            if node_id not in skipped and _is_skipped(node, nodes_by_id, skipped, choices):
                skipped.add(node_id)
                skipped.update(_loop_body(node, nodes_by_id))
                changed = True
    return skipped


def _conditional_refs(node: dict) -> list[dict]:
    refs = [node_input.get("ref") for node_input in _objects(node.get("inputs"))]
    return [ref for ref in refs if isinstance(ref, dict) and ref.get("conditional")]


def _is_skipped(
    node: dict, nodes_by_id: Mapping[str, dict], skipped: set[str], choices: Mapping[str, tuple[object]]
) -> bool:
    for ref in _conditional_refs(node):
        equal = ref.get("equal")
        for target in _strings(ref.get("conditional")):
            if target in skipped:
                return True
            if equal is not None and target in choices and choices[target][0] != equal:
                return True
    waits_for = [node_id for node_id in node_dependencies(node) if node_id in nodes_by_id]
    return bool(waits_for) and all(node_id in skipped for node_id in waits_for)


def _static_choice(node: dict, values: dict[str, object]) -> tuple[object] | None:
    """What a ``logic`` node outputs, in a 1-tuple, when its inputs are values and literals; else None."""
    if node.get("type") != "logic":
        return None
    known: dict[str, object] = {}
    for node_input in _objects(node.get("inputs")):
        ref = node_input.get("ref")
        if "value" in node_input:
            value = node_input["value"]
        elif isinstance(ref, dict) and ref.get("node") == WORKFLOW_REF:
            value = values.get(str(ref.get("name")))
        elif isinstance(ref, dict) and ref.get("node"):
            return None  # another node's output: only the run knows it
        else:
            value = None
        if value is not None:
            known[str(node_input.get("name", ""))] = value
    return (if_else(node, known),)


def _loop_body(node: dict, nodes_by_id: Mapping[str, dict]) -> set[str]:
    """The ids of every node inside a for-each node, nested loops' bodies included."""
    body: set[str] = set()
    pending = [node] if node.get("type") == "for-each" else []
    while pending:
        for body_id in _strings(pending.pop().get("loopBodyNodeIds")):
            if body_id not in body:
                body.add(body_id)
                inner = nodes_by_id.get(body_id)
                if inner is not None and inner.get("type") == "for-each":
                    pending.append(inner)
    return body


# --- Loops ---------------------------------------------------------------------------------------


def node_runs(flow: list[dict], values: dict[str, object]) -> list[int]:
    """How many times each node of ``flow`` executes, by position: the product of its enclosing loops' iterations."""
    nodes = _nodes(flow)
    nodes_by_id = _nodes_by_id(nodes)
    loops = {node_id: node for node_id, node in nodes_by_id.items() if node.get("type") == "for-each"}
    iterations = {loop_id: _loop_iterations(loop, nodes_by_id, values) for loop_id, loop in loops.items()}
    loops_around = _enclosing_loops(loops)
    return [_product(iterations[loop_id] for loop_id in loops_around.get(str(node.get("id")), ())) for node in nodes]


def _product(numbers: Iterable[int]) -> int:
    result = 1
    for number in numbers:
        result *= number
    return result


def _enclosing_loops(loops: dict[str, dict]) -> dict[str, set[str]]:
    """For each node id, the ids of every for-each node around it, however deeply nested."""
    direct: dict[str, set[str]] = {}
    for loop_id, loop in loops.items():
        for body_id in _strings(loop.get("loopBodyNodeIds")):
            direct.setdefault(body_id, set()).add(loop_id)

    def around(node_id: str) -> set[str]:
        found: set[str] = set()
        pending = list(direct.get(node_id, ()))
        while pending:
            loop_id = pending.pop()
            if loop_id not in found:
                found.add(loop_id)
                pending.extend(direct.get(loop_id, ()))
        return found

    return {node_id: around(node_id) for node_id in direct}


def _loop_iterations(loop: dict, nodes_by_id: Mapping[str, dict], values: dict[str, object]) -> int:
    """How many iterations a for-each node runs, as far as it can be known before the run."""
    count = loop.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        return count
    source = next((node_input for node_input in _objects(loop.get("inputs")) if _has_source(node_input)), None)
    array = _resolve_static_input(source, nodes_by_id, values) if source else None
    return len(array) if isinstance(array, list) else 1


def _has_source(node_input: dict) -> bool:
    return node_input.get("ref") is not None or node_input.get("value") is not None


def _resolve_static_input(
    node_input: dict, nodes_by_id: Mapping[str, dict], values: dict[str, object]
) -> object | None:
    """The value a node input has before the run starts, or None when only the run can tell."""
    ref = node_input.get("ref")
    if isinstance(ref, dict):
        target = ref.get("node")
        if target == WORKFLOW_REF:
            name = ref.get("name")
            if isinstance(name, str) and values.get(name) is not None:
                return values[name]
        elif isinstance(target, str) and target in nodes_by_id:
            referenced = nodes_by_id[target]
            if referenced.get("type") == "list" and isinstance(referenced.get("items"), list):
                return referenced["items"]
    return node_input.get("value")


def _nodes_by_id(nodes: list[dict]) -> dict[str, dict]:
    return {node["id"]: node for node in _nodes(nodes) if isinstance(node.get("id"), str)}


# --- Input impact --------------------------------------------------------------------------------


def input_impact(definitions: list[dict], values: dict[str, object]) -> float:
    """The product of the factors of the inputs marked ``costImpact: true``; 1 when there are none."""
    factors = [
        _impact_factor(definition, values.get(str(definition.get("name"))))
        for definition in _objects(definitions)
        if definition.get("costImpact") is True
    ]
    # Multiplied in a fixed order so that the order of the definitions cannot change the last bits.
    return min(math.prod(sorted(factors)), MAX_INPUT_IMPACT)


def _impact_factor(definition: dict, value: object) -> float:
    """How much one ``costImpact`` input multiplies the cost by; at least 1."""
    input_type = definition.get("type")
    default = definition.get("default")
    if input_type == "number":
        reference = float(default) if _is_number(default) else None
        return _ratio_at_least_one(float(value), reference) if _is_number(value) else 1.0
    if input_type in ARRAY_ITEM_TYPES:
        reference = len(default) if isinstance(default, list) else None
        return _ratio_at_least_one(len(value), reference) if isinstance(value, list) else 1.0
    if input_type == "boolean":
        return TRUE_BOOLEAN_FACTOR if value is True else 1.0
    return 1.0


def _ratio_at_least_one(amount: float, reference: float | None) -> float:
    """``amount / reference``, or ``amount`` when there is no positive reference; never below 1."""
    ratio = amount / reference if reference is not None and reference > 0 else amount
    return max(1.0, ratio)


# --- Small helpers -------------------------------------------------------------------------------


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _objects(value: object) -> list[dict]:
    return [element for element in value if isinstance(element, dict)] if isinstance(value, list) else []


def _strings(value: object) -> list[str]:
    return [element for element in value if isinstance(element, str)] if isinstance(value, list) else []
