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


class Store(Protocol):
    lock: threading.RLock

    def get_workflow(self, workflow_id: str) -> Workflow | None: ...

    def save_workflow(self, workflow: Workflow) -> None: ...

    def workflow_page(
        self, scope: Hashable, after: Key | None, descending: bool, limit: int, accept: Any
    ) -> tuple[list[Workflow], Key | None]: ...

    def workflows_in(self, scope: Hashable) -> Iterator[Workflow]: ...

    def all_workflows(self) -> Iterable[Workflow]: ...

    def clear(self) -> None: ...


class InMemoryStore:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._workflows: dict[str, Workflow] = {}
        self._workflow_index = OrderedIndex()

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

    def clear(self) -> None:
        with self.lock:
            self._workflows.clear()
            self._workflow_index.clear()


def _key(workflow: Workflow) -> Key:
    return (workflow.updated_at, workflow.id)
