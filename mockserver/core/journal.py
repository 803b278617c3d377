"""The request journal: every API request with its verdict against the contract."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from mockserver.core.clock import iso

Verdict = Literal["conforms", "violates", "not-in-contract"]
# How a call reached the fake: an HTTP request to an API, or a tool call of its MCP server.
Channel = Literal["rest", "mcp"]


@dataclass(slots=True)
class Entry:
    id: int
    moment: datetime  # on the fake's clock; written out as ``at`` only when the journal is read
    method: str
    path: str
    query: str
    operation_id: str | None
    status: int = 0
    verdict: Verdict = "conforms"
    request_violations: list[str] = field(default_factory=list)
    response_violations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    looks_like: str | None = None
    duration_ms: float = 0.0
    via: Channel = "rest"

    @property
    def at(self) -> str:
        return iso(self.moment)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = iso(data.pop("moment"))
        return {_camel(key): value for key, value in data.items()}


class Journal:
    def __init__(self, size: int = 1000) -> None:
        self._entries: deque[Entry] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def start(
        self, method: str, path: str, query: str, operation_id: str | None, at: datetime, via: Channel = "rest"
    ) -> Entry:
        entry = Entry(next(self._ids), at, method, path, query, operation_id, via=via)
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(self, since: int = 0) -> list[Entry]:
        with self._lock:
            return [entry for entry in self._entries if entry.id > since]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
