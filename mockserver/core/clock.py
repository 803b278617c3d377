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
# Bounds on what the clock can be told: a speed in simulated seconds per real second, one advance's span,
# and the latest moment it reaches (a year short of datetime's end, so events scheduled after it still fit).
MIN_SPEED = 0.001
MAX_SPEED = 10_000.0
MAX_ADVANCE_SECONDS = 10 * 366 * 24 * 3600
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


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
        self._reanchor((start or datetime.now(UTC)).replace(microsecond=0))
        self.mode: ClockMode = mode
        self.speed = speed

    def now(self) -> datetime:
        if self.mode != "realtime":
            return self._anchor_sim
        elapsed = (time.monotonic() - self._anchor_wall) * self.speed
        if elapsed > self._room:
            return LATEST
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
        self._anchor_sim = min(moment, LATEST)
        self._anchor_wall = time.monotonic()
        self._room = (LATEST - self._anchor_sim).total_seconds()  # how far realtime may run from the anchor

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
        if not isinstance(speed, int | float) or not _is_speed(speed):
            raise BadRequest(f"clock.speed must be a number from {MIN_SPEED:g} to {MAX_SPEED:g}")
        now = value.get("now")
        try:
            moment = parse_iso(now) if isinstance(now, str) else None
        except ValueError:
            moment = None
        if moment is None or moment > LATEST:
            raise BadRequest(f"clock.now must be an ISO-8601 date no later than {iso(LATEST)}")
        return {"now": moment.isoformat(), "mode": value["mode"], "speed": float(speed)}

    def restore(self, data: dict[str, Any]) -> None:
        self._reanchor(parse_iso(str(data["now"])))
        self.mode = data.get("mode", self.mode)
        self.speed = float(data.get("speed", self.speed))


def check_clock_change(now: datetime, seconds: object, speed: object) -> None:
    """BadRequest unless ``seconds`` is a span the clock may move on from ``now``, and ``speed`` (if any) a speed."""
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_ADVANCE_SECONDS:
        raise BadRequest(f"seconds must be a number from 0 to {MAX_ADVANCE_SECONDS}")
    if seconds > (LATEST - now).total_seconds():
        raise BadRequest(f"seconds would move the clock past {iso(LATEST)}, the latest moment it reaches")
    if speed is not None and not _is_speed(speed):
        raise BadRequest(f"speed must be a number from {MIN_SPEED:g} to {MAX_SPEED:g}")


def _is_speed(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and MIN_SPEED <= value <= MAX_SPEED
