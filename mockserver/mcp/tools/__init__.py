"""The fake's MCP tools, one module per surface; each module's ``register`` adds its tools to a server.

- ``manage_workflows``: the one-tool surface, ``manage_workflows`` with an ``action``;
- ``workflows``: the per-verb tools of Scenario's hosted MCP server (``workflows_list``, ``workflow_run``, ...);
- ``jobs``: ``jobs_wait``;
- ``scope``: ``teams_list`` and ``projects_list``;
- ``assets``: ``assets_list``, ``asset_get``, ``asset_display``, ``asset_download``, ``upload_asset``, ...
"""

from __future__ import annotations

from collections.abc import Callable

from mcp.server.fastmcp import FastMCP

from mockserver.mcp.calls import Gateway
from mockserver.mcp.tools import assets, jobs, manage_workflows, scope, workflows

Register = Callable[[FastMCP, Gateway], None]
SURFACES: tuple[Register, ...] = (
    manage_workflows.register,
    workflows.register,
    jobs.register,
    scope.register,
    assets.register,
)
