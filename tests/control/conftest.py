from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest


def _wait_until(condition: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def wait_until() -> Callable[..., Any]:
    """``wait_until(condition, timeout=10, what=...)``: poll until truthy, up to a deadline."""
    return _wait_until
