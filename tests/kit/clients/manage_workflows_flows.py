"""A real client: the flows the `manage_workflows` tool documents, replayed through the official SDK.

- clone: create, then update with the source's flow, inputs and editor state;
- import: create with the web app's editor state and inputs (a draft), then publish: the compiled flow
  and status "ready" in one update;
- run with dry_run (the tool puts dryRun in the query string, the inputs in the body), then for real,
  wrapping a bare scalar meant for an array input into a one-item array as the tool does;
- approve, and reject, a user-approval node;
- list "apps": workflows in status "ready", paged with the tool's default limit of 20.
"""

from __future__ import annotations

import os

import httpx
from scenario_sdk import APIStatusError, Scenario

EDITOR_STATE = {
    "nodes": [{"id": "node_generate", "type": "custom-model"}, {"id": "node_review", "type": "user-approval"}],
    "edges": [{"source": "node_generate", "target": "node_review"}],
}
INPUTS = [{"name": "prompt", "type": "string", "required": {"always": True}}]
COMPILED_FLOW = [
    {
        "id": "node_generate",
        "type": "custom-model",
        "modelId": "model_poster",
        "inputs": [{"name": "prompt", "type": "string", "ref": {"node": "workflow", "name": "prompt"}}],
    },
    {"id": "node_review", "type": "user-approval", "dependsOn": ["node_generate"]},
]
ARRAY_TYPES = ("file_array", "string_array", "model_array")


def advance(seconds: float) -> None:
    httpx.post(f"{os.environ['MOCKSERVER_URL']}/_mock/clock/advance", json={"seconds": seconds}).raise_for_status()


def wrap_array_scalars(client: Scenario, workflow_id: str, inputs: dict) -> dict:
    """The tool wraps a bare scalar for an array input, which the API would drop silently."""
    definitions = {d.name: d.type for d in client.workflows.retrieve(workflow_id).workflow.inputs}
    return {k: [v] if definitions.get(k) in ARRAY_TYPES and not isinstance(v, list) else v for k, v in inputs.items()}


def clone(client: Scenario, source_id: str) -> str:
    source = client.workflows.retrieve(source_id).workflow
    copy = client.workflows.create(name=f"{source.name} (copy)", description=source.description).workflow
    client.workflows.update(
        copy.id,
        flow=[node.model_dump(by_alias=True, exclude_none=True) for node in source.flow],
        inputs=[item.model_dump(by_alias=True, exclude_none=True) for item in source.inputs],
        editor_info=source.editor_info or {},
    )
    cloned = client.workflows.retrieve(copy.id).workflow
    assert [node.id for node in cloned.flow] == [node.id for node in source.flow] and cloned.status == "draft"
    return copy.id


def import_and_publish(client: Scenario) -> str:
    imported = client.workflows.create(name="Imported poster", description="from a web app export").workflow
    client.workflows.update(imported.id, editor_info=EDITOR_STATE, inputs=INPUTS)
    assert client.workflows.retrieve(imported.id).workflow.status == "draft"
    published = client.workflows.update(imported.id, flow=COMPILED_FLOW, status="ready").workflow
    assert published.status == "ready" and published.has_flow
    return imported.id


def run_with_dry_run(client: Scenario, workflow_id: str) -> None:
    try:
        client.workflows.run(workflow_id, body={"prompt": "a poster"}, dry_run="true")
        raise AssertionError("a dry run answers 402")
    except APIStatusError as error:
        assert error.status_code == 402, error.status_code
    inputs = wrap_array_scalars(client, "workflow_product_shot", {"prompt": "a red sneaker", "angles": "front"})
    job = client.workflows.run("workflow_product_shot", body=inputs).job
    assert job.metadata.input["angles"] == ["front"]


def approve_and_reject(client: Scenario, workflow_id: str) -> None:
    for action, final in (("approve", "success"), ("reject", "canceled")):
        job = client.workflows.run(workflow_id, body={"prompt": "a poster"}).job
        advance(12)
        decided = client.workflows.user_approval(
            workflow_id, project_id=job.owner_id, node_id="node_review", workflow_job_id=job.job_id, action=action
        ).job
        advance(30)
        assert client.jobs.retrieve(decided.job_id).job.status == final


def list_apps(client: Scenario) -> list[str]:
    page = client.workflows.list(status="ready", page_size=20)
    apps = [workflow.id for workflow in page]
    assert apps and all(client.workflows.retrieve(app).workflow.status == "ready" for app in apps)
    return apps


def main() -> None:
    with Scenario(max_retries=0) as client:
        clone(client, "workflow_demo_poster")
        imported = import_and_publish(client)
        run_with_dry_run(client, imported)
        approve_and_reject(client, imported)
        assert imported in list_apps(client)
    print("manage_workflows flows: done")


if __name__ == "__main__":
    main()
