"""What the kit may send to a live API: reads and dry runs, unless told otherwise.

Against a live target the kit never spends credits or destroys data by default:

- reads (``GET``, and the search ``POST /search/workflows``) and dry runs (``PUT .../run?dryRun=true``)
  always go;
- with ``allow_writes``, it creates workflows, marked with :data:`KIT_TAG` in their name, and
  changes, deletes, approves, selects or cancels only what it made itself (the :class:`Ledger`);
- with ``allow_spending``, it also really runs the workflows it made, within a :class:`Budget`: each
  real run is estimated by a dry run of it first, and one that would exceed the budget is not made
  (the dry run's answer stands for it, as a real run becomes a dry run without ``allow_spending``).

Generated requests are steered to keep these rules (:func:`make_safe`), and a
:class:`GuardedSession` refuses to send any request that would still break them.
A fake the kit made itself is :data:`UNRESTRICTED`.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests

from mockserver.kit.budget import Budget, estimate_of

KIT_TAG = "mockserver-kit"
NAME_MARK = f"[{KIT_TAG}]"
# Ids the kit substitutes for others' resources: no real workflow or job is named so, so the request is a 404.
ABSENT_WORKFLOW_ID = "workflow_mockserver-kit-absent"
ABSENT_JOB_ID = "job_mockserver-kit-absent"

# Methods that change nothing, by HTTP's definition.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Posts that only read: a search's criteria travel in its body.
READ_POSTS = frozenset({"/search/workflows"})
_WORKFLOW_PATH = re.compile(r"/workflows/(?P<id>[^/]+)(?P<rest>/run|/user-approval|/user-selection)?")
DECISION_OPERATIONS = ("userApproval", "userSelection")
_JOB_ACTION_PATH = re.compile(r"/jobs/(?P<id>[^/]+)/action")
# POSTs that only read: assets by their ids, and the download URL of an asset.
_READING_POSTS = re.compile(r"/assets/get-bulk|/assets/(?!download$)[^/]+/download")


class UnsafeRequest(RuntimeError):
    """A request the kit refused to send to a live target."""


@dataclass(frozen=True)
class Policy:
    allow_writes: bool = False
    allow_spending: bool = False
    restricted: bool = True

    def describe(self) -> str:
        if not self.restricted:
            return "everything (a fake the kit made)"
        if self.allow_spending:
            return "reads, dry runs, writes and real runs of what the kit creates"
        if self.allow_writes:
            return "reads, dry runs, and writes on what the kit creates"
        return "reads and dry runs only"


UNRESTRICTED = Policy(allow_writes=True, allow_spending=True, restricted=False)


@dataclass
class Ledger:
    """The workflows and jobs the kit made on the target, learnt from its own responses."""

    workflows: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    jobs: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def owns_workflow(self, workflow_id: str) -> bool:
        return workflow_id in self.workflows

    def owns_job(self, job_id: str) -> bool:
        return job_id in self.jobs

    def observe(self, method: str, path: str, status: int, body: Any) -> None:
        """Learn from one response of the target."""
        if not 200 <= status < 300 or not isinstance(body, dict):
            return
        with self._lock:
            if method == "POST" and path == "/workflows":
                workflow_id = _dig(body, "workflow", "id")
                if isinstance(workflow_id, str):
                    self.workflows.add(workflow_id)
            elif method == "DELETE" and (found := _WORKFLOW_PATH.fullmatch(path)) and not found["rest"]:
                self.deleted.add(found["id"])
            job = body.get("job")
            if isinstance(job, dict) and self._is_ours(job):
                self.jobs.add(str(job.get("jobId")))
                for node in _dig(job, "metadata", "flow") or []:
                    if isinstance(node, dict) and isinstance(node.get("jobId"), str):
                        self.jobs.add(node["jobId"])

    def _is_ours(self, job: dict[str, Any]) -> bool:
        metadata = job.get("metadata") if isinstance(job.get("metadata"), dict) else {}
        return (
            job.get("jobId") in self.jobs
            or metadata.get("workflowId") in self.workflows
            or metadata.get("workflowJobId") in self.jobs
        )

    def undeleted(self) -> list[str]:
        with self._lock:
            return sorted(self.workflows - self.deleted)


def refusal(
    policy: Policy, ledger: Ledger, method: str, path: str, query: dict[str, list[str]], body: Any
) -> str | None:
    """Why the kit must not send this request to the target, or None when it may."""
    if not policy.restricted or method in READ_METHODS or (method == "POST" and path in READ_POSTS):
        return None
    if method == "POST" and _READING_POSTS.fullmatch(path):
        return None
    if method == "POST" and path == "/workflows":
        return None if policy.allow_writes else "creating a workflow needs --allow-writes"
    if method == "POST" and (found := _JOB_ACTION_PATH.fullmatch(path)):
        return _needs_own(policy, found["id"] == ABSENT_JOB_ID or ledger.owns_job(found["id"]), "act on a job")
    found = _WORKFLOW_PATH.fullmatch(path)
    if found is None:
        return f"{method} {path} is not an operation the kit knows to be safe"
    workflow_id, rest = found["id"], found["rest"]
    owned = workflow_id == ABSENT_WORKFLOW_ID or ledger.owns_workflow(workflow_id)
    if rest == "/run":
        if query.get("dryRun") == ["true"]:
            return None
        if not policy.allow_spending:
            return "a real run needs --allow-spending (dry runs are always allowed)"
        return None if owned else "the kit really runs only the workflows it created"
    if rest in ("/user-approval", "/user-selection"):
        job_id = body.get("workflowJobId") if isinstance(body, dict) else None
        # An id that is not a string names no job: such a body cannot touch anyone's data.
        job_owned = not isinstance(job_id, str) or job_id == ABSENT_JOB_ID or ledger.owns_job(job_id)
        return _needs_own(policy, owned and job_owned, "approve or reject a node")
    if method in ("PUT", "DELETE"):
        return _needs_own(policy, owned, "change or delete a workflow")
    return f"{method} {path} is not an operation the kit knows to be safe"


def _needs_own(policy: Policy, owned: bool, what: str) -> str | None:
    if not policy.allow_writes:
        return f"to {what} needs --allow-writes"
    return None if owned else f"the kit may {what} only on what it created"


def make_safe(
    policy: Policy, ledger: Ledger, operation_id: str, path_parameters: dict[str, Any], query: dict[str, Any], body: Any
) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """The request steered to keep the policy: a real run becomes a dry run, others' ids become absent ones."""
    if not policy.restricted:
        return path_parameters, query, body
    path_parameters, query = dict(path_parameters), dict(query)
    owned = ledger.owns_workflow(str(path_parameters.get("workflowId")))
    if operation_id == "runWorkflow" and not (policy.allow_spending and owned):
        query["dryRun"] = "true"
    if operation_id in ("updateWorkflow", "deleteWorkflow", *DECISION_OPERATIONS) and not owned:
        path_parameters["workflowId"] = ABSENT_WORKFLOW_ID
    if operation_id in DECISION_OPERATIONS and isinstance(body, dict):
        job_id = body.get("workflowJobId")
        if isinstance(job_id, str) and not ledger.owns_job(job_id):
            body = {**body, "workflowJobId": ABSENT_JOB_ID}
    if operation_id == "jobAction" and not ledger.owns_job(str(path_parameters.get("jobId"))):
        path_parameters["jobId"] = ABSENT_JOB_ID
    # What the kit creates keeps the mark in its name, however it is renamed, so that cleanup can find it.
    if operation_id in ("createWorkflow", "updateWorkflow") and isinstance(body, dict):
        if isinstance(body.get("name"), str) and not body["name"].startswith(NAME_MARK):
            body = {**body, "name": f"{NAME_MARK} {body['name']}"}
    return path_parameters, query, body


