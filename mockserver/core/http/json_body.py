"""Request bodies as JSON the fake can keep: the one parser every API and the control plane read bodies with.

The stdlib parser accepts what no JSON client sends and the fake cannot store or render again: ``NaN``
and ``Infinity``, numbers that overflow to infinity, integers of any length, strings holding a lone
UTF-16 surrogate (``"\\ud800"``), and nesting deep enough to exhaust the stack. :func:`parse_json` refuses
them all with :class:`UnsafeJson`, naming where in the body the value is. It stays on the stdlib's C
parser: its hooks are plain functions run for numbers and constants, and the walk over the parsed value
runs only when the raw text could hold a surrogate escape or nest too deep, or to name a refused literal.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
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


class _Refused(Exception):
    """A literal refused while parsing; as a value, it stands where the literal was, for the walk to name."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _float(literal: str) -> float:
    number = float(literal)
    if math.isinf(number):
        raise _Refused(f"a number too large ({literal[:20]})")
    return number


def _int(literal: str) -> int:
    if len(literal) > MAX_INTEGER_DIGITS and len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise _Refused(f"an integer of more than {MAX_INTEGER_DIGITS} digits ({literal[:20]}...)")
    return int(literal)


def _constant(name: str) -> float:
    raise _Refused(f"{name}, which is not a JSON number")


def _marked(hook: Callable[[str], Any]) -> Callable[[str], Any]:
    """``hook``, returning the refusal in place of the value instead of raising it."""

    def mark(literal: str) -> Any:
        try:
            return hook(literal)
        except _Refused as refused:
            return refused

    return mark


# Made once: json.loads with hooks would build a decoder per call.
_STRICT = json.JSONDecoder(parse_float=_float, parse_int=_int, parse_constant=_constant)
_MARKING = json.JSONDecoder(parse_float=_marked(_float), parse_int=_marked(_int), parse_constant=_marked(_constant))


def parse_json(raw: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """``raw`` parsed; UnsafeJson for what the fake refuses, ValueError (JSONDecodeError, UnicodeDecodeError)
    for what is not JSON in UTF-8. ``max_depth`` is for documents that hold API bodies (a state snapshot)."""
    if isinstance(raw, bytes):
        text = raw.decode("utf-8")  # strict: an encoded surrogate is not UTF-8
        surrogates = "\\ud" in text or "\\uD" in text
    else:
        text = raw
        surrogates = "\\ud" in text or "\\uD" in text or _SURROGATE.search(text) is not None
    try:
        value = _STRICT.decode(text)
    except RecursionError:
        raise UnsafeJson((), f"nesting deeper than {max_depth} levels") from None
    except _Refused as refused:
        _walk(_MARKING.decode(text), max_depth)  # parsed again, the refusals in place, to say where the first is
        raise UnsafeJson((), refused.problem) from None
    if surrogates or _may_nest_too_deep(text, value, max_depth):
        _walk(value, max_depth)
    return value


def _may_nest_too_deep(text: str, value: Any, max_depth: int) -> bool:
    """Whether ``value`` nests deeper than allowed: counted in C first, walked (containers only) if it could."""
    if text.count("[") + text.count("{") <= max_depth:
        return False
    return _deeper_than(value, max_depth)


def _deeper_than(container: Any, levels: int) -> bool:
    children = container.values() if type(container) is dict else container if type(container) is list else ()
    for child in children:
        if type(child) is dict or type(child) is list:
            if levels <= 1 or _deeper_than(child, levels - 1):
                return True
    return False


def _walk(value: Any, max_depth: int) -> None:
    """Raise UnsafeJson at the first refused value, surrogate or too-deep level, depth first in document order."""
    stack: list[tuple[Any, Location, int]] = [(value, (), 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict):
            _check_depth(path, depth, max_depth)
            for key, child in reversed(list(item.items())):
                if _SURROGATE.search(key):
                    raise UnsafeJson(path, "a key with a lone UTF-16 surrogate")
                stack.append((child, (*path, key), depth + 1))
        elif isinstance(item, list):
            _check_depth(path, depth, max_depth)
            for index in range(len(item) - 1, -1, -1):
                stack.append((item[index], (*path, index), depth + 1))
        elif isinstance(item, str):
            if _SURROGATE.search(item):
                raise UnsafeJson(path, "a string with a lone UTF-16 surrogate")
        elif isinstance(item, _Refused):
            raise UnsafeJson(path, item.problem)


def _check_depth(path: Location, depth: int, max_depth: int) -> None:
    if depth >= max_depth:
        raise UnsafeJson(path[:1], f"nesting deeper than {max_depth} levels")
