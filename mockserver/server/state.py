"""The whole state of a fake as JSON, to snapshot and restore it, and to keep it in a file across restarts.

A snapshot holds what makes the fake's future: the clock, where the id sequence
stands, every workflow, job (with its node runs) and asset, the simulation's
pending events, queues and slots, the orchestrator API's workflows and their
scheduled step attempts, the fault rules (with how often each fired) and the
webhooks with their delivery log. Restoring it brings a fake, this one or a
fresh one, back to that moment: the same reads answer the same, and the
simulation goes on exactly as it would have. The request journal and the rate
limiter's counts are observations, not state, and are left out.

Restoring checks the whole document before it changes anything: a malformed one
is a :class:`BadRequest` naming what is wrong, and the fake is left as it was.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import json
import os
import tempfile
from collections import defaultdict, deque
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from mockserver.core.clock import CLOCK_MODES, parse_iso
from mockserver.core.errors import BadRequest
from mockserver.core.faults import FaultRule, parse_rule
from mockserver.orchestrator.engine import AttemptEnds
from mockserver.orchestrator.models import WORKFLOW_STATUSES, Pipeline, PipelineStep
from mockserver.scenario.jobs.models import Job, NodeRun
from mockserver.scenario.jobs.simulation import Event
from mockserver.scenario.workflows.models import Workflow

if TYPE_CHECKING:
    from mockserver.server.fake import Fake

VERSION = 1


# ---- snapshot


def snapshot(fake: Fake) -> dict[str, Any]:
    with fake.store.lock:
        fake.scenario.simulation.advance()
        simulation = fake.scenario.simulation
        return {
            "version": VERSION,
            "clock": {"now": fake.clock.now().isoformat(), "mode": fake.clock.mode, "speed": fake.clock.speed},
            "ids": _json_ready(fake.ids.getstate()),
            "workflows": [w.model_dump(by_alias=True, mode="json") for w in fake.store.all_workflows()],
            "jobs": [_record_to_json(job) for job in fake.store.all_jobs()],
            "assets": fake.store.all_assets(),
            "simulation": {
                "events": [_event_to_json(event) for event in sorted(simulation.events)],
                "nextSeq": _peek_counter(simulation, "_seq"),
                "waiting": {project: list(queue) for project, queue in simulation.waiting.items() if queue},
                "holding": {project: sorted(jobs) for project, jobs in simulation.holding.items() if jobs},
            },
            "faults": {"nextId": fake.faults.next_id(), "rules": [_rule_to_json(r) for r in fake.faults.rules()]},
            "webhooks": fake.webhooks.export(),
            "orchestrator": _orchestrator_to_json(fake),
        }


def _orchestrator_to_json(fake: Fake) -> dict[str, Any]:
    orchestrator = fake.orchestrator
    orchestrator.advance()
    timeline = orchestrator.engine.timeline
    return {
        "workflows": [_record_to_json(pipeline) for pipeline in fake.store.all_pipelines()],
        "nextSequence": orchestrator.service.next_sequence(),
        "attempts": [
            {"at": at.isoformat(), "seq": seq, **_record_to_json(event)} for at, seq, event in timeline.entries()
        ],
        "nextSeq": timeline.next_seq(),
    }


def _record_to_json(record: Any) -> dict[str, Any]:
    """A dataclass record as JSON: camelCase keys, ISO dates, nested records as objects."""
    data: dict[str, Any] = {}
    for spec in dataclasses.fields(record):
        value = getattr(record, spec.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif spec.name in ("nodes", "steps") and value is not None:
            value = [_record_to_json(item) for item in value]
        elif spec.name == "status_history":
            value = [list(change) for change in value]
        data[to_camel(spec.name)] = value
    return data


def _event_to_json(event: Event) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "seq": event.seq,
        "jobId": event.job_id,
        "kind": event.kind,
        "nodeId": event.node_id,
    }


def _rule_to_json(rule: FaultRule) -> dict[str, Any]:
    data = rule.as_dict()
    if data["count"] is None:
        del data["count"]
    if data["nth"] is None:
        del data["nth"]
    if data["atProgress"] is None:
        del data["atProgress"]
    return data


def _peek_counter(owner: Any, name: str) -> int:
    number = next(getattr(owner, name))
    setattr(owner, name, itertools.count(number))
    return number


def _json_ready(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_json_ready(item) for item in value]
    return value


# ---- restore


@dataclasses.dataclass
class _Parsed:
    clock: dict[str, Any]
    ids: tuple
    workflows: list[Workflow]
    jobs: list[Job]
    assets: dict[str, str]
    events: list[Event]
    next_seq: int
    waiting: dict[str, list[str]]
    holding: dict[str, list[str]]
    rules: list[FaultRule]
    next_rule_id: int
    webhooks: Any
    pipelines: list[Pipeline]
    next_pipeline_sequence: int
    attempts: list[tuple[datetime, int, AttemptEnds]]
    next_attempt_seq: int


def restore(fake: Fake, data: Any) -> None:
    parsed = parse(data)
    fake.webhooks.restore(parsed.webhooks)  # checks its part first: it may refuse
    with fake.store.lock:
        fake.store.clear()
        for workflow in parsed.workflows:
            fake.store.save_workflow(workflow)
        for job in parsed.jobs:
            fake.store.save_job(job)
        for asset_id, kind in parsed.assets.items():
            fake.store.save_asset(asset_id, kind)
        fake.clock.restore(parsed.clock)
        fake.ids.setstate(parsed.ids)
        simulation = fake.scenario.simulation
        simulation.events = list(parsed.events)
        heapq.heapify(simulation.events)
        simulation._seq = itertools.count(parsed.next_seq)
        simulation.waiting = defaultdict(deque, {p: deque(ids) for p, ids in parsed.waiting.items()})
        simulation.holding = defaultdict(set, {p: set(ids) for p, ids in parsed.holding.items()})
        fake.faults.replace(parsed.rules, parsed.next_rule_id)
        for pipeline in parsed.pipelines:
            fake.store.save_pipeline(pipeline)
        fake.orchestrator.service.continue_sequence(parsed.next_pipeline_sequence)
        fake.orchestrator.engine.timeline.load(parsed.attempts, parsed.next_attempt_seq)


def parse(data: Any) -> _Parsed:
    """Check a snapshot and build its records, touching no fake; BadRequest says what is wrong and where."""
    body = _object(data, "the state")
    if body.get("version") != VERSION:
        raise BadRequest(f"version must be {VERSION}")
    simulation = _object(body.get("simulation"), "simulation")
    faults = _object(body.get("faults"), "faults")
    _object(body.get("webhooks"), "webhooks")
    orchestrator = _object(body.get("orchestrator", _NO_PIPELINES), "orchestrator")
    return _Parsed(
        clock=_clock(body.get("clock")),
        ids=_ids(body.get("ids")),
        workflows=[
            _workflow(item, f"workflows[{i}]") for i, item in enumerate(_list(body.get("workflows"), "workflows"))
        ],
        jobs=[_job(item, f"jobs[{i}]") for i, item in enumerate(_list(body.get("jobs"), "jobs"))],
        assets=_string_map(body.get("assets"), "assets"),
        events=[
            _event(item, f"simulation.events[{i}]")
            for i, item in enumerate(_list(simulation.get("events"), "simulation.events"))
        ],
        next_seq=_count(simulation.get("nextSeq"), "simulation.nextSeq"),
        waiting=_id_lists(simulation.get("waiting"), "simulation.waiting"),
        holding=_id_lists(simulation.get("holding"), "simulation.holding"),
        rules=[_rule(item, f"faults.rules[{i}]") for i, item in enumerate(_list(faults.get("rules"), "faults.rules"))],
        next_rule_id=_count(faults.get("nextId"), "faults.nextId"),
        webhooks=body["webhooks"],
        pipelines=[
            _pipeline(item, f"orchestrator.workflows[{i}]")
            for i, item in enumerate(_list(orchestrator.get("workflows"), "orchestrator.workflows"))
        ],
        next_pipeline_sequence=_count(orchestrator.get("nextSequence"), "orchestrator.nextSequence"),
        attempts=[
            _attempt(item, f"orchestrator.attempts[{i}]")
            for i, item in enumerate(_list(orchestrator.get("attempts"), "orchestrator.attempts"))
        ],
        next_attempt_seq=_count(orchestrator.get("nextSeq"), "orchestrator.nextSeq"),
    )


# A snapshot written before the orchestrator API existed holds none of its workflows.
_NO_PIPELINES: dict[str, Any] = {"workflows": [], "nextSequence": 1, "attempts": [], "nextSeq": 0}


def _clock(value: Any) -> dict[str, Any]:
    clock = _object(value, "clock")
    if clock.get("mode") not in CLOCK_MODES:
        raise BadRequest(f"clock.mode must be one of: {', '.join(CLOCK_MODES)}")
    speed = clock.get("speed")
    if not isinstance(speed, int | float) or isinstance(speed, bool) or speed <= 0:
        raise BadRequest("clock.speed must be a number > 0")
    return {"now": _moment(clock.get("now"), "clock.now").isoformat(), "mode": clock["mode"], "speed": float(speed)}


def _ids(value: Any) -> tuple:
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not isinstance(value[1], list)
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in value[1])
    ):
        raise BadRequest("ids must be the id sequence's state as a snapshot wrote it")
    state = (value[0], tuple(value[1]), value[2])
    try:
        import random

        random.Random().setstate(state)
    except (TypeError, ValueError):
        raise BadRequest("ids must be the id sequence's state as a snapshot wrote it") from None
    return state


def _workflow(value: Any, where: str) -> Workflow:
    try:
        return Workflow.model_validate(_object(value, where))
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise BadRequest(f"{where}.{field}: {first['msg']}") from None


# The JSON type each field of a job or node run must have (None allowed where the field is optional).
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "str | None": (str, type(None)),
    "int": (int,),
    "float": (int, float),
    "float | None": (int, float, type(None)),
    "int | None": (int, type(None)),
    "list[str]": (list,),
    "dict[str, Any]": (dict,),
    "dict[str, Any] | None": (dict, type(None)),
    "list[tuple[str, str]]": (list,),
    "list[NodeRun] | None": (list, type(None)),
    "datetime | None": (str, type(None)),
    "datetime": (str,),
    "bool": (bool,),
    "list[str] | None": (list, type(None)),
    "list[dict[str, Any]]": (list,),
    "list[PipelineStep]": (list,),
}
_DATE_TYPES = ("datetime", "datetime | None")


def _record(cls: type, value: Any, where: str) -> dict[str, Any]:
    data = _object(value, where)
    known = {to_camel(spec.name): spec for spec in dataclasses.fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise BadRequest(f"{where}: unknown fields {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for camel, spec in known.items():
        if camel not in data:
            if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
                raise BadRequest(f"{where}.{camel} is required")
            continue
        item = data[camel]
        allowed = _FIELD_TYPES.get(str(spec.type))
        wrong_bool = isinstance(item, bool) and bool not in (allowed or ())
        if allowed is not None and (not isinstance(item, allowed) or wrong_bool):
            raise BadRequest(f"{where}.{camel} must be {spec.type}")
        if spec.type in ("list[str]", "list[str] | None") and not all(isinstance(entry, str) for entry in item or ()):
            raise BadRequest(f"{where}.{camel} must be a list of strings")
        if spec.type in _DATE_TYPES and item is not None:
            item = _moment(item, f"{where}.{camel}")
        values[spec.name] = item
    return values


def _job(value: Any, where: str) -> Job:
    values = _record(Job, value, where)
    history = values.get("status_history", [])
    if not all(isinstance(c, list) and len(c) == 2 and all(isinstance(p, str) for p in c) for c in history):
        raise BadRequest(f"{where}.statusHistory must be a list of [date, status] pairs")
    values["status_history"] = [tuple(change) for change in history]
    if values.get("nodes") is not None:
        values["nodes"] = [_node_run(item, f"{where}.nodes[{i}]") for i, item in enumerate(values["nodes"])]
    return Job(**values)


def _node_run(value: Any, where: str) -> NodeRun:
    values = _record(NodeRun, value, where)
    if not isinstance(values["definition"], dict) or not isinstance(values["definition"].get("id"), str):
        raise BadRequest(f"{where}.definition must be a flow node")
    return NodeRun(**values)


def _pipeline(value: Any, where: str) -> Pipeline:
    values = _record(Pipeline, value, where)
    values["steps"] = [_record_of(PipelineStep, item, f"{where}.steps[{i}]") for i, item in enumerate(values["steps"])]
    if values.get("status") not in WORKFLOW_STATUSES:
        raise BadRequest(f"{where}.status must be one of: {', '.join(WORKFLOW_STATUSES)}")
    return Pipeline(**values)


def _record_of(cls: type, value: Any, where: str) -> Any:
    return cls(**_record(cls, value, where))


def _attempt(value: Any, where: str) -> tuple[datetime, int, AttemptEnds]:
    data = _object(value, where)
    at, seq = _moment(data.get("at"), f"{where}.at"), _count(data.get("seq"), f"{where}.seq")
    event = {key: item for key, item in data.items() if key not in ("at", "seq")}
    return at, seq, _record_of(AttemptEnds, event, where)


def _event(value: Any, where: str) -> Event:
    data = _object(value, where)
    kind, job_id, node_id = data.get("kind"), data.get("jobId"), data.get("nodeId")
    if not isinstance(kind, str) or not isinstance(job_id, str) or not isinstance(node_id, str | None):
        raise BadRequest(f"{where} must have a kind, a jobId and an optional nodeId")
    return Event(_moment(data.get("at"), f"{where}.at"), _count(data.get("seq"), f"{where}.seq"), job_id, kind, node_id)


def _rule(value: Any, where: str) -> FaultRule:
    data = _object(value, where)
    rule_id = data.get("id")
    if not isinstance(rule_id, str):
        raise BadRequest(f"{where}.id must be a string")
    body = {key: item for key, item in data.items() if key not in ("id", "fired", "seen")}
    try:
        rule = parse_rule(rule_id, body)
    except BadRequest as error:
        raise BadRequest(f"{where}: {error.message}") from None
    rule.fired = _count(data.get("fired", 0), f"{where}.fired")
    rule.seen = _count(data.get("seen", 0), f"{where}.seen")
    return rule


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{where} must be a JSON object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadRequest(f"{where} must be a list")
    return value


def _string_map(value: Any, where: str) -> dict[str, str]:
    data = _object(value, where)
    if not all(isinstance(item, str) for item in data.values()):
        raise BadRequest(f"{where} must map ids to strings")
    return dict(data)


def _id_lists(value: Any, where: str) -> dict[str, list[str]]:
    data = _object(value, where)
    for key, ids in data.items():
        if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
            raise BadRequest(f"{where}.{key} must be a list of job ids")
    return data


def _count(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadRequest(f"{where} must be a whole number >= 0")
    return value


def _moment(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise BadRequest(f"{where} must be an ISO-8601 date")
    try:
        return parse_iso(value)
    except ValueError:
        raise BadRequest(f"{where} must be an ISO-8601 date") from None


# ---- the state file


def save_file(fake: Fake, path: Path) -> None:
    """Write the state atomically: a reader, or a crash mid-write, sees the old file or the new, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(fake.snapshot(), separators=(",", ":"))
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load_file(fake: Fake, path: Path) -> bool:
    """Restore the state saved in ``path``; False if there is no such file yet. ValueError if it is unusable."""
    path = Path(path)
    if not path.exists():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        fake.restore(data)
    except (ValueError, BadRequest) as error:
        reason = error.message if isinstance(error, BadRequest) else str(error)
        raise ValueError(f"state file {path} cannot be loaded: {reason}") from None
    return True