class GuardedSession(requests.Session):
    """A requests session that refuses unsafe requests, keeps real runs within the budget, and keeps the
    ledger of what the kit made."""

    def __init__(self, policy: Policy, ledger: Ledger, api_path: str, budget: Budget | None = None) -> None:
        super().__init__()
        self.policy = policy
        self.ledger = ledger
        self.api_path = api_path.rstrip("/")
        self.budget = budget

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        method = (request.method or "GET").upper()
        parts = urlsplit(request.url or "")
        path = parts.path.removeprefix(self.api_path) or "/"
        body = _json(request.body)
        query = parse_qs(parts.query)
        reason = refusal(self.policy, self.ledger, method, path, query, body)
        if reason is not None:
            raise UnsafeRequest(f"refused to send {method} {path}: {reason}")
        if self.policy.restricted and is_real_run(method, path, query):
            response = self._budgeted_run(request, **kwargs)
        else:
            response = super().send(request, **kwargs)
        self.ledger.observe(method, path, response.status_code, _json(response.content))
        return response

    def _budgeted_run(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """The run if its dry run's estimate fits in the budget; else the dry run's answer, and nothing spent."""
        if self.budget is None:
            raise UnsafeRequest("refused to run for real: spending needs a budget")
        dry_run = request.copy()
        parts = urlsplit(request.url or "")
        query = {**parse_qs(parts.query), "dryRun": ["true"]}
        dry_run.url = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
        estimated = super().send(dry_run, **kwargs)
        estimate = estimate_of(estimated.status_code, _json(estimated.content))
        if estimate is None:
            self.budget.decline()
            return estimated
        if not self.budget.take(estimate):
            return estimated
        response = super().send(request, **kwargs)
        if response.status_code != 200:
            self.budget.give_back(estimate)
        return response


def is_real_run(method: str, path: str, query: dict[str, list[str]]) -> bool:
    found = _WORKFLOW_PATH.fullmatch(path)
    return method == "PUT" and found is not None and found["rest"] == "/run" and query.get("dryRun") != ["true"]


def _json(raw: Any) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
