"""The job simulation: workflow jobs move through their statuses on the fake's clock.

Every change is an event with an exact simulated time on the fake's
scheduler, which applies them in time order as the clock reaches them
(:meth:`Simulation.apply`); handling one may schedule the next (a node ends,
its dependants start). The state a client reads is therefore a function
of what was asked (runs, approvals, cancels) and the clock alone, whenever and
however often it polls; and a job that waits costs nothing, as no task or
thread runs for it (one waker per fake sleeps until the next event is due).

A workflow job: ``queued`` -> ``warming-up`` -> ``in-progress`` ->
``finalizing`` -> ``success``, or ``failure`` when a node fails, or
``canceled``. At most ``max_concurrent`` workflow jobs of a project hold a
slot; the others stay ``queued`` and start in order as slots free.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mockserver.core.clock import Clock, iso
from mockserver.core.faults import FaultRules
from mockserver.core.ids import IdFactory
from mockserver.core.scheduler import Scheduler
from mockserver.scenario.jobs import billing, budget, outputs, selection
from mockserver.scenario.jobs.cost import CostTable, node_price, run_impact
from mockserver.scenario.jobs.models import ACTIVE_JOB_STATUSES, Job, NodeRun, StatusChange
from mockserver.scenario.store import ScenarioStore
from mockserver.scenario.workflows.flow import node_dependencies, topological_order

# Simulated seconds each phase lasts.
QUEUE_SECONDS = 1.0
WARMUP_SECONDS = 2.0
FINALIZE_SECONDS = 1.0
NODE_SECONDS = {
    "custom-model": 6.0,
    "model": 6.0,
    "remove-background": 3.0,
    "generate-prompt": 2.0,
    "transform": 1.0,
    "logic": 0.5,
    "list": 0.5,
}
# Nodes that run a job of their own, and its jobType.
NODE_JOB_TYPES = {
    "custom-model": "inference",
    "model": "inference",
    "remove-background": "remove-background",
    "generate-prompt": "generate-prompt",
    "transform": "custom",
}
WAITING_NODE_TYPES = frozenset({"user-approval", "user-selection"})
MAX_DEPTH = 5
# The name the simulation's events carry on the scheduler.
OWNER = "scenario"


@dataclass(frozen=True, slots=True)
class JobEvent:
    """A job's next step: ``warm``, ``begin``, ``node-done`` (of ``node_id``) or ``finish``."""

    job_id: str
    kind: str
    node_id: str | None = None


