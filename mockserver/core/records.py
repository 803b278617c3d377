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
    data = json_object(value, where)
    fields = _fields(cls)
    unknown = set(data) - {camel for _, camel, _ in fields}
    if unknown:
        raise BadRequest(f"{where}: unknown fields {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, camel, kind in fields:
        if camel in data:
            values[name] = _from_json(kind, data[camel], f"{where}.{camel}")
        elif _required(cls, name):
            raise BadRequest(f"{where}.{camel} is required")
    return cls(**values)


def _from_json(kind: Any, value: Any, where: str) -> Any:
    if kind is Any:
        return value
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [arg for arg in args if arg is not type(None)]
        return _from_json(inner, value, where)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return record_from_json(kind, value, where)
    if kind is datetime:
        return moment(value, where)
    if origin is list:
        items = json_list(value, where)
        return [_from_json(args[0], item, f"{where}[{i}]") for i, item in enumerate(items)]
    if origin is tuple:
        if not isinstance(value, list) or len(value) != len(args):
            raise BadRequest(f"{where} must be a list of {len(args)} items")
        return tuple(
            _from_json(arg, item, f"{where}[{i}]") for i, (arg, item) in enumerate(zip(args, value, strict=True))
        )
    if origin is dict:
        return dict(json_object(value, where))
    return _scalar(kind, value, where)


def _scalar(kind: type, value: Any, where: str) -> Any:
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise BadRequest(f"{where} must be {_NAMES.get(kind, kind.__name__)}")
    return value


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


def _required(cls: type, name: str) -> bool:
    spec = next(spec for spec in dataclasses.fields(cls) if spec.name == name)
    return spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING


# ---- JSON values


def json_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{where} must be a JSON object")
    return value


def json_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadRequest(f"{where} must be a list")
    return value


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
