"""Assets in a fixtures folder: seeded as real files of their project, and a bad record refused naming it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.scenario.assets.outputs import asset_bytes
from mockserver.scenario.jobs.samples import sample_file
from mockserver.server.fake import Fake
from mockserver.server.fixtures import FixtureError, load_fixtures
from mockserver.server.settings import DEFAULT_FIXTURES, Settings

DOCUMENTED_IDS = [
    "asset_input123",
    "asset_photo123",
    "asset_before123",
    "asset_after123",
    "asset_thumb123",
    "asset_thumb456",
    "asset_output123",
    "asset_GTrL3mq4SXWyMxkOHRxlpw",
    "asset_photo",
]


def _folder(root: Path, assets: Any, workflow: dict[str, Any] | None = None) -> Path:
    folder = root / "extra"
    (folder / "workflows").mkdir(parents=True)
    (folder / "assets.yaml").write_text(yaml.safe_dump({"assets": assets}))
    if workflow is not None:
        (folder / "workflows" / "w.yaml").write_text(yaml.safe_dump(workflow))
    return folder


def test_the_demo_project_holds_the_documented_asset_ids_as_real_images() -> None:
    fake = Fake(Settings(clock_mode="manual"))
    try:
        for asset_id in DOCUMENTED_IDS:
            asset = fake.scenario.store.get_asset(asset_id)
            assert asset is not None and asset.owner_id == "proj_demo" and asset.kind == "image"
            assert asset_bytes(asset) == sample_file("image", seed=asset_id).content
    finally:
        fake.close()


def test_a_folder_adds_assets_that_its_workflows_may_name(tmp_path: Path) -> None:
    workflow = {
        "id": "workflow_w",
        "name": "w",
        "description": "d",
        "ownerId": "proj_other",
        "authorId": "user_eve",
        "after": "asset_clip",
    }
    folder = _folder(tmp_path, [{"id": "asset_clip", "ownerId": "proj_other", "kind": "video"}], workflow)
    fixtures = load_fixtures([DEFAULT_FIXTURES, folder])
    assert {"id": "asset_clip", "ownerId": "proj_other", "kind": "video"} in fixtures.assets
    fake = Fake(Settings(clock_mode="manual", fixtures=[DEFAULT_FIXTURES, folder]))
    try:
        assert fake.scenario.store.get_asset("asset_clip").mime_type == "video/mp4"
    finally:
        fake.close()


@pytest.mark.parametrize(
    ("assets", "field", "problem"),
    [
        ([{"ownerId": "proj_demo"}], "assets[0].id", "is required"),
        ([{"id": "photo", "ownerId": "proj_demo"}], "assets[0].id", "must start with asset_"),
        ([{"id": "asset_x", "ownerId": "proj_nowhere"}], "assets[0].ownerId", "names no known project"),
        ([{"id": "asset_x", "ownerId": "proj_demo", "kind": "gif"}], "assets[0].kind", "is not one of"),
        ([{"id": "asset_x", "ownerId": "proj_demo", "size": 3}], "assets[0].size", "unknown field"),
        ([{"id": "asset_x", "ownerId": "proj_demo", "createdAt": "soon"}], "assets[0].createdAt", "ISO 8601"),
        ([{"id": "asset_photo", "ownerId": "proj_demo"}], "assets[0].id", "is used by another asset"),
        ("asset_x", "assets", "must be a list"),
    ],
)
def test_a_bad_asset_is_refused_naming_file_and_field(tmp_path: Path, assets: Any, field: str, problem: str) -> None:
    folder = _folder(tmp_path, assets)
    with pytest.raises(FixtureError) as refused:
        load_fixtures([DEFAULT_FIXTURES, folder])
    assert refused.value.path == folder / "assets.yaml"
    assert refused.value.field == field and problem in refused.value.problem


def test_a_workflow_naming_another_projects_asset_is_refused(tmp_path: Path) -> None:
    workflow = {
        "id": "workflow_w",
        "name": "w",
        "description": "d",
        "ownerId": "proj_other",
        "authorId": "user_eve",
        "before": "asset_photo",
    }
    folder = _folder(tmp_path, [], workflow)
    with pytest.raises(FixtureError) as refused:
        load_fixtures([DEFAULT_FIXTURES, folder])
    assert refused.value.field == "workflow 'workflow_w' before"
    assert "names no asset of project 'proj_other'" in refused.value.problem
