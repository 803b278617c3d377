"""Find and delete the workflows the kit created on a live API and left behind (an interrupted run).

Only workflows whose name starts with the kit's mark (``[mockserver-kit]``) are touched.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from mockserver.kit.safety import NAME_MARK
from mockserver.kit.target import open_target

MAX_PAGES = 100


def kit_workflows(client: httpx.Client) -> Iterator[tuple[str, str]]:
    """(id, name) of every private or unlisted workflow of the key's project named with the kit's mark."""
    for privacy in ("private", "unlisted"):
        token = None
        for _ in range(MAX_PAGES):
            params = {"privacy": privacy, "pageSize": 100, "full": "false"}
            if token:
                params["paginationToken"] = token
            response = client.get("/workflows", params=params)
            response.raise_for_status()
            page = response.json()
            for workflow in page.get("workflows", []):
                if str(workflow.get("name", "")).startswith(NAME_MARK):
                    yield workflow["id"], workflow["name"]
            token = page.get("nextPaginationToken")
            if not token:
                break


def delete_kit_workflows(base_url: str, dry_run: bool = False) -> tuple[list[tuple[str, str]], list[str]]:
    """The kit's workflows found on ``base_url``, and the ids deleted (none on a dry run)."""
    with open_target(base_url) as target, target.client() as client:
        found = list(kit_workflows(client))
        if dry_run:
            return found, []
        deleted = [
            workflow_id
            for workflow_id, _ in found
            if client.delete(f"/workflows/{workflow_id}").status_code in (200, 404)
        ]
        return found, deleted
