"""The plugin's ``scenario_mcp`` fixture, used as docs/mcp.md shows it, in a suite of its own."""

from __future__ import annotations

import pytest


def test_the_documented_fixture_examples_pass(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.anyio
        async def test_wait_for_a_run(scenario_mcp, scenario_mock):
            run = await scenario_mcp.call_tool("workflow_run", {"workflow_id": "workflow_upscaler",
                                                                "inputs": {"image": "asset_photo"}})
            job_id = run.structuredContent["job"]["jobId"]
            scenario_mock.advance(300)
            waited = await scenario_mcp.call_tool("jobs_wait", {"job_ids": [job_id]})
            assert waited.structuredContent["pending_job_ids"] == []

        @pytest.mark.parametrize("scenario_mcp", ["carol"], indirect=True)
        @pytest.mark.anyio
        async def test_a_reader_cannot_create(scenario_mcp):
            refused = await scenario_mcp.call_tool("workflow_create", {"name": "w", "description": "d"})
            assert refused.isError and "reader" in refused.content[0].text

        @pytest.mark.parametrize("scenario_mcp", ["carol"], indirect=True)
        @pytest.mark.anyio
        async def test_a_reader_reads_an_asset_but_cannot_delete_it(scenario_mcp):
            got = await scenario_mcp.call_tool("asset_get", {"asset_id": "asset_photo"})
            assert got.structuredContent["asset"]["mimeType"] == "image/png"
            refused = await scenario_mcp.call_tool("assets_delete", {"asset_ids": ["asset_photo"]})
            assert refused.isError and "reader" in refused.content[0].text
        """
    )
    pytester.runpytest("-q", "-p", "anyio").assert_outcomes(passed=3)
