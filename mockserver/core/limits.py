"""The API's request rate limit: 100 requests a minute per project (off unless asked for).

Counted against the fake's clock, so a test can hit the limit and then move the
clock a minute on instead of waiting.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from datetime import datetime, timedelta

from mockserver.core.clock import Clock
from mockserver.core.errors import TooManyRequests

WINDOW = timedelta(minutes=1)


class RateLimiter:
    def __init__(self, clock: Clock, per_minute: int = 100, enabled: bool = False) -> None:
        self.clock = clock
        self.per_minute = per_minute
        self.enabled = enabled
        self._seen: dict[str, deque[datetime]] = defaultdict(deque)

    def check(self, project_id: str) -> None:
        if not self.enabled:
            return
        now = self.clock.now()
        seen = self._seen[project_id]
        while seen and seen[0] <= now - WINDOW:
            seen.popleft()
        if len(seen) >= self.per_minute:
            wait = math.ceil((seen[0] + WINDOW - now).total_seconds())
            raise TooManyRequests(
                f"Rate limit exceeded: {self.per_minute} requests per minute per project",
                retry_after=max(wait, 1),
            )
        seen.append(now)

    def clear(self) -> None:
        self._seen.clear()
