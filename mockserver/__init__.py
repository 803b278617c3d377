"""An offline, stateful fake of Scenario's Workflows and Jobs API.

``mockserver.running(...)`` serves a fake on a free loopback port for a ``with``
block; ``mockserver.Fake`` is one fake, in process. Both are imported on first use,
so importing the package (the command line does) stays cheap.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "running": "mockserver.testing",
    "MockHandle": "mockserver.testing",
    "RunningServer": "mockserver.testing",
    "Fake": "mockserver.server.fake",
    "Settings": "mockserver.server.settings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_EXPORTS[name]), name)
