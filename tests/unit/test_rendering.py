"""Rendered workflow views and response verdicts are computed once, and never go stale."""

from __future__ import annotations

import json

import pydantic
import pytest

from mockserver.core import contract as spec
from mockserver.core.http.responses import ApiJSONResponse
from mockserver.scenario.asset_url import AssetUrl
from mockserver.scenario.workflows import views
from mockserver.scenario.workflows.models import AssetRef, Workflow
from mockserver.scenario.workflows.views import RenderedVersions, workflow_json, workflow_view
from mockserver.server.fake import Fake


def _workflow() -> Workflow:
    return Workflow(
        id="workflow_x",
        name="Poster",
        description="Makes posters",
        owner_id="proj_demo",
        author_id="user_alice",
        created_at="2026-01-01T00:00:00.000Z",
        updated_at="2026-01-01T00:00:00.000Z",
        thumbnail=AssetRef(asset_id="asset_thumb"),
        flow=[{"id": "node_1", "type": "generate"}],
    )


def test_a_stored_workflow_cannot_be_changed_in_place() -> None:
    with pytest.raises(pydantic.ValidationError):
        _workflow().name = "Renamed"


def _rendered(workflow: Workflow, url: AssetUrl, full: bool = True) -> dict:
    return json.loads(workflow_json(workflow, url, full).json)


def test_a_new_version_renders_its_own_json_and_the_old_one_keeps_its_own() -> None:
    url = AssetUrl("http://fake.test")
    original = _workflow()
    assert _rendered(original, url)["name"] == "Poster"
    renamed = original.model_copy(update={"name": "Renamed"})
    assert _rendered(renamed, url)["name"] == "Renamed"
    assert _rendered(original, url)["name"] == "Poster"


def test_the_json_is_the_view_rendered_once_per_asset_base_and_fullness() -> None:
    workflow = _workflow()
    one, two = AssetUrl("http://one.test"), AssetUrl("http://two.test")
    assert _rendered(workflow, one) == workflow_view(workflow, one)
    assert _rendered(workflow, two)["thumbnail"]["url"] == "http://two.test/cdn/assets/asset_thumb"
    assert _rendered(workflow, one)["thumbnail"]["url"] == "http://one.test/cdn/assets/asset_thumb"
    assert "flow" in _rendered(workflow, one) and "flow" not in _rendered(workflow, one, full=False)
    assert workflow_json(workflow, one) is workflow_json(workflow, one)


def test_a_flow_with_an_integer_past_64_bits_still_renders() -> None:
    workflow = _workflow().model_copy(update={"flow": [{"id": "node_1", "seed": 2**70}]})
    assert _rendered_big(workflow)["flow"][0]["seed"] == 2**70


def _rendered_big(workflow: Workflow) -> dict:
    return json.loads(ApiJSONResponse({"w": workflow_json(workflow, AssetUrl("http://one.test"))}).body)["w"]


def test_renderings_are_bounded_and_each_version_gets_its_own() -> None:
    renderings = RenderedVersions(capacity=2)
    url = AssetUrl("http://fake.test")
    for i in range(200):  # dropped versions free their identity for the next ones to reuse
        version = _workflow().model_copy(update={"name": f"Version {i}"})
        assert json.loads(renderings.json(version, url).json)["name"] == f"Version {i}"
        assert len(renderings) <= 2


def test_the_least_recently_used_rendering_goes_first() -> None:
    renderings = RenderedVersions(capacity=2)
    url = AssetUrl("http://fake.test")
    first, second, third = (_workflow().model_copy(update={"name": name}) for name in ("A", "B", "C"))
    kept = renderings.json(first, url)
    dropped = renderings.json(second, url)
    assert renderings.json(first, url) is kept  # used again: now the most recent
    renderings.json(third, url)
    assert renderings.json(first, url) is kept
    assert renderings.json(second, url) is not dropped  # rendered anew
    assert json.loads(renderings.json(second, url).json)["name"] == "B"


