"""The orchestrator's request bodies as pydantic models, so refusals read exactly as pydantic v2 writes them.

They mirror the contract's schemas (``contracts/orchestrator.openapi.yaml``), with
JSON's types kept: a string is never taken for a number or a boolean, as the
contract's own check would refuse it too. The DAG rules the schema cannot express
are a validator of ``steps``.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, StrictBool, field_validator
from pydantic_core import PydanticCustomError

from mockserver.orchestrator import models
from mockserver.orchestrator.dag import DagNode, dag_problem

# Enums built from the model's lists, so the contract's enums and the checks share one source; mypy cannot see
# members made this way.
TaskType = Enum("TaskType", {name: name for name in models.TASK_TYPES}, type=str)  # type: ignore[misc]
ProviderType = Enum("ProviderType", {name: name for name in models.PROVIDER_TYPES}, type=str)  # type: ignore[misc]
TransformType = Enum("TransformType", {name: name for name in models.TRANSFORM_TYPES}, type=str)  # type: ignore[misc]


def _json_integer(value: Any) -> Any:
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


JsonInt = Annotated[int, BeforeValidator(_json_integer)]


class FieldMapping(BaseModel):
    from_step: str
    from_field: str
    to_field: str
    transform: TransformType | None = None


class WorkflowStepDefinition(BaseModel):
    id: str = Field(min_length=1, max_length=100)
    task_type: TaskType
    config: dict[str, Any]
    depends_on: list[str] = Field(default_factory=list)
    input_mappings: list[FieldMapping] = Field(default_factory=list)
    max_retries: JsonInt = Field(default=3, ge=0, le=10)
    provider_config: dict[str, Any] | None = None
    active_provider_capabilities: list[str] | None = None
    fallback_provider_type: ProviderType | None = None
    fallback_provider_config: dict[str, Any] | None = None
    fallback_provider_capabilities: list[str] | None = None

    def dag_node(self) -> DagNode:
        return DagNode(self.id, tuple(self.depends_on), tuple(m.from_step for m in self.input_mappings))


class CreateWorkflow(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=1000)
    steps: list[WorkflowStepDefinition] = Field(min_length=1)
    config: dict[str, Any] = Field(default_factory=dict)
    origin_instance: str = Field(min_length=1, max_length=100)
    origin_zone: str | None = Field(default=None, max_length=50)
    origin_tenant_id: str | None = Field(default=None, max_length=100)
    origin_reference: str | None = Field(default=None, max_length=512)
    webhook_url: str | None = Field(default=None, max_length=512)
    suppress_subtask_events: StrictBool = True

    @field_validator("steps")
    @classmethod
    def _steps_form_a_dag(cls, steps: list[WorkflowStepDefinition]) -> list[WorkflowStepDefinition]:
        problem = dag_problem([step.dag_node() for step in steps])
        if problem:
            raise ValueError(problem)
        return steps


class WorkflowUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=1000)
    webhook_url: str | None = Field(default=None, max_length=512)

    def changes(self) -> dict[str, Any]:
        """The fields the body set; a null name means "keep the name" (it cannot be cleared)."""
        changed = {name: getattr(self, name) for name in self.model_fields_set}
        if changed.get("name", "") is None:
            del changed["name"]
        return changed
