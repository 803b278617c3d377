"""Workflows in the API's shape, and the JSON of each stored version rendered once."""

from __future__ import annotations

import threading
from typing import Any

from mockserver.core.principals import Principal
from mockserver.core.rendering import Rendered
from mockserver.scenario.asset_url import AssetUrl
from mockserver.scenario.jobs.service import DryRun
from mockserver.scenario.workflows.models import AssetRef, Workflow
from mockserver.scenario.workflows.search import team_id


def workflow_view(workflow: Workflow, asset_url: AssetUrl, full: bool = True) -> dict[str, Any]:
    """The workflow as the API returns it; ``full=False`` leaves out flow and editorInfo."""
    body = workflow.model_dump(by_alias=True, exclude_none=True, exclude={"before", "after", "thumbnail"})
    body["hasFlow"] = workflow.has_flow
    for name in ("before", "after", "thumbnail"):
        ref: AssetRef | None = getattr(workflow, name)
        if ref is not None:
            body[name] = {"assetId": ref.asset_id, "url": asset_url(ref.asset_id)}
    if not full:
        del body["flow"], body["editorInfo"]
    return body


def search_hit(workflow: Workflow, asset_url: AssetUrl) -> dict[str, Any]:
    """A workflow as a search hit: its listing facts, without flow, inputs or editor state."""
    hit: dict[str, Any] = {
        "id": workflow.id,
        "name": workflow.name,
        "description": workflow.description,
        "shortDescription": workflow.short_description,
        "status": workflow.status,
        "privacy": workflow.privacy,
        "ownerId": workflow.owner_id,
        "authorId": workflow.author_id,
        "teamId": team_id(workflow.owner_id),
        "tags": list(workflow.tag_set),
        "collectionIds": [],
        "createdAt": workflow.created_at,
        "updatedAt": workflow.updated_at,
    }
    for name in ("before", "after", "thumbnail"):
        ref: AssetRef | None = getattr(workflow, name)
        if ref is not None:
            hit[name] = {"assetId": ref.asset_id, "url": asset_url(ref.asset_id)}
    return hit


class RenderedVersions:
    """:func:`workflow_view` rendered to JSON, for the versions most recently asked for.

    A workflow is read far more often than it changes, and a page of workflows is then a join of bytes,
    not a walk over every workflow's objects. A stored version is never changed in place (a change is a new
    version, a new object), so a rendering is filed under the version's identity: an entry holds its version,
    which keeps that identity from being reused while the entry lives. Each asset base (each ``Host`` a client
    sends) renders its own, so the renderings kept are bounded in number and in bytes (a workflow may be
    megabytes): the least recently used go first, and one larger than the whole budget is not kept.

    Fakes in other threads share the renderings, under a lock of their own; a version is rendered outside
    it, so a race at worst renders a version twice.
    """

    def __init__(self, capacity: int, max_bytes: int = 32 * 1024 * 1024) -> None:
        if capacity < 1:
            raise ValueError("a rendering must fit")
        self.capacity = capacity
        self.max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()
        # In order of use, the least recent first: a rendering used is moved to the end.
        self._entries: dict[tuple[int, str, bool], tuple[Workflow, Rendered]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def kept_bytes(self) -> int:
        return self._bytes

    def json(self, workflow: Workflow, asset_url: AssetUrl, full: bool = True) -> Rendered:
        key = (id(workflow), asset_url.base, full)
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is not None:
                self._entries[key] = entry
                return entry[1]
        rendered = Rendered(workflow_view(workflow, asset_url, full))
        if len(rendered.json) <= self.max_bytes:
            with self._lock:
                self._keep(key, (workflow, rendered))
        return rendered

    def _keep(self, key: tuple[int, str, bool], entry: tuple[Workflow, Rendered]) -> None:
        replaced = self._entries.pop(key, None)
        if replaced is not None:
            self._bytes -= len(replaced[1].json)
        self._entries[key] = entry
        self._bytes += len(entry[1].json)
        while len(self._entries) > self.capacity or self._bytes > self.max_bytes:
            _, dropped = self._entries.pop(next(iter(self._entries)))
            self._bytes -= len(dropped.json)


RENDERED = RenderedVersions(capacity=2048)


def workflow_json(workflow: Workflow, asset_url: AssetUrl, full: bool = True) -> Rendered:
    """:func:`workflow_view`, rendered once per version, asset base and fullness while it is in use."""
    return RENDERED.json(workflow, asset_url, full)


def dry_run_view(dry_run: DryRun, principal: Principal, now: str, asset_url: AssetUrl) -> dict[str, Any]:
    """The current API's answer to a dry run: the cost, split by billing action, and the run's usual
    ``{job, workflow}``, whose job was never created (no id, no status history)."""
    estimate = dry_run.estimate
    # The fake prices every project at one tier, with no discount.
    discount = 0
    job = {
        "jobId": "",
        "jobType": "workflow",
        "status": "pending",
        "progress": 0,
        "statusHistory": [],
        "createdAt": now,
        "updatedAt": now,
        "ownerId": principal.project_id,
        "authorId": principal.user_id,
        "billing": {"cuCost": estimate.total, "cuDiscount": discount},
        "metadata": {"input": dry_run.values, "workflowId": dry_run.workflow.id},
    }
    return {
        "creativeUnitsCost": estimate.total,
        "creativeUnitsDiscount": discount,
        "costDetails": estimate.by_action,
        "job": job,
        "workflow": workflow_json(dry_run.workflow, asset_url),
    }
