"""The fake's MCP server: Scenario's workflow, job and asset tools over the fake's own state.

:func:`build_server` makes a FastMCP server whose tools reach the fake through a :class:`Gateway`, as
REST requests do through the request pipeline. Three transports serve it: Streamable HTTP under
``/mcp`` of the fake's app (:mod:`mockserver.mcp.http`), stdio (``mockserver mcp``), and an in-memory
session for tests (the pytest plugin's ``scenario_mcp``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mcp.server.fastmcp import FastMCP
from pydantic import BaseModel

from mockserver.core.http.host import Host
from mockserver.mcp.auth import Credentials
from mockserver.mcp.calls import Gateway
from mockserver.mcp.tools import SURFACES
from mockserver.scenario.backend import ScenarioBackend

SERVER_NAME = "scenario-mockserver"
INSTRUCTIONS = (
    "An offline fake of Scenario's workflow, job and asset tools. Workflows: manage_workflows, or the per-verb "
    "tools (workflows_list, workflow_get, workflow_run, ...). Wait on jobs with jobs_wait and call it again with "
    "pending_job_ids until none is left. Assets: assets_list, asset_get, asset_display, asset_download; local "
    "files go up with upload_asset, then upload_asset_complete."
)


def build_server(
    host: Host, scenario: ScenarioBackend, credentials: Credentials, base_url: Callable[[], str]
) -> FastMCP:
    server = FastMCP(SERVER_NAME, instructions=INSTRUCTIONS)
    gateway = Gateway(host, scenario, credentials, base_url)
    for register in SURFACES:
        register(server, gateway)
    for tool in server._tool_manager.list_tools():  # the registered tools themselves, with their argument models
        _refuse_unknown_arguments(tool.fn_metadata.arg_model, tool.parameters)
    return server


def _refuse_unknown_arguments(arguments: type[BaseModel], schema: dict[str, Any]) -> None:
    """An argument a tool does not take is refused by name, not dropped: a misspelt one would change nothing.

    FastMCP's argument models ignore extra arguments and offer no option to refuse them.
    """
    arguments.model_config["extra"] = "forbid"
    arguments.model_rebuild(force=True)
    schema["additionalProperties"] = False
