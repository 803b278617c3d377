"""The workflow resource as the domain keeps it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

Privacy = Literal["private", "public", "unlisted"]
WorkflowStatus = Literal["draft", "ready", "deleted"]
PRIVACIES: tuple[Privacy, ...] = ("public", "private", "unlisted")
FILE_INPUT_TYPES = ("file", "file_array")


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, validate_assignment=False)


class AssetRef(ApiModel):
    asset_id: str


class Workflow(ApiModel):
    """A stored version of a workflow: never changed in place (a change is a new version)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    description: str
    short_description: str = ""
    status: WorkflowStatus = "draft"
    privacy: Privacy = "private"
    owner_id: str
    author_id: str
    created_at: str
    updated_at: str
    tag_set: list[str] = Field(default_factory=list)
    inputs: list[dict[str, Any]] = Field(default_factory=list)
    flow: list[dict[str, Any]] = Field(default_factory=list)
    editor_info: dict[str, Any] = Field(default_factory=dict)
    output_asset_kinds: list[str] | None = None
    before: AssetRef | None = None
    after: AssetRef | None = None
    thumbnail: AssetRef | None = None
    ui_config: dict[str, Any] | None = None
    is_locked: bool = False
    locked_state_changed_at: str | None = None
    locked_state_changed_by: str | None = None
    last_ready_flow_updated_at: str | None = None

    @property
    def has_flow(self) -> bool:
        return bool(self.flow)

    @property
    def is_deleted(self) -> bool:
        return self.status == "deleted"


def with_default_kinds(inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """File inputs always expose a kind: ``image`` when none was declared."""
    return [
        {**item, "kind": "image"} if item.get("type") in FILE_INPUT_TYPES and "kind" not in item else item
        for item in inputs
    ]
