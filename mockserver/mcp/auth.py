"""Who calls a tool: the fake's own API keys and bearer tokens, found where each transport carries them.

Every transport hands the fake's directory an ``Authorization`` value, as the REST API does: over
Streamable HTTP the request's own headers (``Basic`` key and secret, or ``Bearer`` token); over stdio
the process's environment, under the official SDK's names; in memory, the principal a test picked.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping

from mcp.server.fastmcp import Context

# The names scenario-sdk reads its credentials from (scenario_sdk/_client.py).
KEY_VARIABLE = "SCENARIO_SDK_API_KEY"
SECRET_VARIABLE = "SCENARIO_SDK_API_SECRET"
TOKEN_VARIABLE = "SCENARIO_SDK_JWT"

# The ``Authorization`` value of a tool call, from its context (None when it carries none).
Credentials = Callable[[Context | None], str | None]


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode("ascii")


def fixed(authorization: str | None) -> Credentials:
    """The same credentials for every call: a stdio process's, or an in-memory session's."""
    return lambda ctx: authorization


def from_environment(environment: Mapping[str, str]) -> Credentials:
    """The SDK's variables: a key and secret (Basic), else a token (Bearer); neither is refused at each call."""
    key, secret = environment.get(KEY_VARIABLE), environment.get(SECRET_VARIABLE)
    if key and secret:
        return fixed(basic(key, secret))
    token = environment.get(TOKEN_VARIABLE)
    return fixed(f"Bearer {token}" if token else None)


def from_request_headers(ctx: Context | None) -> str | None:
    """The ``Authorization`` header of the HTTP request that carried the call."""
    request = ctx.request_context.request if ctx is not None else None
    headers = getattr(request, "headers", None)
    return headers.get("authorization") if headers is not None else None
