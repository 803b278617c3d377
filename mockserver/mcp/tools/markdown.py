"""``response_format="markdown"`` of ``manage_workflows``: its reply as text a person reads."""

from __future__ import annotations

from typing import Any


def as_markdown(body: dict[str, Any]) -> str:
    lines: list[str] = []
    if "workflows" in body:
        lines.append(f"## Workflows ({len(body['workflows'])})")
        lines += [_workflow_line(workflow) for workflow in body["workflows"]]
        if body.get("nextPaginationToken"):
            lines.append(f"\nNext page: page_token=`{body['nextPaginationToken']}`")
    if "workflow" in body:
        workflow = body["workflow"]
        lines += [f"## {workflow['name']}", _workflow_line(workflow)]
        lines += [f"- input `{item.get('name')}` ({item.get('type')})" for item in workflow.get("inputs", [])]
    if "job" in body:
        job = body["job"]
        lines.append(f"Job `{job['jobId']}`: {job['status']} ({round(job.get('progress', 0) * 100)}%)")
    lines += [f"{key}: {value}" for key, value in body.items() if key not in ("workflows", "workflow", "job")]
    return "\n".join(lines)


def _workflow_line(workflow: dict[str, Any]) -> str:
    flow = "has a flow" if workflow.get("hasFlow") else "no flow"
    return f"- **{workflow['name']}** `{workflow['id']}`: {workflow['status']}, {flow}"
