"""What every tool call shares with a REST request: the clock, the journal, fault rules, the conformance
report and the dashboard's request list; and the stdio transport of ``mockserver mcp``."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator

import anyio
import httpx
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from mockserver.core.conformance import ConformanceReport, build_report, render_report
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings
from mockserver.testing import MockHandle
from tests.mcp.conftest import McpTarget, call, refusal

pytestmark = pytest.mark.anyio


@pytest.fixture
def realtime() -> Iterator[MockHandle]:
    handle = MockHandle(Fake(Settings(clock_mode="realtime", clock_speed=50)))
    yield handle
    handle.close()


async def test_jobs_wait_on_a_realtime_clock_waits_until_the_jobs_end(realtime: MockHandle) -> None:
    async with realtime.mcp_session("alice") as session:
        run = await call(session, "workflow_run", workflow_id="workflow_upscaler", inputs={"image": "asset_photo"})
        waited = await call(session, "jobs_wait", job_ids=[run["job"]["jobId"]], timeout_seconds=60)
        assert [job["status"] for job in waited["jobs"]] == ["success"]
        assert waited["pending_job_ids"] == [] and waited["timed_out"] is False


async def test_jobs_wait_times_out_on_a_parked_run_without_holding_the_lock(realtime: MockHandle) -> None:
    async with realtime.mcp_session("alice") as session:
        run = await call(session, "workflow_run", workflow_id="workflow_demo_poster", inputs={"prompt": "a fox"})
        job_id = run["job"]["jobId"]
        answers: dict[str, float] = {}

        async def wait() -> None:
            waited = await call(session, "jobs_wait", job_ids=[job_id], timeout_seconds=1.5)
            assert waited["pending_job_ids"] == [job_id] and waited["timed_out"] is True
            answers["wait"] = time.monotonic()

        async def list_meanwhile() -> None:
            await anyio.sleep(0.3)
            async with realtime.mcp_session("bob") as other:
                assert (await call(other, "workflows_list", limit=1))["workflows"]
            answers["list"] = time.monotonic()

        started = time.monotonic()
        async with anyio.create_task_group() as group:
            group.start_soon(wait)
            group.start_soon(list_meanwhile)
        assert answers["wait"] - started >= 1.5
        assert answers["list"] < answers["wait"]


async def test_tool_calls_are_journaled_beside_rest_requests(mcp_target: McpTarget) -> None:
    async with mcp_target.session("alice") as session:
        await call(session, "workflow_get", workflow_id="workflow_demo_poster")
        await refusal(session, "workflow_get", workflow_id="workflow_nope")
    async with mcp_target.session("carol") as session:
        await refusal(session, "workflow_delete", workflow_id="workflow_demo_poster")
    entries = [entry for entry in mcp_target.fake.journal.entries() if entry.via == "mcp"]
    assert [(entry.operation_id, entry.status) for entry in entries] == [
        ("workflow_get", 200),
        ("workflow_get", 404),
        ("workflow_delete", 403),
    ]
    assert entries[0].as_dict()["via"] == "mcp" and entries[0].method == "MCP" and entries[0].path == "/mcp"


async def test_fault_rules_match_a_tool_by_name(mcp_target: McpTarget) -> None:
    faults = mcp_target.fake.faults
    faults.add({"kind": "http-error", "status": 503, "match": {"operationId": "workflow_get"}, "count": 1})
    faults.add({"kind": "latency", "seconds": 0.2, "match": {"operationId": "workflows_list"}, "count": 1})
    async with mcp_target.session("alice") as session:
        assert "503" in await refusal(session, "workflow_get", workflow_id="workflow_demo_poster")
        assert (await call(session, "workflow_get", workflow_id="workflow_demo_poster"))["workflow"]
        started = time.monotonic()
        await call(session, "workflows_list", limit=1)
        assert time.monotonic() - started >= 0.2
    entries = [entry for entry in mcp_target.fake.journal.entries() if entry.via == "mcp"]
    assert entries[0].status == 503 and "fault rule" in entries[0].warnings[0]
    assert "delayed" in entries[2].warnings[0]


async def test_the_conformance_report_shows_tool_calls_beside_rest_operations(realtime: MockHandle) -> None:
    realtime.http().get("/v1/workflows")
    async with realtime.mcp_session("alice") as session:
        await call(session, "workflows_list", limit=1)
        await refusal(session, "workflow_get", workflow_id="workflow_nope")
    report = build_report(realtime.journal(), realtime.fake.scenario.contract)
    assert report.requests == 1 and report.used["listWorkflows"] == {200: 1}
    assert report.tool_calls == {"workflows_list": {200: 1}, "workflow_get": {404: 1}}
    assert ConformanceReport.from_dict(report.as_dict()).tool_calls == report.tool_calls
    text = render_report(report)
    assert "MCP tool calls: 2" in text and "workflow_get" in text and "404x1" in text
    served = realtime.http(None).get("/_mock/journal/report").text
    assert "MCP tool calls: 2" in served


async def test_the_dashboard_lists_tool_calls(realtime: MockHandle) -> None:
    async with realtime.mcp_session("alice") as session:
        await call(session, "teams_list")
    entries = realtime.http(None).get("/_mock/journal").json()["entries"]
    assert [(entry["via"], entry["operationId"]) for entry in entries] == [("mcp", "teams_list")]
    script = realtime.http(None).get("/_mock/static/dashboard.js").text
    assert 'entry.via === "mcp"' in script


async def test_mockserver_mcp_serves_the_tools_over_stdio() -> None:
    environment = {**os.environ, "SCENARIO_SDK_API_KEY": "key_alice", "SCENARIO_SDK_API_SECRET": "secret_alice"}
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "mockserver", "mcp", "--clock", "manual"], env=environment
    )
    with anyio.fail_after(60):
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            teams = await call(session, "teams_list")
            assert teams["teams"][0]["projects"] == [{"id": "proj_demo", "name": "Demo project"}]
            run = await call(session, "workflow_run", workflow_id="workflow_demo_poster", inputs={"prompt": "x"})
            waited = await call(session, "jobs_wait", job_ids=[run["job"]["jobId"]])
            assert waited["pending_job_ids"] == [run["job"]["jobId"]]


async def test_mockserver_mcp_refuses_a_process_without_credentials() -> None:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("SCENARIO_SDK_")}
    server = StdioServerParameters(command=sys.executable, args=["-m", "mockserver", "mcp"], env=environment)
    with anyio.fail_after(60):
        async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            assert "Invalid or missing API key" in await refusal(session, "workflows_list")


def test_http_without_a_session_post_is_refused_by_the_transport() -> None:
    """Not MCP at all: the transport's own answer, never a 500 of the fake."""
    handle = MockHandle(Fake(Settings(clock_mode="manual")))
    try:
        response = handle.http().post("/mcp", content=b"{not json", headers={"content-type": "application/json"})
        assert 400 <= response.status_code < 500
    finally:
        handle.close()
    assert isinstance(response, httpx.Response)
