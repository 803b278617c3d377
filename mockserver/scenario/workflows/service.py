"""Workflow operations: create, read, update, delete, list and tags.

Knows nothing of HTTP: it takes a :class:`Principal` and plain values, returns
domain objects and raises :mod:`mockserver.core.errors` on refusals.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from mockserver.core.clock import Clock, iso, parse_iso
from mockserver.core.errors import BadRequest
from mockserver.core.ids import IdFactory
from mockserver.core.pagination import decode_token, encode_token
from mockserver.core.principals import Principal
from mockserver.scenario.assets.service import asset_problem
from mockserver.scenario.store import ScenarioStore
from mockserver.scenario.workflows import access, search
from mockserver.scenario.workflows.flow import validate_flow
from mockserver.scenario.workflows.models import PRIVACIES, AssetRef, Privacy, Workflow, with_default_kinds
from mockserver.scenario.workflows.nesting import check_does_not_run_itself
from mockserver.scenario.workflows.search import WorkflowSearch

SortDirection = Literal["asc", "desc"]

# Body fields of an update and the Workflow attribute each one sets.
_PLAIN_FIELDS = {
    "name": "name",
    "description": "description",
    "shortDescription": "short_description",
    "status": "status",
    "tagSet": "tag_set",
    "outputAssetKinds": "output_asset_kinds",
    "editorInfo": "editor_info",
    "privacy": "privacy",
    "uiConfig": "ui_config",
}
_ASSET_FIELDS = ("before", "after", "thumbnail")


@dataclass(frozen=True)
class WorkflowQuery:
    privacy: Privacy = "private"
    status: str | None = None
    tags: tuple[str, ...] = ()
    sort_direction: SortDirection = "desc"
    full: bool = True
    page_size: int = 50
    pagination_token: str | None = None


@dataclass
class WorkflowPage:
    workflows: list[Workflow]
    next_token: str | None
    full: bool = True


@dataclass
class SearchResult:
    hits: list[Workflow]
    total: int
    # What the answer says of its paging: offset and limit, or page, hitsPerPage and totalPages.
    paging: dict[str, int]


@dataclass
class WorkflowService:
    store: ScenarioStore
    clock: Clock
    ids: IdFactory = field(default_factory=IdFactory)
    # ``workflow`` as the guide shows ids, ``wflow`` as the current API makes them.
    id_prefix: str = "workflow"

    def create(self, principal: Principal, name: str, description: str) -> Workflow:
        access.require_can_create(principal)
        now = iso(self.clock.now())
        workflow = Workflow(
            id=self.ids.new(self.id_prefix),
            name=name,
            description=description,
            owner_id=principal.project_id,
            author_id=principal.user_id,
            created_at=now,
            updated_at=now,
        )
        self.store.save_workflow(workflow)
        return workflow

    def get(self, principal: Principal, workflow_id: str) -> Workflow:
        return access.require_visible(principal, self.store.get_workflow(workflow_id), workflow_id)

    def update(self, principal: Principal, workflow_id: str, changes: dict[str, Any]) -> Workflow:
        with self.store.lock:
            workflow = self.get(principal, workflow_id)
            access.require_writer(principal, workflow)
            access.check_update_against_lock(principal, workflow, changes)
            updated = self._apply(principal, workflow, changes)
            if "flow" in changes:
                check_does_not_run_itself(updated.id, updated.flow, flow_seen_by(self.store, principal))
            self.store.save_workflow(updated)
            return updated

    def delete(self, principal: Principal, workflow_id: str) -> None:
        with self.store.lock:
            workflow = self.get(principal, workflow_id)
            access.require_writer(principal, workflow)
            access.check_delete_against_lock(principal, workflow)
            stamp = self._next_stamp(workflow)
            self.store.save_workflow(workflow.model_copy(update={"status": "deleted", "updated_at": stamp}))

    def list(self, principal: Principal, query: WorkflowQuery) -> WorkflowPage:
        if query.privacy == "public":
            scope: tuple = ("public",)
            direction = query.sort_direction
        elif query.status:
            scope = ("project", principal.project_id, query.privacy, query.status)
            direction = query.sort_direction
        else:
            scope = ("project", principal.project_id, query.privacy)
            direction = "desc"
        filters = [scope, sorted(query.tags), direction]
        after = decode_token(query.pagination_token, filters) if query.pagination_token else None
        wanted_tags = set(query.tags)

        def accept(workflow: Workflow) -> bool:
            return not wanted_tags or not wanted_tags.isdisjoint(workflow.tag_set)

        page, last = self.store.workflow_page(scope, after, direction == "desc", query.page_size, accept)
        token = encode_token(last, filters) if last else None
        return WorkflowPage(page, token, full=query.full and query.privacy != "public")

    def search(self, principal: Principal, asked: WorkflowSearch) -> SearchResult:
        """The workflows the caller may see that match: its project's, and with ``public`` every public app."""
        asked = asked.checked()
        accept = search.parse_filter(asked.filter) if asked.filter is not None else None
        terms = search.words(asked.query or "")
        found = []
        for workflow in self._searchable(principal, asked.public):
            relevance = search.relevance(workflow, terms)
            if relevance is not None and (accept is None or accept(workflow)):
                found.append((workflow, relevance))
        return _page(search.ranked(found, asked.sort_by), asked)

    def _searchable(self, principal: Principal, public: bool) -> builtins.list[Workflow]:
        found: dict[str, Workflow] = {}
        for privacy in PRIVACIES:
            found.update((w.id, w) for w in self.store.workflows_in(("project", principal.project_id, privacy)))
        if public:
            found.update((w.id, w) for w in self.store.workflows_in(("public",)))
        return builtins.list(found.values())

    def tags(self, principal: Principal, status: str = "ready") -> builtins.list[str]:
        seen: dict[str, None] = {}
        for workflow in self.store.workflows_in(("by-status", principal.project_id, status)):
            seen.update(dict.fromkeys(workflow.tag_set))
        return sorted(seen)

    def _apply(self, principal: Principal, workflow: Workflow, changes: dict[str, Any]) -> Workflow:
        update: dict[str, Any] = {
            attribute: changes[name] for name, attribute in _PLAIN_FIELDS.items() if name in changes
        }
        if "inputs" in changes:
            update["inputs"] = with_default_kinds(changes["inputs"])
        if "flow" in changes:
            update["flow"] = changes["flow"]
        update.update(_asset_changes(changes))
        self._check_assets(workflow.owner_id, changes)
        stamp = self._next_stamp(workflow)
        if "isLocked" in changes and changes["isLocked"] != workflow.is_locked:
            update.update(
                is_locked=changes["isLocked"], locked_state_changed_at=stamp, locked_state_changed_by=principal.user_id
            )
        candidate = workflow.model_copy(update={**update, "updated_at": stamp})
        _check_flow(workflow, candidate, changes)
        if candidate.status == "ready" and (workflow.status != "ready" or "flow" in changes):
            candidate = candidate.model_copy(update={"last_ready_flow_updated_at": stamp})
        return candidate

    def _check_assets(self, project_id: str, changes: dict[str, Any]) -> None:
        """``before``, ``after`` and ``thumbnail`` name assets of the workflow's project, or null."""
        for name in _ASSET_FIELDS:
            asset_id = changes.get(name)
            if asset_id:
                problem = asset_problem(self.store, project_id, asset_id)
                if problem:
                    raise BadRequest(f"Invalid {name}: {problem}")

    def _next_stamp(self, workflow: Workflow) -> str:
        """Now, or a millisecond past the last change when the clock has not moved."""
        now = self.clock.now()
        previous = parse_iso(workflow.updated_at)
        if now <= previous:
            now = previous + timedelta(milliseconds=1)
        return iso(now)


