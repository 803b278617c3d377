"""Workflows and steps in the API's shape (``WorkflowPublic``, ``WorkflowStepPublic``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mockserver.core.clock import iso
from mockserver.orchestrator.models import Pipeline, PipelineStep


def workflow_view(pipeline: Pipeline) -> dict[str, Any]:
    return {
        "id": pipeline.id,
        "name": pipeline.name,
        "description": pipeline.description,
        "status": pipeline.status,
        "total_steps": len(pipeline.steps),
        "completed_steps": pipeline.completed_steps,
        "progress": pipeline.progress,
        "current_step": pipeline.current_step,
        "final_step_id": pipeline.final_step_id,
        "final_step_result": _copy(pipeline.final_step_result),
        "canvas_task_id": None,
        "config": _copy(pipeline.config),
        "suppress_subtask_events": pipeline.suppress_subtask_events,
        "origin_instance": pipeline.origin_instance,
        "origin_zone": pipeline.origin_zone,
        "origin_tenant_id": pipeline.origin_tenant_id,
        "origin_reference": pipeline.origin_reference,
        "webhook_url": pipeline.webhook_url,
        "error_message": pipeline.error_message,
        "errors": list(pipeline.errors),
        "started_at": _date(pipeline.started_at),
        "completed_at": _date(pipeline.completed_at),
        "created_at": iso(pipeline.created_at),
        "updated_at": iso(pipeline.updated_at),
        "is_deleted": pipeline.is_deleted,
        "deleted_at": _date(pipeline.deleted_at),
        "steps": [step_view(step) for step in pipeline.steps],
    }


def step_view(step: PipelineStep) -> dict[str, Any]:
    return {
        "id": step.id,
        "step_id": step.step_id,
        "task_type": step.task_type,
        "config": _copy(step.config),
        "provider_config": _copy(step.provider_config),
        "active_provider_capabilities": _copy(step.active_provider_capabilities),
        "fallback_provider_type": step.fallback_provider_type,
        "fallback_provider_config": _copy(step.fallback_provider_config),
        "fallback_provider_capabilities": _copy(step.fallback_provider_capabilities),
        "dependencies": list(step.dependencies),
        "input_mappings": _copy(step.input_mappings),
        "status": step.status,
        "task_id": step.task_id,
        "result": _copy(step.result),
        "error_message": step.error_message,
        "started_at": _date(step.started_at),
        "completed_at": _date(step.completed_at),
        "retry_count": step.retry_count,
        "max_retries": step.max_retries,
        "created_at": iso(step.created_at),
        "updated_at": iso(step.updated_at),
    }


def _date(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def _copy(value: Any) -> Any:
    """A copy a caller may change without touching the record."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value
