"""Records: the fake's stored rows as msgspec Structs, written to JSON for snapshots and read back checked.

A record class derives from :class:`Record`: its fields have camelCase JSON names, and reading one checks
each field against its declared type and refuses unknown ones, in C: a snapshot of 100,000 jobs is read in a
fraction of a second. Every refusal is a :class:`BadRequest` naming the field (``jobs[3].status must be a
string``), so a snapshot is checked whole before anything changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, TypeVar

import msgspec

from mockserver.core.clock import parse_iso
from mockserver.core.errors import BadRequest

T = TypeVar("T")

# A date and time with its offset: a naive one could not be compared with the clock's.
Moment = Annotated[datetime, msgspec.Meta(tz=True)]


class Record(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A stored row: mutable, slotted, compared field by field, camelCase in JSON."""


def record_to_json(record: Record) -> dict[str, Any]:
    """A record as JSON: camelCase keys, ISO dates, pairs as lists, nested records as objects."""
    data: dict[str, Any] = msgspec.to_builtins(record)
    return data


def record_from_json(cls: type[T], value: Any, where: str) -> T:
    """A record of ``cls`` from its JSON form; BadRequest names the first field that is wrong."""
    with _fields_named(where):
        return msgspec.convert(value, cls)


def records_from_json(cls: type[T], value: Any, where: str) -> list[T]:
    """A list of records of ``cls`` read at once (each already read is taken as it is)."""
    with _fields_named(where):
        return msgspec.convert(value, list[cls])  # type: ignore[valid-type]


def decode_records(cls: type[T], raw: bytes, where: str) -> list[T]:
    """A JSON list of records of ``cls`` read straight from its text, with no dictionaries made on the way:
    half the time of parsing the text and then reading the records (a state file of 100,000 jobs)."""
    with _fields_named(where):
        return msgspec.json.decode(raw, type=list[cls])  # type: ignore[valid-type]


@contextmanager
def _fields_named(where: str) -> Iterator[None]:
    """msgspec's refusal as a BadRequest naming the field, under ``where``."""
    try:
        yield
    except msgspec.ValidationError as error:
        raise BadRequest(_named(error, where)) from None


_PROBLEM = re.compile(r"^(?P<problem>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_EXPECTED = re.compile(r"^Expected `(?P<kinds>[^`]+)`(?P<rest>.*?)(?:, got .*)?$", re.DOTALL)
_KINDS = {
    "str": "a string",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "array": "a list",
    "object": "a JSON object",
    "datetime": "an ISO-8601 date",
    "null": "null",
}


def _named(error: msgspec.ValidationError, where: str) -> str:
    """msgspec's ``Expected `str`, got `int` - at `$.steps[1].id``` as ``plan.steps[1].id must be a string``."""
    found = _PROBLEM.match(str(error))
    problem, path = (found["problem"], found["path"] or "") if found else (str(error), "")
    field = f"{where}{path}"
    if missing := re.fullmatch(r"Object missing required field `([^`]+)`", problem):
        return f"{field}.{missing[1]} is required"
    if unknown := re.fullmatch(r"Object contains unknown field `([^`]+)`", problem):
        return f"{field}: unknown field {unknown[1]}"
    if problem.startswith("Invalid RFC3339"):
        return f"{field} must be an ISO-8601 date"
    if expected := _EXPECTED.match(problem):
        kinds = " or ".join(_KINDS.get(kind, kind) for kind in expected["kinds"].split(" | "))
        if length := re.fullmatch(r" of (?:at least |at most )?length (\d+)", expected["rest"]):
            return f"{field} must be a list of {length[1]} items"
        if "timezone" in expected["rest"]:
            return f"{field} must be an ISO-8601 date with its offset (Z or +00:00)"
        return f"{field} must be {kinds}"
    return f"{field}: {problem[:1].lower()}{problem[1:]}"


# ---- JSON values


def json_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{where} must be a JSON object")
    return value


def json_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadRequest(f"{where} must be a list")
    return value


def unique_ids(ids: Iterable[str], where: str, name: str = "id") -> dict[str, int]:
    """Each id with its index in the list ``where``; BadRequest at the first one repeated."""
    seen: dict[str, int] = {}
    for i, record_id in enumerate(ids):
        if record_id in seen:
            raise BadRequest(f"{where}[{i}].{name}: {record_id} is already {where}[{seen[record_id]}]")
        seen[record_id] = i
    return seen


def whole_number(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadRequest(f"{where} must be a whole number >= 0")
    return value


def moment(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise BadRequest(f"{where} must be an ISO-8601 date")
    try:
        return parse_iso(value)
    except ValueError:
        raise BadRequest(f"{where} must be an ISO-8601 date") from None


def string_lists(value: Any, where: str) -> dict[str, list[str]]:
    data = json_object(value, where)
    for key, items in data.items():
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise BadRequest(f"{where}.{key} must be a list of ids")
    return data
