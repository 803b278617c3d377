"""What a contract-suite run did: cases sent per operation, and each failure with a curl that reproduces it."""

from __future__ import annotations

import json
import shlex
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from mockserver.kit.target import BASE_URL_VARIABLE, KEY_VARIABLE, SECRET_VARIABLE

# Headers every HTTP client adds by itself; a reproduction does without them.
_TRANSPORT_HEADERS = frozenset(
    {"accept", "accept-encoding", "connection", "content-length", "host", "user-agent", "x-schemathesis-testcaseid"}
)


@dataclass(frozen=True)
class Failure:
    part: str  # "operations", "walk" or "lifecycle"
    operation: str  # "GET /workflows/{workflowId}" or a lifecycle step
    title: str
    message: str
    curl: str = ""


@dataclass
class Results:
    operations: list[str] = field(default_factory=list)  # every operation of the contract, "METHOD /path"
    cases: Counter[str] = field(default_factory=Counter)
    walked: Counter[str] = field(default_factory=Counter)  # the calls of the stateful walk among them
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def total_cases(self) -> int:
        return sum(self.cases.values())

    def record_call(self, operation: str, status: int, walk: bool = False) -> None:
        with self._lock:
            self.cases[operation] += 1
            self.walked[operation] += walk
            self.statuses.setdefault(operation, Counter())[status] += 1

    def record_failure(self, failure: Failure) -> None:
        """Keep one failure per operation and title: shrinking replays the same failure many times."""
        with self._lock:
            if not any(
                (f.part, f.operation, f.title) == (failure.part, failure.operation, failure.title)
                for f in self.failures
            ):
                self.failures.append(failure)

    def note(self, text: str) -> None:
        with self._lock:
            if text not in self.notes:
                self.notes.append(text)


def curl_command(request: Any, base_url: str, authorization: str) -> str:
    """A copy-paste curl for a sent request; the target and credentials come from the SDK's variables."""
    method = str(getattr(request, "method", "GET") or "GET").upper()
    url = str(getattr(request, "url", ""))
    parts = urlsplit(url)
    api_path = urlsplit(base_url).path.rstrip("/")
    path = parts.path.removeprefix(api_path) if api_path and parts.path.startswith(api_path) else parts.path
    target = f"${{{BASE_URL_VARIABLE}}}{path}" + (f"?{parts.query}" if parts.query else "")
    words = ["curl", "-X", method]
    headers = dict(getattr(request, "headers", {}) or {})
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in _TRANSPORT_HEADERS:
            continue
        if lowered == "authorization" and value == authorization:
            words += ["-u", f'"${KEY_VARIABLE}:${SECRET_VARIABLE}"']
            continue
        words += ["-H", shlex.quote(f"{name}: {value}")]
    body = getattr(request, "body", None)
    if body:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
        words += ["-d", shlex.quote(text)]
    words.append(_double_quoted(target))
    return " ".join(words)


def simple_curl(method: str, path_and_query: str, body: Any = None) -> str:
    """A curl for a request the kit wrote itself, its target and credentials from the SDK's variables."""
    words = ["curl", "-X", method, "-u", f'"${KEY_VARIABLE}:${SECRET_VARIABLE}"']
    if body is not None:
        words += ["-H", shlex.quote("Content-Type: application/json"), "-d", shlex.quote(json.dumps(body))]
    return " ".join([*words, _double_quoted(f"${{{BASE_URL_VARIABLE}}}{path_and_query}")])


def _double_quoted(text: str) -> str:
    """Quoted so the shell expands the one ${VARIABLE} at its start and nothing else."""
    head, _, rest = text.partition("}")
    escaped = "".join("\\" + char if char in '"\\`$' else char for char in rest)
    return f'"{head}}}{escaped}"'


def render_summary(results: Results, target_label: str, policy: str) -> str:
    """The readable summary the suite prints at the end of a run."""
    width = max((len(op) for op in results.operations), default=20)
    lines = [
        f"Contract kit: {target_label}",
        f"  allowed: {policy}",
        f"  {len(results.operations)} operations, {results.total_cases} generated cases "
        f"({sum(results.walked.values())} of them in the stateful walk), {len(results.failures)} failure(s)",
        "",
        f"  {'operation':<{width}}  {'cases':>5}  {'walk':>5}  answers",
    ]
    for operation in results.operations:
        statuses = results.statuses.get(operation, Counter())
        answered = ", ".join(f"{status}x{count}" for status, count in sorted(statuses.items())) or "not exercised"
        cases, walked = results.cases[operation], results.walked[operation]
        lines.append(f"  {operation:<{width}}  {cases:>5}  {walked:>5}  {answered}")
    for note in results.notes:
        lines.append(f"  {note}")
    for number, failure in enumerate(results.failures, 1):
        lines += ["", f"  {number}. [{failure.part}] {failure.operation}: {failure.title}"]
        lines += [f"     {line}" for line in failure.message.strip().splitlines() if line.strip()]
        if failure.curl:
            lines += ["     reproduce with:", f"       {failure.curl}"]
    return "\n".join(lines)


def results_as_json(results: Results) -> str:
    data = {
        "cases": results.total_cases,
        "operations": {
            op: {"cases": results.cases[op], "walk": results.walked[op], "statuses": dict(results.statuses.get(op, {}))}
            for op in results.operations
        },
        "failures": [asdict(failure) for failure in results.failures],
        "notes": results.notes,
    }
    return json.dumps(data, indent=2)
