"""Orchestrator workflow operations: create, read, list, update, and the lifecycle actions.

Knows nothing of HTTP: takes validated requests and plain values, returns
records, and raises :mod:`mockserver.core.errors` on refusals (404 for an unknown
workflow, 400 for an action its status does not allow).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from mockserver.core.clock import Clock
from mockserver.core.errors import BadRequest, NotFound
from mockserver.core.ids import IdFactory
from mockserver.orchestrator import models
from mockserver.orchestrator.engine import StepEngine
from mockserver.orchestrator.models import Pipeline, PipelineStep
from mockserver.orchestrator.requests import CreateWorkflow, WorkflowStepDefinition
from mockserver.orchestrator.results import output_paths
from mockserver.orchestrator.store import OrchestratorStore, pipeline_scope

NOT_FOUND = "Workflow not found"


@dataclass(frozen=True)
class PipelineQuery:
    status: str | None = None
    origin_instance: str | None = None
    origin_tenant_id: str | None = None
    include_deleted: bool = False
    skip: int = 0
    limit: int = 50


@dataclass
class CleanupReport:
    tasks_processed: int = 0
    tasks_cleaned: int = 0
    deleted_paths: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


class PipelineService:
    def __init__(self, store: OrchestratorStore, clock: Clock, ids: IdFactory, engine: StepEngine) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self.engine = engine
        self._next_sequence = 1

    def create(self, definition: CreateWorkflow, start: bool) -> Pipeline:
        now = self.clock.now()
        pipeline = Pipeline(
            id=self.ids.uuid(),
            sequence=self._next_sequence,
            name=definition.name,
            description=definition.description,
            config=definition.config,
            suppress_subtask_events=definition.suppress_subtask_events,
            origin_instance=definition.origin_instance,
            origin_zone=definition.origin_zone,
            origin_tenant_id=definition.origin_tenant_id,
            origin_reference=definition.origin_reference,
            webhook_url=definition.webhook_url,
            steps=[self._step(step, now) for step in definition.steps],
            created_at=now,
            updated_at=now,
        )
        self._next_sequence += 1
        self.store.save_pipeline(pipeline)
        if start:
            self.engine.start(pipeline)
        return pipeline

    def get(self, workflow_id: str) -> Pipeline:
        pipeline = self.store.get_pipeline(workflow_id)
        if pipeline is None:
            raise NotFound(NOT_FOUND)
        return pipeline

    def list(self, query: PipelineQuery) -> tuple[list[Pipeline], int]:
        """One page, newest first, and how many workflows match in all."""
        scope = pipeline_scope(query.include_deleted, query.status)
        end = query.skip + query.limit
        if query.origin_instance is None and query.origin_tenant_id is None:
            page = list(islice(self.store.pipelines_in(scope), query.skip, end))
            return page, self.store.count_pipelines(scope)
        matches = [pipeline for pipeline in self.store.pipelines_in(scope) if _origin_matches(pipeline, query)]
        return matches[query.skip : end], len(matches)

    def update(self, workflow_id: str, changes: dict[str, Any]) -> Pipeline:
        pipeline = self.get(workflow_id)
        for name, value in changes.items():
            setattr(pipeline, name, value)
        self._touch(pipeline)
        return pipeline

    def start(self, workflow_id: str) -> Pipeline:
        pipeline = self._for_action(workflow_id, "start", "started", models.STARTABLE)
        self.engine.start(pipeline)
        return pipeline

    def cancel(self, workflow_id: str) -> Pipeline:
        pipeline = self._for_action(workflow_id, "cancel", "cancelled", models.CANCELLABLE)
        self.engine.cancel(pipeline)
        return pipeline

    def resume(self, workflow_id: str) -> Pipeline:
        pipeline = self._for_action(workflow_id, "resume", "resumed", models.RESUMABLE)
        self.engine.resume(pipeline)
        return pipeline

    def cleanup(self, workflow_id: str, cleanup_tasks: bool) -> tuple[Pipeline, CleanupReport]:
        """Soft-delete the workflow and, if asked, the output files of every task it ran."""
        pipeline = self.get(workflow_id)
        if pipeline.status in models.NOT_CLEANABLE:
            raise BadRequest(f"Cannot clean up workflow with status {pipeline.status}: cancel it first")
        report = CleanupReport()
        if cleanup_tasks:
            for step in pipeline.steps:
                if step.task_id is not None:
                    _clean_task(step, report)
        if not pipeline.is_deleted:
            pipeline.is_deleted, pipeline.deleted_at = True, self.clock.now()
        self._touch(pipeline)
        return pipeline, report

    def clear(self) -> None:
        self._next_sequence = 1

    def next_sequence(self) -> int:
        """The creation number the next workflow will get."""
        return self._next_sequence

    def continue_sequence(self, number: int) -> None:
        self._next_sequence = number

    def _for_action(self, workflow_id: str, verb: str, done: str, allowed: tuple[str, ...]) -> Pipeline:
        pipeline = self.get(workflow_id)
        if pipeline.is_deleted:
            raise BadRequest(f"Cannot {verb} workflow {workflow_id}: it has been cleaned up")
        if pipeline.status not in allowed:
            wanted = " or ".join(allowed)
            raise BadRequest(
                f"Cannot {verb} workflow with status {pipeline.status}: only a {wanted} workflow can be {done}"
            )
        return pipeline

    def _step(self, definition: WorkflowStepDefinition, now: Any) -> PipelineStep:
        fallback = definition.fallback_provider_type
        return PipelineStep(
            id=self.ids.uuid(),
            step_id=definition.id,
            task_type=definition.task_type.value,
            defined_config=definition.config,
            dependencies=list(definition.depends_on),
            input_mappings=[mapping.model_dump(mode="json") for mapping in definition.input_mappings],
            max_retries=definition.max_retries,
            provider_config=definition.provider_config,
            primary_capabilities=definition.active_provider_capabilities,
            fallback_provider_type=fallback.value if fallback is not None else None,
            fallback_provider_config=definition.fallback_provider_config,
            fallback_provider_capabilities=definition.fallback_provider_capabilities,
            created_at=now,
            updated_at=now,
            config=dict(definition.config),
        )

    def _touch(self, pipeline: Pipeline) -> None:
        now = self.clock.now()
        if now > pipeline.updated_at:
            pipeline.updated_at = now
        self.store.save_pipeline(pipeline)


def _origin_matches(pipeline: Pipeline, query: PipelineQuery) -> bool:
    return (query.origin_instance is None or pipeline.origin_instance == query.origin_instance) and (
        query.origin_tenant_id is None or pipeline.origin_tenant_id == query.origin_tenant_id
    )


def _clean_task(step: PipelineStep, report: CleanupReport) -> None:
    report.tasks_processed += 1
    if step.status == "RUNNING":
        report.errors.append(
            {
                "task_id": step.task_id,
                "step_id": step.step_id,
                "task_type": step.task_type,
                "error": "Task is still running; its files were not deleted",
            }
        )
        return
    if step.files_deleted:
        return
    step.files_deleted = True
    report.tasks_cleaned += 1
    report.deleted_paths.extend(output_paths(step))
