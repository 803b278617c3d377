"""Assets and uploads over HTTP: every refusal in the API's envelope, and a refused call changes nothing."""

from __future__ import annotations

import base64

import pytest

from mockserver.scenario.assets.files import MAX_FILE_BYTES, MAX_PART_BYTES, MAX_PARTS

PNG_URL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


@pytest.fixture
def make_ready_workflow(http):
    """A ready workflow of alice's project; ``flow`` and ``inputs`` as given, one node otherwise."""

    def make(flow=None, inputs=None) -> str:
        created = http("POST", "/v1/workflows", json={"name": "w", "description": "d"}).json()["workflow"]
        body = {"status": "ready", "flow": flow or [{"id": "n1", "type": "remove-background"}], "inputs": inputs or []}
        answer = http("PUT", f"/v1/workflows/{created['id']}", json=body)
        assert answer.status_code == 200, answer.text
        return created["id"]

    return make


def refused(answer, status: int, words: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["statusCode"] == status and body["error"] and words in body["message"], body


def assets_of(fake) -> list:
    return [(a.asset_id, a.deleted_at) for a in fake.scenario.store.all_assets()]


def new_upload(http, size: int = 10, parts: int = 2, **extra) -> dict:
    body = {"fileName": "f.txt", "contentType": "text/plain", "fileSize": size, "kind": "text", "parts": parts}
    answer = http("POST", "/v1/uploads", json={**body, **extra})
    assert answer.status_code == 200, answer.text
    return answer.json()["upload"]


def storage_path(url: str) -> str:
    return url.removeprefix("http://testserver")


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"name": "x.png"}, 400, "image is required"),
        ({"name": "x.png", "image": "asset_photo123"}, 400, "image must be a data URL"),
        ({"name": "x.png", "image": "data:image/png;base64,@@@"}, 400, "not valid base64"),
        ({"name": "x.png", "image": "data:image/png;base64,"}, 400, "holds no bytes"),
        ({"name": "x.txt", "image": "data:text/plain;base64,aGk="}, 400, "must be an image"),
        ({"name": "x.png", "image": PNG_URL, "parentId": "asset_nope"}, 400, "Invalid parentId"),
        ({"image": PNG_URL}, 400, "name"),
    ],
)
def test_a_bad_data_url_upload_is_refused_and_stores_nothing(http, fake, body, status, words):
    before = assets_of(fake)
    refused(http("POST", "/v1/assets", json=body), status, words)
    assert assets_of(fake) == before


def test_a_data_url_over_the_body_limit_is_413(http, fake):
    before = assets_of(fake)
    payload = base64.b64encode(b"\0" * (5 * 1024 * 1024)).decode()
    answer = http("POST", "/v1/assets", json={"name": "big.png", "image": f"data:image/png;base64,{payload}"})
    assert answer.status_code == 413 and answer.json()["statusCode"] == 413
    assert assets_of(fake) == before


def test_a_reader_may_read_assets_but_not_upload_or_delete(http, fake):
    assert http("GET", "/v1/assets/asset_photo123", who="carol").status_code == 200
    refused(http("POST", "/v1/assets", who="carol", json={"name": "x.png", "image": PNG_URL}), 403, "reader")
    refused(http("DELETE", "/v1/assets", who="carol", json={"assetIds": ["asset_photo123"]}), 403, "reader")
    refused(http("POST", "/v1/uploads", who="carol", json={"fileName": "f"}), 403, "reader")


def test_another_projects_or_a_deleted_asset_is_not_found(http, fake, uploaded_image):
    theirs = uploaded_image("eve")
    refused(http("GET", f"/v1/assets/{theirs}"), 404, f"Asset {theirs} not found")
    assert http("POST", "/v1/assets/get-bulk", json={"assetIds": [theirs]}).json() == {"assets": []}
    refused(http("DELETE", "/v1/assets", json={"assetIds": [theirs]}), 404, theirs)
    mine = uploaded_image()
    assert http("DELETE", "/v1/assets", json={"assetIds": [mine]}).status_code == 200
    refused(http("GET", f"/v1/assets/{mine}"), 404, "not found")
    refused(http("POST", f"/v1/assets/{mine}/download", json={}), 404, "not found")
    assert http("GET", f"/cdn/assets/{mine}", who=None).status_code == 404
    assert http("GET", "/cdn/assets/asset_never_made", who=None).status_code == 404


