"""The workflow resource as the domain keeps it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic.alias_generators import to_camel

from mockserver.core.rendering import Rendered

Privacy = Literal["private", "public", "unlisted"]
WorkflowStatus = Literal["draft", "ready", "deleted"]
PRIVACIES: tuple[Privacy, ...] = ("public", "private", "unlisted")
FILE_INPUT_TYPES = ("file", "file_array")


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, validate_assignment=False)


class AssetRef(ApiModel):
    asset_id: str


class Workflow(ApiModel):
    """A stored version of a workflow: never changed in place (a change is a new version), so its views
    can be rendered once."""

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
    # Rendered JSON by (asset base URL, full): a workflow is read far more often than it changes.
    _rendered: dict[tuple[str, bool], Rendered] = PrivateAttr(default_factory=dict)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Workflow:
        copy = super().model_copy(update=update, deep=deep)
        copy._rendered = {}  # a new version renders its own
        return copy

    @property
    def has_flow(self) -> bool:
        return bool(self.flow)

    @property
    def is_deleted(self) -> bool:
        return self.status == "deleted"

    def api_json(self, asset_url: AssetUrl, full: bool = True) -> Rendered:
        """:meth:`api_view` rendered to JSON once per version: a page of workflows is then a join of bytes,
        not a walk over every workflow's objects."""
        rendered = self.__pydantic_private__["_rendered"]  # ``self._rendered``, without pydantic's __getattr__
        key = (asset_url.base, full)
        fragment = rendered.get(key)
        if fragment is None:
            fragment = rendered[key] = Rendered(self.api_view(asset_url, full))
        return fragment

    def api_view(self, asset_url: AssetUrl, full: bool = True) -> dict[str, Any]:
        """The workflow as the API returns it; ``full=False`` leaves out flow and editorInfo."""
        body = self.model_dump(by_alias=True, exclude_none=True, exclude={"before", "after", "thumbnail"})
        body["hasFlow"] = self.has_flow
        for name in ("before", "after", "thumbnail"):
            ref: AssetRef | None = getattr(self, name)
            if ref is not None:
                body[name] = {"assetId": ref.asset_id, "url": asset_url(ref.asset_id)}
        if not full:
            del body["flow"], body["editorInfo"]
        return body


class AssetUrl:
    """Turns an asset id into the URL the fake serves it at."""

    def __init__(self, base: str = "http://127.0.0.1:8000") -> None:
        self.base = base.rstrip("/")

    def __call__(self, asset_id: str) -> str:
        return f"{self.base}/cdn/assets/{asset_id}"


def with_default_kinds(inputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """File inputs always expose a kind: ``image`` when none was declared."""
    return [
        {**item, "kind": "image"} if item.get("type") in FILE_INPUT_TYPES and "kind" not in item else item
        for item in inputs
    ]
