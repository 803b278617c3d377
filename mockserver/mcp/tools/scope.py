"""``teams_list`` and ``projects_list``: the scope a caller passes as ``team_id`` and ``project_id``.

The API has projects and no teams, so the fake has one team, :data:`TEAM_ID`, holding every project. A
caller sees the projects its user holds a key in, as Scenario's server shows a user its teams' projects.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.fastmcp import Context, FastMCP
from pydantic import Field

from mockserver.core.errors import NotFound
from mockserver.core.principals import Directory, Principal
from mockserver.mcp.calls import Gateway

TEAM_ID = "team_mockserver"
TEAM_NAME = "Mockserver"


def check_team(team_id: str | None) -> None:
    if team_id is not None and team_id != TEAM_ID:
        raise NotFound(f"Team {team_id} not found: the fake's one team is {TEAM_ID}")


def projects_of(directory: Directory, principal: Principal) -> list[dict[str, str]]:
    """The projects the caller's user holds a key in, in the fixtures' order."""
    held = {key.project_id for key in directory.keys.values() if key.user_id == principal.user_id}
    held.add(principal.project_id)
    return [{"id": project, "name": name} for project, name in directory.projects.items() if project in held]


def register(server: FastMCP, gateway: Gateway) -> None:
    directory = gateway.host.directory

    @server.tool(description=f"The caller's teams with their projects. The fake has one team, {TEAM_ID}.")
    async def teams_list(ctx: Context) -> dict[str, Any]:
        async with gateway.call("teams_list", ctx) as call:
            projects = call.run(lambda who: projects_of(directory, who))
            return {"teams": [{"id": TEAM_ID, "name": TEAM_NAME, "projects": projects}]}

    @server.tool(description="The projects of a team the caller sees. team_id is required (see teams_list).")
    async def projects_list(
        ctx: Context, team_id: Annotated[str, Field(description="Team ID, from teams_list.")]
    ) -> dict[str, Any]:
        async with gateway.call("projects_list", ctx) as call:
            check_team(team_id)
            return {"projects": call.run(lambda who: projects_of(directory, who))}
