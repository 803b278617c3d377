"""The official scenario-sdk client against the fake: every workflows method parses its answer."""

from __future__ import annotations

import pytest
import scenario_sdk


def test_sdk_create_retrieve_update_lock_delete(sdk):
    client = sdk("alice")
    created = client.workflows.create(project_id="proj_demo", name="Pipeline", description="Image processing")
    workflow_id = created.workflow.id
    assert created.workflow.status == "draft" and created.workflow.has_flow is False

    updated = client.workflows.update(
        workflow_id,
        project_id="proj_demo",
        name="Enhanced Image Pipeline",
        short_description="Quick image enhancement",
        status="ready",
        inputs=[{"name": "image", "type": "file", "kind": "image", "required": {"always": True}}],
        flow=[
            {
                "id": "node_upscale",
                "type": "custom-model",
                "modelId": "model_upscaler",
                "inputs": [{"name": "image", "type": "file", "ref": {"node": "workflow", "name": "image"}}],
            }
        ],
        tag_set=["upscale"],
        after="asset_after123",
    )
    assert updated.workflow.status == "ready"
    assert updated.workflow.flow[0].api_model_id == "model_upscaler"
    assert updated.workflow.after.asset_id == "asset_after123"

    retrieved = client.workflows.retrieve(workflow_id)
    assert retrieved.workflow.name == "Enhanced Image Pipeline"
    assert retrieved.workflow.inputs[0].kind == "image"

    locked = client.workflows.update(workflow_id, is_locked=True)
    assert locked.workflow.is_locked is True and locked.workflow.locked_state_changed_by == "user_alice"
    with pytest.raises(scenario_sdk.PermissionDeniedError):
        sdk("bob").workflows.update(workflow_id, name="nope")
    bypassed = client.workflows.update(workflow_id, name="still locked", bypass_lock=True)
    assert bypassed.workflow.name == "still locked"

    assert client.workflows.delete(workflow_id) == {"success": True}
    with pytest.raises(scenario_sdk.NotFoundError):
        client.workflows.retrieve(workflow_id)


def test_sdk_pages_through_with_its_cursor(sdk, fake):
    client = sdk("alice")
    made = set()
    for i in range(7):
        fake.clock.advance(1)
        made.add(client.workflows.create(name=f"w{i}", description="d").workflow.id)
    first = client.workflows.list(page_size=3)
    assert len(first.workflows) == 3 and first.next_pagination_token
    listed = [wf.id for wf in client.workflows.list(page_size=3)]
    assert made <= set(listed) and len(listed) == len(set(listed)) == 8


def test_sdk_lists_apps_and_tags(sdk):
    client = sdk("eve")
    apps = client.workflows.list(privacy="public", status="ready")
    assert {wf.id for wf in apps} >= {"workflow_bg_remover", "workflow_upscaler"}
    assert all(wf.flow is None and wf.has_flow for wf in apps.workflows)
    client.workflows.create(name="x", description="y")
    assert client.workflows.get_tags().tags == []
    assert sdk("alice").workflows.get_tags(project_id="proj_demo").tags == ["generation", "poster"]


def test_sdk_errors_carry_the_envelope(sdk):
    with pytest.raises(scenario_sdk.BadRequestError) as raised:
        sdk("alice").workflows.list(page_size=500)
    assert raised.value.status_code == 400
    assert raised.value.body["statusCode"] == 400 and "pageSize" in raised.value.body["message"]
    with pytest.raises(scenario_sdk.AuthenticationError):
        scenario_sdk.Scenario(
            base_url="http://testserver/v1",
            api_key="nobody",
            api_secret="x",
            http_client=sdk("alice")._client,
            max_retries=0,
        ).workflows.list()
