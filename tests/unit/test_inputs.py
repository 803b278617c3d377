from __future__ import annotations

import base64

import pytest

from mockserver.core.errors import BadRequest
from mockserver.scenario.jobs.inputs import ResolvedInputs, default_kind, resolve_run_inputs

PNG_DATA_URL = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n fake pixels").decode()


def definition(name: str, input_type: str, **fields: object) -> dict:
    return {"name": name, "type": input_type, **fields}


def refusal(definitions: list[dict], body: object) -> str:
    with pytest.raises(BadRequest) as raised:
        resolve_run_inputs(definitions, body)
    return raised.value.message


# --- The body and input names ------------------------------------------------------------------


def test_no_body_means_no_inputs() -> None:
    assert resolve_run_inputs([definition("prompt", "string")], None) == ResolvedInputs(values={}, warnings=[])


@pytest.mark.parametrize("body", [[], "prompt", 3, True])
def test_the_body_must_be_a_json_object(body: object) -> None:
    assert refusal([definition("prompt", "string")], body) == ("The request body must be a JSON object of input values")


def test_an_unknown_input_is_refused_with_the_known_ones_listed() -> None:
    definitions = [definition("prompt", "string"), definition("strength", "number")]
    assert refusal(definitions, {"prompt": "a cat", "foo": 1}) == 'Unknown input "foo". Known inputs: prompt, strength'


def test_an_unknown_input_for_a_workflow_without_inputs_says_so() -> None:
    assert refusal([], {"foo": 1}) == 'Unknown input "foo". This workflow takes no inputs'


# --- Scalars for array inputs and nulls --------------------------------------------------------


@pytest.mark.parametrize(
    ("input_type", "scalar"),
    [
        ("file_array", "asset_abc"),
        ("string_array", "tag"),
        ("number_array", 3),
        ("model_array", "model_x"),
        ("inputs_array", True),
    ],
)
def test_a_scalar_for_an_array_input_is_dropped_with_a_warning(input_type: str, scalar: object) -> None:
    resolved = resolve_run_inputs([definition("images", input_type)], {"images": scalar})
    assert resolved.values == {}
    assert resolved.warnings == [
        f'Input "images" expects an array ({input_type}); the scalar value sent was dropped, as the real API does'
    ]


def test_a_dropped_scalar_leaves_room_for_the_default() -> None:
    definitions = [definition("tags", "string_array", default=["studio"])]
    resolved = resolve_run_inputs(definitions, {"tags": "outdoor"})
    assert resolved.values == {"tags": ["studio"]}
    assert len(resolved.warnings) == 1


def test_a_dropped_scalar_does_not_satisfy_a_required_input() -> None:
    definitions = [definition("images", "file_array", required={"always": True})]
    assert refusal(definitions, {"images": "asset_abc"}) == 'Input "images" is required'


def test_null_counts_as_not_given() -> None:
    definitions = [definition("strength", "number", default=0.5), definition("prompt", "string")]
    resolved = resolve_run_inputs(definitions, {"strength": None, "prompt": None})
    assert resolved == ResolvedInputs(values={"strength": 0.5}, warnings=[])


# --- Types -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("input_type", "value"),
    [
        ("boolean", False),
        ("number", 0),
        ("number", 0.75),
        ("string", ""),
        ("model", "model_abc"),
        ("file", "asset_Ab-9_x"),
        ("file", PNG_DATA_URL),
        ("file_array", ["asset_one", PNG_DATA_URL]),
        ("string_array", ["a", "b"]),
        ("number_array", [1, 2.5]),
        ("model_array", ["model_a"]),
        ("inputs_array", [{"prompt": "x"}, {}]),
        ("string_array", []),
    ],
)
def test_values_of_the_right_type_are_kept(input_type: str, value: object) -> None:
    resolved = resolve_run_inputs([definition("value", input_type)], {"value": value})
    assert resolved.values == {"value": value}


