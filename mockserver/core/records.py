"""Records as JSON for snapshots, and back: dataclasses with camelCase keys, ISO dates, nested records.

Reading checks each field against its declared type (``str``, ``int``,
``float``, ``bool``, ``datetime``, ``Any``, lists, dicts, pairs, optional
values and nested records) and raises :class:`BadRequest` naming the field
(``jobs[3].status``), so a snapshot is checked whole before anything changes.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar, Union

from pydantic.alias_generators import to_camel

from mockserver.core.clock import parse_iso
from mockserver.core.errors import BadRequest

T = TypeVar("T")


def record_to_json(record: Any) -> dict[str, Any]:
    """A dataclass record as JSON: camelCase keys, ISO dates, pairs as lists, nested records as objects."""
    return {camel: _to_json(getattr(record, name)) for name, camel, _ in _fields(type(record))}


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return record_to_json(value)
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    return value


def record_from_json(cls: type[T], value: Any, where: str) -> T:
    """A record of ``cls`` from its JSON form; BadRequest names the first field that is wrong."""
    try:
        record: T = _converter(cls)(value)
    except _Wrong as wrong:
        raise BadRequest(f"{where}{''.join(reversed(wrong.path))}{wrong.problem}") from None
    return record


class _Wrong(Exception):
    """A value that is not what its field declares: the problem, and the path to it, innermost part first."""

    def __init__(self, problem: str, path: list[str] | None = None) -> None:
        self.problem = problem
        self.path = path or []


# How to read a value of each declared type, made once per type: a snapshot reads many thousand records.
_CONVERTERS: dict[Any, Callable[[Any], Any]] = {}


def _converter(kind: Any) -> Callable[[Any], Any]:
    found = _CONVERTERS.get(kind)
    if found is None:
        # A record that nests its own type reads it through this until its reader is made.
        _CONVERTERS[kind] = lambda value: _CONVERTERS[kind](value)
        found = _CONVERTERS[kind] = _make_converter(kind)
    return found


def _make_converter(kind: Any) -> Callable[[Any], Any]:
    if kind is Any:
        return _same
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in args if arg is not type(None)]
        return _optional(_converter(inner)) if type(None) in args else _converter(inner)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _record_converter(kind)
    if kind is datetime:
        return _moment
    if origin is list:
        return _list_of(_converter(args[0]), _as_is(args[0]))
    if origin is tuple:
        return _tuple_of(tuple(_converter(arg) for arg in args), tuple(_as_is(arg) for arg in args))
    if origin is dict:
        return _plain_dict
    return _scalar_of(kind)


def _record_converter(cls: type) -> Callable[[Any], Any]:
    """A reader written for ``cls``, one statement per field: a loop over the fields, the same checks,
    took three times as long (a snapshot reads hundreds of thousands of records)."""
    fields = _fields(cls)
    specs = {spec.name: spec for spec in dataclasses.fields(cls)}
    namespace: dict[str, Any] = {
        "cls": cls,
        "known": frozenset(camel for _, camel, _ in fields),
        "MISSING": dataclasses.MISSING,
        "_Wrong": _Wrong,
        "unknown": _unknown_fields,
    }
    lines = [
        "def read_record(value):",
        "    if not isinstance(value, dict):",
        "        raise _Wrong(' must be a JSON object')",
        "    if not value.keys() <= known:",
        "        raise unknown(value, known)",
        "    get = value.get",
    ]
    for i, (name, camel, kind) in enumerate(fields):
        spec = specs[name]
        namespace[f"as_is_{i}"], namespace[f"read_{i}"] = _as_is(kind), _converter(kind)
        lines += [f"    v{i} = get({camel!r}, MISSING)", f"    if v{i} is MISSING:"]
        if spec.default is not dataclasses.MISSING:
            namespace[f"default_{i}"] = spec.default
            lines.append(f"        v{i} = default_{i}")
        elif spec.default_factory is not dataclasses.MISSING:
            namespace[f"factory_{i}"] = spec.default_factory
            lines.append(f"        v{i} = factory_{i}()")
        else:
            lines.append(f"        raise _Wrong(' is required', [{'.' + camel!r}])")
        lines += [
            f"    elif type(v{i}) not in as_is_{i}:",
            "        try:",
            f"            v{i} = read_{i}(v{i})",
            "        except _Wrong as wrong:",
            f"            wrong.path.append({'.' + camel!r})",
            "            raise",
        ]
    lines.append(f"    return cls({', '.join(f'{name}=v{i}' for i, (name, _, _) in enumerate(fields))})")
    exec("\n".join(lines), namespace)
    reader: Callable[[Any], Any] = namespace["read_record"]
    return reader


def _unknown_fields(value: dict[str, Any], known: frozenset[str]) -> _Wrong:
    return _Wrong(f": unknown fields {', '.join(sorted(set(value) - known))}")


_JSON_TYPES: frozenset[type] = frozenset({str, int, float, bool, type(None), list, dict})


def _as_is(kind: Any) -> frozenset[type]:
    """The types of JSON value a field of ``kind`` takes unchanged, without calling its converter."""
    if kind is Any:
        return _JSON_TYPES
    if kind is float:
        return frozenset({float, int})
    if kind in (str, int, bool):
        return frozenset({kind})
    if typing.get_origin(kind) in (Union, types.UnionType):
        inner = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        if len(inner) == 1 and type(None) in typing.get_args(kind):
            return _as_is(inner[0]) | {type(None)}
    return frozenset()


def _same(value: Any) -> Any:
    return value


def _optional(inner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return None if value is None else inner(value)

    return convert


def _moment(value: Any) -> datetime:
    try:
        return parse_iso(value)
    except (TypeError, ValueError, AttributeError):
        raise _Wrong(" must be an ISO-8601 date") from None


def _list_of(item: Callable[[Any], Any], as_is: frozenset[type]) -> Callable[[Any], Any]:
    taken = as_is.__contains__

    def convert(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise _Wrong(" must be a list")
        if all(map(taken, map(type, value))):  # maps, not a generator: the common case stays in C
            return list(value)
        converted = []
        for i, each in enumerate(value):
            try:
                converted.append(item(each))
            except _Wrong as wrong:
                wrong.path.append(f"[{i}]")
                raise
        return converted

    return convert


def _tuple_of(items: tuple[Callable[[Any], Any], ...], as_is: tuple[frozenset[type], ...]) -> Callable[[Any], Any]:
    def convert(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list) or len(value) != len(items):
            raise _Wrong(f" must be a list of {len(items)} items")
        if all(map(frozenset.__contains__, as_is, map(type, value))):
            return tuple(value)
        converted = []
        for i, (item, each) in enumerate(zip(items, value, strict=True)):
            try:
                converted.append(item(each))
            except _Wrong as wrong:
                wrong.path.append(f"[{i}]")
                raise
        return tuple(converted)

    return convert


def _plain_dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Wrong(" must be a JSON object")
    return dict(value)


def _scalar_of(kind: type) -> Callable[[Any], Any]:
    problem = f" must be {_NAMES.get(kind, kind.__name__)}"

    def convert(value: Any) -> Any:
        if type(value) is kind or (kind is float and type(value) is int):
            return value
        if not isinstance(value, kind) or isinstance(value, bool):
            raise _Wrong(problem)
        return value

    return convert


_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}


_FIELDS: dict[type, tuple[tuple[str, str, Any], ...]] = {}


def _fields(cls: type) -> tuple[tuple[str, str, Any], ...]:
    """Each field of a record: its name, its JSON name and its type."""
    found = _FIELDS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        found = tuple((spec.name, to_camel(spec.name), hints[spec.name]) for spec in dataclasses.fields(cls))
        _FIELDS[cls] = found
    return found


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
