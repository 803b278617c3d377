"""Fixtures folders: a good one seeds the fake, a bad one is refused whole, naming the file and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.server.fake import Fake
from mockserver.server.fixtures import FixtureError, load_fixtures
from mockserver.server.settings import DEFAULT_FIXTURES, Settings


def _workflow(**changes: Any) -> dict[str, Any]:
    workflow: dict[str, Any] = {
        "id": "workflow_caption",
        "name": "Caption",
        "description": "Writes a caption",
        "status": "ready",
        "ownerId": "proj_team",
        "authorId": "user_zoe",
        "createdAt": "2026-01-01T00:00:00.000Z",
        "inputs": [{"name": "topic", "type": "string"}],
        "flow": [
            {
                "id": "node_caption",
                "type": "generate-prompt",
                "inputs": [{"name": "prompt", "type": "string", "ref": {"node": "workflow", "name": "topic"}}],
            }
        ],
    }
    workflow.update(changes)
    return {name: value for name, value in workflow.items() if value is not None}


PRINCIPALS: dict[str, Any] = {
    "projects": [{"id": "proj_team", "name": "Team"}],
    "apiKeys": [{"key": "key_zoe", "secret": "secret_zoe", "userId": "user_zoe", "projectId": "proj_team"}],
    "bearerTokens": [{"token": "token_zoe", "key": "key_zoe"}],
}


def _folder(root: Path, principals: Any = None, workflows: Any = None, name: str = "team") -> Path:
    folder = root / name
    (folder / "workflows").mkdir(parents=True)
    if principals is not None:
        (folder / "principals.yaml").write_text(yaml.safe_dump(principals))
    if workflows is not None:
        (folder / "workflows" / "caption.json").write_text(json.dumps(workflows))
    return folder


def _refusal(folder: Path, *more: Path) -> FixtureError:
    with pytest.raises(FixtureError) as refused:
        load_fixtures([DEFAULT_FIXTURES, folder, *more])
    return refused.value


def test_a_good_folder_adds_its_principals_and_workflows(tmp_path: Path) -> None:
    folder = _folder(tmp_path, PRINCIPALS, [_workflow()])
    fake = Fake(Settings(clock_mode="manual", fixtures=[DEFAULT_FIXTURES, folder]))
    try:
        assert {"key_alice", "key_zoe"} <= set(fake.directory.keys)
        assert fake.directory.tokens["token_zoe"] == "key_zoe"
        assert fake.scenario.store.get_workflow("workflow_caption").status == "ready"
        assert fake.scenario.store.get_workflow("workflow_upscaler") is not None
    finally:
        fake.close()


def test_a_workflow_without_dates_was_created_when_the_fake_started(tmp_path: Path) -> None:
    folder = _folder(tmp_path, PRINCIPALS, [_workflow(createdAt=None)])
    fake = Fake(Settings(clock_mode="manual", fixtures=[DEFAULT_FIXTURES, folder]))
    try:
        created = fake.scenario.store.get_workflow("workflow_caption")
        assert created.created_at == created.updated_at == fake.scenario.started_at
        fake.advance(3600)
        fake.reset()
        assert fake.scenario.store.get_workflow("workflow_caption").created_at == created.created_at
    finally:
        fake.close()


def test_an_unquoted_yaml_timestamp_is_a_date(tmp_path: Path) -> None:
    folder = _folder(tmp_path, PRINCIPALS)
    record = yaml.safe_dump(_workflow(createdAt=None)) + "createdAt: 2026-02-03T04:05:06Z\n"
    (folder / "workflows" / "caption.yaml").write_text(record)
    fake = Fake(Settings(clock_mode="manual", fixtures=[DEFAULT_FIXTURES, folder]))
    try:
        assert fake.scenario.store.get_workflow("workflow_caption").created_at == "2026-02-03T04:05:06.000Z"
    finally:
        fake.close()


def test_a_ready_workflow_with_a_broken_ref_is_refused_naming_file_workflow_and_node(tmp_path: Path) -> None:
    broken = _workflow()
    broken["flow"][0]["inputs"][0]["ref"]["name"] = "subject"
    folder = _folder(tmp_path, PRINCIPALS, [broken])
    error = _refusal(folder)
    assert error.path == folder / "workflows" / "caption.json"
    assert error.field == "workflow 'workflow_caption'"
    assert 'node "node_caption"' in error.problem and 'ref.name "subject" is not an input' in error.problem
    assert str(error).startswith(f"{folder / 'workflows' / 'caption.json'}: workflow 'workflow_caption': ")


@pytest.mark.parametrize(
    ("changes", "field", "problem"),
    [
        ({"name": None}, "workflow 'workflow_caption' name", "Field required"),
        ({"status": "published"}, "workflow 'workflow_caption' status", "'draft', 'ready' or 'deleted'"),
        ({"createdAt": "yesterday"}, "workflow 'workflow_caption'", "createdAt: 'yesterday' is not an ISO 8601"),
        ({"updatedAt": 7}, "workflow 'workflow_caption'", "updatedAt: 7 is not an ISO 8601"),
        ({"flow": []}, "workflow 'workflow_caption'", "cannot be set to ready: its flow is empty"),
        ({"flow": [{"id": "n", "type": "dance"}]}, "workflow 'workflow_caption'", 'unknown type "dance"'),
        ({"id": None}, "workflow id", "Field required"),
    ],
)
def test_a_bad_workflow_is_refused_as_the_api_would(
    tmp_path: Path, changes: dict[str, Any], field: str, problem: str
) -> None:
    error = _refusal(_folder(tmp_path, PRINCIPALS, _workflow(**changes)))
    assert error.field == field and problem in error.problem


def test_a_draft_workflow_may_have_no_flow_but_not_a_broken_one(tmp_path: Path) -> None:
    assert load_fixtures([_folder(tmp_path, PRINCIPALS, [_workflow(status="draft", flow=[])])]).workflows
    cycle = [
        {"id": "a", "type": "generate-prompt", "dependsOn": ["b"]},
        {"id": "b", "type": "generate-prompt", "dependsOn": ["a"]},
    ]
    error = _refusal(_folder(tmp_path, PRINCIPALS, [_workflow(status="draft", flow=cycle)], name="cycle"))
    assert "cycle" in error.problem


@pytest.mark.parametrize(
    ("principals", "field", "problem"),
    [
        ({"apiKeys": [{**PRINCIPALS["apiKeys"][0], "projectId": "proj_nope"}]}, "apiKeys[0].projectId", "proj_nope"),
        ({"apiKeys": [{**PRINCIPALS["apiKeys"][0], "role": "owner"}]}, "apiKeys[0].role", "admin, editor, reader"),
        ({"apiKeys": [{"key": "key_x", "userId": "u", "projectId": "proj_team"}]}, "apiKeys[0].secret", "required"),
        ({"bearerTokens": [{"token": "token_x", "key": "key_nobody"}]}, "bearerTokens[0].key", "no known API key"),
        ({"projects": [{"name": "no id"}]}, "projects[0].id", "required"),
        ({"projects": "proj_team"}, "projects", "must be a list"),
        ({"apikeys": []}, "apikeys", "unknown section"),
        ({"webhooks": [{"projectId": "proj_nope", "url": "http://127.0.0.1:9/x"}]}, "webhooks[0]", "projectId"),
    ],
)
def test_bad_principals_are_refused_naming_the_field(
    tmp_path: Path, principals: dict[str, Any], field: str, problem: str
) -> None:
    error = _refusal(_folder(tmp_path, {**PRINCIPALS, **principals}))
    assert error.path == tmp_path / "team" / "principals.yaml"
    assert error.field == field and problem in error.problem


def test_a_key_may_join_a_project_of_another_folder(tmp_path: Path) -> None:
    extra = {
        "bearerTokens": None,
        "apiKeys": [{"key": "key_yan", "secret": "s", "userId": "user_yan", "projectId": "proj_demo"}],
    }
    fixtures = load_fixtures([DEFAULT_FIXTURES, _folder(tmp_path, extra)])
    assert fixtures.api_keys[-1]["key"] == "key_yan"


def test_unreadable_files_and_missing_folders_are_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "workflows" / "broken.yaml").write_text("id: [unclosed\n")
    error = _refusal(folder)
    assert error.path == folder / "workflows" / "broken.yaml" and error.field == "file"
    (folder / "workflows" / "broken.yaml").write_text("- just a string\n")
    assert _refusal(folder).problem == "a workflow must be a mapping"
    (folder / "workflows" / "broken.yaml").unlink()
    (folder / "costs.yaml").write_text(yaml.safe_dump({"nodeTypes": {"remove-backround": 3}}))
    assert _refusal(folder).field == "costs"
    assert _refusal(tmp_path / "nowhere").problem == "does not exist"


def test_a_bad_folder_in_the_plugin_setting_fails_the_test_with_the_message(pytester: pytest.Pytester) -> None:
    _folder(pytester.path, {"bearerTokens": [{"token": "token_x", "key": "key_nobody"}]})
    pytester.makeini("[pytest]\nscenario_mock_fixtures = team\n")
    pytester.makepyfile("def test_uses_the_fake(scenario_mock):\n    pass\n")
    result = pytester.runpytest("-q")
    result.assert_outcomes(errors=1)
    assert "principals.yaml: bearerTokens[0].key: 'key_nobody' names no known API key" in result.stdout.str()