def _page(matches: builtins.list[Workflow], asked: WorkflowSearch) -> SearchResult:
    if asked.by_pages:
        size, page = asked.hits_per_page or search.DEFAULT_LIMIT, asked.page or 1
        start = (page - 1) * size
        paging = {"page": page, "hitsPerPage": size, "totalPages": -(-len(matches) // size)}
        return SearchResult(matches[start : start + size], len(matches), paging)
    offset = asked.offset or 0
    limit = asked.limit if asked.limit is not None else search.DEFAULT_LIMIT
    return SearchResult(matches[offset : offset + limit], len(matches), {"offset": offset, "limit": limit})


def visible_workflow(store: ScenarioStore, principal: Principal, workflow_id: str) -> Workflow | None:
    """The workflow if ``principal`` may see it; None as if it did not exist otherwise."""
    workflow = store.get_workflow(workflow_id)
    return workflow if workflow is not None and access.is_visible(principal, workflow) else None


def flow_seen_by(store: ScenarioStore, principal: Principal) -> Callable[[str], list | None]:
    """A workflow's flow by its id, as ``principal`` sees it: None for one it cannot see."""

    def flow_of(workflow_id: str) -> list | None:
        workflow = visible_workflow(store, principal, workflow_id)
        return workflow.flow if workflow is not None else None

    return flow_of


def _asset_changes(changes: dict[str, Any]) -> dict[str, AssetRef | None]:
    update: dict[str, AssetRef | None] = {}
    for name in _ASSET_FIELDS:
        if name in changes:
            asset_id = changes[name]
            update[name] = AssetRef(asset_id=asset_id) if asset_id else None
    # The API keeps the thumbnail identical to the "after" asset unless told otherwise.
    if "after" in changes and "thumbnail" not in changes:
        update["thumbnail"] = update["after"]
    return update


def check_whole(workflow: Workflow) -> None:
    """What ``PUT /workflows/{id}`` checks of a workflow sent with all its fields (as a fixture is)."""
    if workflow.flow or workflow.status == "ready":
        _check_flow(workflow, workflow, {"flow": workflow.flow})


def _check_flow(before: Workflow, after: Workflow, changes: dict[str, Any]) -> None:
    if "flow" in changes or "inputs" in changes:
        validate_flow(after.flow, after.inputs)
    if after.status == "ready" and not after.flow:
        raise BadRequest(f"Workflow {before.id} cannot be set to ready: its flow is empty")
    if after.status == "ready" and before.status != "ready" and "flow" not in changes:
        validate_flow(after.flow, after.inputs)
