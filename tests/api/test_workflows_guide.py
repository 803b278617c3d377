"""Every workflows request of the user guide, sent as written but to the fake."""

from __future__ import annotations

REQUIRED_FIELDS = {
    "id",
    "name",
    "description",
    "shortDescription",
    "status",
    "privacy",
    "ownerId",
    "authorId",
    "createdAt",
    "updatedAt",
    "tagSet",
    "inputs",
    "hasFlow",
}


def test_list_private_workflows(http):
    created = http("POST", "/v1/workflows?projectId=proj_demo", json={"name": "a", "description": "b"}).json()
    response = http("GET", "/v1/workflows?projectId=proj_demo&privacy=private")
    assert response.status_code == 200
    workflows = response.json()["workflows"]
    assert created["workflow"]["id"] in {wf["id"] for wf in workflows}
    assert all(wf["privacy"] == "private" and wf["ownerId"] == "proj_demo" for wf in workflows)
    assert all(REQUIRED_FIELDS <= wf.keys() for wf in workflows)


def test_list_public_workflows_are_the_apps(http):
    response = http("GET", "/v1/workflows?privacy=public")
    assert response.status_code == 200
    apps = response.json()["workflows"]
    assert {"workflow_bg_remover", "workflow_upscaler", "workflow_product_shot"} <= {wf["id"] for wf in apps}
    for app in apps:
        assert app["privacy"] == "public" and app["status"] == "ready"
        assert "flow" not in app and "editorInfo" not in app and app["hasFlow"] is True


def test_list_by_tags(http):
    response = http("GET", "/v1/workflows?privacy=public&tags=upscale,image-enhancement")
    assert [wf["id"] for wf in response.json()["workflows"]] == ["workflow_upscaler"]
    response = http("GET", "/v1/workflows?privacy=public&tags=remove-background")
    assert [wf["id"] for wf in response.json()["workflows"]] == ["workflow_bg_remover"]


def test_guide_apps_listing_with_status_ready(http):
    response = http("GET", "/v1/workflows?privacy=public&status=ready")
    assert response.status_code == 200
    assert len(response.json()["workflows"]) >= 3


def test_retrieve_workflow(http):
    response = http("GET", "/v1/workflows/workflow_bg_remover?projectId=proj_demo")
    assert response.status_code == 200
    workflow = response.json()["workflow"]
    assert workflow["name"] == "Background Remover"
    assert workflow["inputs"][0] == {
        "name": "image",
        "type": "file",
        "kind": "image",
        "label": "Image",
        "description": "Image to remove the background from",
        "required": {"always": True},
    }
    assert workflow["flow"][0]["inputs"][0]["ref"] == {"node": "workflow", "name": "image"}
    assert workflow["thumbnail"]["assetId"] == "asset_bgremover_after"
    assert workflow["thumbnail"]["url"].startswith("http://testserver/")


def test_create_workflow(http):
    response = http(
        "POST",
        "/v1/workflows?projectId=proj_demo",
        json={"name": "My Custom Pipeline", "description": "A custom workflow for image processing"},
    )
    assert response.status_code == 200
    workflow = response.json()["workflow"]
    assert workflow["id"].startswith("workflow_")
    assert workflow["status"] == "draft" and workflow["privacy"] == "private"
    assert workflow["ownerId"] == "proj_demo" and workflow["authorId"] == "user_alice"
    assert workflow["createdAt"] == workflow["updatedAt"] and workflow["createdAt"].endswith("Z")
    assert workflow["tagSet"] == [] and workflow["inputs"] == [] and workflow["flow"] == []
    assert workflow["isLocked"] is False and workflow["editorInfo"] == {} and workflow["hasFlow"] is False


GUIDE_UPDATE = {
    "name": "Enhanced Image Pipeline",
    "shortDescription": "Quick image enhancement",
    "status": "ready",
    "inputs": [
        {"name": "image", "type": "file", "kind": "image", "description": "Input image", "required": {"always": True}},
        {
            "name": "strength",
            "type": "number",
            "description": "Enhancement strength",
            "default": 0.8,
            "min": 0,
            "max": 1,
            "required": {"always": False},
        },
    ],
    "flow": [
        {
            "id": "node_upscale",
            "type": "custom-model",
            "modelId": "model_upscaler",
            "inputs": [
                {"name": "image", "type": "file", "kind": "image", "ref": {"node": "workflow", "name": "image"}}
            ],
        }
    ],
    "tagSet": ["upscale", "enhancement"],
}


def test_update_workflow_with_the_guide_body(http):
    workflow_id = http("POST", "/v1/workflows", json={"name": "x", "description": "y"}).json()["workflow"]["id"]
    response = http("PUT", f"/v1/workflows/{workflow_id}?projectId=proj_demo", json=GUIDE_UPDATE)
    assert response.status_code == 200
    workflow = response.json()["workflow"]
    assert workflow["name"] == "Enhanced Image Pipeline"
    assert workflow["status"] == "ready" and workflow["hasFlow"] is True
    assert workflow["tagSet"] == ["upscale", "enhancement"]
    assert workflow["flow"] == GUIDE_UPDATE["flow"]
    assert workflow["lastReadyFlowUpdatedAt"] == workflow["updatedAt"]
    assert http("GET", f"/v1/workflows/{workflow_id}").json()["workflow"] == workflow


def test_lock_workflow(http):
    workflow_id = http("POST", "/v1/workflows", json={"name": "x", "description": "y"}).json()["workflow"]["id"]
    response = http("PUT", f"/v1/workflows/{workflow_id}?projectId=proj_demo", json={"isLocked": True})
    assert response.status_code == 200
    workflow = response.json()["workflow"]
    assert workflow["isLocked"] is True
    assert workflow["lockedStateChangedBy"] == "user_alice"
    assert workflow["lockedStateChangedAt"] == workflow["updatedAt"]


def test_delete_workflow(http):
    workflow_id = http("POST", "/v1/workflows", json={"name": "x", "description": "y"}).json()["workflow"]["id"]
    response = http("DELETE", f"/v1/workflows/{workflow_id}?projectId=proj_demo")
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert http("GET", f"/v1/workflows/{workflow_id}").status_code == 404


def test_get_tags(http):
    workflow_id = http("POST", "/v1/workflows", json={"name": "x", "description": "y"}).json()["workflow"]["id"]
    http("PUT", f"/v1/workflows/{workflow_id}", json={**GUIDE_UPDATE, "tagSet": ["upscale", "tool"]})
    draft = http("POST", "/v1/workflows", json={"name": "d", "description": "d"}).json()["workflow"]["id"]
    http("PUT", f"/v1/workflows/{draft}", json={"tagSet": ["wip"]})
    response = http("GET", "/v1/workflows/tags?projectId=proj_demo")
    assert response.status_code == 200
    tags = set(response.json()["tags"])
    assert {"upscale", "tool"} <= tags and "wip" not in tags
    assert "wip" in http("GET", "/v1/workflows/tags?status=draft").json()["tags"]


def test_error_envelope_for_invalid_privacy(http):
    response = http("GET", "/v1/workflows?privacy=secret")
    assert response.status_code == 400
    body = response.json()
    assert body["statusCode"] == 400 and body["error"] == "Bad Request"
    assert "privacy" in body["message"] and "unlisted" in body["message"]