@pytest.mark.parametrize(
    ("input_type", "value", "problem"),
    [
        ("boolean", "true", "expected a boolean, got string"),
        ("number", "0.5", "expected a number, got string"),
        ("number", True, "expected a number, got boolean"),
        ("string", 12, "expected a string, got number"),
        ("model", ["model_a"], "expected a model id (a string), got array"),
        ("file", 7, "expected a file (an asset id or a data URL), got number"),
        ("file", "asset_", 'expected an asset id (asset_...) or a data URL, got "asset_"'),
        (
            "file",
            "https://example.com/cat.png",
            'expected an asset id (asset_...) or a data URL, got "https:',
        ),
        ("string_array", {"a": 1}, "expected a list, got object"),
    ],
)
def test_values_of_the_wrong_type_are_refused(input_type: str, value: object, problem: str) -> None:
    assert refusal([definition("value", input_type)], {"value": value}).startswith(f'Invalid input "value": {problem}')


@pytest.mark.parametrize(
    "broken",
    [
        "data:image/png;base64,not base64!",
        "data:image/png;base64,abc",  # bad padding
        "data:image/png;base64,",
        "data:image/png,iVBORw0KGgo=",  # not base64-encoded
        "data:;base64,iVBORw0KGgo=",  # no mime type
    ],
)
def test_a_broken_data_url_is_refused(broken: str) -> None:
    assert refusal([definition("image", "file")], {"image": broken}) == (
        'Invalid input "image": the data URL is not valid: expected data:<mime>;base64,<payload> with a base64 payload'
    )


@pytest.mark.parametrize(
    ("input_type", "value", "message"),
    [
        ("number_array", [1, "2"], 'Invalid input "value" at index 1: expected a number, got string'),
        (
            "file_array",
            ["asset_a", 3],
            'Invalid input "value" at index 1: expected a file (an asset id or a data URL), got number',
        ),
        ("inputs_array", [{}, "x"], 'Invalid input "value" at index 1: expected an object, got string'),
        ("model_array", [None], 'Invalid input "value" at index 0: expected a model id (a string), got null'),
    ],
)
def test_array_items_must_have_the_element_type(input_type: str, value: list, message: str) -> None:
    assert refusal([definition("value", input_type)], {"value": value}) == message


# --- Bounds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [(1.5, "must be at most 1, got 1.5"), (-0.25, "must be at least 0, got -0.25")],
)
def test_a_number_stays_within_min_and_max(value: float, problem: str) -> None:
    definitions = [definition("strength", "number", min=0, max=1.0)]
    assert refusal(definitions, {"strength": value}) == f'Invalid input "strength": {problem}'
    assert resolve_run_inputs(definitions, {"strength": 1}).values == {"strength": 1}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (["asset_a"], "must have at least 2 items, got 1"),
        (["asset_a", "asset_b", "asset_c", "asset_d"], "must have at most 3 items, got 4"),
    ],
)
def test_an_array_holds_between_min_and_max_items(value: list, problem: str) -> None:
    definitions = [definition("images", "file_array", min=2, max=3)]
    assert refusal(definitions, {"images": value}) == f'Invalid input "images": {problem}'


@pytest.mark.parametrize(
    ("input_type", "value", "problem"),
    [
        ("string", "abcdef", "must have at most 5 characters, got 6"),
        ("string", "a", "must have at least 2 characters, got 1"),
        ("model", "model_long_id", "must have at most 5 characters, got 13"),
    ],
)
def test_string_and_model_lengths_count_characters(input_type: str, value: str, problem: str) -> None:
    definitions = [definition("text", input_type, minLength=2, maxLength=5)]
    assert refusal(definitions, {"text": value}) == f'Invalid input "text": {problem}'


