"""The drift report: one read-only scenario against a live target and the fake, shapes compared.

The scenario only reads (listings, tags, one workflow, jobs, one job, the shape of a
404 and of a 400) and asks for one dry-run estimate, so it is safe against the real
API; only when writes are allowed does it create one workflow (named with the kit's tag)
and delete it again, to see the ids the target makes. From the dry run, a page of 200
jobs and that id, it says which profile of the API the target matches (:mod:`profile_match`).

Every answer is held against the contract's schema for its operation and
status, and against the fake's answer to the same step. Findings are listed per
operation and JSON path:

- a field the live API sends that the contract lacks, or a required one it leaves out;
- a value of an enum the contract does not know, or a type the contract does not allow;
- an answer whose status differs from the fake's to the same step;
- fields one side sends and the other never did.

Each of them counts: the verdict is DRIFT, with their number, when there is any.

The dry run needs a ready workflow: the one named, else the first ready one listed, else (with
``allow_spending``) one the drift check creates, marked as the kit's, and deletes afterwards. Without
one the report says that the dry run could not be checked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

import httpx

from mockserver.kit.contract import contract_document
from mockserver.kit.inputs import SAMPLE_IMAGE
from mockserver.kit.profile_match import (
    CREATE_STEP,
    DRY_RUN_STEP,
    JOBS_PAGE_STEP,
    Signal,
    matching_profiles,
    profile_signals,
    render_match,
)
from mockserver.kit.safety import ABSENT_WORKFLOW_ID, NAME_MARK

JSON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
# Kinds of finding that say the contract or the fake has fallen behind the live API.
CONTRACT_KINDS = (
    "not in contract",
    "unknown enum value",
    "type differs",
    "required field missing",
    "undocumented status",
)
STATUS_KIND = "status differs"
# The workflow drift creates for its dry run on a target with no ready one: one background removal.
DRIFT_WORKFLOW = {
    "status": "ready",
    "inputs": [{"name": "image", "type": "file", "kind": "image", "required": {"always": True}}],
    "flow": [
        {
            "id": "node_remove_bg",
            "type": "remove-background",
            "inputs": [
                {"name": "image", "type": "file", "kind": "image", "ref": {"node": "workflow", "name": "image"}}
            ],
        }
    ],
}


@dataclass(frozen=True)
class Step:
    label: str
    operation_id: str
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None


@dataclass
class Answer:
    status: int
    body: Any
    operation_id: str = ""


@dataclass(frozen=True)
class Finding:
    step: str
    operation_id: str
    path: str  # JSON path in the answer, "[]" for any array item
    kind: str
    detail: str


@dataclass
class DriftReport:
    live_label: str
    answers: dict[str, tuple[Answer, Answer]] = field(default_factory=dict)  # step -> (live, fake)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be checked, and what was made for the check
    profile_signals: list[Signal] = field(default_factory=list)  # what the live answers say of its profile

    @property
    def contract_findings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.kind in CONTRACT_KINDS]

    @property
    def status_findings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.kind == STATUS_KIND]

    @property
    def shape_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.kind not in CONTRACT_KINDS and f.kind != STATUS_KIND]

    @property
    def drifted(self) -> bool:
        return bool(self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "live": self.live_label,
            "verdict": "DRIFT" if self.drifted else "NO DRIFT",
            "differences": {
                "contract": len(self.contract_findings),
                "status": len(self.status_findings),
                "shape": len(self.shape_findings),
            },
            "steps": {step: {"live": live.status, "fake": fake.status} for step, (live, fake) in self.answers.items()},
            "findings": [asdict(finding) for finding in self.findings],
            "notes": self.notes,
            "profile": {
                "matches": matching_profiles(self.profile_signals),
                "signals": [
                    {"name": s.name, "seen": s.seen, "profiles": sorted(s.profiles)} for s in self.profile_signals
                ],
            },
        }


class SchemaIndex:
    """The contract's response schemas, with ``$ref`` and ``allOf`` resolved on the way down."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.operations = {
            op["operationId"]: op
            for item in document.get("paths", {}).values()
            for op in item.values()
            if isinstance(op, dict) and "operationId" in op
        }

    def response(self, operation_id: str, status: int) -> dict[str, Any] | None:
        responses = self.operations[operation_id].get("responses", {})
        declared = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        if declared is None:
            return None
        schema = self.resolve(declared).get("content", {}).get("application/json", {}).get("schema")
        return self.flatten(schema) if schema is not None else {}

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            found: Any = self.document
            for part in node["$ref"].removeprefix("#/").split("/"):
                found = found[part.replace("~1", "/").replace("~0", "~")]
            node = {**found, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def flatten(self, node: Any) -> dict[str, Any]:
        """One schema object: ``allOf`` members merged into it (properties, required, enums, types)."""
        node = self.resolve(node)
        if not isinstance(node, dict):
            return {}
        merged = {key: value for key, value in node.items() if key != "allOf"}
        for member in node.get("allOf", []):
            part = self.flatten(member)
            merged["properties"] = {**part.get("properties", {}), **merged.get("properties", {})}
            merged["required"] = sorted(set(part.get("required", [])) | set(merged.get("required", [])))
            for key in ("type", "enum", "const", "items", "additionalProperties"):
                if key in part and key not in merged:
                    merged[key] = part[key]
        return merged


def compare_to_contract(
    value: Any, schema: dict[str, Any], index: SchemaIndex, path: str = ""
) -> list[tuple[str, str, str]]:
    """(path, kind, detail) for each way ``value`` steps outside ``schema``."""
    found: list[tuple[str, str, str]] = []
    allowed = _types(schema)
    if allowed and not any(_is_type(value, kind) for kind in allowed):
        found.append((path or "/", "type differs", f"{_type_name(value)}, the contract allows {', '.join(allowed)}"))
        return found
    enum = schema.get("enum", [schema["const"]] if "const" in schema else None)
    if enum is not None and not isinstance(value, dict | list) and value not in enum:
        found.append((path or "/", "unknown enum value", f"{value!r}, the contract knows {', '.join(map(str, enum))}"))
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", None if properties else True)
        for name in schema.get("required", []):
            if name not in value:
                found.append((f"{path}/{name}", "required field missing", "the contract requires it"))
        for name, item in value.items():
            if name in properties:
                found += compare_to_contract(item, index.flatten(properties[name]), index, f"{path}/{name}")
            elif isinstance(extra, dict):
                found += compare_to_contract(item, index.flatten(extra), index, f"{path}/{name}")
            elif extra is not True:
                found.append(
                    (f"{path}/{name}", "not in contract", f"a {_type_name(item)} the contract does not declare")
                )
    elif isinstance(value, list) and "items" in schema:
        items = index.flatten(schema["items"])
        for item in value:
            found += compare_to_contract(item, items, index, f"{path}[]")
    return found


def shape(value: Any, path: str = "") -> set[str]:
    """Every JSON path present in ``value``, array items folded into ``[]``."""
    paths = {path or "/"}
    if isinstance(value, dict):
        for name, item in value.items():
            paths |= shape(item, f"{path}/{name}")
    elif isinstance(value, list):
        for item in value:
            paths |= shape(item, f"{path}[]")
    return paths


def empty_arrays(value: Any, path: str = "") -> set[str]:
    """The JSON paths of the empty arrays in ``value``: what their items look like is not known."""
    if isinstance(value, dict):
        return set().union(*(empty_arrays(item, f"{path}/{name}") for name, item in value.items()))
    if isinstance(value, list):
        return set().union(*(empty_arrays(item, f"{path}[]") for item in value)) if value else {path or "/"}
    return set()


def _unseen(paths: set[str], empty: set[str]) -> list[str]:
    """``paths`` but those under an array the other side sent empty: items it did not send differ in data only."""
    return sorted(path for path in paths if not any(path.startswith(f"{array}[]") for array in empty))


def _types(schema: dict[str, Any]) -> list[str]:
    declared = schema.get("type")
    return [declared] if isinstance(declared, str) else list(declared or [])


def _is_type(value: Any, kind: str) -> bool:
    if kind in ("integer", "number"):
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        return numeric and (kind == "number" or float(value).is_integer())
    expected = JSON_TYPES.get(kind)
    return expected is None or isinstance(value, expected)


def _type_name(value: Any) -> str:
    return next((name for name, kind in JSON_TYPES.items() if isinstance(value, kind)), "number")


# --- the read-only scenario ----------------------------------------------------------------------


def read_scenario(
    send: Callable[[Step], Answer],
    workflow_id: str | None,
    inputs: dict[str, Any] | None,
    create_workflow: Callable[[], str | None] | None = None,
    notes: list[str] | None = None,
    allow_writes: bool = False,
) -> dict[str, Answer]:
    """Run the read-only steps against one side, each step's ids taken from that side's earlier answers.

    The dry run goes to ``workflow_id`` if it is ready, else to the first ready workflow listed, else to
    the one ``create_workflow`` makes; when there is none, or it is not ready, ``notes`` says why. With
    ``allow_writes``, it also creates a workflow and deletes it, to see the ids the API makes.
    """
    answers: dict[str, Answer] = {}
    notes = notes if notes is not None else []

    def run(step: Step) -> Answer:
        answer = send(step)
        answer.operation_id = step.operation_id
        answers[step.label] = answer
        return answer

    private = run(Step("listWorkflows (private)", "listWorkflows", "GET", "/workflows", {"pageSize": 10}))
    public = run(
        Step("listWorkflows (public)", "listWorkflows", "GET", "/workflows", {"privacy": "public", "pageSize": 10})
    )
    run(Step("getWorkflowTags", "getWorkflowTags", "GET", "/workflows/tags"))
    chosen = workflow_id or _first_ready(private) or _first_ready(public)
    if chosen is None and create_workflow is not None:
        chosen = create_workflow()
    workflow = None
    if chosen:
        workflow = run(Step("getWorkflow", "getWorkflow", "GET", f"/workflows/{chosen}"))
    jobs = run(Step("listJobs", "listJobs", "GET", "/jobs", {"pageSize": 10}))
    run(Step(JOBS_PAGE_STEP, "listJobs", "GET", "/jobs", {"pageSize": 200}))
    job_id = _first_id(jobs, "jobs", "jobId")
    if job_id:
        run(Step("getJob", "getJob", "GET", f"/jobs/{job_id}"))
    run(Step("getWorkflow (unknown id)", "getWorkflow", "GET", f"/workflows/{ABSENT_WORKFLOW_ID}"))
    run(Step("listWorkflows (pageSize 0)", "listWorkflows", "GET", "/workflows", {"pageSize": 0}))
    definition = workflow.body.get("workflow", {}) if workflow and isinstance(workflow.body, dict) else {}
    if not chosen:
        notes.append(
            "the dry run could not be checked: no ready workflow listed "
            "(name one with --workflow, or let drift create one with --allow-spending)"
        )
    elif workflow is None or workflow.status != 200:
        notes.append(f"the dry run could not be checked: workflow {chosen} could not be read")
    elif definition.get("status") != "ready":
        notes.append(f"the dry run could not be checked: workflow {chosen} is {definition.get('status')}, not ready")
    else:
        body = inputs if inputs is not None else sample_inputs(definition.get("inputs", []))
        run(Step(DRY_RUN_STEP, "runWorkflow", "PUT", f"/workflows/{chosen}/run", {"dryRun": "true"}, body))
    if allow_writes:
        created = {"name": f"{NAME_MARK} drift", "description": "made by mockserver kit drift, deleted at once"}
        made = run(Step(CREATE_STEP, "createWorkflow", "POST", "/workflows", {}, created))
        made_id = (made.body.get("workflow") or {}).get("id") if isinstance(made.body, dict) else None
        if made.status == 200 and made_id:
            run(Step("deleteWorkflow (the one created)", "deleteWorkflow", "DELETE", f"/workflows/{made_id}"))
    return answers


def _first_ready(listing: Answer) -> str | None:
    items = listing.body.get("workflows") if listing.status == 200 and isinstance(listing.body, dict) else None
    ready = [item for item in items or [] if isinstance(item, dict) and item.get("status") == "ready"]
    return ready[0].get("id") if ready else None


def sample_inputs(definitions: list[dict[str, Any]]) -> dict[str, Any]:
    """A value for each required input without a default, so that a dry run can be estimated."""
    samples = {
        "string": "drift check",
        "number": 1,
        "boolean": False,
        "file": SAMPLE_IMAGE,
        "model": "model_kit",
    }
    values: dict[str, Any] = {}
    for definition in definitions:
        if not (definition.get("required") or {}).get("always") or definition.get("default") is not None:
            continue
        kind = str(definition.get("type", "string"))
        allowed = definition.get("allowedValues")
        if allowed:
            values[definition["name"]] = allowed[0]
        elif kind.endswith("_array"):
            values[definition["name"]] = [samples.get(kind.removesuffix("_array"), "drift check")]
        else:
            values[definition["name"]] = samples.get(kind, "drift check")
    return values


def _first_id(answer: Answer, collection: str, key: str) -> str | None:
    items = answer.body.get(collection) if answer.status == 200 and isinstance(answer.body, dict) else None
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0].get(key)
    return None


