"""Scenario's part of a snapshot: workflows, jobs (with their node runs), assets (with the bytes uploaded),
uploads in progress, download archives, and the simulation's scheduled events, queues and slots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

from mockserver.core.errors import BadRequest
from mockserver.core.records import (
    json_list,
    json_object,
    moment,
    record_to_json,
    records_from_json,
    string_lists,
    whole_number,
)
from mockserver.core.scheduler import Entry
from mockserver.scenario.assets.models import Asset, DownloadRequest, Upload
from mockserver.scenario.jobs.models import Job
from mockserver.scenario.jobs.simulation import JobEvent
from mockserver.scenario.workflows.models import Workflow

T = TypeVar("T")


# The top-level keys of a snapshot that are lists of records, with the record of each: what a state file
# holds most of, read straight from its text (server/state.py).
RECORD_LISTS: dict[str, type] = {"jobs": Job, "assets": Asset, "uploads": Upload, "downloads": DownloadRequest}


@dataclass(frozen=True)
class ScenarioState:
    workflows: list[Workflow]
    jobs: list[Job]
    assets: list[Asset]  # in the order they were made
    uploads: list[Upload]
    downloads: list[DownloadRequest]
    events: list[Entry]  # the simulation's scheduled job events
    next_seq: int  # the scheduler's next sequence number
    waiting: dict[str, list[str]]  # project -> jobs waiting for a slot, in order
    holding: dict[str, list[str]]  # project -> jobs holding a slot


def state_to_json(state: ScenarioState) -> dict[str, Any]:
    """The top-level keys of a snapshot that are Scenario's."""
    return {
        "workflows": [workflow.model_dump(by_alias=True, mode="json") for workflow in state.workflows],
        "jobs": [record_to_json(job) for job in state.jobs],
        "assets": [record_to_json(asset) for asset in state.assets],
        "uploads": [record_to_json(upload) for upload in state.uploads],
        "downloads": [record_to_json(download) for download in state.downloads],
        "simulation": {
            "events": [_event_to_json(entry) for entry in state.events],
            "nextSeq": state.next_seq,
            "waiting": state.waiting,
            "holding": state.holding,
        },
    }


def state_from_json(document: dict[str, Any]) -> ScenarioState:
    """Check Scenario's part of a snapshot and build its records; BadRequest says what is wrong and where."""
    simulation = json_object(document.get("simulation"), "simulation")
    workflows = json_list(document.get("workflows"), "workflows")
    events = json_list(simulation.get("events"), "simulation.events")
    return ScenarioState(
        workflows=[_workflow(item, f"workflows[{i}]") for i, item in enumerate(workflows)],
        jobs=_records(Job, document, "jobs"),
        assets=_records(Asset, document, "assets"),
        uploads=_records(Upload, document, "uploads"),
        downloads=_records(DownloadRequest, document, "downloads"),
        events=[_event(item, f"simulation.events[{i}]") for i, item in enumerate(events)],
        next_seq=whole_number(simulation.get("nextSeq"), "simulation.nextSeq"),
        waiting=string_lists(simulation.get("waiting"), "simulation.waiting"),
        holding=string_lists(simulation.get("holding"), "simulation.holding"),
    )


def _records(cls: type[T], document: dict[str, Any], key: str) -> list[T]:
    return records_from_json(cls, json_list(document.get(key), key), key)


def _workflow(value: Any, where: str) -> Workflow:
    try:
        return Workflow.model_validate(json_object(value, where))
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise BadRequest(f"{where}.{field}: {first['msg']}") from None


def _event_to_json(entry: Entry) -> dict[str, Any]:
    at, seq, event = entry
    return {"at": at.isoformat(), "seq": seq, "jobId": event.job_id, "kind": event.kind, "nodeId": event.node_id}


def _event(value: Any, where: str) -> Entry:
    data = json_object(value, where)
    kind, job_id, node_id = data.get("kind"), data.get("jobId"), data.get("nodeId")
    if not isinstance(kind, str) or not isinstance(job_id, str) or not isinstance(node_id, str | None):
        raise BadRequest(f"{where} must have a kind, a jobId and an optional nodeId")
    at, seq = moment(data.get("at"), f"{where}.at"), whole_number(data.get("seq"), f"{where}.seq")
    return at, seq, JobEvent(job_id, kind, node_id)