def test_deleting_is_all_or_nothing(http, fake, uploaded_image):
    mine = uploaded_image()
    before = assets_of(fake)
    refused(http("DELETE", "/v1/assets", json={"assetIds": [mine, "asset_nope"]}), 404, "asset_nope")
    assert assets_of(fake) == before
    refused(http("DELETE", "/v1/assets", json={"assetIds": []}), 400, "assetIds")
    refused(http("DELETE", "/v1/assets", json={"assetIds": ["a"] * 101}), 400, "assetIds")
    refused(http("POST", "/v1/assets/get-bulk", json={"assetIds": ["a"] * 201}), 400, "assetIds")


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("createdAfter=2026-01-01T00:00:00Z&sortBy=updatedAt", 'requires sortBy to be "createdAt"'),
        ("updatedBefore=2026-01-01T00:00:00Z", 'requires sortBy to be "updatedAt"'),
        ("createdAfter=yesterday", "createdAfter must be an ISO 8601 date"),
        ("sortBy=name", "sortBy"),
        ("pageSize=101", "pageSize"),
        ("paginationToken=made-up", "Invalid paginationToken"),
        ("type=made-up", "type"),
    ],
)
def test_a_bad_listing_query_is_400(http, query, words):
    refused(http("GET", f"/v1/assets?{query}"), 400, words)


def test_listing_filters_and_pages_completely(http, fake, uploaded_image):
    fake.clock.advance(5)
    made = [uploaded_image(name=f"{i}.png") for i in range(5)]
    fake.clock.advance(5)
    since = fake.clock.now().isoformat()
    fake.clock.advance(1)
    latest = uploaded_image(name="latest.png")
    newer = http("GET", "/v1/assets", params={"sortBy": "createdAt", "createdAfter": since}).json()["assets"]
    assert [asset["id"] for asset in newer] == [latest]
    first = http("GET", "/v1/assets?pageSize=4").json()
    http("DELETE", "/v1/assets", json={"assetIds": [latest]})
    seen = [asset["id"] for asset in first["assets"]]
    token = first["nextPaginationToken"]
    while token:
        page = http("GET", "/v1/assets", params={"pageSize": 4, "paginationToken": token}).json()
        seen += [asset["id"] for asset in page["assets"]]
        token = page.get("nextPaginationToken")
    assert len(seen) == len(set(seen)) and set(made) <= set(seen) and "asset_photo123" in seen
    assert http("GET", "/v1/assets?authorId=user_bob").json()["assets"] == []
    assert http("GET", "/v1/assets?privacy=public").json()["assets"] == []
    assert {a["id"] for a in http("GET", "/v1/assets?types=uploaded&pageSize=100").json()["assets"]} == set(seen) - {
        latest
    }
    refused(
        http(
            "GET",
            "/v1/assets",
            params={"pageSize": 4, "paginationToken": first["nextPaginationToken"], "sortBy": "updatedAt"},
        ),
        400,
        "paginationToken",
    )


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"url": "https://example.com/x.png", "kind": "image"}, 400, "multipart uploads only"),
        ({"fileName": "f.png", "contentType": "image/png", "fileSize": 10, "kind": "image"}, 400, "parts is required"),
        (
            {"fileName": "m", "contentType": "application/zip", "fileSize": 10, "kind": "model", "parts": 1},
            400,
            "kind model",
        ),
        (
            {"fileName": "f.png", "contentType": "video/mp4", "fileSize": 10, "kind": "image", "parts": 1},
            400,
            "not a file of kind image",
        ),
        (
            {"fileName": "f.png", "contentType": "image/png", "fileSize": 10, "kind": "image", "parts": MAX_PARTS + 1},
            400,
            "maximum of 100",
        ),
        ({"fileName": "f.png", "contentType": "image/png", "fileSize": 2, "kind": "image", "parts": 3}, 400, "3 parts"),
        (
            {"fileName": "f.png", "contentType": "image/png", "fileSize": 1.5, "kind": "image", "parts": 1},
            400,
            "whole number",
        ),
        (
            {
                "fileName": "f.png",
                "contentType": "image/png",
                "fileSize": MAX_FILE_BYTES + 1,
                "kind": "image",
                "parts": 20,
            },
            413,
            "files up to",
        ),
        (
            {
                "fileName": "f.png",
                "contentType": "image/png",
                "fileSize": MAX_PART_BYTES + 1,
                "kind": "image",
                "parts": 1,
            },
            413,
            "use more parts",
        ),
    ],
)
def test_a_bad_upload_is_refused_and_makes_no_upload(http, fake, body, status, words):
    refused(http("POST", "/v1/uploads", json=body), status, words)
    assert fake.scenario.store.all_uploads() == []


