"""One tool call on its way through the fake: the journal, the fault rules, the caller, the rate limit, the lock.

A tool call takes the path a REST request takes through :func:`mockserver.core.http.endpoint.api`, less
HTTP: it is journaled (its tool as the operation, marked ``via="mcp"``), fault rules matching its tool
name delay or refuse it, its caller is authenticated by the fake's directory and counted by the rate
limit, and its work runs under the fake's lock after the clock's due events are applied. A refusal of
the API becomes an MCP tool error (``isError``) carrying the API's message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from mcp.server.fastmcp import Context
from mcp.server.fastmcp.exceptions import ToolError

from mockserver.core.errors import ApiError
from mockserver.core.faults import FaultRule
from mockserver.core.http.endpoint import log_request
from mockserver.core.http.host import Host
from mockserver.core.journal import Entry
from mockserver.core.principals import Principal
from mockserver.mcp.auth import Credentials
from mockserver.scenario.asset_url import AssetUrl
from mockserver.scenario.backend import ScenarioBackend

log = logging.getLogger("mockserver")
T = TypeVar("T")
MCP_PATH = "/mcp"


@dataclass
class ToolCall:
    """A tool call admitted: its caller, and its work run under the fake's lock."""

    gateway: Gateway
    principal: Principal
    entry: Entry

    @property
    def scenario(self) -> ScenarioBackend:
        return self.gateway.scenario

    @property
    def asset_url(self) -> AssetUrl:
        return AssetUrl(self.gateway.base_url().rstrip("/") + "/")

    def run(self, work: Callable[[Principal], T]) -> T:
        """``work(principal)`` with the clock brought up to now, under the lock every request is served under."""
        host = self.gateway.host
        with host.store.lock:
            host.advance()
            return work(self.principal)

    def warn(self, warnings: list[str]) -> None:
        self.entry.warnings.extend(warnings)


@dataclass
class Gateway:
    """Where every tool of the fake's MCP server reaches the fake."""

    host: Host
    scenario: ScenarioBackend
    credentials: Credentials
    base_url: Callable[[], str]  # where the fake is served, for asset URLs

    @asynccontextmanager
    async def call(
        self, tool: str, ctx: Context | None, project_id: str | None = None, **facts: str | None
    ) -> AsyncIterator[ToolCall]:
        """Journal, fault rules and caller of one call of ``tool``; the API's refusals become tool errors."""
        host = self.host
        entry = host.journal.start("MCP", MCP_PATH, "", tool, host.clock.now(), via="mcp")
        started = time.perf_counter()
        try:
            await self._injected_fault(tool, entry, facts)
            principal = host.directory.authenticate(self.credentials(ctx), project_id or None)
            entry.principal = principal.user_id
            host.limits.check(principal.project_id)
            yield ToolCall(self, principal, entry)
            entry.status = 200
        except ApiError as error:
            entry.status = error.status
            raise ToolError(error.message) from None
        except ToolError:
            raise
        except Exception:  # a bug in a tool: a tool error with the API's words for it, journaled as a 500
            log.exception("unexpected error in MCP tool %s", tool)
            entry.status = 500
            raise ToolError("Internal server error") from None
        finally:
            entry.duration_ms = round((time.perf_counter() - started) * 1000, 3)
            log_request(entry)

    async def _injected_fault(self, tool: str, entry: Entry, facts: dict[str, str | None]) -> None:
        """The fault rules matching this call (``operationId`` is the tool's name): a delay, then a refusal."""
        faults = self.host.faults
        if not faults:
            return
        matched = {"operationId": tool, "method": "MCP", "path": MCP_PATH, **facts}
        delay = faults.take(("latency",), matched)
        if delay is not None:
            entry.warnings.append(f"delayed {delay.seconds:g}s by fault rule {delay.id}")
            await asyncio.sleep(delay.seconds)
        rule = faults.take(("http-error", "drop-connection"), matched)
        if rule is None:
            return
        if rule.kind == "drop-connection":
            entry.warnings.append(f"connection dropped by fault rule {rule.id}")
            entry.status = 0
            raise ToolError(f"The connection was dropped (injected by fault rule {rule.id})")
        entry.warnings.append(f"answered {rule.status} by fault rule {rule.id}")
        entry.status = rule.status
        raise ToolError(f"{rule.status}: {_fault_message(rule.status, rule.error, rule.id)}")


def _fault_message(status: int, error: str, rule_id: str) -> str:
    return error if error != FaultRule.error else f"Error {status} (injected by fault rule {rule_id})"
