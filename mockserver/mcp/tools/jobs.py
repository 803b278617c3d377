"""``jobs_wait``: a server-side wait on up to 32 jobs, on the fake's clock.

On a manual or instant clock time moves only when told to, so the tool answers at once: the jobs that
have ended, and ``pending_job_ids`` for the rest (a test moves the clock and calls again). On a realtime
clock it looks again every :data:`POLL_SECONDS` until every job has ended or ``timeout_seconds`` passed,
holding the fake's lock only while it looks. A timeout is not an error: call again with ``pending_job_ids``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from mcp.server.fastmcp import Context, FastMCP
from pydantic import Field

from mockserver.core.principals import Principal
from mockserver.mcp import replies
from mockserver.mcp.calls import Gateway, ToolCall
from mockserver.mcp.tools.arguments import ProjectId, TeamId
from mockserver.mcp.tools.scope import check_team

MAX_JOBS = 32
MAX_TIMEOUT_SECONDS = 120.0
POLL_SECONDS = 0.1


def register(server: FastMCP, gateway: Gateway) -> None:
    @server.tool(
        description=f"Wait for up to {MAX_JOBS} jobs to end. Answers the ended jobs, and pending_job_ids to call "
        "again with when the wait timed out (not an error). A job parked on an approval node waits for "
        "workflow_approve or workflow_reject however long this waits."
    )
    async def jobs_wait(
        ctx: Context,
        job_ids: Annotated[list[str], Field(min_length=1, max_length=MAX_JOBS, description="IDs of the jobs.")],
        timeout_seconds: Annotated[
            float,
            Field(
                ge=0,
                le=MAX_TIMEOUT_SECONDS,
                description="How long to wait on a realtime clock. On a manual clock the fake answers at once.",
            ),
        ] = 30.0,
        team_id: TeamId = None,
        project_id: ProjectId = None,
    ) -> dict[str, Any]:
        wanted = list(dict.fromkeys(job_ids))
        job_id = wanted[0] if len(wanted) == 1 else None
        async with gateway.call("jobs_wait", ctx, project_id, jobId=job_id) as call:
            check_team(team_id)
            deadline = time.monotonic() + timeout_seconds
            while True:
                ended, pending = call.run(lambda who: _look(call, who, wanted))
                remaining = deadline - time.monotonic()
                if not pending or gateway.host.clock.mode != "realtime" or remaining <= 0:
                    break
                await asyncio.sleep(min(POLL_SECONDS, remaining))
            return {"jobs": ended, "pending_job_ids": pending, "timed_out": bool(pending)}


def _look(call: ToolCall, principal: Principal, job_ids: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The ended jobs as the API shows them, and the ids of the others; under the lock, as jobs change."""
    jobs = [call.scenario.jobs.get(principal, job_id) for job_id in job_ids]
    return [replies.job(call, job) for job in jobs if job.is_terminal], [
        job.job_id for job in jobs if not job.is_terminal
    ]