def test_an_upload_not_completed_makes_no_asset_and_a_bad_complete_changes_nothing(http, fake):
    before = assets_of(fake)
    upload = new_upload(http, size=10, parts=2)
    part1, part2 = (storage_path(part["url"]) for part in upload["parts"])
    assert http("PUT", part1, who=None, content=b"hello").status_code == 200
    refused(http("POST", f"/v1/uploads/{upload['id']}/action", json={"action": "complete"}), 400, "missing parts 2")
    assert http("PUT", part2, who=None, content=b"wor").status_code == 200
    refused(http("POST", f"/v1/uploads/{upload['id']}/action", json={"action": "complete"}), 400, "parts hold 8")
    refused(http("POST", f"/v1/uploads/{upload['id']}/action", json={"action": "abort"}), 400, "action")
    assert assets_of(fake) == before
    assert http("GET", f"/v1/uploads/{upload['id']}").json()["upload"]["status"] == "pending"
    assert http("PUT", part2, who=None, content=b"world").status_code == 200
    done = http("POST", f"/v1/uploads/{upload['id']}/action", json={"action": "complete"}).json()["upload"]
    asset = http("GET", f"/v1/assets/{done['entityId']}").json()["asset"]
    assert (asset["kind"], asset["mimeType"], asset["properties"]["size"]) == ("text", "text/plain", 10)
    assert http("GET", storage_path(asset["url"]), who=None).content == b"helloworld"
    again = http("POST", f"/v1/uploads/{upload['id']}/action", json={"action": "complete"}).json()["upload"]
    assert again["entityId"] == done["entityId"] and len(assets_of(fake)) == len(before) + 1
    refused(http("PUT", part1, who=None, content=b"late"), 400, "imported")


def test_part_urls_are_checked(http, fake):
    upload = new_upload(http, size=10, parts=2)
    url = storage_path(upload["parts"][0]["url"])
    refused(http("PUT", url.replace("signature=", "signature=0"), who=None, content=b"x"), 403, "not valid")
    refused(http("PUT", url.replace("/parts/1", "/parts/2"), who=None, content=b"x"), 403, "not valid")
    refused(http("PUT", url.replace("/parts/1", "/parts/one"), who=None, content=b"x"), 404, "whole numbers")
    refused(http("PUT", url, who=None, content=b"x" * (MAX_PART_BYTES + 1)), 413, "at most")
    refused(http("GET", f"/v1/uploads/{upload['id']}", who="eve"), 404, "not found")
    fake.clock.advance(3601)
    refused(http("PUT", url, who=None, content=b"x"), 403, "expired")
    assert fake.scenario.store.get_upload(upload["id"]).parts == [None, None]


