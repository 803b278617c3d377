"""Privacy, membership, role and lock rules, for each of the five default principals."""

from __future__ import annotations

import pytest


@pytest.fixture
def make(http):
    def make(who="alice", **changes):
        workflow = http("POST", "/v1/workflows", who=who, json={"name": "w", "description": "d"}).json()["workflow"]
        if changes:
            response = http("PUT", f"/v1/workflows/{workflow['id']}", who=who, json=changes)
            assert response.status_code == 200, response.text
            workflow = response.json()["workflow"]
        return workflow["id"]

    return make


def error(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["statusCode"] == status and body["message"]
    return body["message"]


def test_missing_or_wrong_credentials_are_401(http):
    assert "API key" in error(http("GET", "/v1/workflows", who=None), 401)
    bad = {"Authorization": "Basic a2V5X2FsaWNlOndyb25n"}  # key_alice:wrong
    error(http("GET", "/v1/workflows", who=None, headers=bad), 401)
    error(http("GET", "/v1/workflows", who=None, headers={"Authorization": "Token abc"}), 401)


def test_a_401_says_where_the_fake_lists_its_keys_in_the_api_envelope(http):
    wrong_key = {"Authorization": "Basic a2V5X2FsaWNlOndyb25n"}  # key_alice:wrong
    where = "(mockserver: see GET /_mock/principals on the fake, or the default principals in its README)"
    for headers, refusal in (
        ({}, "Invalid or missing API key"),
        (wrong_key, "Invalid or missing API key"),
        ({"Authorization": "Bearer nonsense"}, "Invalid or expired token"),
    ):
        response = http("GET", "/v1/workflows", who=None, headers=headers)
        assert response.json() == {"statusCode": 401, "error": "Unauthorized", "message": f"{refusal} {where}"}
    listed = http("GET", "/_mock/principals", who=None)
    assert listed.status_code == 200 and "key_alice" in listed.text


def test_an_unknown_node_type_is_refused_listing_every_known_type(http, make):
    from mockserver.scenario.workflows.flow import NODE_TYPES

    workflow_id = make()
    refused = http("PUT", f"/v1/workflows/{workflow_id}", json={"flow": [{"id": "a", "type": "inference"}]})
    listed = ", ".join(f'"{node_type}"' for node_type in sorted(NODE_TYPES))
    assert error(refused, 400) == f'Invalid body at /flow/0/type: "inference" is not one of {listed}'


def test_bearer_tokens_map_to_principals(http):
    response = http(
        "POST",
        "/v1/workflows",
        who=None,
        headers={"Authorization": "Bearer token_alice"},
        json={"name": "w", "description": "d"},
    )
    assert response.json()["workflow"]["authorId"] == "user_alice"
    # An unsigned JWT whose sub is a known user.
    jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c2VyX2V2ZSJ9.sig"  # {"sub": "user_eve"}
    response = http(
        "POST",
        "/v1/workflows",
        who=None,
        headers={"Authorization": f"Bearer {jwt}"},
        json={"name": "w", "description": "d"},
    )
    assert response.json()["workflow"]["ownerId"] == "proj_other"
    error(http("GET", "/v1/workflows", who=None, headers={"Authorization": "Bearer nonsense"}), 401)


def test_project_id_of_another_project_is_403(http):
    assert "proj_other" in error(http("GET", "/v1/workflows?projectId=proj_other"), 403)


def test_private_workflow_is_404_for_another_project(http, make):
    workflow_id = make("alice")
    for method, url in [
        ("GET", f"/v1/workflows/{workflow_id}"),
        ("PUT", f"/v1/workflows/{workflow_id}"),
        ("DELETE", f"/v1/workflows/{workflow_id}"),
    ]:
        kwargs = {"json": {"name": "x"}} if method == "PUT" else {}
        assert workflow_id in error(http(method, url, who="eve", **kwargs), 404)
    listed = http("GET", "/v1/workflows", who="eve").json()["workflows"]
    assert workflow_id not in {wf["id"] for wf in listed}


def test_private_workflow_is_visible_to_every_member(http, make):
    workflow_id = make("alice")
    for who in ("alice", "bob", "carol", "dave"):
        assert http("GET", f"/v1/workflows/{workflow_id}", who=who).status_code == 200


def test_public_and_unlisted_are_readable_by_all_but_only_public_is_listed(http, make):
    public = make("alice", privacy="public", status="ready", flow=[{"id": "n", "type": "remove-background"}])
    unlisted = make("alice", privacy="unlisted")
    assert http("GET", f"/v1/workflows/{public}", who="eve").status_code == 200
    assert http("GET", f"/v1/workflows/{unlisted}", who="eve").status_code == 200
    public_ids = {wf["id"] for wf in http("GET", "/v1/workflows?privacy=public", who="eve").json()["workflows"]}
    assert public in public_ids and unlisted not in public_ids
    own_unlisted = http("GET", "/v1/workflows?privacy=unlisted").json()["workflows"]
    assert [wf["id"] for wf in own_unlisted] == [unlisted]


def test_another_project_cannot_modify_a_public_workflow(http, make):
    public = make("alice", privacy="public")
    assert "proj_demo" in error(http("PUT", f"/v1/workflows/{public}", who="eve", json={"name": "x"}), 403)
    error(http("DELETE", f"/v1/workflows/{public}", who="eve"), 403)


def test_reader_reads_but_cannot_write(http, make):
    workflow_id = make("alice")
    assert http("GET", "/v1/workflows", who="carol").status_code == 200
    assert "reader" in error(http("POST", "/v1/workflows", who="carol", json={"name": "a", "description": "b"}), 403)
    error(http("PUT", f"/v1/workflows/{workflow_id}", who="carol", json={"name": "x"}), 403)
    error(http("PUT", f"/v1/workflows/{workflow_id}", who="carol", json={"isLocked": True}), 403)
    error(http("DELETE", f"/v1/workflows/{workflow_id}", who="carol"), 403)


@pytest.mark.parametrize("who", ["alice", "bob", "dave"])
def test_author_editors_and_admins_may_lock_and_unlock(http, make, who):
    workflow_id = make("alice")
    locked = http("PUT", f"/v1/workflows/{workflow_id}", who=who, json={"isLocked": True}).json()["workflow"]
    assert locked["isLocked"] is True and locked["lockedStateChangedBy"] == f"user_{who}"
    unlocked = http("PUT", f"/v1/workflows/{workflow_id}", who=who, json={"isLocked": False}).json()["workflow"]
    assert unlocked["isLocked"] is False and unlocked["lockedStateChangedAt"] > locked["lockedStateChangedAt"]


def test_locked_workflow_refuses_other_editors(http, make):
    workflow_id = make("alice", isLocked=True)
    message = error(http("PUT", f"/v1/workflows/{workflow_id}", who="bob", json={"name": "x"}), 403)
    assert "locked" in message and "author" in message
    error(http("PUT", f"/v1/workflows/{workflow_id}", who="bob", json={"name": "x", "bypassLock": True}), 403)
    error(http("DELETE", f"/v1/workflows/{workflow_id}", who="bob"), 403)
    assert http("GET", f"/v1/workflows/{workflow_id}").json()["workflow"]["name"] == "w"


@pytest.mark.parametrize("who", ["alice", "dave"])
def test_author_and_admin_modify_a_locked_workflow_with_bypass_lock(http, make, who):
    workflow_id = make("alice", isLocked=True)
    assert "bypassLock" in error(http("PUT", f"/v1/workflows/{workflow_id}", who=who, json={"name": "x"}), 403)
    response = http("PUT", f"/v1/workflows/{workflow_id}", who=who, json={"name": "x", "bypassLock": True})
    assert response.status_code == 200
    workflow = response.json()["workflow"]
    assert workflow["name"] == "x" and workflow["isLocked"] is True


@pytest.mark.parametrize("who", ["alice", "dave"])
def test_author_and_admin_may_delete_a_locked_workflow(http, make, who):
    workflow_id = make("alice", isLocked=True)
    assert http("DELETE", f"/v1/workflows/{workflow_id}", who=who).status_code == 200


def test_deleted_workflow_is_gone_everywhere(http, make):
    workflow_id = make("alice", tagSet=["gone"], status="ready", flow=[{"id": "n", "type": "remove-background"}])
    assert http("DELETE", f"/v1/workflows/{workflow_id}").status_code == 200
    error(http("GET", f"/v1/workflows/{workflow_id}"), 404)
    error(http("PUT", f"/v1/workflows/{workflow_id}", json={"name": "x"}), 404)
    error(http("DELETE", f"/v1/workflows/{workflow_id}"), 404)
    assert workflow_id not in {wf["id"] for wf in http("GET", "/v1/workflows").json()["workflows"]}
    assert "gone" not in http("GET", "/v1/workflows/tags").json()["tags"]
    assert "gone" in http("GET", "/v1/workflows/tags?status=deleted").json()["tags"]


def test_update_is_partial_and_replaces_lists(http, make):
    workflow_id = make("alice", tagSet=["a", "b"], shortDescription="short")
    workflow = http("PUT", f"/v1/workflows/{workflow_id}", json={"tagSet": ["c"]}).json()["workflow"]
    assert workflow["tagSet"] == ["c"] and workflow["shortDescription"] == "short" and workflow["name"] == "w"


def test_updated_at_strictly_increases_even_when_the_clock_stands_still(http, make):
    workflow_id = make("alice")
    stamps = [
        http("PUT", f"/v1/workflows/{workflow_id}", json={"name": str(i)}).json()["workflow"]["updatedAt"]
        for i in range(3)
    ]
    assert stamps == sorted(set(stamps))


def test_asset_fields_take_an_id_or_null(http, make):
    workflow_id = make("alice")
    workflow = http(
        "PUT", f"/v1/workflows/{workflow_id}", json={"after": "asset_after123", "before": "asset_before123"}
    ).json()["workflow"]
    assert workflow["after"]["assetId"] == "asset_after123" and workflow["after"]["url"].endswith("/asset_after123")
    assert workflow["thumbnail"]["assetId"] == "asset_after123"
    assert workflow["before"]["assetId"] == "asset_before123"
    workflow = http("PUT", f"/v1/workflows/{workflow_id}", json={"after": None, "thumbnail": None}).json()["workflow"]
    assert "after" not in workflow and "thumbnail" not in workflow and "before" in workflow


def test_invalid_values_are_400_and_change_nothing(http, make):
    workflow_id = make("alice")
    too_many = [{"id": f"n{i}", "type": "remove-background"} for i in range(51)]
    for body in (
        {"status": "deleted"},
        {"privacy": "secret"},
        {"flow": too_many},
        {"flow": [{"id": "a", "type": "teleport"}]},
        {"flow": [{"id": "a", "type": "remove-background"}, {"id": "a", "type": "remove-background"}]},
        {"status": "ready"},
        {"name": 5},
    ):
        error(http("PUT", f"/v1/workflows/{workflow_id}", json=body), 400)
    workflow = http("GET", f"/v1/workflows/{workflow_id}").json()["workflow"]
    assert workflow["status"] == "draft" and workflow["flow"] == [] and workflow["name"] == "w"


def test_flow_errors_name_the_node_and_field(http, make):
    workflow_id = make("alice")
    flow = [
        {"id": "a", "type": "remove-background", "inputs": [{"name": "image", "type": "file", "ref": {"node": "zzz"}}]}
    ]
    message = error(http("PUT", f"/v1/workflows/{workflow_id}", json={"flow": flow}), 400)
    assert '"a"' in message and "zzz" in message
    cycle = [
        {"id": "a", "type": "remove-background", "dependsOn": ["b"]},
        {"id": "b", "type": "remove-background", "dependsOn": ["a"]},
    ]
    assert "cycle" in error(http("PUT", f"/v1/workflows/{workflow_id}", json={"flow": cycle}), 400).lower()


def test_create_requires_name_and_description(http):
    assert "description" in error(http("POST", "/v1/workflows", json={"name": "a"}), 400)
    error(http("POST", "/v1/workflows", json={"description": "a"}), 400)
    error(http("POST", "/v1/workflows", content=b"{not json", headers={"Content-Type": "application/json"}), 400)
    error(http("POST", "/v1/workflows", content=b"name=a", headers={"Content-Type": "text/plain"}), 400)


def test_any_key_mode_accepts_any_credentials():
    import httpx

    from mockserver.core.transport import SyncASGITransport
    from mockserver.server.app import create_app
    from mockserver.server.fake import Fake
    from mockserver.server.settings import Settings

    transport = SyncASGITransport(create_app(Fake(Settings(clock_mode="manual", any_key=True))))
    client = httpx.Client(transport=transport, base_url="http://testserver")
    try:
        made = client.post("/v1/workflows", auth=("my-app-key", "whatever"), json={"name": "w", "description": "d"})
        workflow = made.json()["workflow"]
        assert workflow["authorId"] == "user_my-app-key" and workflow["ownerId"] == "proj_demo"
        elsewhere = client.post(
            "/v1/workflows?projectId=proj_mine", auth=("k", "s"), json={"name": "w", "description": "d"}
        )
        assert elsewhere.json()["workflow"]["ownerId"] == "proj_mine"
        assert client.get("/v1/workflows").status_code == 401
    finally:
        transport.close()
