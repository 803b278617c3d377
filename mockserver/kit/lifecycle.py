"""The job lifecycle check: run a workflow, poll its job to the end, hold what was seen to the documented graph.

Schemathesis checks one response at a time; "accepted, now poll until done" is a
sequence. This check runs a workflow (a dry run first, then, where spending is
allowed, a real run), polls its job until it ends, and asserts, as the contract
documents for ``getJob``:

- the status only moves forward along ``pending -> queued -> warming-up -> in-progress ->
  finalizing -> success``, or to ``failure`` / ``canceled``, and never leaves a terminal status;
- ``progress`` stays within 0 and 1, never decreases, and is 1 on ``success``;
- ``statusHistory`` is ordered by date, follows the same graph, ends with the current status,
  only grows from one poll to the next, and holds every status that was observed;
- node statuses agree with the job's: nothing pending or processing once the job has ended or is
  finalizing, only ``success``/``skipped`` nodes in a successful job, a failed node (or an error)
  in a failed one, no node job before a node starts, and each node job agrees with its node.

It talks plain HTTP, so it works against any target.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from mockserver.scenario.profiles import CURRENT_DRY_RUN_STATUS, GUIDE_DRY_RUN_STATUS, ApiProfile

JOB_FLOW = ("pending", "queued", "warming-up", "in-progress", "finalizing", "success")
TERMINAL = frozenset({"success", "failure", "canceled"})
NODE_DONE = frozenset({"success", "skipped"})
# Node types whose jobs are inference jobs, the only ones the current API cancels.
INFERENCE_NODE_TYPES = frozenset({"model", "custom-model"})

Decision = Literal["approve", "reject", "cancel-node"]


def may_follow(previous: str, current: str) -> bool:
    """Whether a job may be seen in ``current`` after ``previous`` (equal, or forward in the graph)."""
    if previous == current:
        return True
    if previous in TERMINAL or current not in (*JOB_FLOW, "failure", "canceled"):
        return False
    if current in ("failure", "canceled"):
        return True
    return previous in JOB_FLOW and JOB_FLOW.index(current) > JOB_FLOW.index(previous)


def job_problems(job: dict[str, Any]) -> list[str]:
    """What one job, as read once, says against the documented rules."""
    problems: list[str] = []
    status, progress = job.get("status"), job.get("progress")
    if not isinstance(progress, int | float) or not 0 <= progress <= 1:
        problems.append(f"progress {progress!r} is not a number between 0 and 1")
    elif status == "success" and progress != 1:
        problems.append(f"progress is {progress} on a successful job, not 1")
    history = [(entry.get("date", ""), entry.get("status")) for entry in job.get("statusHistory") or []]
    if not history:
        problems.append("statusHistory is empty")
    else:
        if history[-1][1] != status:
            problems.append(f"statusHistory ends with {history[-1][1]!r}, the job is {status!r}")
        for (date_a, status_a), (date_b, status_b) in zip(history, history[1:], strict=False):
            if date_b < date_a:
                problems.append(f"statusHistory goes back in time: {status_a} at {date_a}, then {status_b} at {date_b}")
            if not may_follow(status_a, status_b):
                problems.append(f"statusHistory moves from {status_a} to {status_b}")
    problems += node_problems(job)
    return problems


def node_problems(job: dict[str, Any]) -> list[str]:
    flow = (job.get("metadata") or {}).get("flow")
    if not isinstance(flow, list):
        return []
    status = job.get("status")
    nodes = [node for node in flow if isinstance(node, dict)]
    problems = [
        f"node {n.get('id')} is pending but has a job" for n in nodes if n.get("status") == "pending" and n.get("jobId")
    ]
    unfinished = [n.get("id") for n in nodes if n.get("status") in ("pending", "processing")]
    if status in (*TERMINAL, "finalizing") and unfinished:
        problems.append(f"the job is {status} but nodes {', '.join(map(str, unfinished))} are not done")
    if status in ("pending", "queued", "warming-up"):
        started = [n.get("id") for n in nodes if n.get("status") != "pending"]
        if started:
            problems.append(f"the job is {status} but nodes {', '.join(map(str, started))} have started")
    if status == "success":
        failed = [n.get("id") for n in nodes if n.get("status") not in NODE_DONE]
        if failed:
            problems.append(f"the job succeeded but nodes {', '.join(map(str, failed))} did not")
    if status == "failure" and not (job.get("metadata") or {}).get("error"):
        if not any(n.get("status") in ("failure", "rejected") for n in nodes):
            problems.append("the job failed with no failed node and no error")
    return problems


def sequence_problems(jobs: list[dict[str, Any]]) -> list[str]:
    """What successive reads of one job say against the documented rules, each read included."""
    problems: list[str] = []
    for index, job in enumerate(jobs):
        problems += [f"read {index + 1}: {problem}" for problem in job_problems(job)]
    for index, (before, after) in enumerate(zip(jobs, jobs[1:], strict=False), 2):
        if not may_follow(str(before.get("status")), str(after.get("status"))):
            problems.append(f"read {index}: the job went from {before.get('status')} back to {after.get('status')}")
        if _number(after.get("progress")) < _number(before.get("progress")):
            problems.append(
                f"read {index}: progress went down from {before.get('progress')} to {after.get('progress')}"
            )
        earlier, later = before.get("statusHistory") or [], after.get("statusHistory") or []
        if later[: len(earlier)] != earlier:
            problems.append(f"read {index}: statusHistory rewrote its past")
    if jobs:
        history = [entry.get("status") for entry in jobs[-1].get("statusHistory") or []]
        seen = list(dict.fromkeys(str(job.get("status")) for job in jobs))
        if not _is_subsequence(seen, history):
            problems.append(f"statusHistory {history} does not hold the statuses observed, in order: {seen}")
    return problems


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _is_subsequence(items: list[str], sequence: list[Any]) -> bool:
    remaining = iter(sequence)
    return all(item in remaining for item in items)


@dataclass
class LifecycleRun:
    """One workflow taken through the check."""

    workflow_id: str
    decision: Decision
    dry_run_status: int | None = None
    estimated_cost: Any = None
    job_id: str | None = None
    reads: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # what the check sent, for a reproduction

    @property
    def statuses(self) -> list[str]:
        return list(dict.fromkeys(str(job.get("status")) for job in self.reads))

    @property
    def final_status(self) -> str | None:
        return self.reads[-1].get("status") if self.reads else None


@dataclass
class LifecycleCheck:
    client: httpx.Client  # bound to the API root, authenticated
    wait: Callable[[float], None]  # lets time pass: moves a fake's clock, or sleeps
    poll_interval: float = 2.0
    timeout: float = 600.0  # in the target's time: simulated seconds on a fake
    project_id: str | None = None
    api_profile: ApiProfile = "guide"  # the version of the API the target is held to

    def dry_run(self, run: LifecycleRun, inputs: dict[str, Any]) -> None:
        """A dry run answers with an estimate and creates no job: 402 and ``estimatedCost`` as the guide
        documents, 269 and ``creativeUnitsCost`` as the current API answers."""
        before = self._job_ids(run.workflow_id)
        response = self._send(run, "PUT", f"/workflows/{run.workflow_id}/run", params={"dryRun": "true"}, json=inputs)
        run.dry_run_status = response.status_code
        body = _json(response)
        expected = GUIDE_DRY_RUN_STATUS if self.api_profile == "guide" else CURRENT_DRY_RUN_STATUS
        if response.status_code != expected:
            run.problems.append(
                f"the dry run answered {response.status_code}, not {expected} as the {self.api_profile} API does: "
                f"{response.text[:300]}"
            )
            return
        if self.api_profile == "guide":
            run.estimated_cost = body.get("estimatedCost") if isinstance(body, dict) else None
            if not isinstance(body, dict) or body.get("statusCode") != response.status_code:
                run.problems.append(f"the dry run's statusCode is not its HTTP status {response.status_code}")
        else:
            run.estimated_cost = body.get("creativeUnitsCost") if isinstance(body, dict) else None
            details = body.get("costDetails") if isinstance(body, dict) else None
            if not isinstance(details, dict) or sum(_number(v) for v in details.values()) != run.estimated_cost:
                run.problems.append(f"the dry run's costDetails {details!r} do not sum to its creativeUnitsCost")
        if not isinstance(run.estimated_cost, int | float) or run.estimated_cost < 0:
            run.problems.append(f"the dry run's estimate {run.estimated_cost!r} is not a number >= 0")
        created = self._job_ids(run.workflow_id) - before
        if created:
            run.problems.append(f"the dry run created jobs {', '.join(sorted(created))}")

    def real_run(self, run: LifecycleRun, inputs: dict[str, Any]) -> None:
        """Run for real, poll to a terminal status acting as ``run.decision`` says, then check the reads."""
        response = self._send(run, "PUT", f"/workflows/{run.workflow_id}/run", json=inputs)
        if response.status_code != 200:
            run.problems.append(f"the run answered {response.status_code}: {response.text[:300]}")
            return
        job = _json(response)["job"]
        run.job_id = job["jobId"]
        run.reads.append(job)
        waited, acted = 0.0, False
        while job.get("status") not in TERMINAL:
            if waited >= self.timeout:
                run.problems.append(f"the job did not end within {self.timeout:g}s (last status {job.get('status')})")
                break
            self.wait(self.poll_interval)
            waited += self.poll_interval
            job = self._read_job(run, run.job_id)
            if job is None:
                return
            run.reads.append(job)
            acted = acted or self._act(run, job)
        run.problems += sequence_problems(run.reads)
        self._check_node_jobs(run, run.reads[-1])

    def _act(self, run: LifecycleRun, job: dict[str, Any]) -> bool:
        """Approve or reject a waiting review, or cancel a started node job; True once acted."""
        for node in (job.get("metadata") or {}).get("flow") or []:
            if node.get("status") != "processing":
                continue
            if node.get("type") == "user-approval" and run.decision in ("approve", "reject"):
                action = "approve" if run.decision == "approve" else "reject"
                body = {"workflowJobId": run.job_id, "nodeId": node["id"], "action": action}
                params = {"projectId": job.get("ownerId") or self.project_id}
                answer = self._send(run, "PUT", f"/workflows/{run.workflow_id}/user-approval", params=params, json=body)
                if answer.status_code != 200:
                    run.problems.append(
                        f"{action} of node {node['id']} answered {answer.status_code}: {answer.text[:300]}"
                    )
                return True
            if run.decision == "cancel-node" and node.get("jobId") and self._may_cancel(node):
                answer = self._send(run, "POST", f"/jobs/{node['jobId']}/action", json={"action": "cancel"})
                if answer.status_code != 200:
                    run.problems.append(f"cancelling node job {node['jobId']} answered {answer.status_code}")
                return True
        return False

    def _may_cancel(self, node: dict[str, Any]) -> bool:
        """Whether the API cancels this node's job: any but a review's as the guide documents, only an
        inference job's in the current API."""
        if self.api_profile == "current":
            return node.get("type") in INFERENCE_NODE_TYPES
        return node.get("type") != "user-approval"

    def _check_node_jobs(self, run: LifecycleRun, job: dict[str, Any]) -> None:
        for node in (job.get("metadata") or {}).get("flow") or []:
            node_job_id = node.get("jobId")
            if not node_job_id or node.get("status") not in ("success", "failure"):
                continue
            node_job = self._read_job(run, node_job_id)
            if node_job is None:
                continue
            parent = (node_job.get("metadata") or {}).get("workflowJobId")
            if parent not in (None, run.job_id):
                run.problems.append(f"node job {node_job_id} names workflow job {parent}, not {run.job_id}")
            expected = {"success"} if node["status"] == "success" else {"failure", "canceled"}
            if node_job.get("status") not in expected:
                run.problems.append(
                    f"node {node['id']} is {node['status']} but its job {node_job_id} is {node_job.get('status')}"
                )

    def _read_job(self, run: LifecycleRun, job_id: str) -> dict[str, Any] | None:
        response = self._send(run, "GET", f"/jobs/{job_id}")
        if response.status_code != 200:
            run.problems.append(f"reading job {job_id} answered {response.status_code}: {response.text[:300]}")
            return None
        return _json(response)["job"]

    def _job_ids(self, workflow_id: str) -> set[str]:
        response = self.client.get("/jobs", params={"workflowId": workflow_id, "pageSize": 100})
        body = _json(response) if response.status_code == 200 else {}
        return {job.get("jobId") for job in body.get("jobs", []) if isinstance(job, dict)}

    def _send(self, run: LifecycleRun, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.client.request(method, path, **kwargs)
        run.requests.append(f"{method} {response.request.url} -> {response.status_code}")
        return response


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def real_time_wait(seconds: float) -> None:
    time.sleep(seconds)
