"""The orchestrator API's part of a snapshot: its workflows, their creation order and their scheduled attempts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.core.errors import BadRequest
from mockserver.core.records import (
    json_list,
    json_object,
    moment,
    record_from_json,
    record_to_json,
    records_from_json,
    whole_number,
)
from mockserver.core.scheduler import Entry
from mockserver.orchestrator.engine import AttemptEnds
from mockserver.orchestrator.models import WORKFLOW_STATUSES, Pipeline

# A snapshot written before the orchestrator API existed holds none of its workflows.
NO_PIPELINES: dict[str, Any] = {"workflows": [], "nextSequence": 1, "attempts": [], "nextSeq": 0}


@dataclass(frozen=True)
class OrchestratorState:
    pipelines: list[Pipeline]
    next_sequence: int  # the creation order the next workflow gets
    attempts: list[Entry]  # scheduled ends of step attempts
    next_seq: int  # the scheduler's next sequence number


def state_to_json(state: OrchestratorState) -> dict[str, Any]:
    return {
        "workflows": [record_to_json(pipeline) for pipeline in state.pipelines],
        "nextSequence": state.next_sequence,
        "attempts": [{"at": at.isoformat(), "seq": seq, **record_to_json(event)} for at, seq, event in state.attempts],
        "nextSeq": state.next_seq,
    }


def state_from_json(value: Any) -> OrchestratorState:
    """Check the orchestrator's part of a snapshot and build its records; BadRequest says where it is wrong."""
    data = json_object(NO_PIPELINES if value is None else value, "orchestrator")
    workflows = json_list(data.get("workflows"), "orchestrator.workflows")
    attempts = json_list(data.get("attempts"), "orchestrator.attempts")
    return OrchestratorState(
        pipelines=_pipelines(workflows),
        next_sequence=whole_number(data.get("nextSequence"), "orchestrator.nextSequence"),
        attempts=[_attempt(item, f"orchestrator.attempts[{i}]") for i, item in enumerate(attempts)],
        next_seq=whole_number(data.get("nextSeq"), "orchestrator.nextSeq"),
    )


def _pipelines(values: list[Any]) -> list[Pipeline]:
    pipelines = records_from_json(Pipeline, values, "orchestrator.workflows")
    for i, pipeline in enumerate(pipelines):
        if pipeline.status not in WORKFLOW_STATUSES:
            raise BadRequest(f"orchestrator.workflows[{i}].status must be one of: {', '.join(WORKFLOW_STATUSES)}")
    return pipelines


def _attempt(value: Any, where: str) -> Entry:
    data = json_object(value, where)
    at, seq = moment(data.get("at"), f"{where}.at"), whole_number(data.get("seq"), f"{where}.seq")
    event = {key: item for key, item in data.items() if key not in ("at", "seq")}
    return at, seq, record_from_json(AttemptEnds, event, where)