def http_sender(client: httpx.Client) -> Callable[[Step], Answer]:
    def send(step: Step) -> Answer:
        response = client.request(step.method, step.path, params=step.params, json=step.body)
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return Answer(response.status_code, body)

    return send


def drift_report(live: dict[str, Answer], fake: dict[str, Answer], index: SchemaIndex, live_label: str) -> DriftReport:
    report = DriftReport(live_label)
    for step in dict.fromkeys([*live, *fake]):
        live_answer = live.get(step, Answer(0, None))
        fake_answer = fake.get(step, Answer(0, None))
        operation_id = live_answer.operation_id or fake_answer.operation_id
        report.answers[step] = (live_answer, fake_answer)
        if live_answer.status:
            schema = index.response(operation_id, live_answer.status)
            if schema is None:
                detail = f"the live API answered {live_answer.status}, which the contract does not document here"
                report.findings.append(Finding(step, operation_id, "/", "undocumented status", detail))
            else:
                for path, kind, detail in compare_to_contract(live_answer.body, schema, index):
                    report.findings.append(Finding(step, operation_id, path, kind, detail))
        if live_answer.status and fake_answer.status and live_answer.status != fake_answer.status:
            detail = f"the live API answered {live_answer.status}, the fake {fake_answer.status}"
            report.findings.append(Finding(step, operation_id, "/", STATUS_KIND, detail))
        if live_answer.status and live_answer.status == fake_answer.status:
            live_paths, fake_paths = shape(live_answer.body), shape(fake_answer.body)
            for path in _unseen(live_paths - fake_paths, empty_arrays(fake_answer.body)):
                report.findings.append(Finding(step, operation_id, path, "the fake never sent it", "the live API did"))
            for path in _unseen(fake_paths - live_paths, empty_arrays(live_answer.body)):
                report.findings.append(Finding(step, operation_id, path, "the live API never sent it", "the fake did"))
    report.findings = _without_nested(report.findings)
    report.profile_signals = profile_signals(live)
    return report