@dataclass
class Simulation:
    store: ScenarioStore
    clock: Clock
    scheduler: Scheduler
    ids: IdFactory
    costs: CostTable
    faults: FaultRules
    find_workflow: Callable[[str, str], Any]  # (workflow id, project id) -> runnable Workflow or None
    max_concurrent: int = 10
    # Told of every job that reaches a terminal status (webhooks), while the store's lock is held.
    on_job_ended: Callable[[Job], None] | None = None
    waiting: dict[str, deque[str]] = field(default_factory=lambda: defaultdict(deque))
    holding: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # project -> jobs with a slot

    def __post_init__(self) -> None:
        self.scheduler.add_owner(OWNER, self.apply)

    # ---- what the API asks of it

    def submit(
        self,
        workflow: Any,
        project_id: str,
        author_id: str,
        values: dict[str, Any],
        cost: float,
        parent: tuple[Job, NodeRun] | None = None,
    ) -> Job:
        """A new workflow job, ``queued``; it starts when its project has a free slot."""
        now = self.scheduler.now()  # a sub-workflow starts when its node does, not when the clock stopped
        job = Job(
            job_id=self.ids.new("job"),
            job_type="workflow",
            owner_id=project_id,
            author_id=author_id,
            created_at=iso(now),
            updated_at=iso(now),
            status="queued",
            status_history=[StatusChange(iso(now), "queued")],
            input=values,
            workflow_id=workflow.id,
            nodes=_node_runs(workflow.flow),
            cu_cost=cost,
            cost_factor=run_impact(workflow.inputs, values),
            output_kinds=list(workflow.output_asset_kinds or ["image"]),
        )
        if parent is not None:
            parent_job, run = parent
            job.workflow_job_id, job.node_id, job.depth = parent_job.job_id, run.node_id, parent_job.depth + 1
            # It starts at once, as its parent waits for it, but holds one of the project's slots while it runs.
            self.holding[project_id].add(job.job_id)
            self._schedule(now + self.clock.span(QUEUE_SECONDS), job, "warm")
        else:
            job.node_runs = len(job.nodes or ())
            self.waiting[project_id].append(job.job_id)
        self.store.save_job(job)
        self._admit(project_id, now)
        return job

    def approve(self, job: Job, run: NodeRun, approve: bool) -> None:
        """Decide a waiting node: it succeeds and the flow goes on, or it is rejected and the job canceled."""
        now = self.clock.now()
        if approve:
            self._succeed_node(job, run, now)
            self._step(job, now)
        else:
            run.status = "rejected"
            self._terminate(job, "canceled", now)
        self._touch(job, now)

    def select(self, job: Job, run: NodeRun, chosen: list[str]) -> None:
        """Decide a user-selection node with the items picked: they are what it passes on."""
        run.output = chosen
        run.assets = [item for item in chosen if self.store.get_asset(item) is not None]
        self.approve(job, run, approve=True)

    def is_full(self, project_id: str) -> bool:
        """Whether the project's workflow jobs hold every slot (or wait for one)."""
        taken = len(self.holding.get(project_id, ())) + len(self.waiting.get(project_id, ()))
        return taken >= self.max_concurrent

    def cancel(self, job: Job) -> None:
        """Cancel a workflow job, or a node job (which cancels its workflow job)."""
        now = self.clock.now()
        parent = self.store.get_job(job.workflow_job_id) if job.workflow_job_id else None
        if job.is_workflow_job:
            self._terminate(job, "canceled", now)
        else:
            self._set_status(job, "canceled", now)
        if parent is not None and not parent.is_terminal:
            run = parent.node(job.node_id or "")
            if run is not None and not run.is_terminal:
                run.status = "failure"
            parent.error = f'Node "{job.node_id}" was canceled'
            self._terminate(parent, "canceled", now)
            self._touch(parent, now)
        self._touch(job, now)

    def progress(self, job: Job) -> float:
        """Between 0 and 1, from the nodes' progress at the clock's now; frozen once the job ends."""
        if job.final_progress is not None:
            return job.final_progress
        return self._live_progress(job, self.clock.now())

    # ---- its state

    def queues(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """The jobs waiting for a slot, in order, and the jobs holding one, of each project that has any."""
        waiting = {project: list(queue) for project, queue in self.waiting.items() if queue}
        holding = {project: sorted(jobs) for project, jobs in self.holding.items() if jobs}
        return waiting, holding

    def restore_queues(self, waiting: dict[str, list[str]], holding: dict[str, list[str]]) -> None:
        self.waiting = defaultdict(deque, {project: deque(ids) for project, ids in waiting.items()})
        self.holding = defaultdict(set, {project: set(ids) for project, ids in holding.items()})

    def clear(self) -> None:
        """Forget the queues and slots; the scheduler forgets the events."""
        self.waiting.clear()
        self.holding.clear()

    # ---- events

    def _schedule(self, at: datetime, job: Job, kind: str, node_id: str | None = None) -> None:
        self.scheduler.schedule(OWNER, at, JobEvent(job.job_id, kind, node_id))

    def apply(self, at: datetime, event: JobEvent) -> None:
        """What happens when one of the simulation's events is due."""
        job = self.store.get_job(event.job_id)
        if job is None or job.is_terminal:
            return
        if event.kind == "warm" and job.status == "queued":
            self._set_status(job, "warming-up", at)
            self._schedule(at + self.clock.span(WARMUP_SECONDS), job, "begin")
        elif event.kind == "begin" and job.status == "warming-up":
            self._set_status(job, "in-progress", at)
            self._step(job, at)
        elif event.kind == "node-done":
            run = job.node(event.node_id or "")
            if run is not None and run.status == "processing":
                self._finish_node(job, run, at)
            # Nodes ending together (a loop's iterations) are stepped once, after the last of them: stepping
            # walks every node of the job, so stepping after each would cost the square of the loop's size.
            if not self._more_nodes_end(job, at):
                self._step(job, at)
        elif event.kind == "finish" and job.status == "finalizing":
            job.asset_ids, job.output = outputs.job_outputs(job)
            self._terminate(job, "success", at)
        self._touch(job, at)

    def _more_nodes_end(self, job: Job, at: datetime) -> bool:
        """Whether the next event due is another of ``job``'s nodes ending at the same moment."""
        upcoming = self.scheduler.peek()
        if upcoming is None:
            return False
        when, owner, event = upcoming
        return when == at and owner == OWNER and event.job_id == job.job_id and event.kind == "node-done"

    def _admit(self, project_id: str, at: datetime) -> None:
        queue = self.waiting[project_id]
        holding = self.holding[project_id]
        while queue and len(holding) < self.max_concurrent:
            job = self.store.get_job(queue.popleft())
            if job is None or job.status != "queued":
                continue
            holding.add(job.job_id)
            self._schedule(at + self.clock.span(QUEUE_SECONDS), job, "warm")

    # ---- the graph

    def _step(self, job: Job, at: datetime) -> None:
        """Start or skip every node whose dependencies have ended, then end the job if all nodes have."""
        if job.status != "in-progress":
            return
        templates = outputs.template_ids(job)
        changed = True
        while changed:
            changed = False
            for run in list(job.nodes or ()):
                # Statuses first: most runs are neither pending nor a running loop, and are passed over cheaply.
                status = run.status
                if status == "pending":
                    if run.loop_node_id is None and run.node_id in templates:
                        continue
                    if self._dependencies_done(job, run):
                        self._start_or_skip(job, run, at)
                        changed = True
                elif status == "processing" and run.type == "for-each" and self._loop_done(job, run):
                    self._end_loop(job, run, at)
                    changed = True
        if all(run.is_terminal for run in job.nodes or ()):
            self._end_flow(job, at)

    def _dependencies_done(self, job: Job, run: NodeRun) -> bool:
        return all(dep.is_terminal for dep in self._dependencies(job, run))

    def _dependencies(self, job: Job, run: NodeRun) -> list[NodeRun]:
        found = []
        for node_id in node_dependencies(run.definition):
            dep = outputs.resolve_run(job, run, node_id)
            if dep is not None and dep is not run:
                found.append(dep)
        return found

    def _start_or_skip(self, job: Job, run: NodeRun, at: datetime) -> None:
        deps = self._dependencies(job, run)
        if any(dep.status in ("failure", "rejected") for dep in deps):
            run.status = "skipped"
        elif deps and all(dep.status == "skipped" for dep in deps):
            run.status = "skipped"
        elif not outputs.conditions_hold(job, run):
            run.status = "skipped"
        else:
            self._start_node(job, run, at)
        if run.type == "for-each" and run.status == "skipped":
            for template_id in run.definition.get("loopBodyNodeIds") or ():
                template = job.node(template_id)
                if template is not None and template.status == "pending":
                    template.status = "skipped"

    def _start_node(self, job: Job, run: NodeRun, at: datetime) -> None:
        run.status, run.started_at = "processing", at
        if run.type == "user-selection":
            self._offer_choice(job, run, at)
            return
        if run.type in WAITING_NODE_TYPES:
            return
        if run.type == "for-each":
            self._expand_loop(job, run, at)
            return
        if run.type == "workflow":
            self._start_sub_workflow(job, run, at)
            return
        run.ends_at = at + self.clock.span(NODE_SECONDS.get(run.type, 1.0))
        if run.type in NODE_JOB_TYPES:
            run.job_id = self._node_job(job, run, at).job_id
        self._schedule(run.ends_at, job, "node-done", run.node_id)
        rule = self.faults.take(("node-failure",), _facts(job, run), peek=True)
        if rule is not None and rule.at_progress is not None:
            self._schedule_progress_failure(job, run, rule.at_progress, at)

    def _offer_choice(self, job: Job, run: NodeRun, at: datetime) -> None:
        """Freeze the node's candidates; it then waits for a choice, unless there are too few to choose from."""
        run.candidates = selection.candidates(job, run)
        problem = selection.too_few_candidates(run)
        if problem is not None:
            self._fail_node(job, run, at, f"cannot offer a choice: {problem}", "Check the node's inputs and its min.")

    def _schedule_progress_failure(self, job: Job, run: NodeRun, target: float, at: datetime) -> None:
        """Fail the node at the first moment its job's progress reaches ``target``."""
        assert run.ends_at is not None
        low, high = at, run.ends_at
        for _ in range(40):  # bisection on time: progress only grows while the node runs
            middle = low + (high - low) / 2
            if self._live_progress(job, middle) >= target:
                high = middle
            else:
                low = middle
        if self._live_progress(job, high) >= target and high < run.ends_at:
            # ends_at stays the node's natural end, so progress keeps its pace up to the failure.
            self._schedule(high, job, "node-done", run.node_id)

    def _node_job(self, job: Job, run: NodeRun, at: datetime) -> Job:
        stamp = iso(at)
        node_job = Job(
            job_id=self.ids.new("job"),
            job_type=NODE_JOB_TYPES[run.type],
            owner_id=job.owner_id,
            author_id=job.author_id,
            created_at=stamp,
            updated_at=stamp,
            status="in-progress",
            status_history=[StatusChange(stamp, "queued"), StatusChange(stamp, "in-progress")],
            input=outputs.node_inputs(job, run),
            workflow_id=job.workflow_id,
            workflow_job_id=job.job_id,
            node_id=run.node_id,
            cu_cost=node_price(run.definition, self.costs),
            started_at=at,
            ends_at=run.ends_at,
        )
        self.store.save_job(node_job)
        return node_job

    def _start_sub_workflow(self, job: Job, run: NodeRun, at: datetime) -> None:
        workflow_id = run.definition.get("workflowId", "")
        workflow = self.find_workflow(workflow_id, job.owner_id)
        if workflow is None or job.depth >= MAX_DEPTH:
            reason = "nesting is too deep" if workflow is not None else "is not a ready workflow this project can run"
            self._fail_node(job, run, at, f'Sub-workflow "{workflow_id}" {reason}', "Check the node's workflowId.")
            return
        root = self._run_of(job)
        over = budget.over_budget(root.node_runs + len(workflow.flow), root.sub_jobs + 1)
        if over:
            self._fail_node(job, run, at, f'Sub-workflow "{workflow_id}" {over}', budget.HINT)
            return
        root.sub_jobs += 1
        root.node_runs += len(workflow.flow)
        values = outputs.node_inputs(job, run)
        child = self.submit(workflow, job.owner_id, job.author_id, values, 0, parent=(job, run))
        run.job_id = child.job_id

    def _run_of(self, job: Job) -> Job:
        """The workflow job of the run ``job`` is part of: itself, or the job that started its sub-workflow."""
        while job.workflow_job_id:
            parent = self.store.get_job(job.workflow_job_id)
            if parent is None:
                break
            job = parent
        return job

    def _expand_loop(self, job: Job, run: NodeRun, at: datetime) -> None:
        templates = run.definition.get("loopBodyNodeIds") or []
        items = outputs.loop_items(job, run)
        for template_id in templates:
            template = job.node(template_id)
            if template is not None:
                template.status = "skipped"
        root = self._run_of(job)
        over = budget.over_budget(root.node_runs + len(items) * len(templates), root.sub_jobs)
        if over:
            self._fail_node(job, run, at, f"The loop's {len(items)} iterations {over}", budget.HINT)
            return
        root.node_runs += len(items) * len(templates)
        for index, item in enumerate(items):
            for template_id in templates:
                template = job.node(template_id)
                if template is None:
                    continue
                copy = NodeRun(
                    node_id=f"{template_id}_{index}",
                    definition=template.definition,
                    loop_node_id=run.node_id,
                    iteration_index=index,
                    item=item,
                )
                job.nodes.append(copy)  # type: ignore[union-attr]

    def _loop_done(self, job: Job, loop: NodeRun) -> bool:
        return all(run.is_terminal for run in job.nodes or () if run.loop_node_id == loop.node_id)

    def _end_loop(self, job: Job, loop: NodeRun, at: datetime) -> None:
        copies = [run for run in job.nodes or () if run.loop_node_id == loop.node_id]
        failed = any(run.status in ("failure", "rejected") for run in copies)
        loop.status = "failure" if failed else "success"
        loop.assets = outputs.loop_assets(job, loop)

    def _finish_node(self, job: Job, run: NodeRun, at: datetime) -> None:
        rule = self.faults.take(("node-failure",), _facts(job, run))
        if rule is not None:
            self._fail_node(job, run, at, rule.error, rule.hint)
        else:
            self._succeed_node(job, run, at)

    def _succeed_node(self, job: Job, run: NodeRun, at: datetime) -> None:
        outputs.produce(job, run, self.ids, self.store, at)
        run.status, run.ends_at = "success", at
        node_job = self.store.get_job(run.job_id) if run.job_id and run.type in NODE_JOB_TYPES else None
        if node_job is not None:
            node_job.asset_ids = list(run.assets)
            node_job.output = run.output if isinstance(run.output, dict) else None
            self._terminate(node_job, "success", at)
            self._touch(node_job, at)

    def _fail_node(self, job: Job, run: NodeRun, at: datetime, error: str, hint: str) -> None:
        run.status, run.ends_at = "failure", at
        job.error, job.hint = f'Node "{run.node_id}" failed: {error}', hint
        node_job = self.store.get_job(run.job_id) if run.job_id and run.type in NODE_JOB_TYPES else None
        if node_job is not None:
            node_job.error, node_job.hint = error, hint
            self._terminate(node_job, "failure", at)
            self._touch(node_job, at)

    def _end_flow(self, job: Job, at: datetime) -> None:
        if any(run.status in ("failure", "rejected") for run in job.nodes or ()):
            self._terminate(job, "failure", at)
        else:
            self._set_status(job, "finalizing", at)
            self._schedule(at + self.clock.span(FINALIZE_SECONDS), job, "finish")

    # ---- statuses

    def _set_status(self, job: Job, status: str, at: datetime) -> None:
        job.status = status
        job.status_history.append(StatusChange(iso(at), status))
        if status == "in-progress":
            job.started_at = at
        if job.is_terminal and self.on_job_ended is not None:
            self.on_job_ended(job)

    def _terminate(self, job: Job, status: str, at: datetime) -> None:
        if job.is_terminal:
            return
        job.final_progress = 1.0 if status == "success" else self._live_progress(job, at)
        job.cu_cost = self._settled_cost(job, status)
        self._set_status(job, status, at)
        job.ends_at = at
        if status != "success":
            self._abandon_nodes(job, at)
        if job.workflow_job_id and job.is_workflow_job:
            self._resume_parent(job, at)
        if job.job_id in self.holding[job.owner_id]:
            self.holding[job.owner_id].discard(job.job_id)
            self._admit(job.owner_id, at)

    def _settled_cost(self, job: Job, status: str) -> float:
        """What ``job`` is billed as it ends ``status``: the work it did (see :mod:`billing`)."""
        if not job.is_workflow_job:
            return job.cu_cost if status == "success" else 0  # a node job that failed or was canceled is refunded
        if job.workflow_job_id:
            return job.cu_cost  # a sub-workflow's work is billed on the job that runs it
        return billing.bill(job, status, self.costs, self.store.get_job)

    def _abandon_nodes(self, job: Job, at: datetime) -> None:
        for run in job.nodes or ():
            if run.status == "processing" and run.job_id:
                child = self.store.get_job(run.job_id)
                if child is not None and not child.is_terminal:
                    self._terminate(child, "canceled", at)
                    self._touch(child, at)
            if run.status in ("pending", "processing"):
                run.status = "skipped"

    def _resume_parent(self, child: Job, at: datetime) -> None:
        parent = self.store.get_job(child.workflow_job_id or "")
        if parent is None or parent.is_terminal:
            return
        run = parent.node(child.node_id or "")
        if run is None or run.status != "processing":
            return
        if child.status == "success":
            run.assets, run.output = list(child.asset_ids), child.output
            run.status, run.ends_at = "success", at
        else:
            self._fail_node(parent, run, at, child.error or f"Sub-workflow job ended {child.status}", child.hint or "")
        self._step(parent, at)
        self._touch(parent, at)

    def _touch(self, job: Job, at: datetime) -> None:
        stamp = iso(at)
        if stamp > job.updated_at:
            job.updated_at = stamp
        self.store.save_job(job)

    # ---- progress

    def _live_progress(self, job: Job, at: datetime) -> float:
        if job.status == "success":
            return 1.0
        if job.status in ("pending", "queued", "warming-up") or job.nodes is None:
            return _elapsed_fraction(job.started_at, job.ends_at, at) if not job.is_workflow_job else 0.0
        if job.status == "finalizing":
            return 0.95
        templates = outputs.template_ids(job)
        units = [run for run in job.nodes if run.loop_node_id is None and run.node_id not in templates]
        if not units:
            return 0.95
        done = sum(self._node_fraction(job, run, at) for run in units) / len(units)
        return round(0.95 * done, 4)

    def _node_fraction(self, job: Job, run: NodeRun, at: datetime) -> float:
        if run.is_terminal:
            return 1.0
        if run.status != "processing":
            return 0.0
        if run.type == "for-each":
            copies = [c for c in job.nodes or () if c.loop_node_id == run.node_id]
            return sum(self._node_fraction(job, c, at) for c in copies) / len(copies) if copies else 0.0
        if run.type == "workflow" and run.job_id:
            child = self.store.get_job(run.job_id)
            return self._live_progress(child, at) if child is not None else 0.0
        return _elapsed_fraction(run.started_at, run.ends_at, at)


def _node_runs(flow: list[dict[str, Any]]) -> list[NodeRun]:
    by_id = {node["id"]: node for node in flow}
    return [NodeRun(node_id=node_id, definition=by_id[node_id]) for node_id in topological_order(flow)]


def _elapsed_fraction(start: datetime | None, end: datetime | None, at: datetime) -> float:
    if start is None or end is None or end <= start:
        return 0.0
    return round(min(max((at - start) / (end - start), 0.0), 1.0), 4)


def _facts(job: Job, run: NodeRun) -> dict[str, str | None]:
    return {"workflowId": job.workflow_id, "nodeId": run.node_id, "nodeType": run.type, "jobId": job.job_id}


def is_active(job: Job) -> bool:
    return job.status in ACTIVE_JOB_STATUSES
