"""What a step reads and what it makes: its mapped inputs, and the outputs of its task.

A step's ``config`` is its defined config plus, for each input mapping, the
``from_field`` of the ``from_step``'s result under ``to_field``. Its result is
deterministic: paths derived from the workflow, the step and the task, and
numbers from its config.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from mockserver.orchestrator.models import Pipeline, PipelineStep

# Simulated seconds one attempt of a task takes.
TASK_SECONDS = {
    "GENERATION": 8.0,
    "REFINE": 5.0,
    "UPSCALE": 4.0,
    "EDIT": 5.0,
    "REMOVE_BACKGROUND": 3.0,
    "VIDEO_GENERATION": 12.0,
}


MAX_DIMENSION = 100_000


class MappingError(Exception):
    """A mapping names a field the source step's result does not have."""


def mapped_config(pipeline: Pipeline, step: PipelineStep) -> dict[str, Any]:
    """The step's config with its input mappings applied; MappingError names the missing field."""
    config = dict(step.defined_config)
    for mapping in step.input_mappings:
        source = pipeline.step(mapping["from_step"])
        result = source.result if source is not None and source.result is not None else {}
        field = mapping["from_field"]
        if field not in result:
            fields = ", ".join(sorted(result)) or "none"
            raise MappingError(
                f"Input mapping of step '{step.step_id}' failed: step '{mapping['from_step']}' has no output "
                f"field '{field}' (its fields: {fields})"
            )
        config[mapping["to_field"]] = _transform(result[field], mapping.get("transform"))
    return config


def _transform(value: Any, transform: str | None) -> Any:
    if transform == "FIRST":
        return value[0] if isinstance(value, list) and value else value
    if transform == "LIST":
        return value if isinstance(value, list) else [value]
    if transform == "STRING":
        return value if isinstance(value, str) else json.dumps(value)
    if transform == "JSON":
        return json.dumps(value)
    return value


def task_result(pipeline: Pipeline, step: PipelineStep) -> dict[str, Any]:
    """The outputs of the step's task: output file paths and what the task worked from."""
    assert step.task_id is not None
    base = f"outputs/{pipeline.id}/{step.step_id}/{step.task_id}"
    config = step.config
    result: dict[str, Any] = {"task_id": step.task_id, "provider_type": step.provider_type}
    if step.task_type == "VIDEO_GENERATION":
        result["result_video_path"] = f"{base}.mp4"
        result["duration_seconds"] = _number(config.get("duration"), 5)
        return result
    result["result_image_path"] = f"{base}.png"
    width, height = _number(config.get("width"), 1024), _number(config.get("height"), 1024)
    if step.task_type in ("REFINE", "UPSCALE"):
        factor = _number(config.get("upscale_factor") or config.get("scale"), 2)
        width, height = round(width * factor), round(height * factor)
    if step.task_type == "REMOVE_BACKGROUND":
        result["result_mask_path"] = f"{base}_mask.png"
    result["width"], result["height"] = width, height
    result["seed"] = int(hashlib.sha256(step.task_id.encode()).hexdigest()[:8], 16)
    return result


def output_paths(step: PipelineStep) -> list[str]:
    """The files the step's task wrote."""
    if step.result is None:
        return []
    return [value for key, value in step.result.items() if key.endswith("_path") and isinstance(value, str)]


def _number(value: Any, default: float) -> Any:
    """A positive number the config gives (within reason), else the default."""
    usable = isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= MAX_DIMENSION
    return value if usable else default
