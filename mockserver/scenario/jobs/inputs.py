"""The input values of a workflow run, checked against the workflow's input definitions.

``resolve_run_inputs`` takes the parsed body of ``PUT /workflows/{id}/run`` and the workflow's
``inputs`` (WorkflowInput dicts) and returns the values the job runs with: the values sent, checked
for type and bounds, plus the defaults, once the ``required`` rules hold.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeGuard

from mockserver.core.errors import BadRequest

# Each array input type and the type of its items ("object" is not an input type of its own).
ARRAY_ITEM_TYPES: dict[str, str] = {
    "file_array": "file",
    "string_array": "string",
    "number_array": "number",
    "model_array": "model",
    "inputs_array": "object",
}
DEFAULT_FILE_KIND = "image"

# Why a ``required`` rule applies: the condition in words, and the author's message ("" when none).
Condition = tuple[str, str]

ASSET_ID = re.compile(r"asset_[A-Za-z0-9_-]+")
DATA_URL = re.compile(r"data:(?P<mime>[\w.+-]+/[\w.+-]+);base64,(?P<payload>.+)")

# For string_array and model_array, minLength/maxLength bound the number of items, not each item.
_COUNTED_BY_LENGTH = frozenset({"string_array", "model_array"})
_STRING_TYPES = frozenset({"string", "model"})
_ALLOWED_VALUES_ARRAY_TYPES = frozenset({"string_array", "number_array"})

_EXPECTED = {
    "boolean": "a boolean",
    "number": "a number",
    "string": "a string",
    "model": "a model id (a string)",
    "object": "an object",
    "file": "a file (an asset id or a data URL)",
}


@dataclass(frozen=True)
class ResolvedInputs:
    """The values a run uses, keyed by input name in definition order, and notes for the caller."""

    values: dict[str, object]
    warnings: list[str]


def default_kind(definition: dict) -> str:
    """The ``kind`` of a file or file_array input: file inputs always expose one, ``image`` by default."""
    kind = definition.get("kind")
    return kind if isinstance(kind, str) and kind else DEFAULT_FILE_KIND


def resolve_run_inputs(definitions: list[dict], body: object) -> ResolvedInputs:
    """Check a run's input values against ``definitions``; raise BadRequest naming the input at fault."""
    sent = _body_values(body)
    named = [
        definition
        for definition in definitions
        if isinstance(definition, dict) and isinstance(definition.get("name"), str)
    ]
    _reject_unknown_names(sent, [definition["name"] for definition in named])

    given: dict[str, object] = {}
    warnings: list[str] = []
    for definition in named:
        value = sent.get(definition["name"])
        if value is None:
            continue
        if _is_scalar_for_array(definition, value):
            warnings.append(_dropped_scalar_warning(definition))
            continue
        _check_value(definition, value)
        given[definition["name"]] = value

    values = _with_defaults(named, given)
    for definition in named:
        _check_required(definition, values)
    return ResolvedInputs(values=values, warnings=warnings)


def check_asset_inputs(definitions: list[dict], body: object, asset_problem: Callable[[str], str | None]) -> None:
    """Refuse a file input sent as an asset id the run cannot use; ``asset_problem`` says why, or None.

    Only values sent are checked: a workflow's own defaults are its author's choice.
    """
    sent = body if isinstance(body, dict) else {}
    for definition in definitions:
        if not isinstance(definition, dict) or definition.get("type") not in ("file", "file_array"):
            continue
        value = sent.get(definition.get("name"))
        items = [(None, value)] if definition["type"] == "file" else list(enumerate(value or []))
        for index, item in items:
            if isinstance(item, str) and ASSET_ID.fullmatch(item):
                problem = asset_problem(item)
                if problem:
                    raise _invalid(definition["name"], problem, index)


# --- Body and names ------------------------------------------------------------------------------


def _body_values(body: object) -> dict:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object of input values")
    return body


def _reject_unknown_names(sent: dict, known_names: list[str]) -> None:
    unknown = [name for name in sent if name not in known_names]
    if not unknown:
        return
    known = f"Known inputs: {', '.join(known_names)}" if known_names else "This workflow takes no inputs"
    raise BadRequest(f'Unknown input "{unknown[0]}". {known}')


def _is_scalar_for_array(definition: dict, value: object) -> bool:
    input_type = definition.get("type")
    return isinstance(input_type, str) and input_type in ARRAY_ITEM_TYPES and not isinstance(value, list | dict)


