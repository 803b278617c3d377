"""The fake's clock: the one source of "now" for every timestamp and every job.

Three modes:
- ``realtime``: simulated time runs with the wall clock, multiplied by ``speed``;
- ``manual``: time moves only when :meth:`Clock.advance` is called;
- ``instant``: like manual, but the scheduler jumps the clock forward to each
  next scheduled event, so jobs finish at once.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from mockserver.core.errors import BadRequest

ClockMode = Literal["realtime", "manual", "instant"]
CLOCK_MODES: tuple[ClockMode, ...] = ("realtime", "manual", "instant")


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and ``Z``, as the API writes dates."""
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


class Clock:
    def __init__(
        self,
        mode: ClockMode = "realtime",
        speed: float = 1.0,
        start: datetime | None = None,
    ) -> None:
        self._anchor_sim = (start or datetime.now(UTC)).replace(microsecond=0)
        self._anchor_wall = time.monotonic()
        self.mode: ClockMode = mode
        self.speed = speed

    def now(self) -> datetime:
        if self.mode != "realtime":
            return self._anchor_sim
        elapsed = (time.monotonic() - self._anchor_wall) * self.speed
        return self._anchor_sim + timedelta(seconds=elapsed)

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the clock never goes back")
        self._reanchor(self.now() + timedelta(seconds=seconds))
        return self.now()

    def advance_to(self, moment: datetime) -> None:
        if moment > self.now():
            self._reanchor(moment)

    def configure(self, mode: ClockMode | None = None, speed: float | None = None) -> None:
        self._reanchor(self.now())
        if mode is not None:
            self.mode = mode
        if speed is not None:
            if speed <= 0:
                raise ValueError("speed must be positive")
            self.speed = speed

    def _reanchor(self, moment: datetime) -> None:
        self._anchor_sim = moment
        self._anchor_wall = time.monotonic()

    def describe(self) -> dict[str, object]:
        """The clock as the control API shows it: now as the API writes dates, the mode and the speed."""
        return {"now": iso(self.now()), "mode": self.mode, "speed": self.speed}

    # ---- state

    def snapshot(self) -> dict[str, object]:
        """Now to the microsecond, the mode and the speed."""
        return {"now": self.now().isoformat(), "mode": self.mode, "speed": self.speed}

    @staticmethod
    def parse_snapshot(value: Any) -> dict[str, Any]:
        """A snapshot's clock, checked; BadRequest names what is wrong."""
        if not isinstance(value, dict):
            raise BadRequest("clock must be a JSON object")
        if value.get("mode") not in CLOCK_MODES:
            raise BadRequest(f"clock.mode must be one of: {', '.join(CLOCK_MODES)}")
        speed = value.get("speed")
        if not isinstance(speed, int | float) or isinstance(speed, bool) or speed <= 0:
            raise BadRequest("clock.speed must be a number > 0")
        now = value.get("now")
        try:
            moment = parse_iso(now) if isinstance(now, str) else None
        except ValueError:
            moment = None
        if moment is None:
            raise BadRequest("clock.now must be an ISO-8601 date")
        return {"now": moment.isoformat(), "mode": value["mode"], "speed": float(speed)}

    def restore(self, data: dict[str, Any]) -> None:
        self._reanchor(parse_iso(str(data["now"])))
        self.mode = data.get("mode", self.mode)
        self.speed = float(data.get("speed", self.speed))
