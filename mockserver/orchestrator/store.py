"""The orchestrator API's table: its workflows (pipelines), listed newest first, live or all, by status."""

from __future__ import annotations

from collections.abc import Hashable, Iterator

from mockserver.core.clock import iso
from mockserver.core.index import Key
from mockserver.core.store import Store
from mockserver.orchestrator.models import Pipeline


def pipeline_scope(include_deleted: bool, status: str | None = None) -> Hashable:
    """The listing of the orchestrator's workflows, with or without the cleaned-up ones, of one status or all."""
    scope = ("pipelines", "all" if include_deleted else "live")
    return (*scope, status) if status else scope


def pipeline_keys(pipeline: Pipeline) -> list[tuple[Hashable, Key]]:
    """The listings an orchestrator workflow is in, each with its sort key: by creation, then creation order."""
    key = (f"{iso(pipeline.created_at)}#{pipeline.sequence:012d}", pipeline.id)
    scopes = [pipeline_scope(True), pipeline_scope(True, pipeline.status)]
    if not pipeline.is_deleted:
        scopes += [pipeline_scope(False), pipeline_scope(False, pipeline.status)]
    return [(scope, key) for scope in scopes]


class OrchestratorStore:
    def __init__(self, store: Store) -> None:
        self.lock = store.lock
        self._pipelines = store.table(pipeline_keys)

    def get_pipeline(self, pipeline_id: str) -> Pipeline | None:
        return self._pipelines.get(pipeline_id)

    def save_pipeline(self, pipeline: Pipeline) -> None:
        """Store an orchestrator workflow, or re-index one changed in place."""
        self._pipelines.save(pipeline.id, pipeline)

    def pipelines_in(self, scope: Hashable) -> Iterator[Pipeline]:
        """Newest first."""
        return self._pipelines.in_scope(scope)

    def count_pipelines(self, scope: Hashable) -> int:
        return self._pipelines.count(scope)

    def all_pipelines(self) -> list[Pipeline]:
        return self._pipelines.all()

    def clear(self) -> None:
        self._pipelines.clear()
