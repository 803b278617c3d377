"""The fake's clock: the one source of "now" for every timestamp and every job.

Three modes:
- ``realtime``: the clock is the wall clock (UTC). ``speed`` does not move it ahead: it shortens
  how long simulated work takes (:meth:`Clock.span`), so a job of 40 simulated seconds at speed 10
  ends 4 seconds later, at a real time. Only an explicit :meth:`Clock.advance` puts it ahead of the
  wall clock, and :meth:`Clock.describe` says by how much;
- ``manual``: time moves only when :meth:`Clock.advance` is called; simulated work takes its full length;
- ``instant``: like manual, but the scheduler jumps the clock forward to each
  next scheduled event, so jobs finish at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from mockserver.core.errors import BadRequest

ClockMode = Literal["realtime", "manual", "instant"]
CLOCK_MODES: tuple[ClockMode, ...] = ("realtime", "manual", "instant")
# Seconds since the epoch, as time.time gives them: what "now" is in realtime mode.
WallClock = Callable[[], float]


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
        wall: WallClock = time.time,
    ) -> None:
        self._wall = wall
        # Now in manual and instant modes (``start``, else the wall clock's now); a realtime clock has no start.
        self._stopped_at = (start or self._wall_now()).replace(microsecond=0)
        self._ahead = timedelta(0)  # how far an explicit advance put the realtime clock ahead of the wall clock
        self.mode: ClockMode = mode
        self.speed = speed
        self.revision = 0  # counts every move of the clock not made by the wall clock, and changes of mode or speed

    def now(self) -> datetime:
        if self.mode != "realtime":
            return self._stopped_at
        return self._wall_now() + self._ahead

    def span(self, seconds: float) -> timedelta:
        """How long ``seconds`` of simulated work takes on this clock: shortened by the speed in realtime mode."""
        if self.mode == "realtime":
            return timedelta(seconds=seconds / self.speed)
        return timedelta(seconds=seconds)

    def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the clock never goes back")
        self._move_to(self.now() + timedelta(seconds=seconds))
        return self.now()

    def advance_to(self, moment: datetime) -> None:
        if moment > self.now():
            self._move_to(moment)

    def configure(self, mode: ClockMode | None = None, speed: float | None = None) -> None:
        """Change mode or speed; the clock never goes back (leaving manual mode ahead of the wall clock stays ahead)."""
        now = self.now()
        if mode is not None:
            self.mode = mode
        if speed is not None:
            if speed <= 0:
                raise ValueError("speed must be positive")
            self.speed = speed
        self._move_to(now)

    def _move_to(self, moment: datetime) -> None:
        self.revision += 1
        self._stopped_at = moment
        self._ahead = max(timedelta(0), moment - self._wall_now())

    def _wall_now(self) -> datetime:
        return datetime.fromtimestamp(self._wall(), UTC)

    def describe(self) -> dict[str, object]:
        """The clock as the control API shows it: now as the API writes dates, the mode, the speed, and in
        realtime mode how many seconds an explicit advance put it ahead of the wall clock."""
        described: dict[str, object] = {"now": iso(self.now()), "mode": self.mode, "speed": self.speed}
        if self.mode == "realtime":
            described["aheadSeconds"] = round(self._ahead.total_seconds(), 3)
        return described

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
        """A snapshot's clock. A realtime clock is restored to the wall clock's now, not to the moment saved:
        the time that passed since is real, and a lead the saved clock had is not carried on."""
        self.mode = data.get("mode", self.mode)
        self.speed = float(data.get("speed", self.speed))
        if self.mode == "realtime":
            self._stopped_at, self._ahead = self._wall_now(), timedelta(0)
            self.revision += 1
        else:
            self._move_to(parse_iso(str(data["now"])))
