"""Runs, approvals, selections and the Jobs API: the rules around the simulation.

Knows nothing of HTTP: takes a :class:`Principal` and plain values, returns jobs
and raises :mod:`mockserver.core.errors` on refusals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mockserver.core.clock import Clock, iso, parse_iso
from mockserver.core.errors import BadRequest, LimitReached, NotFound
from mockserver.core.pagination import decode_token, encode_token
from mockserver.core.principals import Principal
from mockserver.scenario.assets.service import asset_problem
from mockserver.scenario.jobs import selection
from mockserver.scenario.jobs.cost import CostTable, Estimate, estimate_cost_details
from mockserver.scenario.jobs.inputs import check_asset_inputs, resolve_run_inputs
from mockserver.scenario.jobs.models import Job, NodeRun
from mockserver.scenario.jobs.simulation import Simulation
from mockserver.scenario.profiles import CANCELABLE_JOB_TYPES, PARALLEL_JOBS_ACTION, ApiProfile
from mockserver.scenario.store import ScenarioStore
from mockserver.scenario.workflows import access
from mockserver.scenario.workflows.models import Workflow
from mockserver.scenario.workflows.nesting import check_does_not_run_itself
from mockserver.scenario.workflows.service import flow_seen_by, visible_workflow

RECENT_WINDOW = timedelta(days=30)
UPDATE_ORDER_FILTERS = ("status", "type", "types", "workflowId")


@dataclass(frozen=True)
class DryRun:
    """What a run would cost; nothing was created."""

    estimate: Estimate
    workflow: Workflow
    values: dict[str, Any]


@dataclass(frozen=True)
class Run:
    job: Job
    workflow: Workflow
    warnings: list[str]


@dataclass(frozen=True)
class JobQuery:
    status: str | None = None
    types: tuple[str, ...] = ()
    workflow_id: str | None = None
    author_id: str | None = None
    created_after: str | None = None
    updated_after: str | None = None
    hide_results: bool | None = None
    page_size: int = 50
    pagination_token: str | None = None


@dataclass
class JobService:
    store: ScenarioStore
    clock: Clock
    simulation: Simulation
    costs: CostTable
    api_profile: ApiProfile = "guide"
    cancel_workflow_jobs: bool = False

    def run(self, principal: Principal, workflow_id: str, body: Any, dry_run: bool) -> Run | DryRun:
        workflow = runnable_workflow(self.store.get_workflow(workflow_id), principal.project_id, workflow_id)
        check_does_not_run_itself(workflow.id, workflow.flow, flow_seen_by(self.store, principal))
        resolved = resolve_run_inputs(workflow.inputs, body)
        project_id = principal.project_id
        check_asset_inputs(workflow.inputs, body, lambda asset_id: asset_problem(self.store, project_id, asset_id))
        estimate = self.estimate(principal, workflow, resolved.values)
        if dry_run:
            return DryRun(estimate, workflow, resolved.values)
        self._check_parallel_limit(principal.project_id)
        job = self.simulation.submit(workflow, principal.project_id, principal.user_id, resolved.values, estimate.total)
        return Run(job, workflow, resolved.warnings)

    def estimate(self, principal: Principal, workflow: Workflow, values: dict[str, Any]) -> Estimate:
        """The run's cost; a workflow ``principal`` cannot see costs as one that does not exist."""

        def definition_of(workflow_id: str) -> tuple[list, list] | None:
            found = visible_workflow(self.store, principal, workflow_id)
            return (found.flow, found.inputs) if found is not None else None

        return estimate_cost_details(workflow.id, workflow.flow, workflow.inputs, values, self.costs, definition_of)

    def _check_parallel_limit(self, project_id: str) -> None:
        """The current API refuses a run past the project's parallel-job limit; the guide's queues it."""
        if self.api_profile == "current" and self.simulation.is_full(project_id):
            limit = self.simulation.max_concurrent
            raise LimitReached(
                f"Too many jobs running in parallel: the limit of {limit} is reached, "
                "wait for one of them to end before starting another",
                {"actionName": PARALLEL_JOBS_ACTION, "actionLimit": limit},
            )

    def get(self, principal: Principal, job_id: str) -> Job:
        job = self.store.get_job(job_id)
        if job is None or job.owner_id != principal.project_id:
            raise NotFound(f"Job {job_id} not found")
        return job

    def cancel(self, principal: Principal, job_id: str, action: str | None) -> Job:
        if action != "cancel":
            raise BadRequest("action must be one of: cancel")
        job = self.get(principal, job_id)
        access.require_may_decide(principal, job.author_id, job_id)
        if job.is_terminal:
            raise BadRequest(f"Job {job_id} has already ended ({job.status}): only a running job can be canceled")
        self._check_cancelable(job)
        self.simulation.cancel(job)
        return job

    def _check_cancelable(self, job: Job) -> None:
        """The guide cancels a workflow's node jobs; the current API only inference jobs. Both refuse a
        workflow job unless the fake's option allows it."""
        if job.is_workflow_job and self.cancel_workflow_jobs:
            return
        if self.api_profile == "current":
            if job.job_type not in CANCELABLE_JOB_TYPES:
                raise BadRequest("Cannot cancel this type of job. Action not permitted.")
        elif job.is_workflow_job:
            raise BadRequest(
                f"Job {job.job_id} is a workflow job: only inference jobs can be canceled. "
                "Cancel one of its node jobs (metadata.flow[].jobId) to cancel the workflow job"
            )

    def user_approval(self, principal: Principal, workflow_id: str, job_id: str, node_id: str, action: str) -> Job:
        job, run = self._waiting_node(principal, workflow_id, job_id, node_id, "user-approval", "approval")
        self.simulation.approve(job, run, approve=action != "reject")
        return job

    def user_selection(
        self, principal: Principal, workflow_id: str, job_id: Any, node_id: Any, action: Any, indices: Any
    ) -> Job:
        if action not in ("select", "reject"):
            raise BadRequest("action must be one of: select, reject")
        if not isinstance(job_id, str) or not isinstance(node_id, str):
            raise BadRequest("workflowJobId and nodeId are required strings")
        job, run = self._waiting_node(principal, workflow_id, job_id, node_id, "user-selection", "a selection")
        if action == "reject":
            self.simulation.approve(job, run, approve=False)
        else:
            self.simulation.select(job, run, selection.chosen_items(run, indices))
        return job

    def _waiting_node(
        self, principal: Principal, workflow_id: str, job_id: str, node_id: str, node_type: str, decision: str
    ) -> tuple[Job, NodeRun]:
        """The workflow job's node of ``node_type`` that waits for ``decision``; the errors say what is not so."""
        job = self.get(principal, job_id)
        access.require_may_decide(principal, job.author_id, job_id)
        if job.workflow_id != workflow_id or not job.is_workflow_job:
            access.require_visible(principal, self.store.get_workflow(workflow_id), workflow_id)
            raise NotFound(f"Job {job_id} is not a job of workflow {workflow_id}")
        # The job carries its own copy of the flow: its review can still be decided after the workflow
        # was deleted, or else the run would hold one of the project's slots for good.
        run = job.node(node_id)
        if run is None:
            raise NotFound(f'Node "{node_id}" is not a node of job {job_id}')
        if run.type != node_type:
            raise BadRequest(f'Node "{node_id}" is a {run.type} node, not a {node_type} node')
        if job.is_terminal or run.status != "processing":
            state = f"the job has ended ({job.status})" if job.is_terminal else f"its status is {run.status}"
            raise BadRequest(f'Node "{node_id}" is not waiting for {decision}: {state}')
        return job, run

    def list(self, principal: Principal, query: JobQuery) -> tuple[list[Job], str | None]:
        by_update = bool(query.status or query.types or query.workflow_id)
        _check_date_filters(query, by_update)
        scope = _scope(principal.project_id, query, by_update)
        since = _since(query, by_update, self.clock.now())
        filters = [list(scope), query.status, sorted(query.types), query.workflow_id, query.author_id, since]
        after = decode_token(query.pagination_token, filters) if query.pagination_token else None

        def accept(job: Job) -> bool:
            stamp = job.updated_at if by_update else job.created_at
            return (
                (not query.status or job.status == query.status)
                and (not query.types or job.job_type in query.types)
                and (not query.workflow_id or job.workflow_id == query.workflow_id)
                and (not query.author_id or job.author_id == query.author_id)
                and (since is None or stamp > since)
            )

        jobs, last = self.store.job_page(scope, after, True, query.page_size, accept)
        return jobs, encode_token(last, filters) if last else None


