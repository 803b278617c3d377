"""Jobs as the simulation keeps them: plain slotted records, rendered to the API's shape on read."""

from __future__ import annotations

from typing import Any

import msgspec

from mockserver.core.records import Moment, Record

JOB_STATUSES = ("pending", "queued", "warming-up", "in-progress", "finalizing", "success", "failure", "canceled")
TERMINAL_JOB_STATUSES = frozenset({"success", "failure", "canceled"})
ACTIVE_JOB_STATUSES = frozenset({"warming-up", "in-progress", "finalizing"})
NODE_STATUSES = frozenset({"pending", "processing", "success", "failure", "skipped", "rejected"})
TERMINAL_NODE_STATUSES = frozenset({"success", "failure", "skipped", "rejected"})


class NodeRun(Record):
    """One node of a workflow job: a node of the flow, or a for-each iteration's copy of one."""

    node_id: str
    definition: dict[str, Any]  # shared with the flow snapshot, never mutated
    status: str = "pending"
    job_id: str | None = None
    started_at: Moment | None = None
    ends_at: Moment | None = None
    assets: list[str] = msgspec.field(default_factory=list)
    output: Any = None
    loop_node_id: str | None = None
    iteration_index: int | None = None
    item: Any = None  # the for-each item this copy works on
    candidates: list[str] | None = None  # a user-selection node's items, frozen when it starts

    @property
    def type(self) -> str:
        return self.definition.get("type", "")

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_NODE_STATUSES


class StatusChange(Record, array_like=True):
    """A status a job took and when (its ISO date), written as the pair ``[date, status]``."""

    at: str
    status: str


class Job(Record):
    job_id: str
    job_type: str
    owner_id: str
    author_id: str
    created_at: str
    updated_at: str
    status: str
    status_history: list[StatusChange]
    input: dict[str, Any]
    workflow_id: str | None = None
    workflow_job_id: str | None = None  # set on a workflow's node jobs and sub-workflow jobs
    node_id: str | None = None  # the parent's node this job runs
    nodes: list[NodeRun] | None = None  # workflow jobs only
    cu_cost: float = 0  # the estimate while the job runs, what it is billed once it ends
    cost_factor: float = 1.0  # the input impact of the run's values, which its node prices are multiplied by
    output_kinds: list[str] = msgspec.field(default_factory=list)
    asset_ids: list[str] = msgspec.field(default_factory=list)
    output: dict[str, Any] | None = None
    error: str | None = None
    hint: str | None = None
    started_at: Moment | None = None
    ends_at: Moment | None = None
    final_progress: float | None = None
    depth: int = 0
    # On a run's own workflow job: what the run and its sub-workflow jobs have used of the run's budget.
    node_runs: int = 0
    sub_jobs: int = 0

    @property
    def is_workflow_job(self) -> bool:
        return self.job_type == "workflow"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_JOB_STATUSES

    def node(self, node_id: str) -> NodeRun | None:
        return next((run for run in self.nodes or () if run.node_id == node_id), None)