@pytest.mark.parametrize("input_type", ["string_array", "model_array"])
def test_max_length_on_string_and_model_arrays_counts_items(input_type: str) -> None:
    definitions = [definition("tags", input_type, maxLength=2)]
    long_items = ["a rather long item", "another long item"]
    assert resolve_run_inputs(definitions, {"tags": long_items}).values == {"tags": long_items}
    assert refusal(definitions, {"tags": ["a", "b", "c"]}) == 'Invalid input "tags": must have at most 2 items, got 3'


def test_min_length_on_a_string_array_counts_items() -> None:
    definitions = [definition("tags", "string_array", minLength=1)]
    assert refusal(definitions, {"tags": []}) == 'Invalid input "tags": must have at least 1 item, got 0'


@pytest.mark.parametrize(
    ("input_type", "allowed", "good", "bad", "message"),
    [
        (
            "string",
            ["square", "portrait"],
            "square",
            "wide",
            'must be one of "square", "portrait", got "wide"',
        ),
        ("number", [512, 1024], 1024, 768, "must be one of 512, 1024, got 768"),
        (
            "string_array",
            ["red", "blue"],
            ["blue", "red"],
            ["red", "green"],
            'must be one of "red", "blue", got "green"',
        ),
        ("number_array", [1, 2], [2, 2], [1, 3], "must be one of 1, 2, got 3"),
    ],
)
def test_allowed_values_bound_the_value_or_every_item(
    input_type: str, allowed: list, good: object, bad: object, message: str
) -> None:
    definitions = [definition("choice", input_type, allowedValues=allowed)]
    assert resolve_run_inputs(definitions, {"choice": good}).values == {"choice": good}
    where = '"choice" at index 1' if isinstance(bad, list) else '"choice"'
    assert refusal(definitions, {"choice": bad}) == f"Invalid input {where}: {message}"


def test_allowed_values_do_not_take_true_for_one() -> None:
    assert refusal([definition("n", "number", allowedValues=[1])], {"n": True}) == (
        'Invalid input "n": expected a number, got boolean'
    )


# --- Defaults and the result -------------------------------------------------------------------


def test_defaults_fill_what_was_not_given_and_values_follow_definition_order() -> None:
    definitions = [
        definition("prompt", "string", default="a cat"),
        definition("strength", "number", default=0.5),
        definition("image", "file"),
        definition("seed", "number"),
    ]
    resolved = resolve_run_inputs(definitions, {"image": "asset_abc", "strength": 0.9})
    assert list(resolved.values.items()) == [("prompt", "a cat"), ("strength", 0.9), ("image", "asset_abc")]


def test_a_default_satisfies_required_always() -> None:
    definitions = [definition("prompt", "string", default="a cat", required={"always": True})]
    assert resolve_run_inputs(definitions, {}).values == {"prompt": "a cat"}


# --- Required rules ----------------------------------------------------------------------------


def test_required_always_refuses_a_missing_input() -> None:
    definitions = [definition("prompt", "string", required={"always": True})]
    assert refusal(definitions, {}) == 'Input "prompt" is required'


@pytest.mark.parametrize("required", [None, {}, {"always": False}])
def test_an_input_is_optional_by_default(required: dict | None) -> None:
    fields = {} if required is None else {"required": required}
    assert resolve_run_inputs([definition("prompt", "string", **fields)], {}).values == {}


IMAGE_AND_MASK = [definition("image", "file"), definition("mask", "file")]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "An image is needed to apply a mask",
            'Input "image" is required when "mask" is defined: An image is needed to apply a mask',
        ),
        ("", 'Input "image" is required when "mask" is defined'),
        (None, 'Input "image" is required when "mask" is defined'),
    ],
)
def test_if_defined_requires_the_input_when_the_other_is_given(message: str | None, expected: str) -> None:
    definitions = [
        definition("image", "file", required={"ifDefined": {"mask": message}}),
        definition("mask", "file"),
    ]
    assert refusal(definitions, {"mask": "asset_mask"}) == expected
    assert resolve_run_inputs(definitions, {}).values == {}