def _dropped_scalar_warning(definition: dict) -> str:
    return (
        f'Input "{definition["name"]}" expects an array ({definition["type"]}); '
        "the scalar value sent was dropped, as the real API does"
    )


def _with_defaults(definitions: list[dict], given: dict[str, object]) -> dict[str, object]:
    values: dict[str, object] = {}
    for definition in definitions:
        name = definition["name"]
        if name in given:
            values[name] = given[name]
        elif definition.get("default") is not None:
            values[name] = definition["default"]
    return values


# --- Types ---------------------------------------------------------------------------------------


def _invalid(name: str, problem: str, index: int | None = None) -> BadRequest:
    where = f'"{name}"' if index is None else f'"{name}" at index {index}'
    return BadRequest(f"Invalid input {where}: {problem}")


def _check_value(definition: dict, value: object) -> None:
    input_type = definition.get("type")
    if not isinstance(input_type, str):
        return
    if input_type in ARRAY_ITEM_TYPES:
        _check_array(definition, ARRAY_ITEM_TYPES[input_type], value)
    else:
        _check_single_value(definition, input_type, value)


def _check_single_value(definition: dict, input_type: str, value: object) -> None:
    problem = _type_problem(input_type, value) or _bounds_problem(definition, input_type, value)
    if problem:
        raise _invalid(definition["name"], problem)


def _check_array(definition: dict, item_type: str, value: object) -> None:
    name = definition["name"]
    if not isinstance(value, list):
        raise _invalid(name, f"expected a list, got {_json_type(value)}")
    checks_allowed_values = definition["type"] in _ALLOWED_VALUES_ARRAY_TYPES
    for index, item in enumerate(value):
        problem = _type_problem(item_type, item)
        if not problem and checks_allowed_values:
            problem = _allowed_values_problem(definition, item)
        if problem:
            raise _invalid(name, problem, index)
    problem = _item_count_problem(definition, len(value))
    if problem:
        raise _invalid(name, problem)


def _type_problem(value_type: str, value: object) -> str | None:
    """Why ``value`` is not of ``value_type``, or None when it is (or the type is not one we know)."""
    if value_type == "file":
        return _file_problem(value)
    if value_type not in _EXPECTED or _has_type(value_type, value):
        return None
    return f"expected {_EXPECTED[value_type]}, got {_json_type(value)}"


def _has_type(value_type: str, value: object) -> bool:
    if value_type == "boolean":
        return isinstance(value, bool)
    if value_type == "number":
        return _is_number(value)
    if value_type in _STRING_TYPES:
        return isinstance(value, str)
    return isinstance(value, dict)


def _file_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"expected {_EXPECTED['file']}, got {_json_type(value)}"
    if ASSET_ID.fullmatch(value):
        return None
    if value.startswith("data:"):
        if _is_valid_data_url(value):
            return None
        return "the data URL is not valid: expected data:<mime>;base64,<payload> with a base64 payload"
    return f"expected an asset id (asset_...) or a data URL, got {_shorten(value)}"


def _is_valid_data_url(value: str) -> bool:
    match = DATA_URL.fullmatch(value)
    if match is None:
        return False
    try:
        base64.b64decode(match["payload"], validate=True)
    except binascii.Error:
        return False
    return True


# --- Bounds --------------------------------------------------------------------------------------


def _bounds_problem(definition: dict, input_type: str, value: object) -> str | None:
    if input_type == "number" and _is_number(value):
        return _number_range_problem(definition, value) or _allowed_values_problem(definition, value)
    if input_type == "string" and isinstance(value, str):
        return _length_problem(definition, value) or _allowed_values_problem(definition, value)
    if input_type == "model" and isinstance(value, str):
        return _length_problem(definition, value)
    return None


def _number_range_problem(definition: dict, value: float) -> str | None:
    return _range_problem(value, definition.get("min"), definition.get("max"))


def _length_problem(definition: dict, value: str) -> str | None:
    return _range_problem(len(value), definition.get("minLength"), definition.get("maxLength"), "character")


def _item_count_problem(definition: dict, count: int) -> str | None:
    problem = _range_problem(count, definition.get("min"), definition.get("max"), "item")
    if problem is None and definition["type"] in _COUNTED_BY_LENGTH:
        problem = _range_problem(count, definition.get("minLength"), definition.get("maxLength"), "item")
    return problem


