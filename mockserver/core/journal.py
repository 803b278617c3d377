"""The request journal: every API request with its verdict against the contract, who made it, and the first
bytes of its body and of the answer's.

Bodies are kept as sent, cut to :data:`REQUEST_BODY_BYTES` and :data:`RESPONSE_BODY_BYTES`, and only written
out (secrets redacted, a truncation mark added) when the journal is read, so journaling costs the request
path a slice.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from mockserver.core.clock import iso

Verdict = Literal["conforms", "violates", "not-in-contract"]
VERDICTS: tuple[str, ...] = get_args(Verdict)
# Of each body kept in an entry: what a client sent matters most to verify it; of an answer (a list page is
# tens of KiB), the start shows what it was, and 1,000 entries keep their memory to about 10 MiB.
REQUEST_BODY_BYTES = 8 * 1024
RESPONSE_BODY_BYTES = 2 * 1024
REDACTED = "[redacted]"
# A JSON member whose value is a string, "name": "value", or one cut off in its value at the end of a kept body.
_STRING_MEMBER = re.compile(rb'"((?:[^"\\]|\\.)*)"(\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?\Z)')
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
    unknown_fields: list[str] = field(default_factory=list)
    principal: str | None = None  # the caller's user id, once authenticated
    request_body: bytes = b""  # the first REQUEST_BODY_BYTES, as sent
    request_size: int = 0
    response_body: bytes = b""
    response_size: int = 0

    def keep_request_body(self, sent: bytes) -> None:
        self.request_body, self.request_size = sent[:REQUEST_BODY_BYTES], len(sent)

    def keep_response_body(self, sent: bytes) -> None:
        self.response_body, self.response_size = sent[:RESPONSE_BODY_BYTES], len(sent)

    via: Channel = "rest"

    @property
    def at(self) -> str:
        return iso(self.moment)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = iso(data.pop("moment"))
        data["request_body"] = shown_body(self.request_body, self.request_size)
        data["response_body"] = shown_body(self.response_body, self.response_size)
        return {_camel(key): value for key, value in data.items()}


def shown_body(kept: bytes, size: int) -> str | None:
    """A kept body as text, secrets redacted, with a mark when it was cut; None when there was none."""
    if not size:
        return None
    text = _STRING_MEMBER.sub(_redacted, kept).decode("utf-8", "replace")
    return text if size <= len(kept) else f"{text}…[truncated: {size} bytes in all]"


def is_secret(name: str) -> bool:
    """Whether a field of this name holds a credential: an API secret, a password, a token, a webhook secret."""
    folded = name.replace("_", "").replace("-", "").lower()
    if any(word in folded for word in ("secret", "password", "authorization", "apikey", "credential")):
        return True
    return folded.endswith("token") and "pagination" not in folded


def _redacted(member: re.Match[bytes]) -> bytes:
    name = member.group(1).decode("utf-8", "replace")
    if not is_secret(name):
        return member.group(0)
    return b'"' + member.group(1) + b'"' + member.group(2) + b'"' + REDACTED.encode() + b'"'


@dataclass(frozen=True)
class EntryFilter:
    """Which entries to pick: every field given must match."""

    operation: str | None = None
    status: int | None = None
    verdict: str | None = None
    principal: str | None = None

    def matches(self, entry: Entry) -> bool:
        return (
            (self.operation is None or entry.operation_id == self.operation)
            and (self.status is None or entry.status == self.status)
            and (self.verdict is None or entry.verdict == self.verdict)
            and (self.principal is None or entry.principal == self.principal)
        )


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Journal:
    def __init__(self, size: int = 1000) -> None:
        self._entries: deque[Entry] = deque(maxlen=size)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._revision = 0

    def start(
        self,
        method: str,
        path: str,
        query: str,
        operation_id: str | None,
        at: datetime,
        record: bool = True,
        via: Channel = "rest",
    ) -> Entry:
        """A new entry for a request, journaled unless ``record`` is false (an observer's request)."""
        if not record:
            if method not in READING_METHODS:
                with self._lock:
                    self._revision += 1  # it may change the state all the same
            return Entry(0, at, method, path, query, operation_id, via=via)
        with self._lock:
            entry = Entry(next(self._ids), at, method, path, query, operation_id, via=via)
            self._entries.append(entry)
            self._revision += 1
        return entry

    @property
    def revision(self) -> int:
        """Counts the requests journaled, the unjournaled ones that may change the state, and clears."""
        return self._revision

    def entries(self, since: int = 0, picked: EntryFilter | None = None) -> list[Entry]:
        with self._lock:
            found = [entry for entry in self._entries if entry.id > since]
        return found if picked is None else [entry for entry in found if picked.matches(entry)]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._revision += 1


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