def test_if_defined_counts_a_default_of_the_other_input() -> None:
    definitions = [
        definition("image", "file", required={"ifDefined": {"mask": ""}}),
        definition("mask", "file", default="asset_default_mask"),
    ]
    assert refusal(definitions, {}) == 'Input "image" is required when "mask" is defined'


def test_if_not_defined_requires_the_input_when_the_other_is_missing() -> None:
    definitions = [
        definition("prompt", "string", required={"ifNotDefined": {"image": "Give a prompt or an image"}}),
        definition("image", "file"),
    ]
    assert (
        refusal(definitions, {}) == 'Input "prompt" is required when "image" is not defined: Give a prompt or an image'
    )
    assert resolve_run_inputs(definitions, {"image": "asset_abc"}).values == {"image": "asset_abc"}


MODE_AND_STYLE = [definition("mode", "string"), definition("style", "string")]


def conditional_definitions(rule: dict) -> list[dict]:
    return [definition("mask", "file", required=rule), *MODE_AND_STYLE]


@pytest.mark.parametrize(
    ("body", "required"),
    [
        ({"mode": "inpaint", "style": "flat"}, True),
        ({"mode": "inpaint", "style": "photo"}, False),
        ({"mode": "generate", "style": "flat"}, False),
        ({"style": "flat"}, False),
    ],
)
def test_conditional_with_and_needs_every_value_to_match(body: dict, required: bool) -> None:
    rule = {"conditional": {"values": {"mode": ["inpaint", "outpaint"], "style": "flat"}}}
    definitions = conditional_definitions(rule)
    if required:
        assert refusal(definitions, body) == (
            'Input "mask" is required when "mode" is one of "inpaint", "outpaint" and "style" is "flat"'
        )
    else:
        assert resolve_run_inputs(definitions, body).values == body


@pytest.mark.parametrize(
    ("body", "required"),
    [
        ({"mode": "generate", "style": "flat"}, True),
        ({"mode": "inpaint"}, True),
        ({"mode": "generate"}, False),
    ],
)
def test_conditional_with_or_needs_any_value_to_match(body: dict, required: bool) -> None:
    rule = {"conditional": {"values": {"mode": ["inpaint"], "style": ["flat"]}, "operator": "or"}}
    definitions = conditional_definitions(rule)
    if required:
        assert refusal(definitions, body) == 'Input "mask" is required when "mode" is "inpaint" or "style" is "flat"'
    else:
        assert resolve_run_inputs(definitions, body).values == body


@pytest.mark.parametrize("accepted", [["inpaint", "outpaint"], {"values": ["inpaint", "outpaint"]}])
def test_the_older_conditional_values_form_works_like_conditional_with_and(accepted: object) -> None:
    definitions = conditional_definitions({"conditionalValues": {"mode": accepted}})
    assert (
        refusal(definitions, {"mode": "outpaint"})
        == 'Input "mask" is required when "mode" is one of "inpaint", "outpaint"'
    )
    assert resolve_run_inputs(definitions, {"mode": "generate"}).values == {"mode": "generate"}


def test_a_conditional_on_a_boolean_matches_booleans_only() -> None:
    inpaint = definition("inpaint", "boolean")
    on_true = [definition("mask", "file", required={"conditional": {"values": {"inpaint": [True]}}}), inpaint]
    on_one = [definition("mask", "file", required={"conditional": {"values": {"inpaint": 1}}}), inpaint]
    assert refusal(on_true, {"inpaint": True}) == 'Input "mask" is required when "inpaint" is true'
    assert resolve_run_inputs(on_one, {"inpaint": True}).values == {"inpaint": True}


# --- default_kind ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "kind"),
    [({"kind": "video"}, "video"), ({}, "image"), ({"kind": None}, "image")],
)
def test_file_inputs_always_have_a_kind(fields: dict, kind: str) -> None:
    assert default_kind(definition("clip", "file", **fields)) == kind
