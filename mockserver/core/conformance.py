"""The conformance report: what a client did to the fake, read from the request journal.

For the Scenario API (``/v1``) it lists the operations the client used and how they
were answered, the requests that broke the contract and why (the parameter or JSON
pointer, and the rule), the requests the contract does not know with the operation
each looked like, the answers of the fake that broke the contract, the warnings the
fake gave (a dropped scalar, an ignored input), and the operations never exercised.
Calls of the fake's MCP tools are listed beside them, per tool and answer, with their warnings.

A request the contract does not know is drift, not a crash: the route of a newer
API (``PUT /workflows/{id}/user-selection``) or a value only the newer API takes
(``dryRun=api``) is reported as "not in contract".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from mockserver.core.contract import Contract
from mockserver.core.journal import Entry

API_PREFIX = "/v1"

# Values of the newer API (scenario-sdk 2.4.0) the contract leaves out on purpose, per operation and parameter.
NEWER_API_VALUES: dict[tuple[str, str], frozenset[str]] = {("runWorkflow", "dryRun"): frozenset({"api"})}
_QUERY_VIOLATION = re.compile(r"Invalid query parameter (?P<name>[^:]+):")


@dataclass(frozen=True)
class Finding:
    """One request worth a line in the report."""

    entry_id: int
    request: str  # "GET /v1/workflows?pageSize=500"
    status: int
    operation: str | None
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.entry_id,
            "request": self.request,
            "status": self.status,
            "operation": self.operation,
            "reasons": list(self.reasons),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(data["id"], data["request"], data["status"], data["operation"], tuple(data["reasons"]))


@dataclass
class ConformanceReport:
    operations: list[str]  # the contract's operations, in its order
    requests: int = 0
    used: dict[str, Counter[int]] = field(default_factory=dict)
    violations: list[Finding] = field(default_factory=list)
    not_in_contract: list[Finding] = field(default_factory=list)
    fake_errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    lost: int = 0  # requests that fell out of a full journal before the report was made
    tool_calls: dict[str, Counter[int]] = field(default_factory=dict)  # MCP tool -> statuses its calls answered

    @property
    def never_exercised(self) -> list[str]:
        return [operation for operation in self.operations if operation not in self.used]

    def passed(self, allow_drift: bool = False) -> bool:
        """No request broke the contract, and none was unknown to it unless drift is allowed."""
        return not self.violations and not self.fake_errors and (allow_drift or not self.not_in_contract)

    def as_dict(self) -> dict[str, Any]:
        return {
            "operations": self.operations,
            "requests": self.requests,
            "lost": self.lost,
            "used": {operation: {str(k): v for k, v in sorted(c.items())} for operation, c in self.used.items()},
            "violations": [finding.as_dict() for finding in self.violations],
            "notInContract": [finding.as_dict() for finding in self.not_in_contract],
            "fakeErrors": [finding.as_dict() for finding in self.fake_errors],
            "warnings": [finding.as_dict() for finding in self.warnings],
            "neverExercised": self.never_exercised,
            "toolCalls": {tool: {str(k): v for k, v in sorted(c.items())} for tool, c in self.tool_calls.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConformanceReport:
        """The report :meth:`as_dict` gave, read back (from the control plane's ``format=json``)."""

        def findings(key: str) -> list[Finding]:
            return [Finding.from_dict(finding) for finding in data[key]]

        return cls(
            operations=list(data["operations"]),
            requests=data["requests"],
            used={op: Counter({int(status): n for status, n in c.items()}) for op, c in data["used"].items()},
            violations=findings("violations"),
            not_in_contract=findings("notInContract"),
            fake_errors=findings("fakeErrors"),
            warnings=findings("warnings"),
            lost=data["lost"],
            tool_calls={
                tool: Counter({int(status): n for status, n in c.items()})
                for tool, c in data.get("toolCalls", {}).items()
            },
        )


def build_report(entries: Iterable[Entry], contract: Contract, since: int = 0) -> ConformanceReport:
    """The report of the Scenario API's requests among ``entries``, the journal's entries after ``since``."""
    report = ConformanceReport([operation.operation_id for operation in contract.operations])
    report.operations.sort(key=_contract_order(contract))
    first_id = None
    for entry in entries:
        first_id = entry.id if first_id is None else first_id
        if entry.via == "mcp":
            _file_tool_call(report, entry)
            continue
        if not entry.path.startswith(API_PREFIX):
            continue
        report.requests += 1
        _file(report, entry)
    report.lost = (first_id - since - 1) if first_id else 0
    return report


def _contract_order(contract: Contract) -> Any:
    paths = list(contract.document.get("paths", {}))
    methods = ("get", "post", "put", "delete", "patch")
    position = {op.operation_id: (paths.index(op.path), methods.index(op.method)) for op in contract.operations}
    return lambda operation_id: position.get(operation_id, (len(paths), 0))


def _file(report: ConformanceReport, entry: Entry) -> None:
    request = f"{entry.method} {entry.path}" + (f"?{entry.query}" if entry.query else "")
    if entry.operation_id is not None:
        report.used.setdefault(entry.operation_id, Counter())[entry.status] += 1
    if entry.verdict == "not-in-contract":
        looks_like = f"looks like {entry.looks_like}" if entry.looks_like else "looks like no operation"
        report.not_in_contract.append(Finding(entry.id, request, entry.status, None, (f"unknown route, {looks_like}",)))
    else:
        broken = list(entry.unknown_fields)
        newer = _newer_api_values(entry) if entry.request_violations else []
        if newer:
            reasons = tuple(f"{name}={value} is a value of the newer API, not in the contract" for name, value in newer)
            report.not_in_contract.append(Finding(entry.id, request, entry.status, entry.operation_id, reasons))
        else:
            broken[:0] = entry.request_violations
        if broken:
            report.violations.append(Finding(entry.id, request, entry.status, entry.operation_id, tuple(broken)))
    if entry.response_violations:
        reasons = tuple(entry.response_violations)
        report.fake_errors.append(Finding(entry.id, request, entry.status, entry.operation_id, reasons))
    if entry.warnings:
        report.warnings.append(Finding(entry.id, request, entry.status, entry.operation_id, tuple(entry.warnings)))


def _file_tool_call(report: ConformanceReport, entry: Entry) -> None:
    tool = entry.operation_id or "unknown tool"
    report.tool_calls.setdefault(tool, Counter())[entry.status] += 1
    if entry.warnings:
        report.warnings.append(Finding(entry.id, f"MCP {tool}", entry.status, tool, tuple(entry.warnings)))


def _newer_api_values(entry: Entry) -> list[tuple[str, str]]:
    """The newer-API values that are this request's only violations; empty when any other rule broke."""
    query = parse_qs(entry.query)
    found = []
    for violation in entry.request_violations:
        match = _QUERY_VIOLATION.match(violation)
        name = match["name"] if match else None
        values = query.get(name or "", [])
        allowed = NEWER_API_VALUES.get((entry.operation_id or "", name or ""), frozenset())
        if not values or not set(values) <= allowed:
            return []
        found += [(name or "", value) for value in values]
    return found


def render_report(report: ConformanceReport, allow_drift: bool = False) -> str:
    """The report as text, for a terminal or a CI log."""
    used = [operation for operation in report.operations if operation in report.used]
    lines = [
        f"Contract conformance: {report.requests} request(s) to the Scenario API, "
        f"{len(used)} of {len(report.operations)} operations used",
    ]
    if report.lost:
        lines.append(f"  ({report.lost} earlier request(s) fell out of the journal and are not counted)")
    width = max((len(operation) for operation in report.operations), default=10)
    for operation in used:
        answers = ", ".join(f"{status}x{count}" for status, count in sorted(report.used[operation].items()))
        lines.append(f"  {operation:<{width}}  {sum(report.used[operation].values()):>5}  {answers}")
    if report.tool_calls:
        calls = sum(sum(statuses.values()) for statuses in report.tool_calls.values())
        lines += ["", f"MCP tool calls: {calls}"]
        tool_width = max(len(tool) for tool in report.tool_calls)
        for tool, statuses in sorted(report.tool_calls.items()):
            answers = ", ".join(f"{status}x{count}" for status, count in sorted(statuses.items()))
            lines.append(f"  {tool:<{tool_width}}  {sum(statuses.values()):>5}  {answers}")
    sections = (
        ("Requests that broke the contract", report.violations),
        ("Requests not in the contract (drift)", report.not_in_contract),
        ("Answers of the fake that broke the contract", report.fake_errors),
        ("Warnings", report.warnings),
    )
    for title, findings in sections:
        if not findings:
            continue
        lines += ["", f"{title} ({len(findings)}):"]
        for finding in findings:
            operation = f" ({finding.operation})" if finding.operation else ""
            lines.append(f"  #{finding.entry_id} {finding.request} -> {finding.status}{operation}")
            lines += [f"      {reason}" for reason in finding.reasons]
    if report.never_exercised:
        lines += ["", f"Never exercised ({len(report.never_exercised)}): {', '.join(report.never_exercised)}"]
    verdict = "PASS" if report.passed(allow_drift) else "FAIL"
    counts = (
        f"{len(report.violations)} violation(s), {len(report.not_in_contract)} not in contract"
        + (" (allowed)" if allow_drift and report.not_in_contract else "")
        + f", {len(report.fake_errors)} answer(s) of the fake off contract"
    )
    lines += ["", f"Verdict: {verdict} ({counts})"]
    return "\n".join(lines)
