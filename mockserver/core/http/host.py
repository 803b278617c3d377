"""What the request pipeline needs from whatever serves an API, and from the API itself.

The server's fake satisfies :class:`Host` as it is; each API's backend satisfies :class:`Backend`.
"""

from __future__ import annotations

from typing import Protocol

from mockserver.core.clock import Clock
from mockserver.core.contract import Contract
from mockserver.core.faults import FaultRules
from mockserver.core.journal import Journal
from mockserver.core.limits import RateLimiter
from mockserver.core.principals import Directory
from mockserver.core.store import Store


class Options(Protocol):
    """How requests are checked: every API served by one host checks them alike."""

    @property
    def validation(self) -> str:
        """``strict`` refuses a request that breaks the contract; ``report`` serves it and journals why."""
        ...

    @property
    def strict_requests(self) -> bool:
        """Refuse a request with a query parameter or body field its operation does not have."""
        ...

    @property
    def check_responses(self) -> bool: ...

    @property
    def max_body_bytes(self) -> int: ...

    @property
    def public_url(self) -> str | None:
        """Where clients reach the fake, if not at the address they used (a proxy, a tunnel)."""
        ...


class Host(Protocol):
    """What the APIs served together share: one clock, one journal, one set of callers and fault rules,
    one store whose lock serializes every request."""

    @property
    def settings(self) -> Options: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def journal(self) -> Journal: ...

    @property
    def faults(self) -> FaultRules: ...

    @property
    def directory(self) -> Directory: ...

    @property
    def limits(self) -> RateLimiter: ...

    @property
    def store(self) -> Store: ...

    def advance(self, seconds: float = 0) -> None:
        """Move the clock ``seconds`` on and apply everything due by then."""
        ...


class Backend(Protocol):
    """One API's own part: its contract, and whatever its handlers ask of it."""

    @property
    def contract(self) -> Contract: ...