def _range_problem(measured: float, minimum: object, maximum: object, unit: str | None = None) -> str | None:
    """What is wrong with ``measured`` against the bounds that are numbers, or None."""
    if _is_number(minimum) and measured < minimum:
        return _bound_text("at least", minimum, measured, unit)
    if _is_number(maximum) and measured > maximum:
        return _bound_text("at most", maximum, measured, unit)
    return None


def _bound_text(relation: str, bound: float, measured: float, unit: str | None) -> str:
    if unit is None:
        return f"must be {relation} {_format_number(bound)}, got {_format_number(measured)}"
    units = unit if bound == 1 else f"{unit}s"
    return f"must have {relation} {_format_number(bound)} {units}, got {_format_number(measured)}"


def _allowed_values_problem(definition: dict, value: object) -> str | None:
    allowed = definition.get("allowedValues")
    if not isinstance(allowed, list) or any(_same_json_value(value, option) for option in allowed):
        return None
    listed = ", ".join(_shorten(option) for option in allowed)
    return f"must be one of {listed}, got {_shorten(value)}"


# --- Required rules ------------------------------------------------------------------------------


def _check_required(definition: dict, values: dict[str, object]) -> None:
    name = definition["name"]
    required = definition.get("required")
    if name in values or not isinstance(required, dict):
        return
    if required.get("always") is True:
        raise BadRequest(f'Input "{name}" is required')
    condition = (
        _if_defined_condition(required.get("ifDefined"), values, defined=True)
        or _if_defined_condition(required.get("ifNotDefined"), values, defined=False)
        or _conditional_condition(required.get("conditional"), values)
        or _conditional_values_condition(required.get("conditionalValues"), values)
    )
    if condition is not None:
        text, author_message = condition
        suffix = f": {author_message}" if author_message else ""
        raise BadRequest(f'Input "{name}" is required when {text}{suffix}')


# Each rule below answers None when it does not make the input required, or the condition that
# does, in words, with the message the workflow's author attached to it (if any).


def _if_defined_condition(rule: object, values: dict[str, object], defined: bool) -> Condition | None:
    if not isinstance(rule, dict):
        return None
    for other, message in rule.items():
        if (other in values) == defined:
            author_message = message.strip() if isinstance(message, str) else ""
            return f'"{other}" is {"defined" if defined else "not defined"}', author_message
    return None


def _conditional_condition(rule: object, values: dict[str, object]) -> Condition | None:
    if not isinstance(rule, dict) or not isinstance(rule.get("values"), dict):
        return None
    operator = "or" if rule.get("operator") == "or" else "and"
    expected = {other: _as_list(accepted) for other, accepted in rule["values"].items()}
    return _matching_values_condition(expected, operator, values)


def _conditional_values_condition(rule: object, values: dict[str, object]) -> Condition | None:
    """The older form: ``{other: [values]}`` or ``{other: {"values": [...]}}``, all must match."""
    if not isinstance(rule, dict):
        return None
    expected = {
        other: _as_list(accepted.get("values") if isinstance(accepted, dict) else accepted)
        for other, accepted in rule.items()
    }
    return _matching_values_condition(expected, "and", values)


def _matching_values_condition(expected: dict[str, list], operator: str, values: dict[str, object]) -> Condition | None:
    if not expected:
        return None
    matches = [_value_is_among(values, other, accepted) for other, accepted in expected.items()]
    if not (any(matches) if operator == "or" else all(matches)):
        return None
    text = f" {operator} ".join(_condition_text(other, accepted) for other, accepted in expected.items())
    return text, ""


def _value_is_among(values: dict[str, object], other: str, accepted: list) -> bool:
    return other in values and any(_same_json_value(values[other], option) for option in accepted)


def _condition_text(other: str, accepted: list) -> str:
    if len(accepted) == 1:
        return f'"{other}" is {_shorten(accepted[0])}'
    return f'"{other}" is one of {", ".join(_shorten(option) for option in accepted)}'


def _as_list(accepted: object) -> list:
    return accepted if isinstance(accepted, list) else [accepted]


# --- Small helpers -------------------------------------------------------------------------------


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_json_value(left: object, right: object) -> bool:
    """Equality as JSON sees it: ``true`` is not ``1``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    return left == right


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if _is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _format_number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _shorten(value: object, limit: int = 60) -> str:
    """A value as JSON, cut short so a long string (a data URL, say) does not flood the message."""
    shown = json.dumps(value)
    return shown if len(shown) <= limit else f"{shown[: limit - 3]}..."