def test_downloads_are_refused_when_they_name_nothing_of_the_project(http, uploaded_image):
    theirs = uploaded_image("eve")
    options = {"fileNameTemplate": "<asset-id>"}
    query = {"assetIds": [theirs], "inferenceIds": [], "modelIds": []}
    refused(http("POST", "/v1/assets/download", json={"query": query, "options": options}), 404, theirs)
    query = {"assetIds": [], "inferenceIds": [], "modelIds": []}
    refused(http("POST", "/v1/assets/download", json={"query": query, "options": options}), 400, "names no asset")
    refused(http("GET", "/v1/assets/download/job_nope"), 404, "job_nope")
    refused(http("POST", "/v1/assets/asset_photo123/download", json={"targetFormat": "webp"}), 400, "does not convert")


def test_run_inputs_must_name_usable_assets(http, fake, uploaded_image):
    jobs_before = len(fake.scenario.store.all_jobs())
    theirs = uploaded_image("eve")
    for value, words in [
        ("asset_made_up", "asset asset_made_up not found in project proj_demo"),
        (theirs, f"asset {theirs} not found in project proj_demo"),
    ]:
        refused(
            http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": value}),
            400,
            f'Invalid input "image": {words}',
        )
    mine = uploaded_image()
    http("DELETE", "/v1/assets", json={"assetIds": [mine]})
    refused(http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": mine}), 400, f"asset {mine} was deleted")
    refused(
        http("PUT", "/v1/workflows/workflow_upscaler/run?dryRun=true", json={"image": "asset_made_up"}),
        400,
        "not found",
    )
    assert len(fake.scenario.store.all_jobs()) == jobs_before
    assert http("PUT", "/v1/workflows/workflow_upscaler/run", json={"image": PNG_URL}).status_code == 200


def test_file_array_inputs_name_the_index_at_fault(http, make_ready_workflow):
    workflow_id = make_ready_workflow(
        inputs=[{"name": "images", "type": "file_array", "kind": "image", "required": {"always": True}}],
        flow=[
            {
                "id": "node_a",
                "type": "custom-model",
                "modelId": "model_upscaler",
                "inputs": [{"name": "images", "type": "file_array", "ref": {"node": "workflow", "name": "images"}}],
            }
        ],
    )
    answer = http("PUT", f"/v1/workflows/{workflow_id}/run", json={"images": ["asset_photo123", "asset_nope"]})
    refused(answer, 400, 'Invalid input "images" at index 1: asset asset_nope not found')


def test_workflow_asset_fields_must_name_assets_of_its_project(http, make_ready_workflow, uploaded_image):
    workflow_id = make_ready_workflow()
    theirs = uploaded_image("eve")
    for name in ("before", "after", "thumbnail"):
        refused(
            http("PUT", f"/v1/workflows/{workflow_id}", json={name: theirs}), 400, f"Invalid {name}: asset {theirs}"
        )
    refused(http("PUT", f"/v1/workflows/{workflow_id}", json={"after": "asset_made_up"}), 400, "Invalid after")
    assert "after" not in http("GET", f"/v1/workflows/{workflow_id}").json()["workflow"]
    mine = uploaded_image()
    workflow = http("PUT", f"/v1/workflows/{workflow_id}", json={"after": mine}).json()["workflow"]
    assert workflow["after"]["assetId"] == mine and workflow["thumbnail"]["assetId"] == mine


def test_listing_by_parent_and_root_follows_the_family(http, fake):
    def child_of(parent: str | None) -> str:
        body = {"name": "x.png", "image": PNG_URL, **({"parentId": parent} if parent else {})}
        return http("POST", "/v1/assets", json=body).json()["asset"]["id"]

    root = child_of(None)
    child = child_of(root)
    grandchild = child_of(child)
    assert [a["id"] for a in http("GET", f"/v1/assets?parentAssetId={root}").json()["assets"]] == [child]
    descendants = {a["id"] for a in http("GET", f"/v1/assets?rootAssetId={root}").json()["assets"]}
    assert descendants == {child, grandchild}
