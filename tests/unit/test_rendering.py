"""Rendered workflow views and response verdicts are computed once, and never go stale."""

from __future__ import annotations

import json

import pydantic
import pytest

from mockserver.contract import spec
from mockserver.fake import Fake
from mockserver.http.responses import ApiJSONResponse
from mockserver.workflows.models import AssetRef, AssetUrl, Workflow


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


def test_a_new_version_renders_its_own_view_and_the_old_one_keeps_its_own() -> None:
    url = AssetUrl("http://fake.test")
    original = _workflow()
    assert original.api_view(url)["name"] == "Poster"
    renamed = original.model_copy(update={"name": "Renamed"})
    assert renamed.api_view(url)["name"] == "Renamed"
    assert original.api_view(url)["name"] == "Poster"


def test_views_differ_by_asset_base_and_by_fullness() -> None:
    workflow = _workflow()
    one = workflow.api_view(AssetUrl("http://one.test"))
    two = workflow.api_view(AssetUrl("http://two.test"))
    assert one["thumbnail"]["url"] == "http://one.test/cdn/assets/asset_thumb"
    assert two["thumbnail"]["url"] == "http://two.test/cdn/assets/asset_thumb"
    short = workflow.api_view(AssetUrl("http://one.test"), full=False)
    assert "flow" in one and "flow" not in short
    assert workflow.api_view(AssetUrl("http://one.test")) is one


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
    return fake.contract.by_id["getWorkflow"]


def test_a_broken_response_is_reported_every_time_it_is_sent(get_workflow: spec.Operation) -> None:
    body = {"workflow": {"id": 42}}
    rendered = json.dumps(body).encode()
    first = get_workflow.check_response(200, body, rendered)
    again = get_workflow.check_response(200, body, rendered)
    assert first and again == first
    assert get_workflow.check_response(201, body, rendered)[0].message.startswith("status 201 is not documented")


def test_verdicts_past_their_budget_are_forgotten_not_confused(
    get_workflow: spec.Operation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spec._Verdicts, "BUDGET_BYTES", 64)
    bad = {"workflow": {"id": 42}}
    good = {"success": True}
    for _ in range(3):
        assert get_workflow.check_response(200, bad, json.dumps(bad).encode())
        assert get_workflow.check_response(404, good, json.dumps(good).encode()) == get_workflow.check_response(
            404, good
        )


def test_an_answer_with_an_integer_past_64_bits_is_still_rendered() -> None:
    response = ApiJSONResponse({"echoed": 2**70, "name": "é"})
    assert json.loads(response.body) == {"echoed": 2**70, "name": "é"}
    assert response.content == {"echoed": 2**70, "name": "é"}
