"""Fault rules: deterministic failures a test asks for, so clients can exercise their error paths.

A rule matches requests or simulated nodes and fires ``count`` times (or
forever when ``count`` is None). Kinds:

- ``node-failure``: a workflow node fails with ``error`` and ``hint``; match on
  ``workflowId``, ``nodeId``, ``nodeType``, ``jobId``; ``atProgress`` (0..1)
  makes it fail as soon as its job reaches that progress instead of when the
  node would have finished.
- ``http-error``: answer ``status`` with the API's error envelope; match on
  ``operationId``, ``method``, ``path`` (a prefix) and ``jobId``; ``nth`` makes
  it fire on the n-th matching request only ("503 on the third poll").
- ``latency``: wait ``seconds`` (wall-clock) before answering; same matches.
- ``drop-connection``: close the connection without an answer; same matches.
- ``step-failure``: an attempt of an orchestrator workflow's step fails with
  ``error`` (then it is retried, as its ``max_retries`` allow); match on
  ``workflowId``, ``stepId``, ``taskType``, ``providerType``.
- ``pause``: an orchestrator workflow pauses just before the matching step would
  start, so that it can be resumed; same matches (give it a ``count``, or it
  pauses again at every resume).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from mockserver.core.errors import BadRequest
from mockserver.core.records import whole_number

FAULT_KINDS = ("node-failure", "http-error", "latency", "drop-connection", "step-failure", "pause")
_MATCH_FIELDS = (
    "workflowId",
    "nodeId",
    "nodeType",
    "jobId",
    "operationId",
    "method",
    "path",
    "stepId",
    "taskType",
    "providerType",
)


@dataclass
class FaultRule:
    id: str
    kind: str
    match: dict[str, str] = field(default_factory=dict)
    count: int | None = None
    nth: int | None = None
    status: int = 503
    seconds: float = 0.0
    error: str = "The node failed"
    hint: str = "Retry the job; if it fails again, check the node's inputs."
    at_progress: float | None = None
    fired: int = 0
    seen: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["atProgress"] = data.pop("at_progress")
        return data


# How many times a rule may fire, or which matching request it waits for: past this, a number is a mistake.
MAX_COUNT = 1_000_000


def parse_rule(rule_id: str, body: Any) -> FaultRule:
    """A rule from its JSON form; BadRequest names what is wrong."""
    if not isinstance(body, dict):
        raise BadRequest("A fault rule must be a JSON object")
    kind = body.get("kind")
    if kind not in FAULT_KINDS:
        raise BadRequest(f"kind must be one of: {', '.join(FAULT_KINDS)}")
    match = body.get("match", {})
    if not isinstance(match, dict) or not all(isinstance(v, str) for v in match.values()):
        raise BadRequest("match must be an object of strings")
    unknown = set(match) - set(_MATCH_FIELDS)
    if unknown:
        raise BadRequest(f"Unknown match fields: {', '.join(sorted(unknown))}. Known: {', '.join(_MATCH_FIELDS)}")
    rule = FaultRule(id=rule_id, kind=kind, match=match)
    if kind == "step-failure":
        rule.error = "The task failed"
    rule.count = _optional_int(body, "count", minimum=1, maximum=MAX_COUNT)
    rule.nth = _optional_int(body, "nth", minimum=1, maximum=MAX_COUNT)
    rule.status = _optional_int(body, "status", minimum=400, maximum=599) or 503
    rule.seconds = _number(body, "seconds", rule.seconds, maximum=30)
    rule.at_progress = _number(body, "atProgress", None, maximum=1)
    for name in ("error", "hint"):
        if name in body:
            if not isinstance(body[name], str):
                raise BadRequest(f"{name} must be a string")
            setattr(rule, name, body[name])
    return rule


def _optional_int(body: dict, name: str, minimum: int, maximum: int | None = None) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum or (maximum and value > maximum):
        bound = f" and at most {maximum}" if maximum else ""
        raise BadRequest(f"{name} must be a whole number at least {minimum}{bound}")
    return value


def _number(body: dict, name: str, default: float | None, maximum: float) -> Any:
    value = body.get(name, default)
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= maximum:
        raise BadRequest(f"{name} must be a number from 0 to {maximum}")
    return float(value)


@dataclass(frozen=True)
class FaultRulesState:
    rules: list[FaultRule]
    next_id: int  # the number the next rule's id carries


class FaultRules:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, body: Any) -> FaultRule:
        with self._lock:
            rule = parse_rule(f"fault_{self._next_id}", body)
            self._next_id += 1
            self._rules.append(rule)
        return rule

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [rule for rule in self._rules if rule.id != rule_id]
            return len(self._rules) != before

    def __bool__(self) -> bool:
        """Whether any rule is set: most requests meet none, and need not be matched."""
        return bool(self._rules)

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def clear(self) -> None:
        """No rule; rule ids go on from where they were."""
        with self._lock:
            self._rules.clear()

    reset = clear

    # ---- state: the rules, with how often each fired, and the next rule id

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"nextId": self._next_id, "rules": [_rule_to_json(rule) for rule in self._rules]}

    @staticmethod
    def parse_snapshot(value: Any) -> FaultRulesState:
        if not isinstance(value, dict):
            raise BadRequest("faults must be a JSON object")
        rules = value.get("rules")
        if not isinstance(rules, list):
            raise BadRequest("faults.rules must be a list")
        parsed = [_rule_from_json(item, f"faults.rules[{i}]") for i, item in enumerate(rules)]
        return FaultRulesState(parsed, whole_number(value.get("nextId"), "faults.nextId"))

    def restore(self, state: FaultRulesState) -> None:
        with self._lock:
            self._rules = list(state.rules)
            self._next_id = state.next_id

    def take(self, kinds: tuple[str, ...], facts: dict[str, str | None], peek: bool = False) -> FaultRule | None:
        """The first live rule of these kinds matching these facts; counts it as fired unless peeking."""
        with self._lock:
            for rule in self._rules:
                if rule.kind not in kinds or not _matches(rule, facts):
                    continue
                if peek:
                    return rule
                rule.seen += 1
                if rule.nth is not None and rule.seen != rule.nth:
                    continue
                rule.fired += 1
                if rule.count is not None and rule.fired >= rule.count:
                    self._rules.remove(rule)
                return rule
        return None


def _rule_to_json(rule: FaultRule) -> dict[str, Any]:
    data = rule.as_dict()
    for optional in ("count", "nth", "atProgress"):
        if data[optional] is None:
            del data[optional]
    return data


def _rule_from_json(value: Any, where: str) -> FaultRule:
    if not isinstance(value, dict):
        raise BadRequest(f"{where} must be a JSON object")
    rule_id = value.get("id")
    if not isinstance(rule_id, str):
        raise BadRequest(f"{where}.id must be a string")
    body = {key: item for key, item in value.items() if key not in ("id", "fired", "seen")}
    try:
        rule = parse_rule(rule_id, body)
    except BadRequest as error:
        raise BadRequest(f"{where}: {error.message}") from None
    rule.fired = whole_number(value.get("fired", 0), f"{where}.fired")
    rule.seen = whole_number(value.get("seen", 0), f"{where}.seen")
    return rule


def _matches(rule: FaultRule, facts: dict[str, str | None]) -> bool:
    for name, wanted in rule.match.items():
        actual = facts.get(name)
        if name == "path":
            if actual is None or not actual.startswith(wanted):
                return False
        elif name == "method":
            if (actual or "").upper() != wanted.upper():
                return False
        elif actual != wanted:
            return False
    return True
