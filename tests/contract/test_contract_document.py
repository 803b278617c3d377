"""The contract document itself: valid OpenAPI, and links the stateful walk can follow.

The fuzzing of every operation and the stateful walk live in ``contracts/suite``.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from mockserver.kit.target import Credentials
from mockserver.scenario.workflows.flow import validate_flow
from mockserver.server.fake import Fake
from mockserver.server.settings import DEFAULT_CONTRACT, Settings

DOCUMENT = yaml.safe_load(DEFAULT_CONTRACT.read_text(encoding="utf-8"))
OPERATIONS = {
    op["operationId"]: (path, method, op, item.get("parameters", []))
    for path, item in DOCUMENT["paths"].items()
    for method, op in item.items()
    if isinstance(op, dict) and "operationId" in op
}


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        found: Any = DOCUMENT
        for part in node["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        node = found
    return node


def links() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (source, name, resolve(link))
        for source, (_, _, op, _) in OPERATIONS.items()
        for response in op["responses"].values()
        for name, link in resolve(response).get("links", {}).items()
    ]


def parameter_names(operation_id: str) -> set[str]:
    _, _, op, shared = OPERATIONS[operation_id]
    return {resolve(parameter)["name"] for parameter in [*shared, *op.get("parameters", [])]}


def test_the_contract_is_valid_openapi():
    validate(DOCUMENT)


@pytest.mark.parametrize(("source", "name", "link"), links(), ids=[f"{s}.{n}" for s, n, _ in links()])
def test_each_link_names_a_real_operation_and_its_parameters(source, name, link):
    assert link["operationId"] in OPERATIONS, f"{source}.{name} points at no operation"
    assert set(link.get("parameters", {})) <= parameter_names(link["operationId"])
    for expression in link.get("parameters", {}).values():
        assert expression.startswith(("$response.body#/", "$request.path.")), expression


def test_the_links_walk_a_workflow_through_its_life():
    chains = {(source, link["operationId"]) for source, _, link in links()}
    lifecycle = [
        ("createWorkflow", "updateWorkflow"),
        ("updateWorkflow", "runWorkflow"),
        ("runWorkflow", "getJob"),
        ("getJob", "getJob"),
        ("runWorkflow", "jobAction"),
        ("getJob", "jobAction"),
        ("getJob", "userApproval"),
        ("createWorkflow", "deleteWorkflow"),
        ("deleteWorkflow", "getWorkflow"),
        ("listWorkflows", "getWorkflow"),
    ]
    assert [step for step in lifecycle if step not in chains] == []


def test_the_publish_link_carries_a_flow_the_fake_accepts_as_ready():
    body = DOCUMENT["components"]["links"]["PublishCreatedWorkflow"]["requestBody"]
    assert body["status"] == "ready"
    validate_flow(body["flow"], body["inputs"])
    fake = Fake(Settings(clock_mode="manual"))
    principal = fake.directory.authenticate(Credentials("key_alice", "secret_alice").authorization, None)
    created = fake.scenario.workflows.create(principal, "walk", "published by the link")
    assert fake.scenario.workflows.update(principal, created.id, body).status == "ready"
