"""The MCP tools driven through the official client, ``mcp.ClientSession``, over both transports a test can
reach: in memory (the plugin's way) and Streamable HTTP to a served fake (``running()``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from mockserver.mcp.auth import basic
from mockserver.server.fake import Fake
from mockserver.server.settings import Settings
from mockserver.testing import MockHandle, RunningServer, running

TRANSPORTS = ("memory", "http")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class McpTarget:
    """A fake and a way to open a client session to its MCP server as a principal."""

    fake: Fake
    session: Callable[[str | None], AbstractAsyncContextManager[ClientSession]]
    transport: httpx.AsyncBaseTransport | None = None  # what reaches the fake's URLs (part URLs, asset files)

    def advance(self, seconds: float) -> None:
        self.fake.advance(seconds)


@pytest.fixture(scope="module")
def served() -> Iterator[RunningServer]:
    """One fake served for the module's HTTP tests; each test starts it from the fixtures again."""
    with running(clock_mode="manual") as server:
        yield server


@pytest.fixture(params=TRANSPORTS)
def mcp_target(request: pytest.FixtureRequest) -> Iterator[McpTarget]:
    if request.param == "memory":
        handle = MockHandle(Fake(Settings(clock_mode="manual")))
        yield McpTarget(handle.fake, handle.mcp_session, httpx.ASGITransport(app=handle.app))
        handle.close()
        return
    server: RunningServer = request.getfixturevalue("served")
    server.fake.reset()
    yield McpTarget(server.fake, lambda who: http_session(server.mcp_url, credentials(who)))


def credentials(who: str | None) -> dict[str, str]:
    return {"Authorization": basic(f"key_{who}", f"secret_{who}")} if who else {}


@asynccontextmanager
async def http_session(url: str, headers: dict[str, str]) -> AsyncIterator[ClientSession]:
    async with (
        httpx.AsyncClient(headers=headers, timeout=30) as client,
        streamable_http_client(url, http_client=client) as (read, write, _),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def call(session: ClientSession, tool: str, **arguments: Any) -> Any:
    """The tool's JSON answer; fails the test if the tool refused."""
    result = await session.call_tool(tool, arguments)
    assert not result.isError, result.content[0].text
    return json.loads(result.content[0].text)


async def refusal(session: ClientSession, tool: str, **arguments: Any) -> str:
    """The message of the tool's refusal; fails the test if the tool answered."""
    result = await session.call_tool(tool, arguments)
    assert result.isError, result.content[0].text
    return result.content[0].text