def test_a_flood_of_hosts_keeps_the_renderings_bounded_and_never_serves_an_old_version(
    http, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "RENDERED", RenderedVersions(capacity=16))
    public = "/v1/workflows/workflow_bg_remover"
    created = http("POST", "/v1/workflows", json={"name": "Mine", "description": "d"}).json()["workflow"]
    mine = f"/v1/workflows/{created['id']}"
    for i in range(100):
        host = f"host{i}.test"
        answered = http("GET", public, headers={"Host": host}).json()["workflow"]
        assert answered["thumbnail"]["url"] == f"http://{host}/cdn/assets/asset_bgremover_after"
        if i % 10 == 0:
            renamed = http("PUT", mine, json={"name": f"Renamed {i}"}, headers={"Host": host})
            assert renamed.status_code == 200 and renamed.json()["workflow"]["name"] == f"Renamed {i}"
        assert http("GET", mine, headers={"Host": host}).json()["workflow"]["name"] == f"Renamed {i - i % 10}"
        assert http("GET", mine).json()["workflow"]["name"] == f"Renamed {i - i % 10}"
        assert len(views.RENDERED) <= 16


def test_an_updated_workflow_is_served_as_updated(sdk) -> None:
    client = sdk("alice")
    workflow = client.workflows.create(project_id="proj_demo", name="Before", description="d").workflow
    assert client.workflows.retrieve(workflow.id).workflow.name == "Before"
    client.workflows.update(workflow.id, name="After")
    assert client.workflows.retrieve(workflow.id).workflow.name == "After"
    listed = client.workflows.list(privacy="private").workflows
    assert [w.name for w in listed if w.id == workflow.id] == ["After"]


@pytest.fixture
def get_workflow(fake: Fake) -> spec.Operation:
    return fake.scenario.contract.by_id["getWorkflow"]


def test_a_broken_response_is_reported_every_time_it_is_sent(get_workflow: spec.Operation) -> None:
    sent = json.dumps({"workflow": {"id": 42}}).encode()
    first = get_workflow.check_sent(200, sent)
    again = get_workflow.check_sent(200, sent)
    assert first and again == first
    assert get_workflow.check_sent(201, sent)[0].message.startswith("status 201 is not documented")
    assert get_workflow.check_sent(200, b"not json")


def test_verdicts_past_their_budget_are_forgotten_not_confused(
    get_workflow: spec.Operation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spec._Verdicts, "BUDGET_BYTES", 64)
    bad = {"workflow": {"id": 42}}
    good = {"statusCode": 404, "error": "Not Found", "message": "Workflow not found"}
    for _ in range(3):
        assert get_workflow.check_sent(200, json.dumps(bad).encode())
        assert get_workflow.check_sent(404, json.dumps(good).encode()) == get_workflow.check_response(404, good)


def test_an_answer_with_an_integer_past_64_bits_is_still_rendered() -> None:
    response = ApiJSONResponse({"echoed": 2**70, "name": "é", "workflow": workflow_json(_workflow(), AssetUrl())})
    body = json.loads(response.body)
    assert (body["echoed"], body["name"], body["workflow"]["name"]) == (2**70, "é", "Poster")


def test_renderings_are_bounded_in_bytes_and_one_too_large_is_served_not_kept() -> None:
    url = AssetUrl("http://fake.test")
    big = _workflow().model_copy(update={"description": "x" * 10_000})
    renderings = RenderedVersions(capacity=100, max_bytes=35_000)
    for i in range(20):
        renderings.json(big, AssetUrl(f"http://host{i}.test"))
        assert renderings.kept_bytes <= 35_000
    assert len(renderings) == 3
    huge = _workflow().model_copy(update={"description": "x" * 50_000})
    assert len(renderings.json(huge, url).json) > 50_000
    assert len(renderings) == 3 and renderings.kept_bytes <= 35_000
    assert renderings.json(huge, url) is not renderings.json(huge, url)  # rendered each time it is asked for
