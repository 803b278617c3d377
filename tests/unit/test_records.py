"""Records read back from their JSON form: each field checked, defaults filled, the wrong field named."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from mockserver.core.errors import BadRequest
from mockserver.core.records import Moment, Record, record_from_json, record_to_json, records_from_json


class Step(Record):
    step_id: str
    at: Moment | None = None
    tries: list[tuple[str, int]] = msgspec.field(default_factory=list)


class Plan(Record):
    plan_id: str
    steps: list[Step]
    weight: float = 1.0
    tags: list[str] = msgspec.field(default_factory=list)
    parent: Plan | None = None


def test_a_record_reads_back_as_it_was_written():
    plan = Plan(
        "plan_1",
        [Step("a", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), [("x", 1)]), Step("b")],
        weight=2,
        tags=["t"],
        parent=Plan("plan_0", []),
    )
    assert record_from_json(Plan, record_to_json(plan), "plan") == plan


def test_missing_optional_fields_take_their_defaults_each_its_own_list():
    first = record_from_json(Plan, {"planId": "p", "steps": []}, "plan")
    second = record_from_json(Plan, {"planId": "q", "steps": []}, "plan")
    assert (first.weight, first.tags, first.parent) == (1.0, [], None)
    first.tags.append("t")
    assert second.tags == []


def test_lists_read_are_copies_of_the_document():
    document = {"planId": "p", "steps": [], "tags": ["t"]}
    plan = record_from_json(Plan, document, "plan")
    document["tags"].append("u")
    assert plan.tags == ["t"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "plan must be a JSON object"),
        ({"steps": []}, "plan.planId is required"),
        ({"planId": "p", "steps": [], "colour": 1}, "plan: unknown field colour"),
        ({"planId": 1, "steps": []}, "plan.planId must be a string"),
        ({"planId": "p", "steps": [], "weight": True}, "plan.weight must be a number"),
        ({"planId": "p", "steps": [{"stepId": "a"}, {"stepId": 2}]}, "plan.steps[1].stepId must be a string"),
        ({"planId": "p", "steps": [{"stepId": "a", "at": "soon"}]}, "plan.steps[0].at must be an ISO-8601 date"),
        (
            {"planId": "p", "steps": [{"stepId": "a", "at": "2026-01-02T03:04:05"}]},
            "plan.steps[0].at must be an ISO-8601 date with its offset (Z or +00:00)",
        ),
        ({"planId": "p", "steps": [], "parent": 5}, "plan.parent must be a JSON object or null"),
        (
            {"planId": "p", "steps": [{"stepId": "a", "tries": [["x", 1], ["y", "2"]]}]},
            "plan.steps[0].tries[1][1] must be a whole number",
        ),
        (
            {"planId": "p", "steps": [{"stepId": "a", "tries": [["x"]]}]},
            "plan.steps[0].tries[0] must be a list of 2 items",
        ),
        ({"planId": "p", "steps": [], "parent": {"planId": "q"}}, "plan.parent.steps is required"),
    ],
)
def test_the_first_wrong_field_is_named(document, message):
    with pytest.raises(BadRequest) as caught:
        record_from_json(Plan, document, "plan")
    assert caught.value.message == message


def test_a_list_of_records_names_the_item_that_is_wrong():
    plans = [{"planId": "p", "steps": []}, {"planId": "q", "steps": [{"stepId": None}]}]
    with pytest.raises(BadRequest) as caught:
        records_from_json(Plan, plans, "plans")
    assert caught.value.message == "plans[1].steps[0].stepId must be a string"


def test_records_already_read_are_taken_as_they_are():
    plan = Plan("p", [])
    assert records_from_json(Plan, [plan], "plans")[0] is plan
