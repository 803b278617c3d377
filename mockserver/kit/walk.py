"""What the stateful walk achieved: the sequences that make it more than random calls.

The walk follows the contract's links. Each scenario is read for milestones that
only a stateful fake reaches: a workflow created and found again, published with
a flow and made ``ready``, run, its job polled and cancelled, its review step
decided, and, once deleted, answered 404.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from hypothesis.stateful import RULE_MARKER
from schemathesis.generation.stateful.state_machine import normalize_name

MILESTONES = {
    "created": "workflows created",
    "found": "created workflows read back",
    "published": "created workflows made ready",
    "ran": "published workflows run",
    "polled": "their jobs polled",
    "ended": "their jobs seen ending",
    "cancelled": "their jobs cancelled",
    "decided": "their reviews approved or rejected",
    "deleted": "created workflows deleted",
    "gone": "deleted workflows answered 404",
}


# The links that take a workflow through its life; the walk follows them more often than the others.
LIFECYCLE_LINKS = (
    "PublishCreatedWorkflow",
    "RunUpdatedWorkflow",
    "GetRunJob",
    "PollThisJob",
    "CancelRunJob",
    "CancelFirstNodeJob",
    "DecideRunReview",
    "DecideJobReview",
)


def start_from_listings_and_creation(machine: type, operations: list[Any]) -> None:
    """Begin scenarios only with calls that need no id; random ids are the stateless suite's job."""
    dropped = {operation.label for operation in operations if operation.path_parameters}
    for label in dropped:
        setattr(machine, normalize_name(f"RANDOM -> {label}"), None)
    # Schemathesis lets a root run again only while no other root is left: it must know which ones are.
    machine._root_labels = frozenset(machine._root_labels - dropped)
    machine.root_rules = frozenset(name for name in machine.root_rules if getattr(machine, name, None) is not None)


def favour_lifecycle(machine: type, weight: int) -> None:
    """Make each lifecycle link ``weight`` times as likely to be picked (Hypothesis picks rules uniformly)."""
    for name, member in list(vars(machine).items()) + list(vars(machine.__mro__[1]).items()):
        if getattr(member, RULE_MARKER, None) is None or not any(link in name for link in LIFECYCLE_LINKS):
            continue
        for copy in range(1, weight):
            setattr(machine, f"{name}_{copy}", member)


class WalkLog:
    def __init__(self) -> None:
        self.milestones: Counter[str] = Counter()
        self.scenarios = 0
        self._lock = threading.Lock()
        self._forget()

    def start(self) -> None:
        """A new scenario: ids of one scenario mean nothing in the next (a fake is reset between them)."""
        with self._lock:
            self.scenarios += 1
            self._forget()

    def _forget(self) -> None:
        self._created: set[str] = set()
        self._published: set[str] = set()
        self._deleted: set[str] = set()
        self._jobs: set[str] = set()

    def observe(self, case: Any, response: Any) -> None:
        operation_id = case.operation.definition.raw.get("operationId", "")
        path = case.path_parameters or {}
        body = _json(response)
        with self._lock:
            self._observe(operation_id, path, response.status_code, body if isinstance(body, dict) else {})

    def _observe(self, operation_id: str, path: dict[str, Any], status: int, body: dict[str, Any]) -> None:
        workflow_id = path.get("workflowId")
        workflow = body.get("workflow") if isinstance(body.get("workflow"), dict) else {}
        job = body.get("job") if isinstance(body.get("job"), dict) else {}
        if operation_id == "createWorkflow" and status == 200:
            self._created.add(workflow.get("id"))
            self._hit("created")
        elif operation_id == "getWorkflow" and workflow_id in self._created:
            if status == 200 and workflow_id not in self._deleted:
                self._hit("found")
            elif status == 404 and workflow_id in self._deleted:
                self._hit("gone")
        elif operation_id == "updateWorkflow" and status == 200 and workflow_id in self._created:
            if workflow.get("status") == "ready":
                self._published.add(workflow_id)
                self._hit("published")
        elif operation_id == "runWorkflow" and status == 200 and workflow_id in self._published:
            self._remember_job(job)
            self._hit("ran")
        elif operation_id == "getJob" and status == 200 and job.get("jobId") in self._jobs:
            self._remember_job(job)
            self._hit("polled")
            if job.get("status") in ("success", "failure", "canceled"):
                self._hit("ended")
        elif operation_id == "jobAction" and status == 200 and job.get("jobId") in self._jobs:
            if job.get("status") == "canceled":
                self._hit("cancelled")
        elif operation_id == "userApproval" and status == 200 and job.get("jobId") in self._jobs:
            self._hit("decided")
        elif operation_id == "deleteWorkflow" and status == 200 and workflow_id in self._created:
            self._deleted.add(workflow_id)
            self._hit("deleted")

    def _remember_job(self, job: dict[str, Any]) -> None:
        self._jobs.add(job.get("jobId"))
        for node in (job.get("metadata") or {}).get("flow") or []:
            if isinstance(node, dict) and node.get("jobId"):
                self._jobs.add(node["jobId"])

    def _hit(self, milestone: str) -> None:
        self.milestones[milestone] += 1

    def missing(self) -> list[str]:
        return [name for name in MILESTONES if not self.milestones[name]]

    def describe(self) -> str:
        reached = ", ".join(f"{self.milestones[name]} {text}" for name, text in MILESTONES.items())
        return f"{self.scenarios} scenarios; {reached}"


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