def _without_nested(findings: list[Finding]) -> list[Finding]:
    """Each finding once, and one per missing subtree: under a field one side lacks, its children are not repeated."""
    kept: list[Finding] = []
    roots: dict[tuple[str, str], list[str]] = defaultdict(list)
    for finding in findings:
        key = (finding.step, finding.kind)
        if any(finding.path.startswith(root + "/") or finding.path.startswith(root + "[]") for root in roots[key]):
            continue
        if finding in kept:  # the same finding on every item of an array
            continue
        roots[key].append(finding.path)
        kept.append(finding)
    return kept


def render_drift(report: DriftReport) -> str:
    lines = [f"Drift: {report.live_label} against the fake, {len(report.answers)} read-only steps"]
    by_step: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_step[finding.step].append(finding)
    for step, (live, fake) in report.answers.items():
        lines.append(f"  {step}: live {live.status or '-'}, fake {fake.status or '-'}")
        for finding in by_step.get(step, []):
            lines.append(f"      {finding.path}: {finding.kind} ({finding.detail})")
    lines += [f"  Note: {note}" for note in report.notes]
    counts = (
        f"{len(report.contract_findings)} from the contract, {len(report.status_findings)} in status and "
        f"{len(report.shape_findings)} in shape from the fake"
    )
    lines.append("")
    lines += render_match(report.profile_signals)
    if report.drifted:
        lines.append(f"Verdict: DRIFT: {len(report.findings)} difference(s) ({counts})")
    else:
        lines.append("Verdict: NO DRIFT (0 difference(s) from the contract, 0 in status and 0 in shape from the fake)")
    return "\n".join(lines)


