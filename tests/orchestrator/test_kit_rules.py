"""The schemathesis rules of the orchestrator contract: generated steps made into a DAG, DAG refusals recognised."""

from __future__ import annotations

from mockserver.kit.orchestrator_rules import as_dag, is_dag_refusal
from mockserver.orchestrator.requests import CreateWorkflow


def test_generated_steps_are_made_into_a_valid_dag():
    mapping = {"from_step": "b", "from_field": "result_image_path", "to_field": "image"}
    body = {
        "name": "n",
        "origin_instance": "o",
        "steps": [
            {"id": "a", "task_type": "GENERATION", "config": {}, "depends_on": ["b", "zzz"]},
            {"id": "a", "task_type": "REFINE", "config": {}, "depends_on": ["a"], "input_mappings": [mapping]},
            {"id": "b", "task_type": "EDIT", "config": {}, "depends_on": ["a-1"], "input_mappings": [mapping]},
            {"id": "c", "task_type": "EDIT", "config": {}, "depends_on": ["b"], "input_mappings": [mapping]},
        ],
    }
    fixed = as_dag(body)
    CreateWorkflow.model_validate(fixed)  # raises if the steps still break a DAG rule
    assert [(s["id"], s["depends_on"]) for s in fixed["steps"]] == [
        ("a", []),
        ("a-1", ["a"]),
        ("b", ["a-1"]),
        ("c", ["b"]),
    ]
    assert [len(s.get("input_mappings", [])) for s in fixed["steps"]] == [0, 0, 0, 1]
    assert body["steps"][0]["depends_on"] == ["b", "zzz"]  # the generated case itself is left alone


def test_bodies_that_are_not_valid_workflows_are_left_as_they_are():
    for body in (None, [], {"steps": "x"}, {"steps": [{"id": 3}]}):
        assert as_dag(body) == body


def test_only_dag_refusals_count_as_documented():
    refusal = {"detail": [{"type": "value_error", "loc": ["body", "steps"], "msg": "Value error, ..."}]}
    assert is_dag_refusal(422, refusal)
    assert not is_dag_refusal(422, {"detail": [{"type": "missing", "loc": ["body", "name"], "msg": "Field required"}]})
    assert not is_dag_refusal(400, refusal)
