"""Where the fake keeps its records.

:class:`Store` is the interface the domain uses; :class:`InMemoryStore` is the
one backend today. Secondary indexes are derived from the records on save, so a
record is never stored twice.

Workflows are kept as compressed JSON (their flows and inputs are most of
their weight: about 13 KiB each as Python objects, under 2 KiB this way), with
the most recently used ones kept decoded. Workflow objects are never changed in
place (an update saves a new copy), so a decoded one can be handed out as is.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from mockserver.core.clock import iso
from mockserver.core.index import Key, OrderedIndex, take_page
from mockserver.orchestrator.models import Pipeline
from mockserver.scenario.jobs.models import Job
from mockserver.scenario.workflows.models import Workflow

# How many workflows are kept decoded, most recently used first.
DECODED_WORKFLOWS = 512


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


def pipeline_scope(include_deleted: bool, status: str | None = None) -> Hashable:
    """The listing of the orchestrator's workflows, with or without the cleaned-up ones, of one status or all."""
    scope = ("pipelines", "all" if include_deleted else "live")
    return (*scope, status) if status else scope


def pipeline_keys(pipeline: Pipeline) -> tuple[Key, list[Hashable]]:
    """The sort key of an orchestrator workflow (by creation, then creation order) and the listings it is in."""
    key = (f"{iso(pipeline.created_at)}#{pipeline.sequence:012d}", pipeline.id)
    scopes = [pipeline_scope(True), pipeline_scope(True, pipeline.status)]
    if not pipeline.is_deleted:
        scopes += [pipeline_scope(False), pipeline_scope(False, pipeline.status)]
    return key, scopes


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

    def all_assets(self) -> dict[str, str]: ...

    def get_pipeline(self, pipeline_id: str) -> Pipeline | None: ...

    def save_pipeline(self, pipeline: Pipeline) -> None: ...

    def pipelines_in(self, scope: Hashable) -> Iterator[Pipeline]: ...

    def count_pipelines(self, scope: Hashable) -> int: ...

    def all_pipelines(self) -> Iterable[Pipeline]: ...

    def clear(self) -> None: ...


class InMemoryStore:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._workflows: dict[str, _StoredWorkflow] = {}
        self._decoded: OrderedDict[str, Workflow] = OrderedDict()
        self._workflow_index = OrderedIndex()
        self._jobs: dict[str, Job] = {}
        self._job_index = OrderedIndex()
        self._job_keys: dict[str, list[tuple[Hashable, Key]]] = {}
        self._assets: dict[str, str] = {}
        self._pipelines: dict[str, Pipeline] = {}
        self._pipeline_index = OrderedIndex()
        self._pipeline_keys: dict[str, tuple[Key, list[Hashable]]] = {}

    def get_workflow(self, workflow_id: str) -> Workflow | None:
        workflow = self._decoded.get(workflow_id)
        if workflow is not None:
            self._decoded.move_to_end(workflow_id)
            return workflow
        stored = self._workflows.get(workflow_id)
        if stored is None:
            return None
        workflow = Workflow.model_validate_json(zlib.decompress(stored.blob))
        self._remember(workflow)
        return workflow

    def save_workflow(self, workflow: Workflow) -> None:
        with self.lock:
            previous = self._workflows.get(workflow.id)
            if previous is not None:
                for scope in previous.scopes:
                    self._workflow_index.discard(scope, previous.key)
            stored = _StoredWorkflow.of(workflow)
            self._workflows[workflow.id] = stored
            for scope in stored.scopes:
                self._workflow_index.add(scope, stored.key)
            self._remember(workflow)

    def workflow_page(
        self, scope: Hashable, after: Key | None, descending: bool, limit: int, accept: Any
    ) -> tuple[list[Workflow], Key | None]:
        keys = self._workflow_index.keys(scope, after, descending)
        return take_page(keys, self.get_workflow, limit, accept)

    def workflows_in(self, scope: Hashable) -> Iterator[Workflow]:
        for _, workflow_id in self._workflow_index.keys(scope):
            workflow = self.get_workflow(workflow_id)
            if workflow is not None:
                yield workflow

    def all_workflows(self) -> Iterable[Workflow]:
        return [workflow for workflow_id in list(self._workflows) if (workflow := self.get_workflow(workflow_id))]

    def _remember(self, workflow: Workflow) -> None:
        self._decoded[workflow.id] = workflow
        self._decoded.move_to_end(workflow.id)
        while len(self._decoded) > DECODED_WORKFLOWS:
            self._decoded.popitem(last=False)

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

    def all_assets(self) -> dict[str, str]:
        """Every asset id with its kind, in the order they were made."""
        return dict(self._assets)

    def get_pipeline(self, pipeline_id: str) -> Pipeline | None:
        return self._pipelines.get(pipeline_id)

    def save_pipeline(self, pipeline: Pipeline) -> None:
        """Store an orchestrator workflow, or re-index one changed in place."""
        with self.lock:
            previous = self._pipeline_keys.get(pipeline.id)
            if previous is not None:
                key, scopes = previous
                for scope in scopes:
                    self._pipeline_index.discard(scope, key)
            self._pipelines[pipeline.id] = pipeline
            key, scopes = pipeline_keys(pipeline)
            for scope in scopes:
                self._pipeline_index.add(scope, key)
            self._pipeline_keys[pipeline.id] = (key, scopes)

    def pipelines_in(self, scope: Hashable) -> Iterator[Pipeline]:
        """Newest first."""
        for _, pipeline_id in self._pipeline_index.keys(scope):
            yield self._pipelines[pipeline_id]

    def count_pipelines(self, scope: Hashable) -> int:
        return self._pipeline_index.count(scope)

    def all_pipelines(self) -> Iterable[Pipeline]:
        return list(self._pipelines.values())

    def clear(self) -> None:
        with self.lock:
            self._pipelines.clear()
            self._pipeline_index.clear()
            self._pipeline_keys.clear()
            self._workflows.clear()
            self._decoded.clear()
            self._workflow_index.clear()
            self._jobs.clear()
            self._job_index.clear()
            self._job_keys.clear()
            self._assets.clear()


@dataclass(frozen=True, slots=True)
class _StoredWorkflow:
    key: Key
    scopes: tuple[Hashable, ...]
    blob: bytes  # the workflow as zlib-compressed JSON

    @classmethod
    def of(cls, workflow: Workflow) -> _StoredWorkflow:
        blob = zlib.compress(workflow.model_dump_json(by_alias=True, exclude_none=True).encode())
        return cls((workflow.updated_at, workflow.id), tuple(workflow_scopes(workflow)), blob)
