"""Scenario's tables: workflows, jobs, assets, uploads and download archives.

Workflows are kept as compressed JSON (their flows and inputs are most of
their weight, and compress well: bench/bench_scale.py measures it), with
the most recently used ones kept decoded. Workflow objects are never changed in
place (an update saves a new copy), so a decoded one can be handed out as is.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from typing import Any

from mockserver.core.index import Cursor, Key
from mockserver.core.store import Store
from mockserver.scenario.assets.models import Asset, DownloadRequest, Upload
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


def asset_keys(asset: Asset) -> list[tuple[Hashable, Key]]:
    """The asset listings an asset appears in: its project's by creation and by update, or the deleted ones."""
    owner = asset.owner_id
    if asset.deleted_at is not None:
        return [(("assets-deleted", owner), (asset.deleted_at, asset.asset_id))]
    return [
        (("assets", owner, "createdAt"), (asset.created_at, asset.asset_id)),
        (("assets", owner, "updatedAt"), (asset.updated_at, asset.asset_id)),
    ]


@dataclass(frozen=True, slots=True)
class _StoredWorkflow:
    key: Key
    scopes: tuple[Hashable, ...]
    blob: bytes  # the workflow as zlib-compressed JSON

    @classmethod
    def of(cls, workflow: Workflow) -> _StoredWorkflow:
        blob = zlib.compress(workflow.model_dump_json(by_alias=True, exclude_none=True).encode())
        return cls((workflow.updated_at, workflow.id), tuple(workflow_scopes(workflow)), blob)

    def listings(self) -> list[tuple[Hashable, Key]]:
        return [(scope, self.key) for scope in self.scopes]


class ScenarioStore:
    def __init__(self, store: Store) -> None:
        self.lock = store.lock
        self._workflows = store.table(_StoredWorkflow.listings, changed_in_place=False)
        self._decoded: OrderedDict[str, Workflow] = OrderedDict()
        self._jobs = store.table(job_keys)
        self._assets = store.table(asset_keys, changed_in_place=False)
        self._uploads: dict[str, Upload] = {}
        self._downloads: dict[str, DownloadRequest] = {}

    # ---- workflows

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
            self._workflows.save(workflow.id, _StoredWorkflow.of(workflow))
            self._remember(workflow)

    def workflow_page(
        self, scope: Hashable, after: Cursor | None, descending: bool, limit: int, accept: Any
    ) -> tuple[list[Workflow], Cursor | None]:
        return self._workflows.page(scope, after, descending, limit, accept, self.get_workflow)

    def workflows_in(self, scope: Hashable) -> Iterator[Workflow]:
        for _, workflow_id, _ in self._workflows.entries(scope):
            workflow = self.get_workflow(workflow_id)
            if workflow is not None:
                yield workflow

    def all_workflows(self) -> list[Workflow]:
        return [workflow for workflow_id in self._workflows.ids() if (workflow := self.get_workflow(workflow_id))]

    def _remember(self, workflow: Workflow) -> None:
        self._decoded[workflow.id] = workflow
        self._decoded.move_to_end(workflow.id)
        while len(self._decoded) > DECODED_WORKFLOWS:
            self._decoded.popitem(last=False)

    # ---- jobs

    def get_job(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def save_job(self, job: Job) -> None:
        """Store a job, or re-index one changed in place."""
        self._jobs.save(job.job_id, job)

    def save_jobs(self, jobs: list[Job]) -> None:
        """Store many jobs at once, as a restore does."""
        self._jobs.save_all((job.job_id, job) for job in jobs)

    def job_page(
        self, scope: Hashable, after: Cursor | None, descending: bool, limit: int, accept: Any
    ) -> tuple[list[Job], Cursor | None]:
        return self._jobs.page(scope, after, descending, limit, accept)

    def all_jobs(self) -> list[Job]:
        return self._jobs.all()

    # ---- assets

    def save_asset(self, asset: Asset) -> None:
        """Store an asset; a changed asset is saved as a new record, never changed in place."""
        self._assets.save(asset.asset_id, asset)

    def get_asset(self, asset_id: str) -> Asset | None:
        return self._assets.get(asset_id)

    def asset_page(
        self, scope: Hashable, after: Cursor | None, descending: bool, limit: int, accept: Any
    ) -> tuple[list[Asset], Cursor | None]:
        return self._assets.page(scope, after, descending, limit, accept)

    def all_assets(self) -> list[Asset]:
        """Every asset, in the order they were made."""
        return self._assets.all()

    def save_upload(self, upload: Upload) -> None:
        self._uploads[upload.upload_id] = upload

    def get_upload(self, upload_id: str) -> Upload | None:
        return self._uploads.get(upload_id)

    def all_uploads(self) -> list[Upload]:
        return list(self._uploads.values())

    def save_download(self, download: DownloadRequest) -> None:
        self._downloads[download.job_id] = download

    def get_download(self, job_id: str) -> DownloadRequest | None:
        return self._downloads.get(job_id)

    def all_downloads(self) -> list[DownloadRequest]:
        return list(self._downloads.values())

    def clear(self) -> None:
        with self.lock:
            self._workflows.clear()
            self._decoded.clear()
            self._jobs.clear()
            self._assets.clear()
            self._uploads.clear()
            self._downloads.clear()
