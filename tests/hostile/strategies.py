"""What a hostile client sends: JSON values with the literals no JSON client should send, flows with loops and
workflow nodes pointing anywhere, and credentials of any shape."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import strategies as st

from mockserver.scenario.workflows.flow import NODE_TYPES

LONE_SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)
TEXT = st.one_of(st.text(max_size=12), st.tuples(st.text(max_size=4), LONE_SURROGATES).map("".join))
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=10**90, max_value=10**120),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
        max_leaves=max_leaves,
    )


def encoded(value: Any) -> bytes:
    """``value`` as a client could send it: NaN and Infinity as literals, lone surrogates as escapes."""
    return json.dumps(value, allow_nan=True, ensure_ascii=True).encode()


NESTING = st.integers(1, 200).map(lambda depth: b"[" * depth + b"]" * depth)
BODIES = st.one_of(json_values().map(encoded), NESTING, st.binary(max_size=40))

NODE_IDS = st.sampled_from(["a", "b", "c", "d", "e"])


@st.composite
def flows(draw: st.DrawFn, own_id: str, other_ids: list[str]) -> list[dict[str, Any]]:
    """Up to five nodes whose loop bodies, dependencies and workflow nodes point anywhere, themselves included."""
    node_ids = draw(st.lists(NODE_IDS, min_size=1, max_size=5, unique=True))
    flow = []
    for node_id in node_ids:
        node: dict[str, Any] = {"id": node_id, "type": draw(st.sampled_from(sorted(NODE_TYPES)))}
        if node["type"] in ("model", "custom-model"):
            node["modelId"] = "model_x"
        if node["type"] == "workflow":
            node["workflowId"] = draw(st.sampled_from([own_id, *other_ids]))
        if node["type"] == "for-each":
            node["count"] = draw(st.one_of(st.integers(1, 5), st.sampled_from([1000, 1001, 200_000, 10**9])))
            node["loopBodyNodeIds"] = draw(st.lists(st.sampled_from(node_ids), max_size=3, unique=True))
        if node["type"] == "logic":
            node["logicType"], node["logic"] = "if-else", {"cases": []}
        if draw(st.booleans()):
            node["dependsOn"] = draw(st.lists(st.sampled_from(node_ids), max_size=2, unique=True))
        flow.append(node)
    return flow


def _jwt(payload: bytes) -> str:
    return "e30." + base64.urlsafe_b64encode(payload).decode().rstrip("=") + ".sig"


AUTHORIZATION = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40),
    st.binary(max_size=60).map(lambda raw: "Basic " + base64.b64encode(raw).decode()),
    st.one_of(json_values().map(encoded), NESTING).map(lambda payload: "Bearer " + _jwt(payload)),
)
