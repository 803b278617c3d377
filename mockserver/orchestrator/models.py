"""The orchestrator's workflows as the fake keeps them: plain records, rendered to the API's shape on read.

A :class:`Pipeline` is one workflow of the orchestrator API (a DAG of typed
steps); the name keeps it apart from Scenario's workflows, which share the fake.
"""

from __future__ import annotations

from typing import Any

import msgspec

from mockserver.core.records import Moment, Record

WORKFLOW_STATUSES = ("PENDING", "RUNNING", "PAUSED", "COMPLETED", "FAILED", "CANCELLED")
STEP_STATUSES = ("PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED")
TASK_TYPES = ("GENERATION", "REFINE", "UPSCALE", "EDIT", "REMOVE_BACKGROUND", "VIDEO_GENERATION")
PROVIDER_TYPES = ("FAL", "REPLICATE", "OPENAI", "GOOGLE", "INTERNAL")
TRANSFORM_TYPES = ("FIRST", "LIST", "STRING", "JSON")

# Statuses each action may start from, in the order the reference names them.
STARTABLE = ("PENDING",)
CANCELLABLE = ("PENDING", "RUNNING")
RESUMABLE = ("FAILED", "PAUSED")
NOT_CLEANABLE = ("RUNNING",)


class PipelineStep(Record):
    id: str  # UUID of the step record
    step_id: str  # the id the definition gave it
    task_type: str
    defined_config: dict[str, Any]  # as created
    dependencies: list[str]
    input_mappings: list[dict[str, Any]]
    max_retries: int
    provider_config: dict[str, Any] | None
    primary_capabilities: list[str] | None
    fallback_provider_type: str | None
    fallback_provider_config: dict[str, Any] | None
    fallback_provider_capabilities: list[str] | None
    created_at: Moment
    updated_at: Moment
    config: dict[str, Any] = msgspec.field(default_factory=dict)  # the defined config, plus mapped inputs once started
    status: str = "PENDING"
    task_id: str | None = None
    result: dict[str, Any] | None = None
    error_message: str | None = None
    started_at: Moment | None = None
    completed_at: Moment | None = None
    retry_count: int = 0
    on_fallback: bool = False
    # Bumped whenever the step is reset or cancelled, so an attempt scheduled before is ignored.
    epoch: int = 0
    files_deleted: bool = False

    @property
    def active_provider_capabilities(self) -> list[str] | None:
        return self.fallback_provider_capabilities if self.on_fallback else self.primary_capabilities

    @property
    def provider_type(self) -> str:
        if self.on_fallback and self.fallback_provider_type:
            return self.fallback_provider_type
        declared = (self.provider_config or {}).get("provider_type")
        return str(declared) if declared else "INTERNAL"


class Pipeline(Record):
    id: str
    sequence: int  # creation order: breaks ties between workflows created in the same millisecond
    name: str
    description: str | None
    config: dict[str, Any]
    suppress_subtask_events: bool
    origin_instance: str
    origin_zone: str | None
    origin_tenant_id: str | None
    origin_reference: str | None
    webhook_url: str | None
    steps: list[PipelineStep]
    created_at: Moment
    updated_at: Moment
    status: str = "PENDING"
    error_message: str | None = None
    errors: list[str] = msgspec.field(default_factory=list)
    started_at: Moment | None = None
    completed_at: Moment | None = None
    is_deleted: bool = False
    deleted_at: Moment | None = None
    final_step_id: str | None = None
    final_step_result: dict[str, Any] | None = None
    paused_before: str | None = None  # the step a pause held back
    failed_step: str | None = None  # the step whose failure failed the workflow

    def step(self, step_id: str) -> PipelineStep | None:
        return next((step for step in self.steps if step.step_id == step_id), None)

    @property
    def completed_steps(self) -> int:
        return sum(1 for step in self.steps if step.status == "COMPLETED")

    @property
    def progress(self) -> float:
        if not self.steps:
            return 0.0
        return round(100 * self.completed_steps / len(self.steps), 2)

    @property
    def current_step(self) -> str | None:
        if self.status == "RUNNING":
            return next((step.step_id for step in self.steps if step.status == "RUNNING"), None)
        if self.status == "PAUSED":
            return self.paused_before
        if self.status == "FAILED":
            return self.failed_step
        return None
