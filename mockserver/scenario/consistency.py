"""What a snapshot's records must agree on, beyond each record's own shape: unique ids, known statuses,
dates that parse, flows the API would accept, references to records that exist, and slots held by
running jobs of their own project, no more than a project has."""

from __future__ import annotations

import math
from typing import Any

import msgspec

from mockserver.core.clock import parse_iso
from mockserver.core.errors import BadRequest
from mockserver.core.records import Moment, unique_ids
from mockserver.scenario.jobs.models import JOB_STATUSES, NODE_STATUSES, Job
from mockserver.scenario.state import ScenarioState
from mockserver.scenario.workflows.flow import validate_flow
from mockserver.scenario.workflows.models import Workflow

_JOB_STATUSES = frozenset(JOB_STATUSES)


def check_consistency(state: ScenarioState, max_concurrent_jobs: int) -> None:
    """BadRequest naming the first field (``jobs[3].workflowId``) that disagrees with the rest."""
    workflows = unique_ids((workflow.id for workflow in state.workflows), "workflows", "id")
    jobs = unique_ids((job.job_id for job in state.jobs), "jobs", "jobId")
    unique_ids((asset.asset_id for asset in state.assets), "assets", "assetId")
    unique_ids((upload.upload_id for upload in state.uploads), "uploads", "id")
    unique_ids((download.job_id for download in state.downloads), "downloads", "jobId")
    for i, workflow in enumerate(state.workflows):
        _check_workflow(workflow, f"workflows[{i}]")
    if not _jobs_agree(state.jobs, workflows, jobs):
        for i, job in enumerate(state.jobs):
            _check_job(job, f"jobs[{i}]", workflows, jobs)
    seqs: set[int] = set()
    for i, (_, seq, event) in enumerate(state.events):
        where = f"simulation.events[{i}]"
        if event.job_id not in jobs:
            raise BadRequest(f"{where}.jobId: no job {event.job_id} in the state")
        if seq in seqs:
            raise BadRequest(f"{where}.seq: {seq} is repeated")
        seqs.add(seq)
    _check_slots(state, jobs, max_concurrent_jobs)


def _check_workflow(workflow: Workflow, where: str) -> None:
    if workflow.status == "ready" and not workflow.flow:
        raise BadRequest(f"{where}.flow: a ready workflow needs a flow")
    if workflow.flow:
        try:
            validate_flow(workflow.flow, workflow.inputs)
        except BadRequest as error:
            raise BadRequest(f"{where}.flow: {error.message}") from None


def _jobs_agree(all_jobs: list[Job], workflows: dict[str, int], jobs: dict[str, int]) -> bool:
    """Whether every job passes :func:`_check_job`, checked over all the jobs at once: sets and C-speed date
    parsing rather than one call per field (a state file of 100,000 jobs holds half a million dates). Only
    when this says no are the jobs walked one by one, to name the first field that is wrong."""
    changes = [change for job in all_jobs for change in job.status_history]
    runs = [run for job in all_jobs if job.nodes for run in job.nodes]
    statuses = {job.status for job in all_jobs} | {change.status for change in changes}
    parents = {job.workflow_job_id for job in all_jobs} | {run.job_id for run in runs}
    numbers = [job.cu_cost for job in all_jobs] + [job.cost_factor for job in all_jobs]
    numbers += [job.depth for job in all_jobs]
    return (
        statuses <= _JOB_STATUSES
        and {run.status for run in runs} <= NODE_STATUSES
        and {job.workflow_id for job in all_jobs} - {None} <= workflows.keys()
        and parents - {None} <= jobs.keys()
        and all(map(math.isfinite, numbers))
        and min(numbers, default=0) >= 0
        and all(isinstance(run.definition.get("id"), str) for run in runs)
        and _all_dates([job.created_at for job in all_jobs] + [job.updated_at for job in all_jobs])
        and _all_dates([change.at for change in changes])
    )


def _all_dates(values: list[str]) -> bool:
    """Whether every value is an RFC 3339 date with its offset, as the fake writes them; False may still be
    a date :func:`parse_iso` reads, which the walk field by field then accepts."""
    try:
        msgspec.convert(values, list[Moment])
    except msgspec.ValidationError:
        return False
    return True


def _check_job(job: Job, where: str, workflows: dict[str, int], jobs: dict[str, int]) -> None:
    if job.status not in JOB_STATUSES:
        raise BadRequest(f"{where}.status must be one of: {', '.join(JOB_STATUSES)}")
    _date(job.created_at, f"{where}.createdAt")
    _date(job.updated_at, f"{where}.updatedAt")
    for n, change in enumerate(job.status_history):
        _date(change.at, f"{where}.statusHistory[{n}][0]")
        if change.status not in JOB_STATUSES:
            raise BadRequest(f"{where}.statusHistory[{n}][1] must be one of: {', '.join(JOB_STATUSES)}")
    if job.workflow_id is not None and job.workflow_id not in workflows:
        raise BadRequest(f"{where}.workflowId: no workflow {job.workflow_id} in the state")
    if job.workflow_job_id is not None and job.workflow_job_id not in jobs:
        raise BadRequest(f"{where}.workflowJobId: no job {job.workflow_job_id} in the state")
    if not (_finite(job.cu_cost) and _finite(job.cost_factor)) or min(job.cu_cost, job.cost_factor, job.depth) < 0:
        raise BadRequest(f"{where}: cuCost, costFactor and depth must be finite numbers >= 0")
    for n, run in enumerate(job.nodes or ()):
        if run.status not in NODE_STATUSES:
            raise BadRequest(f"{where}.nodes[{n}].status must be one of: {', '.join(sorted(NODE_STATUSES))}")
        if not isinstance(run.definition.get("id"), str):
            raise BadRequest(f"{where}.nodes[{n}].definition must be a flow node")
        if run.job_id is not None and run.job_id not in jobs:
            raise BadRequest(f"{where}.nodes[{n}].jobId: no job {run.job_id} in the state")


def _check_slots(state: ScenarioState, jobs: dict[str, int], max_concurrent_jobs: int) -> None:
    """Queued and slot-holding ids are jobs of the state; a slot is held by a running job of its project."""
    placed: set[str] = set()
    for part, queues in (("waiting", state.waiting), ("holding", state.holding)):
        for project, ids in queues.items():
            where = f"simulation.{part}.{project}"
            for n, job_id in enumerate(ids):
                if job_id not in jobs:
                    raise BadRequest(f"{where}[{n}]: no job {job_id} in the state")
                if job_id in placed:
                    raise BadRequest(f"{where}[{n}]: job {job_id} is queued or holding a slot twice")
                placed.add(job_id)
                job = state.jobs[jobs[job_id]]
                if job.owner_id != project:
                    raise BadRequest(f"{where}[{n}]: job {job_id} belongs to project {job.owner_id}")
                if part == "holding" and job.is_terminal:
                    raise BadRequest(f"{where}[{n}]: job {job_id} has ended ({job.status}) and holds no slot")
    for project, ids in state.holding.items():
        if len(ids) > max_concurrent_jobs:
            raise BadRequest(f"simulation.holding.{project}: at most {max_concurrent_jobs} jobs hold a slot")


def _date(value: Any, where: str) -> None:
    try:
        parse_iso(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{where} must be an ISO-8601 date") from None


def _finite(value: float) -> bool:
    return value == value and value not in (float("inf"), float("-inf"))
