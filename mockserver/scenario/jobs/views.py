"""Jobs in the API's shape."""

from __future__ import annotations

from typing import Any

from mockserver.scenario.asset_url import AssetUrl
from mockserver.scenario.jobs.models import Job, NodeRun


def job_view(job: Job, progress: float, asset_url: AssetUrl) -> dict[str, Any]:
    metadata: dict[str, Any] = {"input": job.input}
    if job.workflow_id:
        metadata["workflowId"] = job.workflow_id
    if job.workflow_job_id:
        metadata["workflowJobId"] = job.workflow_job_id
    if job.nodes is not None:
        metadata["flow"] = [node_view(run, asset_url) for run in job.nodes]
    if job.asset_ids:
        metadata["assetIds"] = list(job.asset_ids)
    if job.output:
        metadata["output"] = job.output
    if job.error:
        metadata["error"] = job.error
    if job.hint:
        metadata["hint"] = job.hint
    return {
        "jobId": job.job_id,
        "jobType": job.job_type,
        "status": job.status,
        "progress": progress,
        "statusHistory": [{"date": change.at, "status": change.status} for change in job.status_history],
        "createdAt": job.created_at,
        "updatedAt": job.updated_at,
        "ownerId": job.owner_id,
        "authorId": job.author_id,
        "billing": {"cuCost": job.cu_cost, "cuDiscount": 0},
        "metadata": metadata,
    }


def node_view(run: NodeRun, asset_url: AssetUrl) -> dict[str, Any]:
    node = {**run.definition, "id": run.node_id, "status": run.status}
    if run.job_id:
        node["jobId"] = run.job_id
    if run.assets:
        node["assets"] = [{"assetId": asset_id, "url": asset_url(asset_id)} for asset_id in run.assets]
    if run.output is not None:
        node["output"] = run.output
    if run.candidates is not None:
        node["items"] = list(run.candidates)
    if run.loop_node_id is not None:
        node["loopNodeId"] = run.loop_node_id
        node["iterationIndex"] = run.iteration_index
    return node
