from __future__ import annotations

import json
from typing import Any

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def call(session: Any, tool: str, **arguments: Any) -> Any:
    """The tool's JSON answer; fails the test if the tool refused."""
    result = await session.call_tool(tool, arguments)
    assert not result.isError, result.content[0].text
    return json.loads(result.content[0].text)


async def refusal(session: Any, tool: str, **arguments: Any) -> str:
    """The message of the tool's refusal; fails the test if the tool answered."""
    result = await session.call_tool(tool, arguments)
    assert result.isError, result.content[0].text
    return result.content[0].text
