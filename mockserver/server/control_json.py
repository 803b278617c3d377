"""The JSON the control plane reads: strict, and no deeper than the fake's own code can walk."""

from __future__ import annotations

from typing import Any

import orjson

from mockserver.core.errors import BadRequest

# Deeper than any document of the fake (a state document nests about ten levels, a job's values a few
# more), and shallow enough for every recursive walk of it to stay far from Python's recursion limit.
MAX_DEPTH = 100


def control_json(body: bytes) -> Any:
    """The value of a JSON body; BadRequest if it is not JSON (NaN and Infinity are not), or nests deeper
    than :data:`MAX_DEPTH`."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        if "recursion" in str(error).lower():
            raise BadRequest(f"The body must be JSON nested at most {MAX_DEPTH} levels deep") from None
        raise BadRequest("The body must be JSON") from None
    if _depth_over(value, MAX_DEPTH):
        raise BadRequest(f"The body must be JSON nested at most {MAX_DEPTH} levels deep")
    return value


def _depth_over(value: Any, limit: int) -> bool:
    """Whether ``value`` nests more than ``limit`` containers deep; walks level by level, without recursion."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        deeper: list[Any] = []
        for item in level:
            children = item.values() if isinstance(item, dict) else item
            deeper.extend(child for child in children if isinstance(child, dict | list))
        level = deeper
    return False
