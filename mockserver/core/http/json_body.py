"""Request bodies as JSON the fake can keep: the one parser every API and the control plane read bodies with.

The stdlib parser accepts what no JSON client sends and the fake cannot store or render again: ``NaN``
and ``Infinity``, numbers that overflow to infinity, integers of any length, strings holding a lone
UTF-16 surrogate (``"\\ud800"``), and nesting deep enough to exhaust the stack. :func:`parse_json` refuses
them all with :class:`UnsafeJson`, naming where in the body the value is. It stays on the stdlib's C
parser: the hooks it passes only run for floats, long integers and constants, and the walk over the
parsed value runs only when the raw text could hold a surrogate escape or nest too deep.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# Longer integers are refused: far past what any field means (an id, a seed, a count), and they turn into
# infinity as soon as they meet a float. Clients' fuzzers send up to 128-bit integers (39 digits), kept.
MAX_INTEGER_DIGITS = 100
# Deeper than any body the APIs take (a workflow's flow nests about eight levels).
MAX_DEPTH = 64
_SURROGATE = re.compile("[\ud800-\udfff]")


Location = tuple[str | int, ...]


class UnsafeJson(ValueError):
    """Valid-looking JSON the fake refuses, and where in the body: ``("flow", 0, "count")``, ``()`` for all of it."""

    def __init__(self, location: Location, problem: str) -> None:
        self.location = location
        self.problem = problem
        self.field = field_name(location)
        where = f' at "{self.field}"' if location else ""
        super().__init__(f"Request body has {problem}{where}")


def field_name(location: Location) -> str:
    """``("flow", 0, "count")`` as ``flow[0].count``."""
    name = ""
    for part in location:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


class _Refused:
    """A parsed value standing where a refused literal was, found again by the walk to name its field."""

    __slots__ = ("problem",)

    def __init__(self, problem: str) -> None:
        self.problem = problem


def parse_json(raw: bytes | str) -> Any:
    """``raw`` parsed; UnsafeJson for what the fake refuses, ValueError (JSONDecodeError, UnicodeDecodeError)
    for what is not JSON in UTF-8."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    refused: list[_Refused] = []

    def refuse(problem: str) -> _Refused:
        marker = _Refused(problem)
        refused.append(marker)
        return marker

    def parse_float(literal: str) -> float | _Refused:
        number = float(literal)
        return refuse(f"a number too large ({literal[:20]})") if math.isinf(number) else number

    def parse_int(literal: str) -> int | _Refused:
        if len(literal.lstrip("-")) <= MAX_INTEGER_DIGITS:
            return int(literal)
        return refuse(f"an integer of more than {MAX_INTEGER_DIGITS} digits ({literal[:20]}...)")

    def parse_constant(name: str) -> _Refused:
        return refuse(f"{name}, which is not a JSON number")

    try:
        value = json.loads(text, parse_float=parse_float, parse_int=parse_int, parse_constant=parse_constant)
    except RecursionError:
        raise UnsafeJson((), f"nesting deeper than {MAX_DEPTH} levels") from None
    if refused or _may_need_walk(text):
        _walk(value)
    return value


def _may_need_walk(text: str) -> bool:
    """Whether the text could hold a surrogate or nest deeper than allowed (cheap C-level scans)."""
    if text.count("[") + text.count("{") > MAX_DEPTH:
        return True
    return "\\ud" in text or "\\uD" in text or _SURROGATE.search(text) is not None


def _walk(value: Any) -> None:
    """Raise UnsafeJson at the first refused value, surrogate or too-deep level, depth first in document order."""
    stack: list[tuple[Any, Location, int]] = [(value, (), 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict):
            _check_depth(path, depth)
            for key, child in reversed(list(item.items())):
                if _SURROGATE.search(key):
                    raise UnsafeJson(path, "a key with a lone UTF-16 surrogate")
                stack.append((child, (*path, key), depth + 1))
        elif isinstance(item, list):
            _check_depth(path, depth)
            for index in range(len(item) - 1, -1, -1):
                stack.append((item[index], (*path, index), depth + 1))
        elif isinstance(item, str):
            if _SURROGATE.search(item):
                raise UnsafeJson(path, "a string with a lone UTF-16 surrogate")
        elif isinstance(item, _Refused):
            raise UnsafeJson(path, item.problem)


def _check_depth(path: Location, depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise UnsafeJson(path[:1], f"nesting deeper than {MAX_DEPTH} levels")
