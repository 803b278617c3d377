"""The dashboard's request list shows MCP tool calls beside REST requests, in a real headless Chromium."""

from __future__ import annotations

import anyio

import mockserver
from tests.dashboard.test_browser import _wait, browser  # noqa: F401 (the fixture)
from tests.mcp.conftest import call, credentials, http_session


def test_the_request_list_shows_tool_calls_beside_rest_requests(browser):  # noqa: F811
    with mockserver.running(clock_mode="manual") as server:

        async def use_the_tools() -> None:
            async with http_session(server.mcp_url, credentials("alice")) as session:
                await call(session, "workflow_get", workflow_id="workflow_demo_poster")

        anyio.run(use_the_tools)
        server.client("alice").workflows.retrieve("workflow_demo_poster")
        browser.get(server.dashboard_url)

        def rows(driver) -> list[str]:
            return driver.execute_script(
                'return [...document.querySelectorAll("#journal tr")].map((r) => r.innerText);'
            )

        _wait(browser, lambda d: len(rows(d)) >= 2, "both calls in the request list")
        texts = rows(browser)
        assert any("mcp workflow_get" in text and "conforms" in text for text in texts), texts
        assert any("GET /v1/workflows/workflow_demo_poster" in text for text in texts), texts
        assert browser.execute_script('return document.querySelectorAll("#journal .via-mcp").length;') == 1