def runnable_workflow(workflow: Workflow | None, project_id: str, workflow_id: str) -> Workflow:
    """The workflow, if this project may run it now: visible (public, unlisted, or its own) and ready."""
    if workflow is None or workflow.is_deleted:
        raise access.not_found(workflow_id)
    if workflow.privacy == "private" and workflow.owner_id != project_id:
        raise access.not_found(workflow_id)
    if workflow.status != "ready":
        raise BadRequest(f"Workflow {workflow_id} is a draft: only ready workflows can be run")
    return workflow


def _check_date_filters(query: JobQuery, by_update: bool) -> None:
    if query.created_after and by_update:
        raise BadRequest(
            "createdAfter is only allowed without status, type, types and workflowId, "
            "which sort jobs by update date: use updatedAfter with them"
        )
    if query.updated_after and not by_update:
        raise BadRequest(
            "updatedAfter is only allowed with status, type, types or workflowId: use createdAfter without them"
        )
    for name, value in (("createdAfter", query.created_after), ("updatedAfter", query.updated_after)):
        if value is not None:
            try:
                parse_iso(value)
            except ValueError:
                raise BadRequest(f"{name} must be an ISO 8601 date, got {value!r}") from None


def _scope(project_id: str, query: JobQuery, by_update: bool) -> tuple:
    if query.workflow_id:
        return ("jobs-updated", project_id, "workflow", query.workflow_id)
    if query.status:
        return ("jobs-updated", project_id, "status", query.status)
    if len(query.types) == 1:
        return ("jobs-updated", project_id, "type", query.types[0])
    return ("jobs-updated", project_id) if by_update else ("jobs-created", project_id)


def _since(query: JobQuery, by_update: bool, now: datetime) -> str | None:
    explicit = query.updated_after if by_update else query.created_after
    if explicit:
        return iso(parse_iso(explicit))
    if query.author_id or query.hide_results is False:
        return iso(now - RECENT_WINDOW)
    return None