def run_drift(
    base_url: str,
    workflow_id: str | None = None,
    inputs: dict[str, Any] | None = None,
    allow_spending: bool = False,
    allow_writes: bool = False,
) -> DriftReport:
    """The scenario against ``base_url`` (credentials from the environment) and a fresh fake, which answers as
    the profile the live API matches (the guide's when it matches none or both).

    With ``allow_spending``, a target with no ready workflow gets one for the dry run, deleted afterwards;
    with ``allow_writes``, a workflow is created and deleted to see the ids the API makes.
    """
    from mockserver.kit.target import open_target

    notes: list[str] = []
    with open_target(base_url) as live, live.client() as live_client:
        made: list[str] = []
        create = partial(create_drift_workflow, live_client, made, notes) if allow_spending else None
        try:
            live_answers = read_scenario(http_sender(live_client), workflow_id, inputs, create, notes, allow_writes)
        finally:
            for made_id in made:
                live_client.delete(f"/workflows/{made_id}")
        label = live.base_url
    matches = matching_profiles(profile_signals(live_answers))
    settings = {"api_profile": matches[0] if len(matches) == 1 else "guide"}
    with open_target("in-process", settings=settings) as fake, fake.client() as fake_client:
        prime_fake(fake, fake_client)
        fake_answers = read_scenario(http_sender(fake_client), None, None, allow_writes=allow_writes)
    report = drift_report(live_answers, fake_answers, SchemaIndex(contract_document()), label)
    report.notes += notes
    return report


