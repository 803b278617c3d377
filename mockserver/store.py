"""Where the fake keeps its records.

:class:`Store` is the interface the domain uses; :class:`InMemoryStore` is the
one backend today. Secondary indexes are derived from the records on save, so a
record is never stored twice.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable, Iterator
from typing import Any, Protocol

from mockserver.index import Key, OrderedIndex, take_page
from mockserver.jobs.models import Job
from mockserver.workflows.models import Workflow


def workflow_scopes(workflow: Workflow) -> list[Hashable]:
    """The listings a workflow appears in."""
    owner = workflow.owner_id
    scopes: list[Hashable] = [("by-status", owner, workflow.status)]
    if workflow.is_deleted:
        return scopes
    scopes += [("project", owner, workflow.privacy), ("project", owner, workflow.privacy, workflow.status)]
    if workflow.privacy == "public" and workflow.status == "ready":
        scopes.append(("public",))
    return scopes


def job_keys(job: Job) -> list[tuple[Hashable, Key]]:
    """The job listings a job appears in, each with its sort key."""
    owner = job.owner_id
    by_update = (job.updated_at, job.job_id)
    keys: list[tuple[Hashable, Key]] = [
        (("jobs-created", owner), (job.created_at, job.job_id)),
        (("jobs-updated", owner), by_update),
        (("jobs-updated", owner, "status", job.status), by_update),
        (("jobs-updated", owner, "type", job.job_type), by_update),
    ]
    if job.workflow_id:
        keys.append((("jobs-updated", owner, "workflow", job.workflow_id), by_update))
    return keys


class Store(Protocol):
    lock: threading.RLock

    def get_workflow(self, workflow_id: str) -> Workflow | None: ...

    def save_workflow(self, workflow: Workflow) -> None: ...

    def workflow_page(
        self, scope: Hashable, after: Key | None, descending: bool, limit: int, accept: Any
    ) -> tuple[list[Workflow], Key | None]: ...

    def workflows_in(self, scope: Hashable) -> Iterator[Workflow]: ...

    def all_workflows(self) -> Iterable[Workflow]: ...

    def get_job(self, job_id: str) -> Job | None: ...

    def save_job(self, job: Job) -> None: ...

    def job_page(
        self, scope: Hashable, after: Key | None, descending: bool, limit: int, accept: Any
    ) -> tuple[list[Job], Key | None]: ...

    def all_jobs(self) -> Iterable[Job]: ...

    def save_asset(self, asset_id: str, kind: str) -> None: ...

    def asset_kind(self, asset_id: str) -> str | None: ...

    def clear(self) -> None: ...


class InMemoryStore:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._workflows: dict[str, Workflow] = {}
        self._workflow_index = OrderedIndex()
        self._jobs: dict[str, Job] = {}
        self._job_index = OrderedIndex()
        self._job_keys: dict[str, list[tuple[Hashable, Key]]] = {}
        self._assets: dict[str, str] = {}

    def get_workflow(self, workflow_id: str) -> Workflow | None:
        return self._workflows.get(workflow_id)

    def save_workflow(self, workflow: Workflow) -> None:
        with self.lock:
            previous = self._workflows.get(workflow.id)
            if previous is not None:
                for scope in workflow_scopes(previous):
                    self._workflow_index.discard(scope, _key(previous))
            self._workflows[workflow.id] = workflow
            for scope in workflow_scopes(workflow):
                self._workflow_index.add(scope, _key(workflow))

    def workflow_page(
        self, scope: Hashable, after: Key | None, descending: bool, limit: int, accept: Any
    ) -> tuple[list[Workflow], Key | None]:
        keys = self._workflow_index.keys(scope, after, descending)
        return take_page(keys, self._workflows.get, limit, accept)

    def workflows_in(self, scope: Hashable) -> Iterator[Workflow]:
        for _, workflow_id in self._workflow_index.keys(scope):
            yield self._workflows[workflow_id]

    def all_workflows(self) -> Iterable[Workflow]:
        return list(self._workflows.values())

    def get_job(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def save_job(self, job: Job) -> None:
        """Store a job, or re-index one changed in place."""
        with self.lock:
            for scope, key in self._job_keys.get(job.job_id, ()):
                self._job_index.discard(scope, key)
            self._jobs[job.job_id] = job
            keys = job_keys(job)
            for scope, key in keys:
                self._job_index.add(scope, key)
            self._job_keys[job.job_id] = keys

    def job_page(
        self, scope: Hashable, after: Key | None, descending: bool, limit: int, accept: Any
    ) -> tuple[list[Job], Key | None]:
        keys = self._job_index.keys(scope, after, descending)
        return take_page(keys, self._jobs.get, limit, accept)

    def all_jobs(self) -> Iterable[Job]:
        return list(self._jobs.values())

    def save_asset(self, asset_id: str, kind: str) -> None:
        self._assets[asset_id] = kind

    def asset_kind(self, asset_id: str) -> str | None:
        return self._assets.get(asset_id)

    def clear(self) -> None:
        with self.lock:
            self._workflows.clear()
            self._workflow_index.clear()
            self._jobs.clear()
            self._job_index.clear()
            self._job_keys.clear()
            self._assets.clear()


def _key(workflow: Workflow) -> Key:
    return (workflow.updated_at, workflow.id)