def create_drift_workflow(client: httpx.Client, made: list[str], notes: list[str]) -> str | None:
    """A ready workflow of the kit's on the target, for the dry run: its id, added to ``made``; None if refused."""
    created = client.post("/workflows", json={"name": f"{NAME_MARK} drift", "description": "drift check dry run"})
    workflow_id = _dig_id(created)
    if workflow_id is None:
        notes.append(f"could not create a workflow for the dry run: {created.status_code} {created.text[:200]}")
        return None
    made.append(workflow_id)
    published = client.put(f"/workflows/{workflow_id}", json=DRIFT_WORKFLOW)
    if published.status_code != 200:
        notes.append(f"could not make workflow {workflow_id} ready: {published.status_code} {published.text[:200]}")
        return None
    notes.append(f"created workflow {workflow_id} for the dry run (no ready workflow was listed), then deleted it")
    return workflow_id


def _dig_id(response: httpx.Response) -> str | None:
    try:
        workflow = response.json().get("workflow") if response.status_code == 200 else None
    except (ValueError, AttributeError):
        return None
    workflow_id = workflow.get("id") if isinstance(workflow, dict) else None
    return workflow_id if isinstance(workflow_id, str) else None


def prime_fake(target: Any, client: httpx.Client) -> None:
    """Give a fresh fake one finished job, so that its job answers have a shape to compare."""
    client.put("/workflows/workflow_upscaler/run", json={"image": SAMPLE_IMAGE})
    target.advance_clock(600)
